import fc from 'fast-check';
import { ENDPOINTS, type Endpoint } from '../src/bench/fuzz/endpoints.js';
import { FuzzFixtures } from '../src/bench/fuzz/fixtures.js';
import { FuzzHttp, type FuzzResponse } from '../src/bench/fuzz/http.js';
import { sendCase } from '../src/bench/fuzz/runner.js';
import { FakeGitHub } from './support/fake-github.js';
import { FakeGitHubOAuth } from './support/fake-github-oauth.js';
import { EVENTUALLY_MS, startTestApp, type TestApp } from './support/test-app.js';

/*
 * The CI share of `npm run fuzz` (docs/security.md, "Fuzzing"): the same generators and fixtures
 * (src/bench/fuzz/), a few hundred requests per public endpoint instead of 10,000, through the real
 * server. Whatever is sent: never a 5xx, and every refusal says why: the API names the fields in
 * `errors`, a page marks the field it refuses (id="<field>-error"), and a body that cannot be read at
 * all gets a page or JSON message saying so. The seed is left to fast-check (it prints it on failure).
 */

const RUNS = 100;
/**
 * Fewer for the enrolment step: every answer there renders the page's QR code again, and under Jest it was
 * by far the slowest endpoint (about 2 s a request on a loaded machine, against 50 ms in npm run fuzz).
 */
const RUNS_FOR: Record<string, number> = { 'login-enrol': 30 };

/** A refusal page or JSON that says what was wrong, not an empty or generic answer. */
function refusalProblem(endpoint: Endpoint, res: FuzzResponse): string | null {
  if (res.status < 400 || res.status >= 500) return null;
  const type = String(res.headers['content-type'] ?? '');
  if (type.startsWith('application/json')) {
    const body = JSON.parse(res.text) as { message?: unknown; errors?: { field?: unknown; reasons?: unknown }[] };
    if (Array.isArray(body.errors)) {
      // A key that is the empty string is named as such ("field": "").
      const named = body.errors.every((e) => typeof e.field === 'string' && Array.isArray(e.reasons) && e.reasons.length > 0);
      return named ? null : `errors without a field or reason: ${res.text.slice(0, 300)}`;
    }
    return typeof body.message === 'string' && body.message.length > 0 ? null : `JSON refusal without a message: ${res.text.slice(0, 300)}`;
  }
  if (!type.startsWith('text/html')) return `a ${res.status} as ${type || 'no content type'}`;
  // A page: the field marked beside its input, a notice, or an error page with a title and a message.
  if (/id="[a-z_]+-error"|id="error-summary-title"|role="alert"|role="status"/.test(res.text)) return null;
  if (/<h1[^>]*>[^<]+<\/h1>\s*<p[^>]*>[^<]{10,}/.test(res.text)) return null;
  return `${endpoint.name}: a ${res.status} page that says nothing: ${res.text.slice(0, 300)}`;
}

describe('every public endpoint under generated input (the CI share of npm run fuzz)', () => {
  let t: TestApp;
  let http: FuzzHttp;
  let fixtures: FuzzFixtures;
  let github: FakeGitHub;
  let githubOAuth: FakeGitHubOAuth;

  beforeAll(async () => {
    github = await new FakeGitHub().start();
    // Requests come from random X-Forwarded-For addresses, as in the command: per-client limits stay out of the way.
    githubOAuth = await new FakeGitHubOAuth().start();
    t = await startTestApp({
      TRUST_PROXY: 'true',
      GITHUB_API_URL: github.url,
      GITHUB_OAUTH_URL: githubOAuth.url,
      GITHUB_OAUTH_CLIENT_ID: githubOAuth.clientId,
    });
    http = new FuzzHttp(t.baseUrl);
    fixtures = new FuzzFixtures(t.app, http);
    await fixtures.prepare();
  }, EVENTUALLY_MS);

  afterAll(async () => {
    http?.close();
    await t?.close();
    await github?.stop();
    await githubOAuth?.stop();
  });

  it.each(ENDPOINTS.map((e) => [e.name, e] as const))(
    '%s: no 5xx, and every refusal says why',
    async (_name, endpoint) => {
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(endpoint.cases, async (c) => {
          const { request, response } = await sendCase(endpoint, c, fixtures, http);
          if (!response) throw new Error(`no answer to ${request.method} ${request.path.slice(0, 200)}`);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status >= 500) throw new Error(`${response.status} for ${request.method} ${request.path.slice(0, 200)}: ${response.text.slice(0, 500)}`);
          const problem = refusalProblem(endpoint, response);
          if (problem) throw new Error(problem);
        }),
        { numRuns: RUNS_FOR[endpoint.name] ?? RUNS },
      );
      // The generators reach several outcomes (refusals of the token, the body, the content type; passes where one can pass).
      expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThan(1);
      expect(statuses.size).toBeGreaterThan(2);
    },
    10 * EVENTUALLY_MS,
  );
});
