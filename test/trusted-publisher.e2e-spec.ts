import Handlebars from 'handlebars';
import request from 'supertest';
import { AssessmentRecord } from '../src/evidence/assessment.entity.js';
import { Challenge } from '../src/evidence/challenge.entity.js';
import { Ticket, TicketEvent } from '../src/tickets/ticket.entity.js';
import { FakeOidcIssuer, type TokenOptions } from './support/fake-oidc-issuer.js';
import { makeAccount, makeTicketBody, seedDirectory } from './support/factories.js';
import { pipelineSettled } from './support/row-counts.js';
import { signedInModerator } from './support/staff.js';
import { expectEventually, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';

/** An owner whose project publishes from octo-org/<repo>'s release.yml, in the `pypi` environment. */
const owner = (username: string, repository: string, extra: Record<string, unknown> = {}) =>
  makeAccount({
    username,
    projects: [
      {
        name: `${username}-lib`,
        role: 'Owner',
        monthly_downloads: 5000,
        first_release_at: '2019-06-01T00:00:00Z',
        repository: `https://github.com/${repository}`,
        trusted_publishers: [{ provider: 'github', repository, workflow: 'release.yml', environment: 'pypi', ...extra }],
      },
    ],
  });

const ALICE = owner('alice-tp', 'octo-org/fancy-lib');
const CAROL = owner('carol-tp', 'octo-org/carol-lib');
const DAN = owner('dan-tp', 'octo-org/dan-lib', { repository_id: '101', repository_owner_id: '202' });
const ERIN = owner('erin-tp', 'octo-org/erin-lib');
const FRANK = owner('frank-tp', 'octo-org/frank-lib');
/** An account whose projects have no trusted publisher (a directory file from before the field). */
const PLAIN = makeAccount({ username: 'plain-tp' });

const section = (html: string, id: string): string => {
  const match = new RegExp(`<section [^>]*id="${id}"[^>]*>([\\s\\S]*?)</section>`).exec(html);
  if (!match) throw new Error(`no section #${id}`);
  return match[1];
};
const nonceIn = (html: string): string => {
  const match = /id="publisher-nonce"[\s\S]*?<code>([A-Za-z0-9_-]{43})<\/code>/.exec(html);
  if (!match) throw new Error('no nonce on the page');
  return match[1];
};

describe('the trusted-publisher challenge, through the status page and a stand-in OIDC issuer', () => {
  let t: TestApp;
  let issuer: FakeOidcIssuer;

  beforeAll(async () => {
    issuer = await new FakeOidcIssuer().start();
    t = await startTestApp({ OIDC_ISSUER: issuer.url, OIDC_JWKS_URL: `${issuer.url}/.well-known/jwks`, RECONCILE_INTERVAL: '1h' });
    await seedDirectory(t, [ALICE, CAROL, DAN, ERIN, FRANK, PLAIN]);
  });
  afterAll(async () => {
    await t?.close();
    await issuer?.stop();
  });

  const submit = async (username: string) => {
    const res = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username, projects: [`${username}-lib`] }))
      .expect(201);
    return { reference: res.body.reference as string, token: statusTokenIn(res.body.status_url) };
  };
  const ticketOf = (reference: string) => t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });
  const start = async (token: string) => {
    const res = await request(t.server).post(`/status/${token}/publisher`).expect(201);
    return { nonce: nonceIn(res.text), html: res.text };
  };
  const paste = (token: string, idToken: string) => request(t.server).post(`/status/${token}/publisher/token`).type('form').send({ id_token: idToken });
  const publisherChallenges = async (reference: string) =>
    t.dataSource.getRepository(Challenge).find({ where: { ticketId: (await ticketOf(reference)).id, kind: 'publisher' }, order: { createdAt: 'ASC' } });
  const latestAssessment = async (reference: string, after: number) => {
    const ticket = await ticketOf(reference);
    return expectEventually(async () => {
      const rows = await t.dataSource.getRepository(AssessmentRecord).find({ where: { ticketId: ticket.id }, order: { id: 'ASC' } });
      if (rows.length <= after) throw new Error(`${rows.length} assessments so far`);
      return rows.at(-1)!;
    });
  };
  const assessmentsOf = async (reference: string) =>
    t.dataSource.getRepository(AssessmentRecord).count({ where: { ticketId: (await ticketOf(reference)).id } });

  it('proves control end to end: nonce and job on the status page, the token pasted, the proof and its reason on the ticket page', async () => {
    const { reference, token } = await submit('alice-tp');
    await pipelineSettled(t);
    const before = await assessmentsOf(reference);

    const started = await start(token);
    expect(started.html).toContain('id-token: write');
    expect(started.html).toContain(Handlebars.escapeExpression(`"$ACTIONS_ID_TOKEN_REQUEST_URL&audience=${started.nonce}"`));
    // The nonce is kept only as a digest, and shown only in the answer to "start".
    const [row] = await publisherChallenges(reference);
    expect(row).toMatchObject({ state: 'pending', attempts: 0, decoy: false, target: 'GitHub Actions' });
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(started.nonce);
    const page = await request(t.server).get(`/status/${token}`).expect(200);
    expect(page.text).not.toContain(started.nonce);
    expect(section(page.text, 'publisher-check')).toMatch(/allows\s+5 more tries/);

    const idToken = await issuer.token({ audience: started.nonce, repository: 'Octo-Org/Fancy-Lib', environment: 'pypi' });
    await paste(token, idToken).expect(303).expect('Location', `/status/${token}?publisher=received`);
    const shown = await request(t.server).get(`/status/${token}?publisher=received`).expect(200);
    expect(shown.text).toContain('We received the token.');

    const [passed] = await publisherChallenges(reference);
    expect(passed).toMatchObject({ state: 'passed', project: 'alice-tp-lib', target: 'Octo-Org/Fancy-Lib', attempts: 1 });
    const assessment = await latestAssessment(reference, before);
    const proof = assessment.signals.find((s) => s.rule === 'repo_challenge')!;
    expect(proof).toMatchObject({ kind: 'proof', effect: expect.any(Number) });
    expect(proof.effect).toBeGreaterThan(0);
    expect(proof.reason).toContain('trusted publisher of alice-tp-lib');
    await pipelineSettled(t);

    const ann = await signedInModerator(t, 'ann-tp');
    const ticketPage = (await ann.get(`/dashboard/tickets/${reference}`).expect(200)).text;
    expect(section(ticketPage, 'evidence-signals')).toContain(Handlebars.escapeExpression(proof.reason));
    const challenges = section(ticketPage, 'challenges');
    expect(challenges).toContain('trusted publisher (GitHub Actions token)');
    expect(challenges).toContain('passed: control proven');
    expect(challenges).toContain('the trusted publisher of alice-tp-lib');
    expect(challenges).not.toContain(passed.secretHash!);

    // Replay: the nonce was used; the same token again is refused and changes nothing.
    await paste(token, idToken)
      .expect(409)
      .expect((res) => expect(res.text).toContain('No trusted-publisher check is waiting'));
    // …and on a new check its audience is another nonce.
    await start(token);
    await paste(token, idToken)
      .expect(400)
      .expect((res) => expect(res.text).toContain('its audience is not the nonce shown with this check'));
    const rows = await publisherChallenges(reference);
    expect(rows.map((c) => c.state)).toEqual(['passed', 'pending']);
    const checked = await t.dataSource
      .getRepository(TicketEvent)
      .countBy({ ticketId: (await ticketOf(reference)).id, type: 'publisher_token_checked', public: false });
    expect(checked).toBe(1);
  });

  it('refuses a bad signature, a wrong audience, an expired token and another issuer, each counted as a try, then locks', async () => {
    const { reference, token } = await submit('carol-tp');
    const { nonce } = await start(token);
    const cases: [Promise<string>, string][] = [
      [issuer.token({ audience: nonce, repository: 'octo-org/carol-lib', environment: 'pypi', foreignKey: true }), "signature is not one of the issuer's keys"],
      [issuer.token({ audience: 'some-other-nonce', repository: 'octo-org/carol-lib', environment: 'pypi' }), 'its audience is not the nonce'],
      [
        issuer.token({ audience: nonce, repository: 'octo-org/carol-lib', environment: 'pypi', issuedAt: Math.floor(Date.now() / 1000) - 7200 }),
        'the token has expired',
      ],
      [
        issuer.token({ audience: nonce, repository: 'octo-org/carol-lib', environment: 'pypi', issuer: 'https://evil.example' }),
        'not issued by GitHub Actions',
      ],
    ];
    let triesLeft = 5;
    for (const [made, reason] of cases) {
      triesLeft--;
      await paste(token, await made)
        .expect(400)
        .expect((res) => {
          expect(res.text).toContain(Handlebars.escapeExpression(reason));
          expect(res.text).toContain(`${triesLeft} ${triesLeft === 1 ? 'try' : 'tries'} left`);
        });
    }
    // Not a token at all: a 400 beside the field, and no try spent.
    await paste(token, 'not a token')
      .expect(400)
      .expect((res) => expect(res.text).toContain('id_token must be the token the workflow printed'));
    expect((await publisherChallenges(reference))[0]).toMatchObject({ state: 'pending', attempts: 4 });

    // The last try locks the check; a right token then finds nothing waiting.
    await paste(token, await issuer.token({ audience: nonce, repository: 'octo-org/carol-lib', environment: 'pypi', foreignKey: true }))
      .expect(400)
      .expect((res) => expect(res.text).toContain('it was the last try'));
    await paste(token, await issuer.token({ audience: nonce, repository: 'octo-org/carol-lib', environment: 'pypi' })).expect(409);
    expect((await publisherChallenges(reference))[0]).toMatchObject({ state: 'locked', attempts: 5, project: null });
  });

  it('answers "received" alike for another repository, a wrong workflow, a wrong environment, a renamed repository and no publisher at all, and proves nothing', async () => {
    const attempts: { username: string; options: Omit<TokenOptions, 'audience'>; why: string }[] = [
      { username: 'erin-tp', options: { repository: 'mallory/erin-lib', environment: 'pypi' }, why: 'the token came from mallory/erin-lib' },
      { username: 'erin-tp', options: { repository: 'octo-org/erin-lib', workflow: 'ci.yml', environment: 'pypi' }, why: 'not release.yml' },
      { username: 'erin-tp', options: { repository: 'octo-org/erin-lib', environment: 'staging' }, why: 'environment staging, not pypi' },
      { username: 'dan-tp', options: { repository: 'octo-org/dan-lib', environment: 'pypi', repositoryId: '999' }, why: 'repository id 999' },
      {
        username: 'plain-tp',
        options: { repository: 'octo-org/fancy-lib', environment: 'pypi' },
        why: "none of the account's projects has a trusted publisher",
      },
      { username: 'nobody-tp', options: { repository: 'octo-org/fancy-lib', environment: 'pypi' }, why: 'no account has this username' },
    ];
    const sections: string[] = [];
    for (const { username, options, why } of attempts) {
      const { reference, token } = await submit(username);
      await pipelineSettled(t);
      const before = await assessmentsOf(reference);
      const { nonce, html } = await start(token);
      // What the requester sees does not depend on the account: the same section but for the nonce and the token.
      sections.push(
        section(html, 'publisher-check')
          .replaceAll(nonce, 'NONCE')
          .replaceAll(token, 'TOKEN')
          .replace(/<time[^>]*>[^<]*<\/time>/g, 'TIME'),
      );
      await paste(token, await issuer.token({ audience: nonce, ...options }))
        .expect(303)
        .expect('Location', `/status/${token}?publisher=received`);
      const [row] = await publisherChallenges(reference);
      expect(row.state).toBe('failed');
      expect(row.project).toBeNull();
      expect(row.note).toContain(why);
      const assessment = await latestAssessment(reference, before);
      expect(assessment.signals.filter((s) => s.kind === 'proof')).toEqual([]);
    }
    expect(new Set(sections).size).toBe(1);
  });

  it('uses a nonce once when the same token is pasted twice at the same time', async () => {
    const { reference, token } = await submit('frank-tp');
    const { nonce } = await start(token);
    const idToken = await issuer.token({ audience: nonce, repository: 'octo-org/frank-lib', environment: 'pypi' });
    const answers = await Promise.all([paste(token, idToken), paste(token, idToken), paste(token, idToken)]);
    expect(answers.map((a) => a.status).sort()).toEqual([303, 409, 409]);
    const ticket = await ticketOf(reference);
    expect(await t.dataSource.getRepository(TicketEvent).countBy({ ticketId: ticket.id, type: 'publisher_token_checked', public: false })).toBe(1);
    expect((await publisherChallenges(reference)).map((c) => c.state)).toEqual(['passed']);
  });
});

describe("the trusted-publisher challenge when the issuer's keys cannot be fetched", () => {
  let t: TestApp;
  let issuer: FakeOidcIssuer;

  beforeAll(async () => {
    issuer = await new FakeOidcIssuer().start();
    // The issuer answers 404 where the desk looks for its keys.
    t = await startTestApp({ OIDC_ISSUER: issuer.url, OIDC_JWKS_URL: `${issuer.url}/no-keys-here`, RECONCILE_INTERVAL: '1h' });
    await seedDirectory(t, [ALICE]);
  });
  afterAll(async () => {
    await t?.close();
    await issuer?.stop();
  });

  it('answers 503 "try again" and keeps the check open', async () => {
    const res = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username: 'alice-tp' }))
      .expect(201);
    const token = statusTokenIn(res.body.status_url);
    const nonce = nonceIn((await request(t.server).post(`/status/${token}/publisher`).expect(201)).text);
    const idToken = await issuer.token({ audience: nonce, repository: 'octo-org/fancy-lib', environment: 'pypi' });
    await request(t.server)
      .post(`/status/${token}/publisher/token`)
      .type('form')
      .send({ id_token: idToken })
      .expect(503)
      .expect((r) => expect(r.text).toContain('Please try again in a few minutes'));
    const ticket = await t.dataSource.getRepository(Ticket).findOneByOrFail({ reference: res.body.reference as string });
    expect(await t.dataSource.getRepository(Challenge).findOneByOrFail({ ticketId: ticket.id, kind: 'publisher' })).toMatchObject({
      state: 'pending',
      attempts: 1,
    });
    const [event] = await t.dataSource.getRepository(TicketEvent).findBy({ ticketId: ticket.id, type: 'publisher_token_rejected' });
    expect(event.data.reason).toContain("the issuer's keys could not be fetched");
  });
});
