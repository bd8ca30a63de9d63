import request from 'supertest';
import { AssessmentRecord } from '../src/evidence/assessment.entity.js';
import { Challenge } from '../src/evidence/challenge.entity.js';
import { GitHubDeviceFlow } from '../src/evidence/github-device-flow.entity.js';
import { MAX_GITHUB_POLLS } from '../src/evidence/linked-identity-challenges.service.js';
import { Ticket, TicketEvent } from '../src/tickets/ticket.entity.js';
import { FakeGitHubOAuth } from './support/fake-github-oauth.js';
import { makeAccount, makeTicketBody, seedDirectory } from './support/factories.js';
import { MovableClock } from './support/movable-clock.js';
import { signedInModerator } from './support/staff.js';
import { expectEventually, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';

/** Dana links GitHub user 4242, known today as `dana-gh`. Erin links a login but no id. */
const DANA = makeAccount({ username: 'dana-li', linked_github: 'dana-gh', linked_github_id: 4242 });
const ERIN = makeAccount({ username: 'erin-li', linked_github: 'erin-gh' });

describe('linked GitHub identity: the OAuth device flow through the status page, against a stand-in GitHub', () => {
  let t: TestApp;
  let github: FakeGitHubOAuth;
  const clock = new MovableClock();

  beforeAll(async () => {
    github = await new FakeGitHubOAuth().start();
    t = await startTestApp(
      { GITHUB_OAUTH_CLIENT_ID: github.clientId, GITHUB_OAUTH_URL: github.url, GITHUB_API_URL: github.url, LOG_LEVEL: 'silent' },
      { clock },
    );
    await seedDirectory(t, [DANA, ERIN]);
  });
  afterAll(async () => {
    await t?.close();
    await github?.stop();
  });

  const submit = async (username: string) => {
    const res = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username, contact_email: `${username}-${Math.random().toString(36).slice(2)}@elsewhere.example` }));
    expect(res.status).toBe(201);
    const reference = res.body.reference as string;
    const ticket = await t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });
    await assessments(ticket.id, 1);
    return { reference, ticket, token: statusTokenIn(res.body.status_url as string) };
  };
  const assessments = (ticketId: string, atLeast: number) =>
    expectEventually(async () => {
      const rows = await t.dataSource.getRepository(AssessmentRecord).find({ where: { ticketId }, order: { id: 'ASC' } });
      if (rows.length < atLeast) throw new Error(`${rows.length} of ${atLeast} assessments so far`);
      return rows;
    });
  /** Starts a sign-in on the status page and returns its challenge and the user code the page shows. */
  const startSignIn = async (token: string, ticketId: string) => {
    await request(t.server).post(`/status/${token}/github`).expect(303).expect('Location', `/status/${token}?github=started`);
    const challenge = await t.dataSource
      .getRepository(Challenge)
      .findOneOrFail({ where: { ticketId, kind: 'github_identity', state: 'pending' }, order: { createdAt: 'DESC' } });
    const page = (await request(t.server).get(`/status/${token}?github=started`).expect(200)).text;
    expect(page).toContain(challenge.token!);
    expect(page).toContain(`${github.url}/login/device`);
    expect(page).toContain('I have entered the code');
    return { challenge, userCode: challenge.token! };
  };
  const entered = (token: string, id: string) => request(t.server).post(`/status/${token}/github/${id}/check`);
  /** The GitHub section of the status page, without what differs between any two requests (codes, ids, times). */
  const githubSection = async (token: string) => {
    const page = (await request(t.server).get(`/status/${token}?github=done`).expect(200)).text;
    const notice = /<div class="alert alert-info" role="status">([^<]*)<\/div>/.exec(page)?.[1];
    const section = /<section aria-labelledby="github-title"[\s\S]*?<\/section>/.exec(page)![0];
    return `${notice} ${section.replace(/[0-9a-f-]{36}/g, 'ID').replace(/\/status\/[A-Za-z0-9_-]{43}/g, '/status/TOKEN')}`;
  };

  it('passes when the numeric id matches: end to end through the status page, the score and the ticket page', async () => {
    const { ticket, token, reference } = await submit('dana-li');
    const { challenge, userCode } = await startSignIn(token, ticket.id);
    // The device code is kept sealed, never in the clear.
    const flow = await t.dataSource.getRepository(GitHubDeviceFlow).findOneByOrFail({ challengeId: challenge.id });
    expect(flow.deviceCodeSealed).toMatch(/^v1\./);
    expect(github.requests.find((r) => r.path === '/login/device/code')?.form).toEqual({ client_id: github.clientId, scope: '' });

    github.authorize(userCode, { id: 4242, login: 'dana-gh' });
    await entered(token, challenge.id).expect(303).expect('Location', `/status/${token}?github=done`);
    expect(await t.dataSource.getRepository(Challenge).findOneByOrFail({ id: challenge.id })).toMatchObject({
      state: 'passed',
      target: 'github:4242',
      note: '@dana-gh',
    });
    expect(await t.dataSource.getRepository(GitHubDeviceFlow).countBy({ challengeId: challenge.id })).toBe(0);
    // The access token was used once, for GET /user, and is nowhere in the database.
    const issued = github.issuedTokens();
    expect(issued).toEqual([{ token: expect.stringMatching(/^gho_/), used: true }]);
    expect(github.requests.filter((r) => r.path === '/user').map((r) => r.authorization)).toEqual([`Bearer ${issued[0].token}`]);
    const stored = JSON.stringify([
      await t.dataSource.getRepository(TicketEvent).findBy({ ticketId: ticket.id }),
      await t.dataSource.getRepository(Challenge).findBy({ ticketId: ticket.id }),
    ]);
    expect(stored).not.toContain(issued[0].token);
    // Single use: the passed check is over.
    await entered(token, challenge.id).expect(404);

    const last = (await assessments(ticket.id, 2)).at(-1)!;
    expect(last.signals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'linked_identity_proof', kind: 'proof', effect: 40, reason: expect.stringContaining('numeric user id matches') }),
      ]),
    );
    expect(last.score).toBeGreaterThan((await assessments(ticket.id, 1))[0].score);
    const status = (await request(t.server).get(`/status/${token}`).expect(200)).text;
    expect(status).not.toContain('linked_identity_proof');
    expect(status).not.toContain('4242');

    const mia = await signedInModerator(t, 'mia-li');
    const page = (await mia.get(`/dashboard/tickets/${reference}`).expect(200)).text;
    expect(page).toContain('linked GitHub identity');
    expect(page).toContain('github:4242');
    expect(page).toContain('(user id 4242)');
    expect(page).toContain('linked identity proof');
    expect(page).toContain('signed in to the linked GitHub account: its numeric user id matches');
    expect(page).toContain('Signed in to GitHub user id 4242 (@dana-gh): the linked id, control proven.');
  });

  it('answers "still waiting" while GitHub is pending, asks GitHub at most once per interval, then passes', async () => {
    const { ticket, token } = await submit('dana-li');
    const { challenge, userCode } = await startSignIn(token, ticket.id);
    await entered(token, challenge.id)
      .expect(200)
      .expect((res) => expect(res.text).toContain('GitHub is still waiting for you'));
    expect(github.polls(userCode)).toBe(1);
    // Pressed again within the 5-second interval: GitHub is not asked.
    await entered(token, challenge.id)
      .expect(200)
      .expect((res) => expect(res.text).toContain('GitHub is still waiting for you'));
    expect(github.polls(userCode)).toBe(1);
    github.authorize(userCode, { id: 4242, login: 'dana-gh' });
    clock.advance(5_000);
    await entered(token, challenge.id).expect(303).expect('Location', `/status/${token}?github=done`);
    expect(github.polls(userCode)).toBe(2);
    expect((await t.dataSource.getRepository(Challenge).findOneByOrFail({ id: challenge.id })).state).toBe('passed');
  });

  it('slows down when GitHub says slow_down: the interval grows by 5 seconds', async () => {
    const { ticket, token } = await submit('dana-li');
    const { challenge, userCode } = await startSignIn(token, ticket.id);
    github.slowDown(userCode);
    await entered(token, challenge.id)
      .expect(200)
      .expect((res) => expect(res.text).toContain('GitHub is still waiting for you'));
    expect((await t.dataSource.getRepository(GitHubDeviceFlow).findOneByOrFail({ challengeId: challenge.id })).intervalSeconds).toBe(10);
    github.authorize(userCode, { id: 4242, login: 'dana-gh' });
    clock.advance(6_000);
    await entered(token, challenge.id).expect(200);
    expect(github.polls(userCode)).toBe(1);
    clock.advance(5_000);
    await entered(token, challenge.id).expect(303).expect('Location', `/status/${token}?github=done`);
    expect(github.polls(userCode)).toBe(2);
  });

  it('ends the check when the code expired at GitHub, or by the desk clock without asking GitHub', async () => {
    const { ticket, token } = await submit('dana-li');
    const first = await startSignIn(token, ticket.id);
    github.expire(first.userCode);
    await entered(token, first.challenge.id)
      .expect(200)
      .expect((res) => expect(res.text).toContain('The GitHub code expired'));
    expect((await t.dataSource.getRepository(Challenge).findOneByOrFail({ id: first.challenge.id })).state).toBe('expired');
    expect(await t.dataSource.getRepository(GitHubDeviceFlow).countBy({ challengeId: first.challenge.id })).toBe(0);
    await entered(token, first.challenge.id).expect(404);

    const second = await startSignIn(token, ticket.id);
    clock.advance(901_000);
    await entered(token, second.challenge.id)
      .expect(200)
      .expect((res) => expect(res.text).toContain('The GitHub code expired'));
    expect(github.polls(second.userCode)).toBe(0);
    expect((await request(t.server).get(`/status/${token}`).expect(200)).text).toContain('Expired: start again if you still need it.');
  });

  it('ends the check when the requester declines at GitHub', async () => {
    const { ticket, token } = await submit('dana-li');
    const { challenge, userCode } = await startSignIn(token, ticket.id);
    github.deny(userCode);
    await entered(token, challenge.id)
      .expect(200)
      .expect((res) => expect(res.text).toContain('declined on GitHub'));
    expect((await t.dataSource.getRepository(Challenge).findOneByOrFail({ id: challenge.id })).state).toBe('failed');
    expect(github.issuedTokens().filter((x) => !x.used)).toEqual([]);
  });

  it('refuses the login on file under another id (renamed and registered again), reading the same to the requester', async () => {
    const owner = await submit('dana-li');
    const ownerCheck = await startSignIn(owner.token, owner.ticket.id);
    // The owner renamed the GitHub account: a new login, the same id. It counts.
    github.authorize(ownerCheck.userCode, { id: 4242, login: 'dana-renamed' });
    await entered(owner.token, ownerCheck.challenge.id).expect(303).expect('Location', `/status/${owner.token}?github=done`);
    expect((await t.dataSource.getRepository(Challenge).findOneByOrFail({ id: ownerCheck.challenge.id })).state).toBe('passed');

    // Someone registered the freed login `dana-gh`: the same login as on file, another id. It does not count.
    const impostor = await submit('dana-li');
    const impostorCheck = await startSignIn(impostor.token, impostor.ticket.id);
    github.authorize(impostorCheck.userCode, { id: 90210, login: 'dana-gh' });
    await entered(impostor.token, impostorCheck.challenge.id).expect(303).expect('Location', `/status/${impostor.token}?github=done`);
    expect(await t.dataSource.getRepository(Challenge).findOneByOrFail({ id: impostorCheck.challenge.id })).toMatchObject({
      state: 'other_identity',
      target: 'github:90210',
    });
    const last = (await assessments(impostor.ticket.id, 2)).at(-1)!;
    expect(last.signals.filter((s) => s.kind === 'proof' && s.effect > 0)).toEqual([]);
    expect(last.signals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'linked_identity_proof', kind: 'info', effect: 0, reason: expect.stringContaining('not the linked one') }),
      ]),
    );
    expect(last.recommendation).not.toBe('approve');

    // An account that links no id: the sign-in proves nothing, and the requester cannot tell.
    const noLink = await submit('erin-li');
    const noLinkCheck = await startSignIn(noLink.token, noLink.ticket.id);
    github.authorize(noLinkCheck.userCode, { id: 5150, login: 'erin-gh' });
    await entered(noLink.token, noLinkCheck.challenge.id).expect(303).expect('Location', `/status/${noLink.token}?github=done`);
    expect((await t.dataSource.getRepository(Challenge).findOneByOrFail({ id: noLinkCheck.challenge.id })).state).toBe('other_identity');

    // An unknown username: the same steps, the same answer.
    const nobody = await submit('nobody-li');
    const nobodyCheck = await startSignIn(nobody.token, nobody.ticket.id);
    github.authorize(nobodyCheck.userCode, { id: 4242, login: 'dana-gh' });
    await entered(nobody.token, nobodyCheck.challenge.id).expect(303).expect('Location', `/status/${nobody.token}?github=done`);

    const seen = await Promise.all([owner, impostor, noLink, nobody].map((r) => githubSection(r.token)));
    expect(seen[0]).toContain('Signed in to GitHub. The team will take it into account.');
    expect(new Set(seen).size).toBe(1);
  });

  it('keeps the try limits: three sign-ins per request, a bounded number of polls; GitHub down is "try again later"', async () => {
    const { ticket, token } = await submit('dana-li');
    github.failWith = 502;
    await request(t.server)
      .post(`/status/${token}/github`)
      .expect(503)
      .expect((res) => expect(res.text).toContain('We could not reach GitHub just now'));
    github.failWith = null;
    const { challenge } = await startSignIn(token, ticket.id);
    github.failWith = 503;
    clock.advance(6_000);
    await entered(token, challenge.id)
      .expect(503)
      .expect((res) => expect(res.text).toContain('We could not reach GitHub just now'));
    github.failWith = null;
    expect((await t.dataSource.getRepository(Challenge).findOneByOrFail({ id: challenge.id })).state).toBe('pending');

    await t.dataSource.getRepository(Challenge).update({ id: challenge.id }, { attempts: MAX_GITHUB_POLLS });
    clock.advance(6_000);
    await entered(token, challenge.id)
      .expect(409)
      .expect((res) => expect(res.text).toContain('checked too often'));
    expect((await t.dataSource.getRepository(Challenge).findOneByOrFail({ id: challenge.id })).state).toBe('locked');

    await startSignIn(token, ticket.id);
    await startSignIn(token, ticket.id);
    await request(t.server)
      .post(`/status/${token}/github`)
      .expect(409)
      .expect((res) => expect(res.text).toContain('At most 3 GitHub sign-ins'));
    // Starting a new one stopped the one before: one running check at a time.
    expect(await t.dataSource.getRepository(Challenge).countBy({ ticketId: ticket.id, kind: 'github_identity', state: 'pending' })).toBe(1);
    expect(await t.dataSource.getRepository(GitHubDeviceFlow).countBy({ challengeId: challenge.id })).toBe(0);
    await entered(token, '00000000-0000-4000-8000-000000000000').expect(404);
  });
});
