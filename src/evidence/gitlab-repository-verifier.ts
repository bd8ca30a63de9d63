import type { RepositoryRef } from '../common/normalize.js';
import { repositoryProofNames } from './challenge-codes.js';
import type { RepositoryVerifier, VerifierResult } from './repository-verifier.js';

const TIMEOUT_MS = 10_000;

type Answer = { status: 200; body: unknown } | { status: 404 } | { outcome: 'unavailable'; reason: string };

/**
 * GitLab's REST API v4 for one GitLab host (gitlab.com, or a self-managed instance): the project by its
 * URL-encoded path (`GET /projects/group%2Fsub%2Fname`, which also gives the default branch), then
 * `GET /projects/:id/repository/branches/:branch` and, failing that,
 * `GET /projects/:id/repository/files/:file?ref=<default branch>`. 200 means there, 404 means not
 * (GitLab also answers 404 for a project the desk may not see). The token is optional: public projects
 * need none, and a read-only one (`read_api`) raises the rate limit.
 */
export class GitLabRepositoryVerifier implements RepositoryVerifier {
  constructor(
    private readonly apiUrl: string,
    private readonly host: string,
    private readonly token: string | null,
    private readonly timeoutMs = TIMEOUT_MS,
  ) {}

  handles(host: string): boolean {
    return host === this.host;
  }

  async check(repository: RepositoryRef, token: string): Promise<VerifierResult> {
    const { branch, file } = repositoryProofNames(token);
    const project = `${this.apiUrl}/projects/${encodeURIComponent(`${repository.owner}/${repository.name}`)}`;
    const found = await this.get(project);
    if ('outcome' in found) return found;
    if (found.status === 404) return { outcome: 'not_found' };
    const onBranch = await this.get(`${project}/repository/branches/${encodeURIComponent(branch)}`);
    if ('outcome' in onBranch) return onBranch;
    if (onBranch.status === 200) return { outcome: 'found', where: 'branch' };
    const defaultBranch = (found.body as { default_branch?: unknown } | null)?.default_branch;
    // An empty project has no default branch, so no file either.
    if (typeof defaultBranch !== 'string' || defaultBranch === '') return { outcome: 'not_found' };
    const inFile = await this.get(`${project}/repository/files/${encodeURIComponent(file)}?ref=${encodeURIComponent(defaultBranch)}`);
    if ('outcome' in inFile) return inFile;
    return inFile.status === 200 ? { outcome: 'found', where: 'file' } : { outcome: 'not_found' };
  }

  private async get(url: string): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'recovery-desk' };
    if (this.token) headers['private-token'] = this.token;
    let response: Response;
    try {
      response = await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      return { outcome: 'unavailable', reason: `GitLab did not answer: ${(error as Error).name}` };
    }
    let body: unknown = null;
    try {
      body = response.status === 200 ? await response.json() : await response.arrayBuffer();
    } catch {
      // A 200 that is not JSON is not GitLab answering: say so rather than guess.
      if (response.status === 200) return { outcome: 'unavailable', reason: 'GitLab answered something that is not JSON' };
    }
    if (response.status === 200) return { status: 200, body };
    if (response.status === 404) return { status: 404 };
    if (response.status === 429) return { outcome: 'unavailable', reason: 'GitLab rate limit (HTTP 429)' };
    if (response.status === 401) return { outcome: 'unavailable', reason: "GitLab refused the desk's token (HTTP 401): check GITLAB_TOKEN" };
    return { outcome: 'unavailable', reason: `GitLab answered HTTP ${response.status}` };
  }
}
