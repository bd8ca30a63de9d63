import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../../src/auth/totp.js';
import { Account } from '../../src/directory/account.entity.js';
import { Ticket } from '../../src/tickets/ticket.entity.js';
import { TicketState } from '../../src/tickets/ticket-state.js';
import { makeAccount, seedDirectory } from '../support/factories.js';
import { MovableClock } from '../support/movable-clock.js';
import { pipelineSettled } from '../support/row-counts.js';
import { enrolledModerator, STAFF_PASSWORD } from '../support/staff.js';
import { EVENTUALLY_MS, expectEventually, type ReceivedMail, readMails, startTestApp, type TestApp } from '../support/test-app.js';
import { expectQuietPages, launchChromium, type PageProblems, watchPage } from './chromium.js';

/** One TOTP time step: a code is accepted once per step and moderator, so each new use moves the clock one step on. */
const STEP_MS = 30_000;

/** A high-value account (owner of a project above HIGH_VALUE_MONTHLY_DOWNLOADS): its recovery needs a second senior moderator. */
const NORA = makeAccount({
  username: 'nora-dev',
  joined_at: '2015-09-01T10:00:00Z',
  linked_github: 'nora-gh',
  emails: [
    { address: 'nora@work.example', verified: true, primary: true, public: true, added_at: '2015-09-01T10:00:00Z', removed_at: null },
    { address: 'nora.home@mail.example', verified: true, primary: false, public: false, added_at: '2016-02-01T10:00:00Z', removed_at: null },
    { address: 'nora@old-job.example', verified: true, primary: false, public: false, added_at: '2015-09-01T10:00:00Z', removed_at: '2019-06-01T00:00:00Z' },
  ],
  two_factor: { totp: true, webauthn_keys: 0, recovery_codes_unused: 0 },
  projects: [
    { name: 'fastframe', role: 'Owner', monthly_downloads: 4_000_000, first_release_at: '2015-10-01T00:00:00Z' },
    { name: 'nora-utils', role: 'Maintainer', monthly_downloads: 1200, first_release_at: '2017-01-01T00:00:00Z' },
  ],
});
const QUENTIN = makeAccount({ username: 'quentin' });

const PEP_541_TEXT = 'the right process is a PEP 541 request';

/**
 * The moderators' side in a real browser with JavaScript off (the dashboard is plain forms): sign-in
 * with a TOTP code, "Work next", a question the requester answers on the status page, a four-eyes
 * approval re-authenticated with fresh codes, the cooling-off's notices, the reset link redeemed by the
 * requester; and a denial with a template. Three browser contexts: mia (moderator), sam (senior) and
 * the requester, each with its own cookies. One story: each step builds on the one before.
 */
describe('the moderator dashboard in a browser, without JavaScript', () => {
  let t: TestApp;
  let browser: Browser;
  const clock = new MovableClock();
  let mia: Page;
  let sam: Page;
  let requester: Page;
  const problems: Record<string, PageProblems> = {};
  // Carried from one step to the next.
  let reference = '';
  let statusPath = '';
  let secondReference = '';
  let secondStatusPath = '';

  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).innerText();
  /**
   * Mails to an address whose body matches (bodies, not subjects: readMails leaves a folded, RFC 2047-encoded
   * subject as it is, and the subjects with quotes in them are written that way).
   */
  const mailsTo = (address: string, body: RegExp): ReceivedMail[] => readMails(t.mailDir).filter((m) => m.to.includes(address) && body.test(m.text));
  /** Waits for exactly one such mail (the outbox relay and the mail worker write it a moment after the request). */
  const mailTo = (address: string, body: RegExp, timeoutMs = EVENTUALLY_MS): Promise<ReceivedMail> =>
    expectEventually(() => {
      const found = mailsTo(address, body);
      if (found.length !== 1)
        throw new Error(`${found.length} mails to ${address} matching ${body}; all: ${JSON.stringify(readMails(t.mailDir).map((m) => [m.to, m.subject]))}`);
      return found[0];
    }, timeoutMs);
  const ticketRow = (ref: string) => t.dataSource.getRepository(Ticket).findOneByOrFail({ reference: ref });
  const stateBecomes = (ref: string, state: TicketState) =>
    expectEventually(async () => {
      const row = await ticketRow(ref);
      if (row.state !== state) throw new Error(`${ref} is ${row.state}, not ${state}`);
    });
  /** The code a moderator's authenticator app shows at the app's "now" (both are enrolled with the test secret). */
  let staffSecret = '';
  /** The code each moderator signed in with: its step is used from then on. */
  const signInCodes = new Map<string, string>();
  const code = () => totpCode(staffSecret, clock.now());

  /** A browser context of its own (own cookies); `provoked` marks the error answers the test causes on purpose. */
  const newPage = async (name: string, provoked?: (url: string, status: number) => boolean): Promise<Page> => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    problems[name] = watchPage(page, provoked);
    return page;
  };

  /** Password, then the current TOTP code: lands on the queue. */
  const signIn = async (page: Page, name: string) => {
    await page.goto(`${t.baseUrl}/login`);
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Password').fill(STAFF_PASSWORD);
    await Promise.all([page.waitForURL(`${t.baseUrl}/login/totp`), page.getByRole('button', { name: 'Continue' }).click()]);
    expect(await heading(page)).toBe('Enter your code');
    signInCodes.set(name, await code());
    await page.getByLabel('Code').fill(signInCodes.get(name)!);
    await Promise.all([page.waitForURL(`${t.baseUrl}/dashboard`), page.getByRole('button', { name: 'Sign in' }).click()]);
    expect(await heading(page)).toBe('Queue');
    expect(await page.locator('#signed-in-as').innerText()).toMatch(new RegExp(`^Signed in as ${name} \\(`));
  };

  /** "Work next" from the queue page: lands on the ticket it claimed. */
  const workNext = async (page: Page): Promise<string> => {
    await page.goto(`${t.baseUrl}/dashboard`);
    await Promise.all([page.waitForURL(/\/dashboard\/tickets\/RD-/), page.getByRole('button', { name: 'Work next' }).click()]);
    expect(await page.locator('#held-by-you').count()).toBe(1);
    return page.locator('h1 .reference').innerText();
  };

  /** The requester's web form, then the status link it shows once. */
  const submitRequest = async (fields: { username: string; contact: string; previous: string; stillRead: string; projects: string; details: string }) => {
    await requester.goto(`${t.baseUrl}/recover`);
    await requester.getByLabel('PyPI username').fill(fields.username);
    await requester.getByLabel('Your contact e-mail address').fill(fields.contact);
    await requester.getByLabel('What happened?').selectOption('lost_2fa');
    await requester.getByLabel('E-mail addresses you used on the account').fill(fields.previous);
    await requester.getByLabel('Addresses on the account you can still read').fill(fields.stillRead);
    await requester.getByLabel('Projects you maintain with this account').fill(fields.projects);
    await requester.locator('fieldset').filter({ hasText: 'two-factor authentication' }).getByRole('radio', { name: 'Yes', exact: true }).check();
    await requester.locator('fieldset').filter({ hasText: 'recovery codes' }).getByRole('radio', { name: 'No', exact: true }).check();
    await requester.getByLabel('Anything else that shows the account is yours').fill(fields.details);
    await requester.getByLabel('I accept the Code of Conduct').check();
    await requester.getByLabel('I understand that a review can take a significant amount of time').check();
    await Promise.all([requester.waitForResponse((r) => r.request().method() === 'POST'), requester.getByRole('button', { name: 'Submit request' }).click()]);
    await requester.waitForLoadState();
    expect(await heading(requester)).toBe('Request received');
    const ref = await requester.locator('strong.reference').innerText();
    const path = new URL((await requester.locator('#status-link').getAttribute('href')) ?? '').pathname;
    return { ref, path };
  };

  beforeAll(async () => {
    browser = await launchChromium();
    // BullMQ counts a cooling-off's delay on the wall clock (queue-mirror.service.ts) while the app decides
    // on its Clock. The test clock starts two TOTP steps behind the wall clock, so the two one-step moves
    // for fresh approval codes bring it back onto the wall clock just before the cooling-off starts, and
    // the real timer sends the reset link COOLING_OFF_LONG later.
    clock.advance(-2 * STEP_MS);
    t = await startTestApp({ COOLING_OFF: '2s', COOLING_OFF_LONG: '3s', RESET_LINK_TTL: '1h' }, { clock });
    await seedDirectory(t, [NORA, QUENTIN]);
    staffSecret = await enrolledModerator(t, 'mia', 'moderator');
    await enrolledModerator(t, 'sam', 'senior');
    // Each refuses one re-authentication code on purpose: the ticket page comes back with 401.
    const refusedCode = (action: string) => (url: string, status: number) => status === 401 && new URL(url).pathname.endsWith(`/${action}`);
    mia = await newPage('mia', refusedCode('approve'));
    sam = await newPage('sam', refusedCode('second-approval'));
    // The requester opens the used reset link once more on purpose: 410.
    requester = await newPage('requester', (url, status) => status === 410 && /^\/reset\/[\w-]{43}$/.test(new URL(url).pathname));
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => expectQuietPages(problems));

  it('takes a request for a high-value account through the web form; the pipeline routes it to the queue', async () => {
    ({ ref: reference, path: statusPath } = await submitRequest({
      username: 'nora-dev',
      contact: 'nora.new@fresh.example',
      previous: 'nora@work.example\nnora@old-job.example',
      stillRead: 'nora.home@mail.example',
      projects: 'fastframe\nnora-utils',
      details: 'My phone with the authenticator was stolen in March.\nI released fastframe 3.0 last month.',
    }));
    expect(reference).toMatch(/^RD-[2-9A-Z]{6}$/);
    expect(statusPath).toMatch(/^\/status\/[A-Za-z0-9_-]{43}$/);
    await stateBecomes(reference, TicketState.AwaitingReview);
    await pipelineSettled(t);
    const ticket = await ticketRow(reference);
    expect(ticket.riskFlags?.split(' ')).toEqual(expect.arrayContaining(['high_value_account', 'second_moderator_required']));
    // The acknowledgement carries the same private status link.
    expect((await mailTo('nora.new@fresh.example', /We received your request to recover the account "nora-dev"/)).text).toContain(statusPath);
  });

  it('signs mia in with her password and a TOTP code', async () => {
    await signIn(mia, 'mia');
    await expect(mia.locator(`#queue tr[data-reference="${reference}"] td.holder`).innerText()).resolves.toBe('nobody');
  });

  it('"Work next" opens the ticket: the claims beside the directory, the evidence and the timeline', async () => {
    expect(await workNext(mia)).toBe(reference);
    expect(await heading(mia)).toBe(`Ticket ${reference}`);
    await expect(mia.locator('#ticket-state').innerText()).resolves.toBe('in review');
    const claims = mia.locator('#claims-vs-directory table.claims tbody tr');
    const rows = await claims.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-verdict'), tr.querySelector('th')?.textContent?.trim()]));
    expect(rows).toEqual(
      expect.arrayContaining([
        ['matches', 'Username'],
        ['matches', 'Previous address'],
        ['matches', 'Address still read'],
        ['matches', 'Project'],
        ['not_on_file', 'Contact address'],
      ]),
    );
    expect(await mia.locator('#directory-record').innerText()).toMatch(/fastframe \(Owner, 4000000 downloads a month\)/);
    expect(await mia.locator('#evidence-signals table.signals tbody tr').count()).toBeGreaterThan(3);
    expect(await mia.locator('#risk-flags').innerText()).toMatch(/high_value_account/);
    const timeline = await mia.locator('#timeline ol.timeline > li').allInnerTexts();
    expect(timeline[0]).toMatch(/submitted|received/i);
    expect(await mia.locator('#request-details').innerText()).toContain('I released fastframe 3.0 last month.');
    // The holder's forms are all there.
    for (const id of ['approve', 'ask-info', 'deny', 'note', 'release']) await expect(mia.locator(`form#${id}`).count()).resolves.toBe(1);
  });

  it('asks for information with a template and her own words: the ticket waits on the requester', async () => {
    await mia.locator('#info-template').selectOption('projects-and-dates');
    await mia.getByLabel('Your words (added below the template)').fill('Which version of fastframe did you release first?');
    await Promise.all([
      mia.waitForURL(`${t.baseUrl}/dashboard/tickets/${reference}?done=asked`),
      mia.getByRole('button', { name: 'Send the question' }).click(),
    ]);
    await expect(mia.locator('#action-notice').innerText()).resolves.toMatch(/^Question sent/);
    await expect(mia.locator('#ticket-state').innerText()).resolves.toBe('awaiting requester');
    // She no longer holds it: no decision forms.
    await expect(mia.locator('form#approve').count()).resolves.toBe(0);
    const mail = await mailTo('nora.new@fresh.example', /A moderator looked at your request .* and needs more from you/);
    expect(mail.text).toContain('Which version of fastframe did you release first?');
  });

  it('the requester reads the question on the status page and answers it: back in the queue', async () => {
    await requester.goto(`${t.baseUrl}${statusPath}`);
    await expect(requester.locator('p.state').innerText()).resolves.toBe('We need more information from you: see what we asked below.');
    const question = await requester
      .locator('section')
      .filter({ has: requester.getByRole('heading', { name: 'We asked you' }) })
      .innerText();
    expect(question).toContain('which projects you published with this account');
    expect(question).toContain('Which version of fastframe did you release first?');
    expect(await requester.getByRole('heading', { level: 2, name: 'Answer' }).count()).toBe(1);
    await requester.getByLabel('Your message').fill('fastframe 0.1, in October 2015.\nI am the owner; nora-utils I only maintain.');
    await Promise.all([requester.waitForURL(`${t.baseUrl}${statusPath}?sent=1`), requester.getByRole('button', { name: 'Send' }).click()]);
    await expect(requester.getByRole('status').innerText()).resolves.toBe('Thank you: your information was added to the request.');
    await expect(requester.locator('p.state').innerText()).resolves.toBe('Waiting in the queue for a moderator.');
    await stateBecomes(reference, TicketState.AwaitingReview);
    await pipelineSettled(t); // the answer is assessed again and the queue in Redis catches up
  });

  it('mia works next again, gets the same ticket; a mistyped code keeps her choice of address; a fresh code approves: a second senior must approve too', async () => {
    expect(await workNext(mia)).toBe(reference);
    const answer = mia.locator('#timeline ol.timeline > li').filter({ hasText: 'fastframe 0.1, in October 2015.' });
    await expect(answer.count()).resolves.toBe(1);
    // A mistyped code: the same ticket page comes back with the chosen address still chosen and the reason beside the code field.
    await expect(mia.locator('#reset_address').inputValue()).resolves.toBe('nora@work.example'); // the default
    await mia.locator('#reset_address').selectOption('nora.home@mail.example');
    await mia.getByLabel('Your authenticator code (re-authentication)').fill('000000');
    await Promise.all([
      mia.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 401),
      mia.getByRole('button', { name: 'Approve: reset link after the cooling-off', exact: true }).click(),
    ]);
    await mia.waitForLoadState();
    expect(await mia.locator('h1 .reference').innerText()).toBe(reference);
    await expect(mia.locator('#action-problem').innerText()).resolves.toMatch(/^Not approved: the authenticator code is not right\. Nothing was approved/);
    await expect(mia.locator('#approve-code-error').innerText()).resolves.toMatch(/^This code is not right/);
    await expect(mia.locator('#reset_address').inputValue()).resolves.toBe('nora.home@mail.example');
    await expect(mia.locator('#approve-code').getAttribute('aria-invalid')).resolves.toBe('true');

    clock.advance(STEP_MS); // her sign-in used this step's code: re-authentication needs the next one
    await mia.getByLabel('Your authenticator code (re-authentication)').fill(await code());
    await Promise.all([
      mia.waitForURL(`${t.baseUrl}/dashboard/tickets/${reference}?done=approved_once`),
      mia.getByRole('button', { name: 'Approve: reset link after the cooling-off', exact: true }).click(),
    ]);
    await expect(mia.locator('#action-notice').innerText()).resolves.toBe('Approved once: a second senior moderator must approve it too.');
    await expect(mia.locator('#ticket-state').innerText()).resolves.toBe('approved');
    await expect(mia.locator('#recovery-status').innerText()).resolves.toMatch(/Approved by mia; a second senior moderator must approve too\./);
    // A moderator cannot give the second approval.
    await expect(mia.locator('form#second-approval').count()).resolves.toBe(0);
    expect(mailsTo('nora@work.example', /A moderator approved a request/)).toEqual([]);
  });

  it('senior sam signs in; his sign-in code is refused as used already; his next code gives the second approval: cooling-off, every address on file is told', async () => {
    await signIn(sam, 'sam');
    await sam.goto(`${t.baseUrl}/dashboard/tickets/${reference}`);
    await expect(sam.locator('form#second-approval').innerText()).resolves.toMatch(/mia approved this recovery/);
    // The code he just signed in with is used already: the page says so beside the code field.
    await sam.getByLabel('Your authenticator code (re-authentication)').fill(signInCodes.get('sam')!);
    await Promise.all([
      sam.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 401),
      sam.getByRole('button', { name: 'Approve as the second moderator' }).click(),
    ]);
    await sam.waitForLoadState();
    expect(await sam.locator('h1 .reference').innerText()).toBe(reference);
    await expect(sam.locator('#second-code-error').innerText()).resolves.toMatch(/^This code was used already \(to sign in, or for an earlier decision\)/);
    await expect(sam.locator('#ticket-state').innerText()).resolves.toBe('approved');
    clock.advance(STEP_MS); // again one step on, for sam's own fresh code
    await sam.getByLabel('Your authenticator code (re-authentication)').fill(await code());
    await Promise.all([
      sam.waitForURL(`${t.baseUrl}/dashboard/tickets/${reference}?done=second_approval`),
      sam.getByRole('button', { name: 'Approve as the second moderator' }).click(),
    ]);
    await expect(sam.locator('#action-notice').innerText()).resolves.toMatch(/^Second approval given: the cooling-off has started/);
    await expect(sam.locator('#ticket-state').innerText()).resolves.toBe('cooling off');
    await expect(sam.locator('#recovery-status').innerText()).resolves.toMatch(/Approved by mia and sam\./);

    // Both current addresses on file (not the removed one) got the notice with a stop link.
    for (const address of ['nora@work.example', 'nora.home@mail.example']) {
      const notice = await mailTo(address, /This address is on the package-index account "nora-dev"/);
      expect(notice.text).toMatch(/http:\/\/recovery\.test\/recovery\/stop\/[A-Za-z0-9_-]{43}/);
    }
    expect(mailsTo('nora@old-job.example', /A moderator approved a request/)).toEqual([]);
  });

  it('sends the reset link after the cooling-off; the requester sets a new password with it', async () => {
    const mail = await mailTo('nora.home@mail.example', /Set a new password for "nora-dev"/);
    const resetPath = new URL(/http:\/\/recovery\.test\/reset\/[A-Za-z0-9_-]{43}/.exec(mail.text)?.[0] ?? 'http://x/none').pathname;
    expect(resetPath).toMatch(/^\/reset\/[A-Za-z0-9_-]{43}$/);
    await stateBecomes(reference, TicketState.ResetIssued);

    await requester.goto(`${t.baseUrl}${resetPath}`);
    expect(await heading(requester)).toBe('Set a new password for "nora-dev"');
    await requester.getByLabel('New password').fill('correct horse battery staple');
    await requester.getByLabel('The same password again').fill('correct horse battery staple');
    await Promise.all([requester.waitForResponse((r) => r.request().method() === 'POST'), requester.getByRole('button', { name: 'Set the password' }).click()]);
    await requester.waitForLoadState();
    expect(await heading(requester)).toBe('Your new password is set');
    // The link works once.
    const again = await requester.goto(`${t.baseUrl}${resetPath}`);
    expect(again?.status()).toBe(410);
    expect(await heading(requester)).toBe('This link was used already');

    await mia.goto(`${t.baseUrl}/dashboard/tickets/${reference}`);
    await expect(mia.locator('#ticket-state').innerText()).resolves.toBe('completed');
    await expect(mia.locator('#recovery-status').innerText()).resolves.toMatch(/The new password was set/);
    const account = await t.dataSource.getRepository(Account).findOneByOrFail({ username: 'nora-dev' });
    expect(account.passwordHash).toMatch(/^\$argon2id\$/);
    expect(account.totpEnabled).toBe(false);
    await requester.goto(`${t.baseUrl}${statusPath}`);
    await expect(requester.locator('p.state').innerText()).resolves.toBe('Completed: the account has been recovered.');
  });

  it('denies a second request with the PEP 541 template: the requester sees the denial and gets the text by mail', async () => {
    ({ ref: secondReference, path: secondStatusPath } = await submitRequest({
      username: 'quentin',
      contact: 'q@elsewhere.example',
      previous: '',
      stillRead: '',
      projects: 'fastframe',
      details: 'I want the fastframe name for my own project.',
    }));
    await stateBecomes(secondReference, TicketState.AwaitingReview);
    await pipelineSettled(t);

    expect(await workNext(mia)).toBe(secondReference);
    await mia.locator('#deny-template').selectOption('pep-541');
    await mia.getByLabel('Your words (optional, added below the template)').fill('The project fastframe belongs to another account.');
    await Promise.all([mia.waitForURL(`${t.baseUrl}/dashboard/tickets/${secondReference}?done=denied`), mia.getByRole('button', { name: 'Deny' }).click()]);
    await expect(mia.locator('#action-notice').innerText()).resolves.toBe('Denied: the requester was told why.');
    await expect(mia.locator('#ticket-state').innerText()).resolves.toBe('denied');
    const denial = mia.locator('#timeline ol.timeline > li[data-type="denied"]');
    await expect(denial.innerText()).resolves.toMatch(/mia denied the request \(template pep-541\)\./);

    await requester.goto(`${t.baseUrl}${secondStatusPath}`);
    await expect(requester.locator('p.state').innerText()).resolves.toBe('Closed: we could not confirm that you own the account.');
    const last = requester.locator('ol.timeline > li').last();
    expect(await last.innerText()).toMatch(/The request was denied\./);
    await expect(last.locator('blockquote').innerText()).resolves.toMatch(
      new RegExp(`${PEP_541_TEXT}[\\s\\S]*The project fastframe belongs to another account\\.$`),
    );
    await expect(requester.locator('form').count()).resolves.toBe(0);

    const mail = await mailTo('q@elsewhere.example', /The request is now closed\./);
    expect(mail.text).toContain(PEP_541_TEXT);
    expect(mail.text).toContain('https://peps.python.org/pep-0541/');
    expect(mail.text).toContain('The project fastframe belongs to another account.');
  });
});
