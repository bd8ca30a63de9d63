import request from 'supertest';
import { generateDirectory } from '../src/directory/demo-directory.js';
import { Challenge } from '../src/evidence/challenge.entity.js';
import { CloseUnansweredService } from '../src/review-queue/close-unanswered.service.js';
import { ReviewService } from '../src/review-queue/review.service.js';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { STATE_IN_PLAIN_WORDS, TicketState } from '../src/tickets/ticket-state.js';
import { TicketWriter } from '../src/tickets/ticket-writer.service.js';
import { FakeGitHub } from './support/fake-github.js';
import { makeAccount, makeTicketBody, seedDirectory } from './support/factories.js';
import { MovableClock } from './support/movable-clock.js';
import { pipelineSettled } from './support/row-counts.js';
import { readMails, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';

/*
 * docs/security.md #1: intake must not tell whether a username exists. For existing and unknown usernames the
 * answer is the same (status, body byte for byte, every header name and value but Date) once the
 * per-request values (reference, status token) are normalised, and the median latencies differ by
 * less than 50 ms. Only the ticket row knows: account_id is set for an existing account, null otherwise.
 */

const PER_KIND = 50;
const DAY = 86_400_000;
const WARM_UP = 3;
const MAX_MEDIAN_GAP_MS = 50;

interface Answer {
  kind: 'existing' | 'unknown';
  username: string;
  status: number;
  /** The body with the reference and the status token replaced by placeholders. */
  body: string;
  /** Every header but Date, in the order sent. */
  headers: [string, string][];
  reference: string;
  ms: number;
}

const REFERENCE = /RD-[2-9A-Z]{6}/g;
const STATUS_TOKEN = /\/status\/[A-Za-z0-9_-]{43}/g;

function normalise(text: string): string {
  return text.replace(REFERENCE, 'RD-XXXXXX').replace(STATUS_TOKEN, '/status/TOKEN');
}

function headersOf(res: request.Response): [string, string][] {
  return Object.entries(res.headers as Record<string, string | string[]>)
    .filter(([name]) => name.toLowerCase() !== 'date')
    .map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value)]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** An unknown username of the same length and shape as an existing one. */
function unknownLike(username: string, taken: Set<string>): string {
  for (let i = 0; ; i++) {
    const candidate = username.slice(0, -2) + 'qz'.charAt(i % 2) + String(i % 10);
    if (!taken.has(candidate.toLowerCase())) {
      taken.add(candidate.toLowerCase());
      return candidate;
    }
  }
}

describe('intake does not reveal whether a username exists', () => {
  let t: TestApp;
  let existing: string[];
  let unknown: string[];
  let warmUp: string[];
  let warmUpUnknown: string[];
  const accountIdOf = new Map<string, string>();

  beforeAll(async () => {
    t = await startTestApp();
    const accounts = generateDirectory(PER_KIND + WARM_UP).accounts;
    await seedDirectory(t, accounts);
    // The existing usernames include accounts with unused recovery codes (5 of the 50 this seed makes): the
    // answers and their timing must not tell those apart either.
    expect(
      accounts.slice(0, PER_KIND).filter((a) => (a.two_factor as { recovery_codes_unused: number }).recovery_codes_unused > 0).length,
    ).toBeGreaterThanOrEqual(5);
    const usernames = accounts.map((a) => String(a.username));
    existing = usernames.slice(0, PER_KIND);
    warmUp = usernames.slice(PER_KIND);
    const taken = new Set(usernames.map((u) => u.toLowerCase()));
    unknown = existing.map((u) => unknownLike(u, taken));
    warmUpUnknown = warmUp.map((u) => unknownLike(u, taken));
    const rows: { id: string; username_key: string }[] = await t.dataSource.query('SELECT id, username_key FROM accounts');
    for (const row of rows) accountIdOf.set(row.username_key, row.id);
    expect(accountIdOf.size).toBe(PER_KIND + WARM_UP);
    for (const u of [...unknown, ...warmUpUnknown]) expect(accountIdOf.has(u.toLowerCase())).toBe(false);
  });
  afterAll(() => t.close());

  /**
   * Sends one request per username, existing and unknown interleaved (alternating which goes first),
   * each from its own contact address (same length for both kinds) so none is a follow-up.
   */
  async function submitAll(channel: string, send: (username: string, contactEmail: string) => request.Test): Promise<Answer[]> {
    // Warm-up (not measured) so that first-request costs fall on neither side; existing and unknown alike.
    for (const [i, username] of warmUp.entries()) {
      await send(username, `${channel}-w${i}@example.org`).expect(201);
      await send(warmUpUnknown[i], `${channel}-v${i}@example.org`).expect(201);
    }
    const answers: Answer[] = [];
    for (let i = 0; i < PER_KIND; i++) {
      const pair: ['existing' | 'unknown', string, string][] = [
        ['existing', existing[i], `${channel}-e${String(i).padStart(2, '0')}@example.org`],
        ['unknown', unknown[i], `${channel}-u${String(i).padStart(2, '0')}@example.org`],
      ];
      if (i % 2) pair.reverse();
      for (const [kind, username, contact] of pair) {
        const started = process.hrtime.bigint();
        const res = await send(username, contact);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const reference = /RD-[2-9A-Z]{6}/.exec(res.text)?.[0] ?? '';
        answers.push({ kind, username, status: res.status, body: normalise(res.text), headers: headersOf(res), reference, ms });
      }
    }
    return answers;
  }

  function expectIndistinguishable(answers: Answer[]): void {
    const of = (kind: Answer['kind']) => answers.filter((a) => a.kind === kind);
    expect(of('existing')).toHaveLength(PER_KIND);
    expect(of('unknown')).toHaveLength(PER_KIND);
    const reference = answers[0];
    expect(reference.status).toBe(201);
    for (const answer of answers) {
      const label = `${answer.kind} username ${answer.username}`;
      expect({ label, status: answer.status }).toEqual({ label, status: reference.status });
      expect({ label, body: answer.body }).toEqual({ label, body: reference.body });
      expect({ label, headers: answer.headers }).toEqual({ label, headers: reference.headers });
      expect(answer.reference).toMatch(/^RD-[2-9A-Z]{6}$/);
    }
    // content-length is kept in the headers compared above: the normalised parts have fixed lengths
    expect(reference.headers.map(([name]) => name)).toContain('content-length');

    const medians = { existing: median(of('existing').map((a) => a.ms)), unknown: median(of('unknown').map((a) => a.ms)) };
    expect(Math.abs(medians.existing - medians.unknown)).toBeLessThan(MAX_MEDIAN_GAP_MS);
  }

  /** The difference lives only inside: the ticket row links the account when it exists, and only then. */
  async function expectAccountLinks(answers: Answer[]): Promise<void> {
    const repo = t.dataSource.getRepository(Ticket);
    for (const answer of answers) {
      const ticket = await repo.findOneByOrFail({ reference: answer.reference });
      expect(ticket.usernameKey).toBe(answer.username.toLowerCase());
      const expected = answer.kind === 'existing' ? accountIdOf.get(answer.username.toLowerCase()) : null;
      expect({ username: answer.username, accountId: ticket.accountId }).toEqual({ username: answer.username, accountId: expected });
    }
  }

  it('the JSON API answers identically (status, body, headers) and as fast for existing and unknown usernames', async () => {
    const answers = await submitAll('api', (username, contact) =>
      request(t.server)
        .post('/api/v1/tickets')
        .send(makeTicketBody({ username, contact_email: contact, request_type: 'forgot_password', details: 'It is my account.' })),
    );
    expect(answers[0].body).toContain('"status_url":"http://recovery.test/status/TOKEN"');
    expectIndistinguishable(answers);
    await expectAccountLinks(answers);
  });

  it('the HTML form answers with identical pages and headers, as fast, for existing and unknown usernames', async () => {
    const answers = await submitAll('form', (username, contact) =>
      request(t.server).post('/recover').type('form').set('Accept', 'text/html').send({
        username,
        contact_email: contact,
        request_type: 'forgot_password',
        previous_emails: '',
        projects: '',
        joined_approx: '',
        has_2fa: 'unknown',
        has_recovery_codes: 'unknown',
        details: 'It is my account.',
        coc_accepted: 'true',
        delay_acknowledged: 'true',
      }),
    );
    expect(answers[0].body).toContain('Request received');
    expect(answers[0].body).toContain('href="http://recovery.test/status/TOKEN"');
    expect(answers[0].headers).toContainEqual(['content-type', expect.stringMatching(/^text\/html/)]);
    expectIndistinguishable(answers);
    await expectAccountLinks(answers);
  });
});

/*
 * One answer for every username, after intake too. For an unknown username and an account that exists
 * and still has unused recovery codes, every routing path leaves the requester in the same state, with
 * the same status page and the same mails at the contact address (references, tokens, times, queue
 * places and the two usernames normalised). Only the verified addresses on file learn of the codes.
 */
describe('what follows intake does not reveal whether the account exists or has unused recovery codes', () => {
  const clock = new MovableClock();
  let t: TestApp;
  let github: FakeGitHub;

  /** An account with unused recovery codes, one verified address, and a project with a GitHub repository. */
  const owner = (username: string, emails = [verified(`${username}@owner.example`)]) =>
    makeAccount({
      username,
      emails,
      two_factor: { totp: true, webauthn_keys: 0, recovery_codes_unused: 5 },
      projects: [
        {
          name: `${username}-lib`,
          role: 'Owner',
          monthly_downloads: 1000,
          first_release_at: '2017-01-01T00:00:00Z',
          repository: `https://github.com/${repositoryOwner(username)}/library`,
        },
      ],
    });
  const PATHS = ['codes-route', 'codes-rival', 'codes-mail', 'codes-repo', 'codes-close'] as const;
  type Path = (typeof PATHS)[number];
  /** An unknown username for each path (no account has it). */
  const unknownOf = (path: Path) => path.replace('codes-', 'gone-');
  const HINTED = 'codes-hint';
  /** Not the username: the normalising of the usernames must not touch the repository's name. */
  const repositoryOwner = (username: string) => username.replace('codes-', 'gh-');

  interface Side {
    kind: 'existing' | 'unknown';
    username: string;
    contact: string;
    reference: string;
    token: string;
  }

  beforeAll(async () => {
    github = await new FakeGitHub().start();
    t = await startTestApp({ GITHUB_API_URL: github.url, GITHUB_TOKEN: 'ghp_testtoken0123456789abcdef', RECONCILE_INTERVAL: '1h' }, { clock });
    await seedDirectory(t, [
      ...PATHS.map((path) => owner(path)),
      owner(HINTED, [
        verified(`${HINTED}@owner.example`, true),
        verified(`${HINTED}.second@owner.example`),
        { ...verified(`${HINTED}.unverified@owner.example`), verified: false },
        { ...verified(`${HINTED}.removed@owner.example`), removed_at: '2024-01-01T00:00:00Z' },
      ]),
    ]);
    const known: { username_key: string }[] = await t.dataSource.query('SELECT username_key FROM accounts');
    for (const path of PATHS) expect(known.map((r) => r.username_key)).not.toContain(unknownOf(path));
  });
  afterAll(async () => {
    await t?.close();
    await github?.stop();
  });

  const ticketOf = (side: Side) => t.dataSource.getRepository(Ticket).findOneByOrFail({ reference: side.reference });

  async function submit(kind: Side['kind'], username: string, contact: string, body: Record<string, unknown> = {}): Promise<Side> {
    const res = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username, contact_email: contact, request_type: 'lost_2fa', has_2fa: true, details: 'It is my account.', ...body }))
      .expect(201);
    return { kind, username, contact, reference: res.body.reference as string, token: statusTokenIn(res.body.status_url) };
  }

  /** Both kinds of the same request, each from its own contact address; the pipeline is left to settle. */
  async function submitPair(path: Path, label: string, body: Record<string, unknown> = {}): Promise<[Side, Side]> {
    const pair: [Side, Side] = [
      await submit('existing', path, `${label}-e@requester.example`, body),
      await submit('unknown', unknownOf(path), `${label}-u@requester.example`, body),
    ];
    await pipelineSettled(t);
    return pair;
  }

  /** Text with everything that differs per request, not per account, replaced. */
  function normalise(text: string, side: Side): string {
    return text
      .replace(REFERENCE, 'RD-XXXXXX')
      .replace(STATUS_TOKEN, '/status/TOKEN')
      .replaceAll(side.token, 'TOKEN')
      .replaceAll(side.contact, 'CONTACT')
      .replaceAll(side.username, 'USERNAME')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'ISO-TIME')
      .replace(/\d{1,2} [A-Z][a-z]{2,3} \d{4}, \d\d:\d\d UTC/g, 'DATE')
      .replace(/\d{4}-\d\d-\d\d \d\d:\d\d/g, 'UTC-MINUTE')
      .replace(/id="queue-position">\d+</g, 'id="queue-position">N<')
      .replace(/rd-[a-z2-9]{20}/g, 'rd-REPOTOKEN')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID');
  }

  /** What the requester can observe: the state in plain words (the page), the page itself, and the mails at the contact address. */
  async function requesterView(side: Side) {
    const page = await request(t.server).get(`/status/${side.token}`).expect(200);
    const mails = readMails(t.mailDir)
      .filter((m) => m.to.includes(side.contact))
      .map((m) => `${normalise(m.subject, side)}\n${normalise(m.text, side)}`)
      .sort();
    return { state: (await ticketOf(side)).state, page: normalise(page.text, side), mails };
  }

  async function expectSameView(existing: Side, unknown: Side, stateWanted: TicketState): Promise<void> {
    const [seen, nobody] = [await requesterView(existing), await requesterView(unknown)];
    expect(seen.state).toBe(stateWanted);
    // The normalising must not hide the answer itself: the pages still name the state in plain words.
    expect(seen.page).toContain(STATE_IN_PLAIN_WORDS[stateWanted]);
    expect(seen.page).not.toContain('I cannot use recovery codes');
    expect(seen.page).toContain('Still have recovery codes?');
    expect(seen).toEqual(nobody);
    // Nothing of the evidence reaches the requester, P(owner) and its basis included (docs/security.md #1).
    for (const text of [seen.page, ...seen.mails]) expect(text.toLowerCase()).not.toMatch(/p\(owner\)|p_owner|decided tickets|calibrat/);
  }

  it('routes both into the queue: same state, page and mails, and the risk flag is kept for the moderator', async () => {
    const [existing, unknown] = await submitPair('codes-route', 'route');
    expect((await ticketOf(existing)).riskFlags).toContain(' unused_recovery_codes ');
    expect((await ticketOf(unknown)).accountId).toBeNull();
    await expectSameView(existing, unknown, TicketState.AwaitingReview);
    expect((await requesterView(existing)).mails).toHaveLength(1); // the acknowledgement only
  });

  it('a competing request from another address reads the same on both tickets', async () => {
    const [existing, unknown] = await submitPair('codes-rival', 'first');
    const [rivalOfExisting, rivalOfUnknown] = await submitPair('codes-rival', 'rival');
    expect(await ticketOf(existing)).toMatchObject({ competing: true });
    expect(await ticketOf(unknown)).toMatchObject({ competing: true });
    await expectSameView(existing, unknown, TicketState.AwaitingReview);
    await expectSameView(rivalOfExisting, rivalOfUnknown, TicketState.AwaitingReview);
  });

  it('an e-mail code for an address named as still read: the same code box, the same answers to a wrong code', async () => {
    // For the existing account the address is on file and gets a real code; for the unknown one, a decoy.
    const [existing, unknown] = await submitPair('codes-mail', 'mail', { emails_still_read: ['codes-mail@owner.example'] });
    expect(readMails(t.mailDir).filter((m) => m.to.includes('codes-mail@owner.example') && m.subject.includes('one-time code'))).toHaveLength(1);
    await expectSameView(existing, unknown, TicketState.AwaitingReview);
    expect((await requesterView(existing)).page).toContain('Type your one-time code');
    for (const side of [existing, unknown]) {
      const wrong = await request(t.server).post(`/status/${side.token}/code`).type('form').send({ code: '0000 0000' });
      expect({ kind: side.kind, status: wrong.status }).toEqual({ kind: side.kind, status: 400 });
    }
    await expectSameView(existing, unknown, TicketState.AwaitingReview);
  });

  it('a repository check of the account\'s own project: the same token page, the same "found"', async () => {
    const [existing, unknown] = await submitPair('codes-repo', 'repo');
    const repository = `https://github.com/${repositoryOwner('codes-repo')}/library`;
    for (const side of [existing, unknown]) {
      await request(t.server).post(`/status/${side.token}/repositories`).type('form').send({ repository }).expect(303);
    }
    await expectSameView(existing, unknown, TicketState.AwaitingReview);
    for (const side of [existing, unknown]) {
      const [challenge] = await t.dataSource.getRepository(Challenge).findBy({ ticketId: (await ticketOf(side)).id, kind: 'repository' });
      github.addBranch(`${repositoryOwner('codes-repo')}/library`, `recovery-desk-${challenge.token}`);
      await request(t.server).post(`/status/${side.token}/repositories/${challenge.id}/check`).expect(303);
    }
    await pipelineSettled(t);
    // Inside, the existing account's project passed and the unknown one's was only found; outside, the same.
    const states = await Promise.all(
      [existing, unknown].map(
        async (side) => (await t.dataSource.getRepository(Challenge).findOneByOrFail({ ticketId: (await ticketOf(side)).id, kind: 'repository' })).state,
      ),
    );
    expect(states).toEqual(['passed', 'found_elsewhere']);
    await expectSameView(existing, unknown, TicketState.AwaitingReview);
  });

  it('closing unanswered tickets: neither is closed while queued; both are closed alike once a question goes unanswered', async () => {
    const [existing, unknown] = await submitPair('codes-close', 'close');
    const closeDue = () => t.app.get(CloseUnansweredService).closeDue();
    clock.advance(31 * DAY);
    await closeDue();
    await expectSameView(existing, unknown, TicketState.AwaitingReview);

    const writer = t.app.get(TicketWriter);
    for (const side of [existing, unknown]) {
      expect(await t.app.get(ReviewService).claim((await ticketOf(side)).id, 'mia')).not.toBeNull();
      await writer.run(writer.byReference(side.reference), { type: 'ask', moderator: 'mia', message: 'Which projects did you publish?', template: 'projects' });
    }
    await pipelineSettled(t);
    await expectSameView(existing, unknown, TicketState.AwaitingRequester);

    clock.advance(31 * DAY);
    await closeDue();
    await pipelineSettled(t);
    await expectSameView(existing, unknown, TicketState.ClosedNoResponse);
    expect((await requesterView(existing)).mails.some((m) => m.includes('Your request was closed'))).toBe(true);
  });

  it('tells the verified, current addresses on file that a recovery code works, and never the contact address', async () => {
    const fromElsewhere = await submit('existing', HINTED, 'stranger@requester.example');
    // The owner files from their second verified address: the hint still goes only to the other one.
    const fromOwner = await submit('existing', HINTED, `${HINTED}.second@owner.example`);
    await pipelineSettled(t);
    const hints = readMails(t.mailDir).filter((m) => /recovery code/i.test(m.subject));
    const hintsFor = (reference: string) =>
      hints
        .filter((m) => m.subject.includes(reference))
        .map((m) => m.to)
        .sort();
    expect(hintsFor(fromElsewhere.reference)).toEqual([`${HINTED}.second@owner.example`, `${HINTED}@owner.example`]);
    expect(hintsFor(fromOwner.reference)).toEqual([`${HINTED}@owner.example`]);
    const hint = hints.find((m) => m.subject.includes(fromElsewhere.reference))!;
    expect(hint.subject).toBe(`[${fromElsewhere.reference}] Someone asked to recover "${HINTED}": you can sign in with a recovery code`);
    expect(hint.text).toContain('Use a recovery code');
    expect(hint.text).toContain('If you did not make this request, you can ignore this e-mail');
    // No way into the ticket: neither its status link nor anything that names the requester.
    expect(hint.text).not.toContain('/status/');
    expect(hint.text).not.toContain(fromElsewhere.token);
    expect(hint.text).not.toContain('stranger@requester.example');
    expect(
      readMails(t.mailDir)
        .filter((m) => m.to.includes('stranger@requester.example'))
        .map((m) => m.subject),
    ).toEqual([`[${fromElsewhere.reference}] We received your account recovery request`]);
  });
});

function verified(address: string, primary = false) {
  return { address, verified: true, primary, public: false, added_at: '2016-03-14T10:00:00Z', removed_at: null as string | null };
}
