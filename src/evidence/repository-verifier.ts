import type { RepositoryRef } from '../common/normalize.js';
import { repositoryProofNames } from './challenge-codes.js';

/** `found`: the branch or file exists. `unavailable`: the forge could not tell us now (retry later). */
export type VerifierResult = { outcome: 'found'; where: 'branch' | 'file' } | { outcome: 'not_found' } | { outcome: 'unavailable'; reason: string };

/**
 * Checks a repository for a challenge token. One implementation per forge; a repository on a forge
 * nobody implements is checked by a moderator by hand (`ChallengesService.recordRepositoryResult`).
 */
export interface RepositoryVerifier {
  /** Whether this verifier can check repositories on `host` (e.g. `github.com`). */
  handles(host: string): boolean;
  check(repository: RepositoryRef, token: string): Promise<VerifierResult>;
}

export const REPOSITORY_VERIFIERS = Symbol('REPOSITORY_VERIFIERS');

const TIMEOUT_MS = 10_000;

/**
 * GitHub's REST API: `GET /repos/{owner}/{repo}/branches/{branch}` and, failing that,
 * `GET /repos/{owner}/{repo}/contents/{path}` on the default branch; 200 means there, 404 means not.
 * The base URL is configurable (GitHub Enterprise, or a stand-in server in tests).
 */
export class GitHubRepositoryVerifier implements RepositoryVerifier {
  constructor(
    private readonly apiUrl: string,
    private readonly token: string | null,
    private readonly timeoutMs = TIMEOUT_MS,
  ) {}

  handles(host: string): boolean {
    return host === 'github.com';
  }

  async check(repository: RepositoryRef, token: string): Promise<VerifierResult> {
    const { branch, file } = repositoryProofNames(token);
    const base = `${this.apiUrl}/repos/${encodeURIComponent(repository.owner)}/${encodeURIComponent(repository.name)}`;
    const onBranch = await this.get(`${base}/branches/${encodeURIComponent(branch)}`);
    if (onBranch !== 'not_found') return onBranch === 'found' ? { outcome: 'found', where: 'branch' } : onBranch;
    const inFile = await this.get(`${base}/contents/${encodeURIComponent(file)}`);
    if (inFile !== 'not_found') return inFile === 'found' ? { outcome: 'found', where: 'file' } : inFile;
    return { outcome: 'not_found' };
  }

  private async get(url: string): Promise<'found' | 'not_found' | { outcome: 'unavailable'; reason: string }> {
    const headers: Record<string, string> = {
      accept: 'application/vnd.github+json',
      'user-agent': 'recovery-desk',
      'x-github-api-version': '2022-11-28',
    };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      return { outcome: 'unavailable', reason: `GitHub did not answer: ${(error as Error).name}` };
    }
    // Drain the body so the connection can be reused; its content does not matter.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status === 200) return 'found';
    // 404: no such branch, file or repository. GitHub also answers 404 for a private repository.
    if (response.status === 404) return 'not_found';
    if (response.status === 403 || response.status === 429) return { outcome: 'unavailable', reason: `GitHub rate limit (HTTP ${response.status})` };
    return { outcome: 'unavailable', reason: `GitHub answered HTTP ${response.status}` };
  }
}
