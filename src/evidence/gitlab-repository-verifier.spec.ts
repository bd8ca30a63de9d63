import { createServer, type Server } from 'node:http';
import { parseRepository } from '../common/normalize.js';
import { GitLabRepositoryVerifier } from './gitlab-repository-verifier.js';

/** A few canned GitLab answers on a local port: the verifier's HTTP handling, without the app. */
describe('GitLabRepositoryVerifier', () => {
  let server: Server;
  let base = '';
  const seen: string[] = [];
  let answer: (path: string) => { status: number; body?: string } = () => ({ status: 404 });

  beforeAll(async () => {
    server = createServer((req, res) => {
      // The raw path: the project path must arrive URL-encoded as one segment.
      seen.push(`${String(req.headers['private-token'] ?? '-')} ${req.url}`);
      const { status, body } = answer(req.url ?? '');
      if (status === 0) return; // never answer: the verifier must time out
      res.writeHead(status, { 'content-type': 'application/json' }).end(body ?? '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/v4`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  beforeEach(() => {
    seen.length = 0;
  });

  const repo = parseRepository('https://gitlab.com/Group/Sub/Tool')!;
  const project = '/api/v4/projects/Group%2FSub%2FTool';
  const projectFound = { status: 200, body: JSON.stringify({ id: 7, default_branch: 'trunk' }) };

  it('reads the project by its encoded path, then finds the branch, sending the token', async () => {
    answer = (path) => (path === project || path === `${project}/repository/branches/recovery-desk-rd-abc` ? projectFound : { status: 404 });
    expect(await new GitLabRepositoryVerifier(base, 'gitlab.com', 'glpat-123').check(repo, 'rd-abc')).toEqual({ outcome: 'found', where: 'branch' });
    expect(seen).toEqual([`glpat-123 ${project}`, `glpat-123 ${project}/repository/branches/recovery-desk-rd-abc`]);
  });

  it('falls back to the file on the default branch, and says not found when neither exists', async () => {
    const file = `${project}/repository/files/recovery-desk-rd-abc.txt?ref=trunk`;
    answer = (path) => (path === project || path === file ? projectFound : { status: 404 });
    expect(await new GitLabRepositoryVerifier(base, 'gitlab.com', null).check(repo, 'rd-abc')).toEqual({ outcome: 'found', where: 'file' });
    expect(seen).toEqual([`- ${project}`, `- ${project}/repository/branches/recovery-desk-rd-abc`, `- ${file}`]);
    answer = (path) => (path === project ? projectFound : { status: 404 });
    expect(await new GitLabRepositoryVerifier(base, 'gitlab.com', null).check(repo, 'rd-abc')).toEqual({ outcome: 'not_found' });
  });

  it('says not found for a missing project, and for an empty one (no default branch) after the branch', async () => {
    answer = () => ({ status: 404 });
    expect(await new GitLabRepositoryVerifier(base, 'gitlab.com', null).check(repo, 'rd-abc')).toEqual({ outcome: 'not_found' });
    expect(seen).toHaveLength(1);
    answer = (path) => (path === project ? { status: 200, body: JSON.stringify({ id: 7, default_branch: null }) } : { status: 404 });
    expect(await new GitLabRepositoryVerifier(base, 'gitlab.com', null).check(repo, 'rd-abc')).toEqual({ outcome: 'not_found' });
  });

  it('reports rate limits, a refused token, errors, junk and silence as unavailable, never as not found', async () => {
    const verifier = new GitLabRepositoryVerifier(base, 'gitlab.com', null);
    answer = () => ({ status: 429 });
    expect(await verifier.check(repo, 'rd-abc')).toMatchObject({ outcome: 'unavailable', reason: expect.stringContaining('rate limit') });
    answer = () => ({ status: 401 });
    expect(await verifier.check(repo, 'rd-abc')).toMatchObject({ outcome: 'unavailable', reason: expect.stringContaining('GITLAB_TOKEN') });
    answer = (path) => (path === project ? projectFound : { status: 503 });
    expect(await verifier.check(repo, 'rd-abc')).toMatchObject({ outcome: 'unavailable', reason: expect.stringContaining('503') });
    answer = () => ({ status: 200, body: '<html>' });
    expect(await verifier.check(repo, 'rd-abc')).toMatchObject({ outcome: 'unavailable', reason: expect.stringContaining('not JSON') });
    answer = () => ({ status: 0 });
    expect(await new GitLabRepositoryVerifier(base, 'gitlab.com', null, 200).check(repo, 'rd-abc')).toMatchObject({ outcome: 'unavailable' });
    expect(await new GitLabRepositoryVerifier('http://127.0.0.1:1', 'gitlab.com', null, 500).check(repo, 'rd-abc')).toMatchObject({ outcome: 'unavailable' });
  });

  it('handles its configured host only', () => {
    expect(new GitLabRepositoryVerifier(base, 'gitlab.com', null).handles('gitlab.com')).toBe(true);
    expect(new GitLabRepositoryVerifier(base, 'gitlab.com', null).handles('github.com')).toBe(false);
    const selfManaged = new GitLabRepositoryVerifier(base, 'gitlab.example.org', null);
    expect(selfManaged.handles('gitlab.example.org')).toBe(true);
    expect(selfManaged.handles('gitlab.com')).toBe(false);
  });
});
