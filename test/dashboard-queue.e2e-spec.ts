import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { insertRows } from '../src/database/transactions.js';
import { ReconcilerService } from '../src/review-queue/reconciler.service.js';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { makeStoredTicket } from './support/factories.js';
import { csrfIn, signedInModerator } from './support/staff.js';
import { expectEventually, startTestApp, type TestApp } from './support/test-app.js';
import { QueueName, dispatchJobId } from '../src/jobs/job.constants.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Tickets written straight to SQL (references RD-<prefix><5 digits>). */
async function store(t: TestApp, prefix: string, rows: Array<Partial<Ticket>>): Promise<Ticket[]> {
  const tickets = rows.map((over, i) =>
    makeStoredTicket(i, {
      reference: `RD-${prefix}${String(i).padStart(5, '0')}`,
      username: `user-${prefix.toLowerCase()}${i}`,
      state: TicketState.AwaitingReview,
      ...over,
    }),
  );
  for (let i = 0; i < tickets.length; i += 200) await insertRows(t.dataSource.manager, Ticket, tickets.slice(i, i + 200));
  return tickets;
}

/** The references of the queue table's rows, in page order. */
const refsIn = (html: string) => [...html.matchAll(/<tr data-reference="([^"]+)">/g)].map((m) => m[1]);
const slaIn = (html: string) => [...html.matchAll(/data-sla="([a-z_]+)"/g)].map((m) => m[1]);
const countOf = (html: string, state: string) => Number(new RegExp(`data-state="${state}"><td><a [^>]*>[^<]*</a></td><td class="n">(\\d+)<`).exec(html)?.[1]);
const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
const nextHrefIn = (html: string) => {
  const m = /id="next-page" rel="next" href="([^"]+)"/.exec(html);
  return m ? unescape(m[1]) : null;
};

describe('the queue page', () => {
  let t: TestApp;
  let ann: TestAgent;
  let seeded: Ticket[];

  beforeAll(async () => {
    t = await startTestApp({ RECONCILE_INTERVAL: '1h' });
    ann = await signedInModerator(t, 'ann');
    const now = Date.now();
    seeded = await store(t, 'F', [
      {
        createdAt: new Date(now - 3 * DAY - 4 * HOUR - 5 * MIN),
        username: 'a<b>c',
        riskFlags: ' high_value new_address ',
        band: 'strong',
        score: 81,
        claims: {
          previousEmails: [],
          projects: [],
          joinedApprox: null,
          has2fa: 'unknown',
          hasRecoveryCodes: 'unknown',
          details: 'SECRET-REQUESTER-TEXT <script>',
        },
      },
      { createdAt: new Date(now - 2 * HOUR), slaLevel: 'warning', requestType: 'forgot_password', riskFlags: ' competing ' },
      {
        createdAt: new Date(now - HOUR),
        slaLevel: 'breached',
        requestType: 'compromised',
        state: TicketState.InReview,
        claimedBy: 'moderator:zed',
        claimedAt: new Date(now - MIN),
        leaseExpiresAt: new Date(now + 14 * MIN),
        firstRespondedAt: new Date(now - MIN),
      },
      { createdAt: new Date(now - 30 * MIN), state: TicketState.AwaitingRequester },
      { createdAt: new Date(now - 4 * DAY), state: TicketState.Completed, closedAt: new Date(now - DAY) },
    ]);
  });
  afterAll(() => t?.close());

  it('sends anonymous visitors to sign in', async () => {
    await request(t.server).get('/dashboard').expect(303).expect('Location', '/login');
    await request(t.server).get(`/dashboard/tickets/${seeded[0].reference}`).expect(303).expect('Location', '/login');
  });

  it('lists open tickets oldest first, with counts, SLA badges, flags and holders, escaped, without requester text', async () => {
    const [a, b, c, d] = seeded;
    const page = await ann.get('/dashboard').expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(refsIn(page.text)).toEqual([a.reference, b.reference, c.reference, d.reference]);
    expect(slaIn(page.text)).toEqual(['on_time', 'warning', 'breached', 'on_time']);
    expect(countOf(page.text, 'awaiting_review')).toBe(2);
    expect(countOf(page.text, 'in_review')).toBe(1);
    expect(countOf(page.text, 'awaiting_requester')).toBe(1);
    expect(page.text).toContain('<th scope="row">All open</th><td class="n">4</td>');
    expect(page.text).toContain('a&lt;b&gt;c');
    expect(page.text).not.toContain('a<b>c');
    expect(page.text).not.toContain('SECRET-REQUESTER-TEXT');
    expect(page.text).toContain('3 d 4 h');
    expect(page.text).toMatch(/<span class="time-left">\d+ (d|h|min) (left|over)<\/span>/);
    expect(page.text).toContain('<span class="flag">high_value</span>');
    expect(page.text).toContain('<td class="holder">zed</td>');
    expect(page.text).toContain('strong');
    expect(nextHrefIn(page.text)).toBeNull();
  });

  it('narrows with each filter and sorts', async () => {
    const [a, b, c, d] = seeded.map((s) => s.reference);
    const cases: Array<[string, string[]]> = [
      ['state=in_review', [c]],
      ['state=awaiting_requester', [d]],
      ['sla=warning', [b]],
      ['sla=on_time', [a, d]],
      ['sla=breached', [c]],
      ['risk=high_value', [a]],
      ['risk=new_address', [a]],
      ['risk=competing', [b]],
      ['risk=high', []],
      ['type=compromised', [c]],
      ['type=forgot_password', [b]],
      ['holder=zed', [c]],
      ['holder=ann', []],
      ['holder=none', [a, b, d]],
      ['state=awaiting_review&sla=on_time', [a]],
      ['sort=newest', [d, c, b, a]],
      ['sort=sla', [c, b, a, d]],
      ['sort=oldest', [a, b, c, d]],
    ];
    for (const [query, expected] of cases) {
      const page = await ann.get(`/dashboard?${query}`).expect(200);
      expect({ query, refs: refsIn(page.text) }).toEqual({ query, refs: expected });
    }
  });

  it('answers a bad filter value with a 400 page naming the parameter', async () => {
    for (const [parameter, value] of [
      ['state', 'denied'],
      ['sla', 'late'],
      ['risk', "x' OR '1'='1"],
      ['type', 'lost_keys'],
      ['holder', 'Ann Smith'],
      ['sort', 'random'],
      ['after', 'garbage!'],
    ]) {
      const page = await ann
        .get('/dashboard')
        .query({ [parameter]: value })
        .expect(400);
      expect(page.text).toContain(`Bad filter: ${parameter}`);
    }
  });

  it('shows the ticket page, requester text escaped; unknown or malformed references are 404 pages', async () => {
    const [a, , c] = seeded;
    const page = await ann.get(`/dashboard/tickets/${a.reference}`).expect(200);
    expect(page.text).toContain(a.reference);
    expect(page.text).toContain('strong (score 81)');
    expect(page.text).toContain('a&lt;b&gt;c');
    expect(page.text).toContain('SECRET-REQUESTER-TEXT &lt;script&gt;');
    expect(page.text).not.toContain('<script>');
    expect(page.text).toMatch(/id="ticket-holder">nobody</);
    expect(page.text).not.toContain('id="release"');
    const held = await ann.get(`/dashboard/tickets/${c.reference.toLowerCase()}`).expect(200);
    expect(held.text).toMatch(/id="ticket-holder">zed, until/);
    expect(held.text).not.toContain('id="release"');
    await ann.get('/dashboard/tickets/RD-ZZZZZZ').expect(404);
    await ann.get('/dashboard/tickets/not-a-reference').expect(404);
  });
});

describe('queue page pagination (keyset)', () => {
  let t: TestApp;
  let ann: TestAgent;
  let tickets: Ticket[];

  beforeAll(async () => {
    t = await startTestApp({ RECONCILE_INTERVAL: '1h' });
    ann = await signedInModerator(t, 'ann');
    const start = Date.now() - 10 * DAY;
    // Three tickets share each creation time, so the id must break ties; the SLA levels vary too.
    tickets = await store(
      t,
      'P',
      Array.from({ length: 120 }, (_, i) => ({
        createdAt: new Date(start + Math.floor(i / 3) * MIN),
        slaLevel: (['on_time', 'warning', 'breached'] as const)[i % 3],
      })),
    );
  });
  afterAll(() => t?.close());

  async function walk(first: string): Promise<string[][]> {
    const pages: string[][] = [];
    let href: string | null = first;
    while (href) {
      const page = await ann.get(href).expect(200);
      pages.push(refsIn(page.text));
      href = nextHrefIn(page.text);
      expect(pages.length).toBeLessThan(5);
    }
    return pages;
  }

  const byKey = (rank: (x: Ticket) => number) =>
    [...tickets]
      .sort((x, y) => rank(x) - rank(y) || x.createdAt.getTime() - y.createdAt.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
      .map((x) => x.reference);

  it('pages 50, 50, 20 oldest first, none twice, none missing', async () => {
    const pages = await walk('/dashboard');
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    expect(pages.flat()).toEqual(byKey(() => 0));
  });

  it('keeps the sort and the filters across pages', async () => {
    const rank = { breached: 0, warning: 1, on_time: 2 };
    const sla = await walk('/dashboard?sort=sla');
    expect(sla.map((p) => p.length)).toEqual([50, 50, 20]);
    expect(sla.flat()).toEqual(byKey((x) => rank[x.slaLevel]));
    const newest = await walk('/dashboard?sort=newest');
    expect(newest.flat()).toEqual(byKey(() => 0).reverse());
    const warned = await walk('/dashboard?sla=warning');
    expect(warned.map((p) => p.length)).toEqual([40]);
    // A cursor from another sort is refused.
    const first = await ann.get('/dashboard').expect(200);
    const after = new URL(nextHrefIn(first.text)!, 'http://x').searchParams.get('after')!;
    await ann.get('/dashboard').query({ sort: 'newest', after }).expect(400);
  });
});

describe('work next and release from the dashboard', () => {
  let t: TestApp;
  let ann: TestAgent;
  const dispatch = () => t.app.get<Queue>(getQueueToken(QueueName.Dispatch));
  const ticketByRef = (reference: string) => t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });

  beforeAll(async () => {
    t = await startTestApp({ RECONCILE_INTERVAL: '1h' });
    ann = await signedInModerator(t, 'ann');
  });
  afterAll(() => t?.close());

  async function workNext(): Promise<string> {
    const page = await ann.get('/dashboard').expect(200);
    const res = await ann
      .post('/dashboard/work-next')
      .type('form')
      .send({ _csrf: csrfIn(page.text) })
      .expect(303);
    return res.headers.location;
  }

  it('refuses a work-next post without the CSRF token', async () => {
    await ann.post('/dashboard/work-next').type('form').send({}).expect(403);
    await request(t.server).post('/dashboard/work-next').type('form').send({}).expect(403);
  });

  it('claims the oldest waiting ticket, opens it held by you, renews the lease; release puts it back; then nobody waits', async () => {
    const now = Date.now();
    const [older, newer] = await store(t, 'W', [{ createdAt: new Date(now - 2 * HOUR) }, { createdAt: new Date(now - HOUR) }]);
    await t.app.get(ReconcilerService).run();

    expect(await workNext()).toBe(`/dashboard/tickets/${older.reference}`);
    const claimed = await ticketByRef(older.reference);
    expect(claimed).toMatchObject({ state: TicketState.InReview, claimedBy: 'moderator:ann' });
    await new Promise((r) => setTimeout(r, 20));
    const page = await ann.get(`/dashboard/tickets/${older.reference}`).expect(200);
    expect(page.text).toContain('held by you');
    expect(page.text).toMatch(/id="ticket-holder">you, until/);
    expect((await ticketByRef(older.reference)).leaseExpiresAt!.getTime()).toBeGreaterThan(claimed.leaseExpiresAt!.getTime());
    const queue = await ann.get('/dashboard?holder=ann').expect(200);
    expect(refsIn(queue.text)).toEqual([older.reference]);

    await ann.post(`/dashboard/tickets/${older.reference}/release`).type('form').send({}).expect(403);
    await ann
      .post(`/dashboard/tickets/${older.reference}/release`)
      .type('form')
      .send({ _csrf: csrfIn(page.text) })
      .expect(303)
      .expect('Location', '/dashboard');
    expect(await ticketByRef(older.reference)).toMatchObject({ state: TicketState.AwaitingReview, claimedBy: null });
    // Released twice: the second is refused (no longer held).
    await ann
      .post(`/dashboard/tickets/${older.reference}/release`)
      .type('form')
      .send({ _csrf: csrfIn(page.text) })
      .expect(409);

    await expectEventually(async () => expect(await dispatch().getJob(dispatchJobId(older.id))).toBeTruthy());
    expect(await workNext()).toBe(`/dashboard/tickets/${older.reference}`);
    expect(await workNext()).toBe(`/dashboard/tickets/${newer.reference}`);
    expect(await workNext()).toBe('/dashboard?empty=1');
    const empty = await ann.get('/dashboard?empty=1').expect(200);
    expect(empty.text).toContain('Nobody is waiting');
  });

  it('ops watch the queue but take nothing: no Work next button, work-next and release are 403, the ticket stays waiting', async () => {
    const [waiting] = await store(t, 'O', [{ createdAt: new Date(Date.now() - HOUR) }]);
    await t.app.get(ReconcilerService).run();
    const ops = await signedInModerator(t, 'olga', 'ops');
    const page = await ops.get('/dashboard').expect(200);
    expect(page.text).toContain(waiting.reference);
    expect(page.text).not.toContain('id="work-next"');
    expect((await ann.get('/dashboard').expect(200)).text).toContain('id="work-next"');
    const refused = await ops
      .post('/dashboard/work-next')
      .type('form')
      .send({ _csrf: csrfIn(page.text) })
      .expect(403);
    expect(refused.text).toContain('Your role (ops) does not open this page.');
    await ops
      .post(`/dashboard/tickets/${waiting.reference}/release`)
      .type('form')
      .send({ _csrf: csrfIn(page.text) })
      .expect(403);
    expect(await ticketByRef(waiting.reference)).toMatchObject({ state: TicketState.AwaitingReview, claimedBy: null, firstRespondedAt: null });
    // Ops keep read access to the ticket page, without the forms that would answer 403.
    const ticketPage = await ops.get(`/dashboard/tickets/${waiting.reference}`).expect(200);
    expect([...ticketPage.text.matchAll(/<form[^>]*action="\/dashboard\/tickets\/[^"]+\/([a-z-]+)"/g)].map((m) => m[1])).toEqual([]);
  });
});
