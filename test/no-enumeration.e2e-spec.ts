import request from 'supertest';
import { generateDirectory } from '../src/directory/demo-directory.js';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { makeTicketBody, seedDirectory } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/*
 * docs/security.md #1: intake must not tell whether a username exists. For existing and unknown usernames the
 * answer is the same (status, body byte for byte, every header name and value but Date) once the
 * per-request values (reference, status token) are normalised, and the median latencies differ by
 * less than 50 ms. Only the ticket row knows: account_id is set for an existing account, null otherwise.
 */

const PER_KIND = 50;
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
    const answers = await submitAll('api', (username, contact) => request(t.server).post('/api/v1/tickets')
      .send(makeTicketBody({ username, contact_email: contact, request_type: 'forgot_password', details: 'It is my account.' })));
    expect(answers[0].body).toContain('"status_url":"http://recovery.test/status/TOKEN"');
    expectIndistinguishable(answers);
    await expectAccountLinks(answers);
  });

  it('the HTML form answers with identical pages and headers, as fast, for existing and unknown usernames', async () => {
    const answers = await submitAll('form', (username, contact) => request(t.server).post('/recover').type('form').set('Accept', 'text/html')
      .send({
        username, contact_email: contact, request_type: 'forgot_password', previous_emails: '', projects: '', joined_approx: '',
        has_2fa: 'unknown', has_recovery_codes: 'unknown', details: 'It is my account.', coc_accepted: 'true', delay_acknowledged: 'true',
      }));
    expect(answers[0].body).toContain('Request received');
    expect(answers[0].body).toContain('href="http://recovery.test/status/TOKEN"');
    expect(answers[0].headers).toContainEqual(['content-type', expect.stringMatching(/^text\/html/)]);
    expectIndistinguishable(answers);
    await expectAccountLinks(answers);
  });
});
