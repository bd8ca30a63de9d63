import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface FakeGitHubUser {
  id: number;
  login: string;
}

type Flow = {
  deviceCode: string;
  userCode: string;
  /** What the next poll answers. */
  state: 'pending' | 'denied' | 'expired' | { user: FakeGitHubUser };
  /** Answer `slow_down` to this many next polls first. */
  slowDowns: number;
  polls: number;
  tokenIssued: boolean;
};

/**
 * A local HTTP server that plays GitHub's OAuth device flow and `GET /user`: the test starts nothing
 * by hand. The app asks for a device code (`POST /login/device/code`), the test plays the requester at
 * GitHub (`authorize`, `deny`, `expire`, `slowDown`), the app polls (`POST /login/oauth/access_token`)
 * and reads `GET /user` with the token, which works once. Only the configured client id is accepted.
 */
export class FakeGitHubOAuth {
  readonly clientId = 'Ov23li-test-desk';
  private readonly flows = new Map<string, Flow>();
  private readonly tokens = new Map<string, { user: FakeGitHubUser; used: boolean }>();
  /** Every request, for the test to check what the app sent (never the token in a log: the test reads it here). */
  readonly requests: { method: string; path: string; form: Record<string, string>; authorization?: string }[] = [];
  failWith: number | null = null;
  interval = 5;
  expiresIn = 900;
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    this.requests.push({ method: req.method ?? '', path, form, authorization: req.headers.authorization });
    if (this.failWith) return { status: this.failWith, body: { message: 'unavailable' } };

    if (req.method === 'POST' && path === '/login/device/code') {
      if (form.client_id !== this.clientId) return { status: 401, body: { error: 'incorrect_client_credentials' } };
      const flow: Flow = {
        deviceCode: randomBytes(20).toString('hex'),
        userCode: `${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}`.toUpperCase(),
        state: 'pending',
        slowDowns: 0,
        polls: 0,
        tokenIssued: false,
      };
      this.flows.set(flow.userCode, flow);
      return {
        status: 200,
        body: {
          device_code: flow.deviceCode,
          user_code: flow.userCode,
          verification_uri: `${this.url}/login/device`,
          expires_in: this.expiresIn,
          interval: this.interval,
        },
      };
    }
    if (req.method === 'POST' && path === '/login/oauth/access_token') {
      if (form.client_id !== this.clientId) return { status: 200, body: { error: 'incorrect_client_credentials' } };
      if (form.grant_type !== 'urn:ietf:params:oauth:grant-type:device_code') return { status: 200, body: { error: 'unsupported_grant_type' } };
      const flow = [...this.flows.values()].find((f) => f.deviceCode === form.device_code);
      if (!flow) return { status: 200, body: { error: 'incorrect_device_code' } };
      flow.polls++;
      if (flow.tokenIssued) return { status: 200, body: { error: 'expired_token' } };
      if (flow.slowDowns > 0) {
        flow.slowDowns--;
        return { status: 200, body: { error: 'slow_down', interval: this.interval + 5 } };
      }
      if (flow.state === 'pending') return { status: 200, body: { error: 'authorization_pending' } };
      if (flow.state === 'denied') return { status: 200, body: { error: 'access_denied' } };
      if (flow.state === 'expired') return { status: 200, body: { error: 'expired_token' } };
      const token = `gho_${randomBytes(18).toString('hex')}`;
      this.tokens.set(token, { user: flow.state.user, used: false });
      flow.tokenIssued = true;
      return { status: 200, body: { access_token: token, token_type: 'bearer', scope: '' } };
    }
    if (req.method === 'GET' && path === '/user') {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const known = token ? this.tokens.get(token) : undefined;
      if (!known) return { status: 401, body: { message: 'Bad credentials' } };
      known.used = true;
      return { status: 200, body: { login: known.user.login, id: known.user.id, type: 'User' } };
    }
    return { status: 404, body: { message: 'Not Found' } };
  }

  /** The requester entered `userCode` at GitHub while signed in as `user`, and approved. */
  authorize(userCode: string, user: FakeGitHubUser): void {
    this.flow(userCode).state = { user };
  }

  deny(userCode: string): void {
    this.flow(userCode).state = 'denied';
  }

  expire(userCode: string): void {
    this.flow(userCode).state = 'expired';
  }

  /** The next `times` polls of this flow are answered `slow_down`. */
  slowDown(userCode: string, times = 1): void {
    this.flow(userCode).slowDowns = times;
  }

  polls(userCode: string): number {
    return this.flow(userCode).polls;
  }

  /** Access tokens handed out, and whether each was used. */
  issuedTokens(): { token: string; used: boolean }[] {
    return [...this.tokens.entries()].map(([token, t]) => ({ token, used: t.used }));
  }

  private flow(userCode: string): Flow {
    const flow = this.flows.get(userCode);
    if (!flow) throw new Error(`the stand-in GitHub gave no user code ${userCode}`);
    return flow;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
