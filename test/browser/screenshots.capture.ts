/**
 * Captures the pages for the docs: the requester's (docs/screenshots/{home,request-form-errors,request-submitted,status-page}.png),
 * the moderators' (docs/screenshots/{dashboard-queue,dashboard-ticket}.png) and the ops report (docs/screenshots/reports.png),
 * full page, JavaScript off (as the pages are meant to work), each set twice: 1280 px wide, and on a 390 px phone
 * (the same names prefixed phone-). Not part of the test suite (the name does not match *.e2e-spec.ts); regenerate with
 *
 *   node --experimental-vm-modules node_modules/jest/bin/jest.js test/browser/screenshots --selectProjects e2e --testRegex 'screenshots\.capture\.ts$'
 *
 * (the path first: --testRegex takes several values, and a path after it would be read as one more regex, running
 * every file under test/browser; --selectProjects e2e, or --testRegex would make the unit project run the file too, at
 * the same time, writing every file twice). Add `-t dashboard` (or `-t requester`, `-t reports`) to regenerate only one set, and
 * `-t phone` (or `-t desktop`) for only one size; `-t 'dashboard.*phone'` combines both.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { totpCode } from '../../src/auth/totp.js';
import { generateDirectory } from '../../src/directory/demo-directory.js';
import { applyMarks, decideSla, dueMarks, pauseSla, respondSla, startSla } from '../../src/sla/sla-clock.js';
import { DEFAULT_SLA_POLICY_JSON, parseSlaPolicy } from '../../src/sla/sla-policy.js';
import { Ticket } from '../../src/tickets/ticket.entity.js';
import { TicketState } from '../../src/tickets/ticket-state.js';
import { makeAccount, makeStoredTicket, makeTicketBody, seedDirectory } from '../support/factories.js';
import { reportHistory } from '../support/report-history.js';
import { pipelineSettled } from '../support/row-counts.js';
import { enrolledModerator, STAFF_PASSWORD, STAFF_TOTP_SECRET } from '../support/staff.js';
import { expectEventually, startTestApp, statusTokenIn, type TestApp } from '../support/test-app.js';
import { launchChromium, watchPage } from './chromium.js';
import { REQUEST_TYPES, type RequestType } from '../../src/tickets/ticket.types.js';
import { slaColumns } from '../../src/tickets/ticket-sla.js';

const OUT_DIR = join(process.cwd(), 'docs', 'screenshots');
const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * The sizes every set is taken at: a desktop window, and a phone (files prefixed phone-). The phone's pixel ratio is 1
 * so the full-page captures of long pages stay small; the layout is the same as at 2.
 */
const VIEWPORTS = [
  { size: 'desktop', prefix: '', options: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 } },
  { size: 'phone', prefix: 'phone-', options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true } },
];
type Viewport = (typeof VIEWPORTS)[number];

const newPage = async (browser: Browser, { options }: Viewport): Promise<Page> =>
  (await browser.newContext({ javaScriptEnabled: false, ...options })).newPage();

const shootPage = async (page: Page, name: string) => {
  const path = join(OUT_DIR, name);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  expect(statSync(path).size).toBeGreaterThan(10_000);
};

/** Requests already waiting, and recent decisions, so the status page shows a real place in the queue and an estimate. */
async function seedQueue(t: TestApp): Promise<void> {
  await seedDirectory(t); // the demo directory (50 generated accounts)
  for (let i = 0; i < 11; i++) await request(t.server).post('/api/v1/tickets').send(makeTicketBody()).expect(201);
  const now = Date.now();
  const decided = Array.from({ length: 20 }, (_, i) =>
    makeStoredTicket(i, {
      state: i % 4 === 0 ? TicketState.Denied : TicketState.Completed,
      createdAt: new Date(now - 60 * DAY),
      updatedAt: new Date(now - i * DAY),
      closedAt: new Date(now - i * DAY),
      decidedAt: new Date(now - i * DAY),
    }),
  );
  await t.dataSource.getRepository(Ticket).insert(decided);
}

describe.each(VIEWPORTS)('documentation screenshots ($size)', (viewport) => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  const shoot = (name: string) => shootPage(page, viewport.prefix + name);

  beforeAll(async () => {
    mkdirSync(OUT_DIR, { recursive: true });
    browser = await launchChromium();
    t = await startTestApp({ PUBLIC_BASE_URL: 'https://recovery.example.org' });
    await seedQueue(t);
    page = await newPage(browser, viewport);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('captures the requester journey', async () => {
    const problems = watchPage(page, (url, status) => status === 400 && new URL(url).pathname === '/recover');

    await page.goto(`${t.baseUrl}/`);
    await shoot('home.png');

    // A first attempt with mistakes: a typo in the address, no request type, the two confirmations not ticked.
    await page.goto(`${t.baseUrl}/recover`);
    await page.getByLabel('PyPI username').fill('alice');
    await page.getByLabel('Your contact e-mail address').fill('alice.liddell@example');
    await page.getByLabel('Projects you maintain with this account').fill('wonderland\nlooking-glass');
    await page.getByLabel('When did you create the account?').fill('2016-03');
    await Promise.all([page.waitForURL(`${t.baseUrl}/recover`), page.getByRole('button', { name: 'Submit request' }).click()]);
    expect(await page.locator('.field-error').count()).toBeGreaterThanOrEqual(3);
    await shoot('request-form-errors.png');

    await page.getByLabel('Your contact e-mail address').fill('alice.liddell@example.org');
    await page.getByLabel('What happened?').selectOption('lost_2fa');
    await page.getByLabel('E-mail addresses you used on the account').fill('alice@oxford.example.ac.uk\nal1ce@mail.example.net');
    await page.locator('fieldset').filter({ hasText: 'two-factor authentication' }).getByRole('radio', { name: 'Yes', exact: true }).check();
    await page.locator('fieldset').filter({ hasText: 'recovery codes' }).getByRole('radio', { name: 'No', exact: true }).check();
    await page
      .getByLabel('Anything else that shows the account is yours')
      .fill(
        'My phone with the authenticator app was reset during a repair, and I never saved recovery codes.\n' +
          'I can push a branch with a token to the wonderland repository to show I control it.',
      );
    await page.getByLabel('I accept the Code of Conduct').check();
    await page.getByLabel('I understand that a review can take a significant amount of time').check();
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Submit request' }).click()]);
    await page.waitForLoadState();
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Request received');
    await shoot('request-submitted.png');

    const statusPath = new URL((await page.locator('#status-link').getAttribute('href')) ?? '').pathname;
    await page.goto(`${t.baseUrl}${statusPath}`);
    await page.getByLabel('Your message').fill('I found an old invoice for the domain wonderland.example, registered with al1ce@mail.example.net.');
    await Promise.all([page.waitForURL(`${t.baseUrl}${statusPath}?sent=1`), page.getByRole('button', { name: 'Send' }).click()]);
    expect(await page.locator('#queue-position').innerText()).toBe('12');
    expect(await page.locator('#wait-estimate').innerText()).toMatch(/^about \d+ (days|weeks)$/);
    await shoot('status-page.png');

    expect(problems).toEqual({ console: [], csp: [], pageErrors: [], failedRequests: [] });
  });
});

/** The account of the ticket the dashboard screenshots open: high-value, several addresses, a linked GitHub. */
const NORA = makeAccount({
  username: 'nora-dev',
  name: 'Nora Lindqvist',
  joined_at: '2015-09-01T10:00:00Z',
  linked_github: 'nora-gh',
  emails: [
    { address: 'nora@fastframe.example', verified: true, primary: true, public: true, added_at: '2015-09-01T10:00:00Z', removed_at: null },
    { address: 'nora.home@mail.example', verified: true, primary: false, public: false, added_at: '2016-02-01T10:00:00Z', removed_at: null },
    { address: 'nora@old-job.example', verified: true, primary: false, public: false, added_at: '2015-09-01T10:00:00Z', removed_at: '2019-06-01T00:00:00Z' },
  ],
  two_factor: { totp: true, webauthn_keys: 0, recovery_codes_unused: 0 },
  projects: [
    {
      name: 'fastframe',
      role: 'Owner',
      monthly_downloads: 4_200_000,
      first_release_at: '2015-10-01T00:00:00Z',
      repository: 'https://github.com/nora-gh/fastframe',
    },
    { name: 'frame-utils', role: 'Maintainer', monthly_downloads: 12_000, first_release_at: '2017-01-01T00:00:00Z' },
  ],
});

const POLICY = parseSlaPolicy(DEFAULT_SLA_POLICY_JSON, 'default', REQUEST_TYPES);
const DEMO_ACCOUNTS = generateDirectory(50).accounts;
const RECOMMENDATION = { strong: 'approve', moderate: 'request_info', weak: 'request_info', insufficient: 'deny' } as const;

interface StoredSpec {
  ref: string;
  username: string;
  type: RequestType;
  ageMs: number;
  state: TicketState;
  band: Ticket['band'];
  score: number | null;
  flags?: string;
  holder?: string;
}

/** Tickets from earlier days, in every open state, with the SLA clock each would have by now. */
const STORED: StoredSpec[] = [
  {
    ref: 'RD-7KQ2MX',
    username: 'kwame-o',
    type: 'lost_2fa',
    ageMs: 9 * DAY,
    state: TicketState.AwaitingReview,
    band: 'weak',
    score: 31,
    flags: 'competing_requests second_moderator_required',
  },
  {
    ref: 'RD-H4TZ9P',
    username: 'lin.zhao',
    type: 'compromised',
    ageMs: 6 * DAY + 5 * HOUR,
    state: TicketState.InReview,
    band: 'moderate',
    score: 55,
    holder: 'ben',
  },
  {
    ref: 'RD-3WNB8C',
    username: 'pdelacroix',
    type: 'lost_email_access',
    ageMs: 5 * DAY,
    state: TicketState.AwaitingRequester,
    band: 'weak',
    score: 24,
    flags: 'expired_domain',
  },
  {
    ref: 'RD-Q9VD2K',
    username: 'sasha_dev',
    type: 'forgot_password',
    ageMs: 4 * DAY + 2 * HOUR,
    state: TicketState.AwaitingReview,
    band: 'insufficient',
    score: 8,
    flags: 'disposable_domain',
  },
  { ref: 'RD-M2XJ7R', username: 'mkowalski', type: 'lost_2fa', ageMs: 3 * DAY + 20 * HOUR, state: TicketState.CoolingOff, band: 'strong', score: 86 },
  {
    ref: 'RD-ZP6F3T',
    username: 'tanaka-h',
    type: 'lost_recovery_codes',
    ageMs: 3 * DAY + 4 * HOUR,
    state: TicketState.AwaitingReview,
    band: 'moderate',
    score: 47,
  },
  {
    ref: 'RD-B8LE4N',
    username: 'oliviab',
    type: 'lost_2fa',
    ageMs: 2 * DAY + 10 * HOUR,
    state: TicketState.AwaitingReview,
    band: 'strong',
    score: 78,
    flags: 'high_value_account second_moderator_required',
  },
  {
    ref: 'RD-6RUC9W',
    username: 'rustam',
    type: 'compromised',
    ageMs: 2 * DAY + 3 * HOUR,
    state: TicketState.Approved,
    band: 'strong',
    score: 91,
    flags: 'high_value_account second_moderator_required',
  },
  {
    ref: 'RD-T5GH8A',
    username: 'ingrid.n',
    type: 'lost_email_access',
    ageMs: 30 * HOUR,
    state: TicketState.InReview,
    band: 'weak',
    score: 29,
    holder: 'carla',
  },
  { ref: 'RD-E3YS6V', username: 'devpablo', type: 'lost_2fa', ageMs: 20 * HOUR, state: TicketState.ResetIssued, band: 'strong', score: 83 },
  {
    ref: 'RD-W7KM2D',
    username: 'hamid-r',
    type: 'lost_2fa',
    ageMs: 9 * HOUR,
    state: TicketState.AwaitingReview,
    band: 'moderate',
    score: 52,
    flags: 'primary_email_changed_recently second_moderator_required',
  },
  { ref: 'RD-N4PA5Q', username: 'jules', type: 'forgot_password', ageMs: 3 * HOUR, state: TicketState.AwaitingReview, band: null, score: null },
];

/** A stored ticket whose SLA columns are what the app would hold now: responded when picked up, paused or decided after. */
function storedTicket(i: number, spec: StoredSpec, now: number): Ticket {
  const createdAt = new Date(now - spec.ageMs);
  const targets = POLICY.targetsFor(spec.type);
  let sla = startSla(createdAt, targets);
  const respondedAt = new Date(createdAt.getTime() + Math.min(spec.ageMs / 2, 2 * DAY));
  if (spec.state !== TicketState.AwaitingReview) sla = respondSla(sla, respondedAt, targets);
  if (spec.state === TicketState.AwaitingRequester) sla = pauseSla(sla, new Date(respondedAt.getTime() + HOUR), targets);
  if ([TicketState.Approved, TicketState.CoolingOff, TicketState.ResetIssued].includes(spec.state))
    sla = decideSla(sla, new Date(respondedAt.getTime() + HOUR), targets);
  sla = applyMarks(sla, dueMarks(sla, new Date(now)), targets);
  const usernameKey = spec.username.toLowerCase();
  return makeStoredTicket(i, {
    reference: spec.ref,
    username: spec.username,
    usernameKey,
    contactEmail: `${usernameKey.replace(/[^a-z0-9]/g, '')}@mail.example`,
    openKey: `${usernameKey}|${usernameKey}@mail.example`,
    requestType: spec.type,
    state: spec.state,
    createdAt,
    updatedAt: new Date(now - HOUR),
    band: spec.band,
    score: spec.score,
    recommendation: spec.band ? RECOMMENDATION[spec.band] : null,
    riskFlags: spec.flags ? ` ${spec.flags} ` : null,
    claimedBy: spec.holder ? `moderator:${spec.holder}` : null,
    claimedAt: spec.holder ? new Date(now - 5 * 60_000) : null,
    leaseExpiresAt: spec.holder ? new Date(now + 10 * 60_000) : null,
    decidedAt: sla.decidedAt,
    coolingOffEndsAt: spec.state === TicketState.CoolingOff ? new Date(now + 40 * HOUR) : null,
    ...slaColumns(sla),
  });
}

describe.each(VIEWPORTS)('documentation screenshots of the dashboard ($size)', (viewport) => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let featured = '';

  beforeAll(async () => {
    mkdirSync(OUT_DIR, { recursive: true });
    browser = await launchChromium();
    t = await startTestApp({ RECONCILE_INTERVAL: '1h' });
    await seedDirectory(t, [...DEMO_ACCOUNTS, NORA]);
    await enrolledModerator(t, 'mia', 'moderator');

    // The ticket the page shows: claims that match, contradict and are not on file, a message from the requester.
    const res = await request(t.server)
      .post('/api/v1/tickets')
      .send(
        makeTicketBody({
          username: 'nora-dev',
          contact_email: 'nora.lindqvist@fresh.example',
          request_type: 'lost_2fa',
          previous_emails: ['nora@fastframe.example', 'nora@old-job.example', 'n.lindqvist@uni.example'],
          emails_still_read: ['nora.home@mail.example'],
          projects: ['fastframe', 'frame-utils', 'fastframe-docs'],
          joined_approx: '2015-09',
          has_2fa: true,
          has_recovery_codes: false,
          details:
            'My phone with the authenticator app was stolen in March and I never printed the recovery codes.\nI released fastframe 4.2 last month and can push to its repository.',
        }),
      )
      .expect(201);
    featured = res.body.reference as string;
    await pipelineSettled(t);
    await request(t.server)
      .post(`/status/${statusTokenIn(res.body.status_url)}/messages`)
      .type('form')
      .send({ message: 'I can also still read nora.home@mail.example: send a code there if that helps.' })
      .expect(303);
    await pipelineSettled(t);

    page = await newPage(browser, viewport);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('captures the queue and a ticket page', async () => {
    const problems = watchPage(page);
    await page.goto(`${t.baseUrl}/login`);
    await page.getByLabel('Name').fill('mia');
    await page.getByLabel('Password').fill(STAFF_PASSWORD);
    await Promise.all([page.waitForURL(`${t.baseUrl}/login/totp`), page.getByRole('button', { name: 'Continue' }).click()]);
    await page.getByLabel('Code').fill(await totpCode(STAFF_TOTP_SECRET, new Date()));
    await Promise.all([page.waitForURL(`${t.baseUrl}/dashboard`), page.getByRole('button', { name: 'Sign in' }).click()]);

    // Mia takes the ticket and leaves a note for the others.
    await Promise.all([page.waitForURL(`${t.baseUrl}/dashboard/tickets/${featured}`), page.getByRole('button', { name: 'Work next' }).click()]);
    await page
      .getByLabel('Note (moderators only; never shown to the requester)')
      .fill('fastframe has 4.2 M downloads a month: this needs a second senior. Asked carla to look too.');
    await Promise.all([page.waitForURL(`${t.baseUrl}/dashboard/tickets/${featured}?done=noted`), page.getByRole('button', { name: 'Add the note' }).click()]);

    // The rest of the queue: tickets from earlier days in every open state, and fresh ones the pipeline just assessed.
    const now = Date.now();
    await t.dataSource.getRepository(Ticket).insert(STORED.map((spec, i) => storedTicket(i, spec, now)));
    for (const [i, account] of DEMO_ACCOUNTS.slice(1, 8).entries()) {
      const emails = (account.emails as Array<{ address: string }>).map((e) => e.address);
      const projects = (account.projects as Array<{ name: string }>).map((p) => p.name);
      await request(t.server)
        .post('/api/v1/tickets')
        .send(
          makeTicketBody({
            username: i === 6 ? 'ghost-maintainer' : account.username,
            request_type: ['lost_2fa', 'forgot_password', 'lost_email_access', 'lost_2fa', 'lost_recovery_codes', 'compromised', 'lost_2fa'][i],
            previous_emails: i % 2 === 0 ? emails.slice(0, 1) : [],
            projects: projects.slice(0, i % 3),
            joined_approx: i % 3 === 0 ? String(account.joined_at).slice(0, 7) : undefined,
          }),
        )
        .expect(201);
    }
    await pipelineSettled(t);
    await expectEventually(async () => {
      const waiting = await t.dataSource.getRepository(Ticket).countBy({ state: TicketState.Submitted });
      if (waiting > 0) throw new Error(`${waiting} tickets not routed yet`);
    });

    await page.goto(`${t.baseUrl}/dashboard`);
    expect(await page.locator('#queue tbody tr').count()).toBeGreaterThanOrEqual(18);
    await shootPage(page, `${viewport.prefix}dashboard-queue.png`);

    await page.goto(`${t.baseUrl}/dashboard/tickets/${featured}`);
    expect(await page.locator('form#approve').count()).toBe(1);
    await shootPage(page, `${viewport.prefix}dashboard-ticket.png`);

    expect(problems).toEqual({ console: [], csp: [], pageErrors: [], failedRequests: [] });
  });
});

/** Signs a staff member in through the forms (password, then the TOTP code at the wall clock). */
async function signIn(page: Page, baseUrl: string, name: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(STAFF_PASSWORD);
  await Promise.all([page.waitForURL(`${baseUrl}/login/totp`), page.getByRole('button', { name: 'Continue' }).click()]);
  await page.getByLabel('Code').fill(await totpCode(STAFF_TOTP_SECRET, new Date()));
  await Promise.all([page.waitForURL(`${baseUrl}/dashboard`), page.getByRole('button', { name: 'Sign in' }).click()]);
}

describe.each(VIEWPORTS)('documentation screenshots of the reports ($size)', (viewport) => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(OUT_DIR, { recursive: true });
    browser = await launchChromium();
    t = await startTestApp({ RECONCILE_INTERVAL: '1h', REPORT_TIME_ZONE: 'UTC' });
    await enrolledModerator(t, 'olga', 'ops');
    // Two months of tickets (report-history.ts, a fixed seed): about 600, some still open, some breached.
    const history = reportHistory(new Date());
    expect(history.length).toBeGreaterThan(500);
    const tickets = t.dataSource.getRepository(Ticket);
    for (let i = 0; i < history.length; i += 50) await tickets.insert(history.slice(i, i + 50));
    page = await newPage(browser, viewport);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('captures the ops report page over the last 45 days', async () => {
    const problems = watchPage(page);
    await signIn(page, t.baseUrl, 'olga');
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    await page.goto(`${t.baseUrl}/reports?from=${day(Date.now() - 45 * DAY)}&to=${day(Date.now())}`);
    expect(await page.locator('figure.chart > svg').count()).toBe(4);
    expect(Number(await page.locator('#report-sla tr[data-type="all"] td.received').innerText())).toBeGreaterThan(400);
    expect(Number(await page.locator('#breach-count').innerText())).toBeGreaterThan(0);
    expect(await page.locator('#report-moderators tbody tr').count()).toBe(4);
    await shootPage(page, `${viewport.prefix}reports.png`);
    expect(problems).toEqual({ console: [], csp: [], pageErrors: [], failedRequests: [] });
  });
});
