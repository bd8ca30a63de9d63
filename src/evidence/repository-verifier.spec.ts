import { createServer, type Server } from 'node:http';
import { parseRepository } from '../common/normalize.js';
import { GitHubRepositoryVerifier } from './repository-verifier.js';

/** A few canned GitHub answers on a local port: the verifier's HTTP handling, without the app. */
describe('GitHubRepositoryVerifier', () => {
  let server: Server;
  let base = '';
  const seen: string[] = [];
  let answer: (path: string) => number = () => 404;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.headers.authorization ?? '-'} ${req.headers.accept} ${req.url}`);
      const status = answer(decodeURIComponent(req.url ?? ''));
      if (status === 0) return; // never answer: the verifier must time out
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
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

  const repo = parseRepository('https://github.com/Owner/Repo')!;

  it('finds a branch first, with the token and the API version headers', async () => {
    answer = (path) => (path === '/repos/Owner/Repo/branches/recovery-desk-rd-abc' ? 200 : 404);
    expect(await new GitHubRepositoryVerifier(base, 'tok_123').check(repo, 'rd-abc')).toEqual({ outcome: 'found', where: 'branch' });
    expect(seen).toEqual(['Bearer tok_123 application/vnd.github+json /repos/Owner/Repo/branches/recovery-desk-rd-abc']);
  });

  it('falls back to a file on the default branch, and says not found when neither exists', async () => {
    answer = (path) => (path === '/repos/Owner/Repo/contents/recovery-desk-rd-abc.txt' ? 200 : 404);
    expect(await new GitHubRepositoryVerifier(base, null).check(repo, 'rd-abc')).toEqual({ outcome: 'found', where: 'file' });
    expect(seen.map((s) => s.split(' ')[0])).toEqual(['-', '-']);
    answer = () => 404;
    expect(await new GitHubRepositoryVerifier(base, null).check(repo, 'rd-abc')).toEqual({ outcome: 'not_found' });
  });

  it('reports rate limits, errors and silence as unavailable, never as not found', async () => {
    answer = () => 403;
    expect(await new GitHubRepositoryVerifier(base, null).check(repo, 'rd-abc')).toMatchObject({
      outcome: 'unavailable',
      reason: expect.stringContaining('rate limit'),
    });
    answer = () => 502;
    expect(await new GitHubRepositoryVerifier(base, null).check(repo, 'rd-abc')).toMatchObject({
      outcome: 'unavailable',
      reason: expect.stringContaining('502'),
    });
    answer = () => 0;
    expect(await new GitHubRepositoryVerifier(base, null, 200).check(repo, 'rd-abc')).toMatchObject({ outcome: 'unavailable' });
    expect(await new GitHubRepositoryVerifier('http://127.0.0.1:1', null, 500).check(repo, 'rd-abc')).toMatchObject({ outcome: 'unavailable' });
  });

  it('handles github.com only', () => {
    const verifier = new GitHubRepositoryVerifier(base, null);
    expect(verifier.handles('github.com')).toBe(true);
    expect(verifier.handles('gitlab.com')).toBe(false);
  });
});
