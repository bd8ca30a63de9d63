import fc from 'fast-check';
import {
  type CsrfChoice,
  clientAddress,
  csrfChoice,
  formPayload,
  goodIntakeValue,
  INTAKE_FIELDS,
  jsonPayload,
  type Payload,
  queryJunk,
  type TokenChoice,
  tokenChoice,
  validIntakeBody,
} from './arbitraries.js';
import { FUZZ_STAFF_PASSWORD, type FuzzFixtures, type StaffStep } from './fixtures.js';
import type { FuzzRequest, FuzzResponse } from './http.js';

/** One generated request, before the fixtures fill in live tokens and sessions. */
export interface FuzzCase {
  method: 'GET' | 'POST';
  payload: Payload;
  token: TokenChoice;
  /** The second path parameter (a repository challenge id). */
  id: TokenChoice;
  query: string;
  csrf: CsrfChoice;
  /** Whether a one-time code field carries the code an authenticator shows now. */
  liveCode: boolean;
  ip: string;
}

export interface Endpoint {
  name: string;
  /** What is sent, for --help and the report. */
  summary: string;
  cases: fc.Arbitrary<FuzzCase>;
  request(c: FuzzCase, fixtures: FuzzFixtures): Promise<FuzzRequest>;
  /** Updates the fixtures after an answer that spent them (a ticket closed, a link used, a session moved on). */
  settle(c: FuzzCase, res: FuzzResponse, fixtures: FuzzFixtures): void;
}

const URLENCODED = 'application/x-www-form-urlencoded';

function caseOf(payload: fc.Arbitrary<Payload>, options: { methods?: ('GET' | 'POST')[]; liveCode?: boolean } = {}): fc.Arbitrary<FuzzCase> {
  return fc.record({
    method: fc.constantFrom(...(options.methods ?? ['POST' as const])),
    payload,
    token: tokenChoice,
    id: tokenChoice,
    query: queryJunk,
    csrf: csrfChoice,
    // One in ten: a live code moves the session on, and the next one costs a new moderator (two argon2 runs).
    liveCode: options.liveCode ? fc.integer({ min: 1, max: 10 }).map((n) => n === 1) : fc.constant(false),
    ip: clientAddress,
  });
}

function headersOf(c: FuzzCase, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { 'X-Forwarded-For': c.ip, ...extra };
  if (c.method === 'POST' && c.payload.contentType !== null) headers['Content-Type'] = c.payload.contentType;
  return headers;
}

function bodyOf(c: FuzzCase): string | Buffer | undefined {
  return c.method === 'POST' ? c.payload.body : undefined;
}

const formOf = (pairs: [string, string][]) => () => pairs.map(([k, v]) => [k, v] as [string, string]);

const INTAKE_WORDS = ['true', 'false', 'on', 'yes', 'unknown', 'lost_2fa', 'compromised', '2016-03', 'a@example.org\nb@example.org', 'p1, p2;p3'];
let formUnique = 0;
function validIntakeForm(): [string, string][] {
  const body = validIntakeBody('fuzz-form');
  formUnique++;
  return [
    ['username', String(body.username)],
    ['contact_email', String(body.contact_email)],
    ['request_type', formUnique % 2 ? 'forgot_password' : 'lost_2fa'],
    ['previous_emails', ''],
    ['projects', ''],
    ['joined_approx', ''],
    ['has_2fa', 'unknown'],
    ['has_recovery_codes', 'unknown'],
    ['details', ''],
    ['coc_accepted', 'true'],
    ['delay_acknowledged', 'true'],
  ];
}

/** The answer says the ticket is closed: its status link can do nothing more. */
const closed = (res: FuzzResponse) => res.status === 409 && res.text.includes('This request is closed');

/** A status-page action: POST /status/:token/<action>, one live ticket per action (closed ones are replaced). */
function statusAction(
  name: string,
  action: string,
  fields: string[],
  valid: () => [string, string][],
  words: string[],
  spentOn: (res: FuzzResponse) => boolean,
): Endpoint {
  return {
    name,
    summary: `POST /status/:token/${action} (urlencoded form; live, withdrawn and junk tokens)`,
    cases: caseOf(formPayload(fields, valid, words)),
    async request(c, fixtures) {
      const token = c.token.kind === 'junk' ? c.token.text : await fixtures.statusToken(name, c.token.kind);
      return { method: 'POST', path: `/status/${token}/${action}${c.query}`, headers: headersOf(c), body: bodyOf(c) };
    },
    settle(c, res, fixtures) {
      if (c.token.kind === 'valid' && (closed(res) || spentOn(res))) fixtures.dropStatus(name);
    },
  };
}

/** A staff sign-in step: the form with the session's CSRF token (or a wrong or missing one). */
function staffStep(name: string, step: StaffStep, path: string, fields: string[], valid: () => [string, string][], words: string[]): Endpoint {
  return {
    name,
    summary: `POST ${path} (urlencoded form in a session at that step; valid, wrong, missing CSRF tokens${step === 'login' ? '' : '; live and wrong codes'})`,
    cases: caseOf(formPayload(fields, valid, words), { liveCode: step === 'enrol' || step === 'totp' }),
    async request(c, fixtures) {
      const session = await fixtures.staffSession(step);
      let body = c.payload.body;
      const headers = headersOf(c, { Cookie: session.cookie });
      const urlencoded = (c.payload.contentType ?? '').toLowerCase().startsWith(URLENCODED);
      if (c.liveCode && session.totpSecret) {
        body = `code=${await fixtures.totpNow(session.totpSecret)}`;
        headers['Content-Type'] = URLENCODED;
      }
      if (c.csrf === 'valid' && (urlencoded || c.liveCode)) body = `${body.toString()}${body.length ? '&' : ''}_csrf=${encodeURIComponent(session.csrf)}`;
      else if (c.csrf === 'valid' || c.csrf === 'header') headers['X-CSRF-Token'] = session.csrf;
      else if (c.csrf === 'wrong') headers['X-CSRF-Token'] = `${session.csrf.slice(0, -2)}xx`;
      return { method: 'POST', path: `${path}${c.query}`, headers, body };
    },
    settle(_c, res, fixtures) {
      // Moved on to the next step, sent back to /login (expired, locked), or signed in: the session left this step.
      if (step !== 'login' && (res.status === 303 || res.status === 429)) fixtures.dropSession(step);
    },
  };
}

export const ENDPOINTS: Endpoint[] = [
  {
    name: 'api-tickets',
    summary: 'POST /api/v1/tickets (JSON intake API: mutated valid bodies, wrong types, duplicate keys, malformed JSON, wrong content types)',
    cases: caseOf(jsonPayload(INTAKE_FIELDS, () => validIntakeBody('fuzz-api'), goodIntakeValue)),
    request: (c) => Promise.resolve({ method: 'POST', path: `/api/v1/tickets${c.query}`, headers: headersOf(c), body: bodyOf(c) }),
    settle: () => undefined,
  },
  {
    name: 'recover-form',
    summary: 'POST /recover (HTML intake form, urlencoded; it has no CSRF token: no session, no cookie)',
    cases: caseOf(formPayload(INTAKE_FIELDS, validIntakeForm, INTAKE_WORDS)),
    // No CSRF token to vary: the choice picks whether the browser asks for HTML (the error page differs).
    request: (c) =>
      Promise.resolve({
        method: 'POST',
        path: `/recover${c.query}`,
        headers: headersOf(c, c.csrf === 'header' ? { Accept: 'text/html' } : {}),
        body: bodyOf(c),
      }),
    settle: () => undefined,
  },
  {
    name: 'status-page',
    summary: 'GET /status/:token (live, withdrawn and junk tokens; query-string junk)',
    cases: caseOf(fc.constant({ contentType: null, body: '', label: 'none' }), { methods: ['GET'] }),
    async request(c, fixtures) {
      const token = c.token.kind === 'junk' ? c.token.text : await fixtures.statusToken('status-page', c.token.kind);
      return { method: 'GET', path: `/status/${token}${c.query}`, headers: headersOf(c) };
    },
    settle: () => undefined,
  },
  statusAction(
    'status-messages',
    'messages',
    ['message'],
    formOf([['message', 'I also own the fuzz-owner-lib project']]),
    ['hello', 'I own it', ' ', '\n'],
    () => false,
  ),
  // No code waiting (the last try used, or expired): a new ticket gets new codes, so wrong ones are counted again.
  statusAction(
    'status-code',
    'code',
    ['code'],
    formOf([['code', '1234 5678']]),
    ['12345678', '1234 5678', '0000-0000', '123456789', ' 1234 5678 '],
    (res) => res.status === 409,
  ),
  statusAction(
    'status-repository',
    'repositories',
    ['repository'],
    formOf([['repository', 'https://github.com/fuzz/some-repo']]),
    [
      'https://github.com/a/b',
      'http://github.com/a/b',
      'https://gitlab.com/a/b',
      'github.com/a/b',
      'https://github.com/a',
      'https://github.com/a/b/tree/x',
      'https://github.com/a/b.git',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'https://user:pw@github.com/a/b',
      'https://github.com:99999/a/b',
      'https://[::1]/a/b',
    ],
    () => false,
  ),
  {
    name: 'status-repository-check',
    summary: 'POST /status/:token/repositories/:id/check (live and junk tokens and challenge ids; the GitHub API is a local stand-in)',
    cases: caseOf(formPayload(['x'], formOf([]), ['1'])),
    async request(c, fixtures) {
      const slot = 'status-repository-check';
      const token = c.token.kind === 'junk' ? c.token.text : await fixtures.statusToken(slot, c.token.kind);
      const id = c.id.kind === 'junk' ? c.id.text : c.token.kind === 'valid' ? await fixtures.challengeId(slot) : '00000000-0000-4000-8000-000000000000';
      return { method: 'POST', path: `/status/${token}/repositories/${id}/check${c.query}`, headers: headersOf(c), body: bodyOf(c) };
    },
    settle(c, res, fixtures) {
      if (c.token.kind === 'valid' && closed(res)) fixtures.dropStatus('status-repository-check');
    },
  },
  // At most 10 checks a request: the fixture ticket is spent then (409) and a new one is made.
  statusAction('status-publisher', 'publisher', ['x'], formOf([]), ['1'], (res) => res.status === 409),
  // No check is open on this ticket: a token of the right shape is refused before any issuer is asked.
  statusAction(
    'status-publisher-token',
    'publisher/token',
    ['id_token'],
    formOf([['id_token', 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl']]),
    ['eyJhbGciOiJSUzI1NiJ9.e30.c2ln', 'a.b.c', 'aa.bb.cc.dd', 'eyJhbGciOiJub25lIn0.e30.', ' \n ', 'Bearer x.y.z'],
    () => false,
  ),
  // Three sign-ins a request: then 409, and the next request takes a new ticket.
  statusAction('status-github', 'github', ['x'], formOf([]), ['1'], (res) => res.status === 409),
  {
    name: 'status-github-check',
    summary:
      "POST /status/:token/github/:id/check (live and junk tokens and check ids; GitHub's device flow is a local stand-in that keeps answering authorization_pending)",
    cases: caseOf(formPayload(['x'], formOf([]), ['1'])),
    async request(c, fixtures) {
      const slot = 'status-github-check';
      const token = c.token.kind === 'junk' ? c.token.text : await fixtures.statusToken(slot, c.token.kind);
      const id = c.id.kind === 'junk' ? c.id.text : c.token.kind === 'valid' ? await fixtures.githubCheckId(slot) : '00000000-0000-4000-8000-000000000000';
      return { method: 'POST', path: `/status/${token}/github/${id}/check${c.query}`, headers: headersOf(c), body: bodyOf(c) };
    },
    settle(c, res, fixtures) {
      // Closed, or the check is over (expired or too many polls): a new ticket and check next time.
      if (c.token.kind === 'valid' && (closed(res) || res.status === 404 || res.status === 409)) fixtures.dropStatus('status-github-check');
    },
  },
  statusAction('status-contest', 'contest', ['x'], formOf([]), ['1'], () => false),
  statusAction('status-withdraw', 'withdraw', ['confirm'], formOf([['confirm', 'yes']]), ['yes', 'no', 'YES', 'on', 'true'], (res) => res.status === 303),
  staffStep(
    'login',
    'login',
    '/login',
    ['name', 'password'],
    () => [
      ['name', `fuzz-staff-${process.pid}`],
      ['password', FUZZ_STAFF_PASSWORD],
    ],
    [`fuzz-staff-${process.pid}`, FUZZ_STAFF_PASSWORD, 'admin', 'root', 'ALICE'],
  ),
  staffStep(
    'login-password',
    'password',
    '/login/password',
    ['new_password', 'confirm_password'],
    () => [
      ['new_password', 'a brand new passphrase 42'],
      ['confirm_password', 'a brand new passphrase 42'],
    ],
    ['a brand new passphrase 42', FUZZ_STAFF_PASSWORD, 'short', 'x'.repeat(200)],
  ),
  staffStep('login-enrol', 'enrol', '/login/enrol', ['code'], formOf([['code', '123456']]), ['000000', '123 456', '1234567', '12345']),
  staffStep('login-totp', 'totp', '/login/totp', ['code'], formOf([['code', '123456']]), ['000000', '123 456', '1234567', '12345']),
  {
    name: 'reset',
    summary: 'GET and POST /reset/:token (live, used and junk reset links; password and confirmation fields)',
    cases: caseOf(
      formPayload(
        ['password', 'confirmation'],
        () => [
          ['password', 'a new account password 7'],
          ['confirmation', 'a new account password 7'],
        ],
        ['a new account password 7', 'short', 'x'.repeat(201), 'fuzz-rec'],
      ),
      { methods: ['GET', 'POST', 'POST', 'POST'] },
    ),
    async request(c, fixtures) {
      const token = c.token.kind === 'junk' ? c.token.text : await fixtures.recoveryLink('reset', c.token.kind);
      return { method: c.method, path: `/reset/${token}${c.query}`, headers: headersOf(c), body: bodyOf(c) };
    },
    settle(c, res, fixtures) {
      if (c.token.kind === 'valid' && c.method === 'POST' && res.status !== 400) fixtures.dropRecoveryLink('reset');
    },
  },
  {
    name: 'recovery-stop',
    summary: 'GET and POST /recovery/stop/:token (live, stopped and junk stop links)',
    cases: caseOf(formPayload(['x'], formOf([]), ['1']), { methods: ['GET', 'POST'] }),
    async request(c, fixtures) {
      const token = c.token.kind === 'junk' ? c.token.text : await fixtures.recoveryLink('stop', c.token.kind);
      return { method: c.method, path: `/recovery/stop/${token}${c.query}`, headers: headersOf(c), body: bodyOf(c) };
    },
    settle(c, _res, fixtures) {
      if (c.token.kind === 'valid' && c.method === 'POST') fixtures.dropRecoveryLink('stop');
    },
  },
];
