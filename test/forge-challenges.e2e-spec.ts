import request from 'supertest';
import { AssessmentRecord } from '../src/evidence/assessment.entity.js';
import { Challenge } from '../src/evidence/challenge.entity.js';
import { Ticket, TicketEvent } from '../src/tickets/ticket.entity.js';
import { FakeGitLab } from './support/fake-gitlab.js';
import { makeAccount, makeTicketBody, seedDirectory } from './support/factories.js';
import { expectEventually, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';

/** Carol keeps her projects on gitlab.com, one of them in a nested group, one released after the request. */
const CAROL = makeAccount({
  username: 'carol-gl',
  two_factor: { totp: true, webauthn_keys: 0, recovery_codes_unused: 0 },
  projects: [
    {
      name: 'deep-tool',
      role: 'Owner',
      monthly_downloads: 900,
      first_release_at: '2019-02-01T00:00:00Z',
      repository: 'https://gitlab.com/Carol/Tools/deep-tool.git',
    },
    { name: 'fresh-tool', role: 'Owner', monthly_downloads: 0, first_release_at: '2099-01-01T00:00:00Z', repository: 'https://gitlab.com/carol/fresh-tool' },
  ],
});

describe('repository challenges on GitLab, through the status page and a stand-in GitLab', () => {
  let t: TestApp;
  let gitlab: FakeGitLab;

  beforeAll(async () => {
    gitlab = await new FakeGitLab().start();
    t = await startTestApp({ GITLAB_API_URL: gitlab.url, GITLAB_TOKEN: 'glpat-test-token-0123456789' });
    await seedDirectory(t, [CAROL]);
  });
  afterAll(async () => {
    await t?.close();
    await gitlab?.stop();
  });

  const submit = async () => {
    const res = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username: 'carol-gl', contact_email: `carol-${Math.random().toString(36).slice(2)}@elsewhere.example` }));
    expect(res.status).toBe(201);
    return { reference: res.body.reference as string, token: statusTokenIn(res.body.status_url as string) };
  };
  const ticketOf = (reference: string) => t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });
  const latestAssessment = (ticketId: string, atLeast: number) =>
    expectEventually(async () => {
      const rows = await t.dataSource.getRepository(AssessmentRecord).find({ where: { ticketId }, order: { id: 'ASC' } });
      if (rows.length < atLeast) throw new Error(`${rows.length} of ${atLeast} assessments so far`);
      return rows.at(-1)!;
    });
  const start = async (token: string, repository: string) => {
    await request(t.server)
      .post(`/status/${token}/repositories`)
      .type('form')
      .send({ repository })
      .expect(303)
      .expect('Location', `/status/${token}?repository=started`);
  };
  const check = (token: string, id: string) => request(t.server).post(`/status/${token}/repositories/${id}/check`);

  it('finds the token in a nested-group project: a missing branch, a wrong token and GitLab down each get a clear answer first', async () => {
    const { reference, token } = await submit();
    const ticket = await ticketOf(reference);
    await latestAssessment(ticket.id, 1);
    gitlab.addProject('carol/tools/deep-tool', 'trunk');
    await start(token, 'https://gitlab.com/carol/tools/deep-tool');
    const challenge = await t.dataSource.getRepository(Challenge).findOneByOrFail({ ticketId: ticket.id, kind: 'repository' });
    expect(challenge.target).toBe('gitlab.com/carol/tools/deep-tool');
    const page = (await request(t.server).get(`/status/${token}`).expect(200)).text;
    expect(page).toContain(`recovery-desk-${challenge.token}`);

    // Nothing pushed yet: the branch is missing.
    await check(token, challenge.id)
      .expect(200)
      .expect((res) => expect(res.text).toContain('We did not find the branch or the file yet'));
    // A branch for another token is not this one.
    gitlab.addBranch('carol/tools/deep-tool', 'recovery-desk-rd-someoneelsestoken000');
    await check(token, challenge.id)
      .expect(200)
      .expect((res) => expect(res.text).toContain('We did not find the branch or the file yet'));
    // GitLab is down: "try again later", never a 500, and the check stays open.
    gitlab.failWith = 502;
    await check(token, challenge.id)
      .expect(503)
      .expect((res) => expect(res.text).toContain('We could not ask the repository host just now'));
    gitlab.failWith = null;
    expect((await t.dataSource.getRepository(Challenge).findOneByOrFail({ id: challenge.id })).state).toBe('pending');
    expect(await t.dataSource.getRepository(TicketEvent).countBy({ ticketId: ticket.id, type: 'repository_checked', public: false })).toBeGreaterThanOrEqual(3);

    // The file on the default branch ("trunk"), as the API reads it.
    gitlab.addFile('carol/tools/deep-tool', 'trunk', `recovery-desk-${challenge.token}.txt`);
    await check(token, challenge.id).expect(303).expect('Location', `/status/${token}?repository=found`);
    expect(await t.dataSource.getRepository(Challenge).findOneByOrFail({ id: challenge.id })).toMatchObject({ state: 'passed', project: 'deep-tool' });
    expect(gitlab.requests.some((r) => r.path.startsWith('/api/v4/projects/carol%2Ftools%2Fdeep-tool'))).toBe(true);
    expect(gitlab.requests.every((r) => r.token === 'glpat-test-token-0123456789')).toBe(true);

    const last = await latestAssessment(ticket.id, 2);
    expect(last.signals).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'repo_challenge', kind: 'proof', effect: 40 })]));
    // Single use: a passed check cannot be checked again.
    await check(token, challenge.id).expect(404);
  });

  it('finds a pushed branch, but a project first released after the request proves nothing, and reads the same', async () => {
    const { reference, token } = await submit();
    const ticket = await ticketOf(reference);
    await latestAssessment(ticket.id, 1);
    gitlab.addProject('carol/fresh-tool');
    await start(token, 'https://gitlab.com/carol/fresh-tool/');
    const challenge = await t.dataSource.getRepository(Challenge).findOneByOrFail({ ticketId: ticket.id, kind: 'repository' });
    gitlab.addBranch('carol/fresh-tool', `recovery-desk-${challenge.token}`);
    await check(token, challenge.id).expect(303).expect('Location', `/status/${token}?repository=found`);
    const last = await latestAssessment(ticket.id, 2);
    expect(last.signals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'repo_challenge', kind: 'info', effect: 0, reason: expect.stringContaining('not released before the request') }),
      ]),
    );
    expect(last.signals.filter((s) => s.kind === 'proof' && s.effect > 0)).toEqual([]);
    expect((await request(t.server).get(`/status/${token}`).expect(200)).text).toContain('Found. The team will take it into account.');
  });

  it('says not found for a GitLab project that does not exist, and refuses a GitLab page that is not a project', async () => {
    const { token, reference } = await submit();
    await latestAssessment((await ticketOf(reference)).id, 1);
    await request(t.server)
      .post(`/status/${token}/repositories`)
      .type('form')
      .send({ repository: 'https://gitlab.com/carol/tools/deep-tool/-/tree/main' })
      .expect(400)
      .expect((res) => expect(res.text).toContain('repository must be a URL'));
    await start(token, 'https://gitlab.com/nobody/nothing');
    const challenge = await t.dataSource.getRepository(Challenge).findOneByOrFail({ ticketId: (await ticketOf(reference)).id, kind: 'repository' });
    await check(token, challenge.id)
      .expect(200)
      .expect((res) => expect(res.text).toContain('We did not find the branch or the file yet'));
  });
});
