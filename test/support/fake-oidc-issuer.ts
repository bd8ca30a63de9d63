import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { createServer, type Server } from 'node:http';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export interface TokenOptions {
  audience: string;
  repository?: string;
  workflow?: string;
  environment?: string;
  repositoryId?: string;
  repositoryOwnerId?: string;
  /** Seconds since the epoch; default now. */
  issuedAt?: number;
  /** Seconds the token lives; GitHub's live minutes. */
  lifetime?: number;
  issuer?: string;
  /** Sign with a key the JWKS does not publish (under the published key's id). */
  foreignKey?: boolean;
}

/**
 * A stand-in for GitHub Actions' OIDC issuer: its own RSA key pair (jose's generateKeyPair), the public
 * half served as a JWKS on a free port (node:http), and tokens shaped like GitHub's, signed with it.
 */
export class FakeOidcIssuer {
  private server!: Server;
  private privateKey!: Key;
  private otherKey!: Key;
  private jwk!: JWK;
  url = '';
  jwksRequests = 0;

  async start(): Promise<this> {
    const pair = await generateKeyPair('RS256', { extractable: true });
    this.privateKey = pair.privateKey;
    this.otherKey = (await generateKeyPair('RS256')).privateKey;
    this.jwk = { ...(await exportJWK(pair.publicKey)), kid: 'stand-in-1', alg: 'RS256', use: 'sig' };
    this.server = createServer((req, res) => {
      if (req.url === '/.well-known/jwks') {
        this.jwksRequests++;
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ keys: [this.jwk] }));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  /** A token as GitHub Actions gives a job of `workflow` in `repository` on main. */
  async token(options: TokenOptions): Promise<string> {
    const repository = options.repository ?? 'octo-org/fancy-lib';
    const ref = `${repository}/.github/workflows/${options.workflow ?? 'release.yml'}@refs/heads/main`;
    const iat = options.issuedAt ?? Math.floor(Date.now() / 1000);
    const claims: Record<string, string> = {
      repository,
      repository_owner: repository.split('/')[0],
      repository_id: options.repositoryId ?? '101',
      repository_owner_id: options.repositoryOwnerId ?? '202',
      workflow_ref: ref,
      job_workflow_ref: ref,
      ref: 'refs/heads/main',
      event_name: 'workflow_dispatch',
      ...(options.environment ? { environment: options.environment } : {}),
    };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'stand-in-1', typ: 'JWT' })
      .setIssuer(options.issuer ?? this.url)
      .setAudience(options.audience)
      .setSubject(`repo:${repository}:ref:refs/heads/main`)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + (options.lifetime ?? 300))
      .setJti(crypto.randomUUID())
      .sign(options.foreignKey ? this.otherKey : this.privateKey);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
