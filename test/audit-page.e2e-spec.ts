import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { appendAudit } from '../src/audit/audit-log.service.js';
import { AuditEntry } from '../src/audit/audit-entry.entity.js';
import { insertRows, Transactions } from '../src/database/transactions.js';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { makeStoredTicket } from './support/factories.js';
import { signedInModerator } from './support/staff.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The ids of the entries a page lists, in order. */
const idsIn = (html: string) => [...html.matchAll(/<tr data-id="(\d+)">/g)].map((m) => Number(m[1]));
const cellsIn = (html: string, cls: string) => [...html.matchAll(new RegExp(`<td class="${cls}">([^<]*)</td>`, 'g'))].map((m) => m[1]);
/** The "Older entries" link, as a browser reads the attribute (Handlebars escapes `=` and `&`). */
const nextHrefIn = (html: string) =>
  /id="next-page" rel="next" href="([^"]+)"/
    .exec(html)?.[1]
    ?.replace(/&#x3D;/g, '=')
    .replace(/&amp;/g, '&');

describe('the admin audit page /dashboard/audit', () => {
  let t: TestApp;
  let admin: TestAgent;
  let ticket: Ticket;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await signedInModerator(t, 'ada', 'admin');
    ticket = makeStoredTicket(1, { reference: 'RD-AUD001' });
    await insertRows(t.dataSource.manager, Ticket, ticket);
    const transactions = t.app.get(Transactions);
    // 120 system entries on 2026-01-10 and 2026-01-11 (UTC), then three about the ticket on 2026-01-12.
    await transactions.run(async (em) => {
      for (let i = 0; i < 120; i++) {
        await appendAudit(em, {
          at: new Date(Date.UTC(2026, 0, 10 + (i < 60 ? 0 : 1), 12, 0, i % 60)),
          actor: 'system',
          action: 'test_tick',
          ticketId: null,
          data: { i },
        });
      }
    });
    await transactions.run(async (em) => {
      await appendAudit(em, {
        at: new Date('2026-01-12T23:59:59.000Z'),
        actor: 'moderator:ben',
        action: 'claimed',
        ticketId: ticket.id,
        data: { ip: '192.0.2.7' },
      });
      await appendAudit(em, {
        at: new Date('2026-01-12T08:00:00.000Z'),
        actor: 'requester',
        action: 'message',
        ticketId: ticket.id,
        data: { note: '<img src=x onerror=alert(1)>' },
      });
      await appendAudit(em, { at: new Date('2026-01-12T09:00:00.000Z'), actor: 'moderator:ben', action: 'released', ticketId: ticket.id, data: {} });
    });
  });
  afterAll(() => t.close());

  /** The ids on a page and on every older page its links lead to. */
  async function idsThroughout(first: string): Promise<number[]> {
    const ids = idsIn(first);
    let next = nextHrefIn(first);
    for (let pages = 1; next; pages++) {
      if (pages > 10) throw new Error(`more pages than the log has: ${next}`);
      const page = await admin.get(next).expect(200);
      ids.push(...idsIn(page.text));
      next = nextHrefIn(page.text);
    }
    return ids;
  }

  it('sends anonymous visitors to /login, refuses other roles, and shows admins the link', async () => {
    await request(t.server).get('/dashboard/audit').expect(303).expect('Location', '/login');
    for (const role of ['moderator', 'senior', 'ops'] as const) {
      const agent = await signedInModerator(t, `not-admin-${role}`, role);
      const refused = await agent.get('/dashboard/audit').expect(403);
      expect(refused.text).toContain(`Your role (${role}) does not open this page.`);
      expect((await agent.get('/dashboard').expect(200)).text).not.toContain('href="/dashboard/audit"');
    }
    expect((await admin.get('/dashboard').expect(200)).text).toContain('<a href="/dashboard/audit" id="nav-audit">Audit log</a>');
  });

  it('lists entries newest first, 50 a page, with keyset links through the whole log', async () => {
    const total = await t.dataSource.getRepository(AuditEntry).count();
    const first = await admin.get('/dashboard/audit').expect(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(idsIn(first.text)).toHaveLength(50);
    expect(idsIn(first.text)[0]).toBe(total);
    expect(await idsThroughout(first.text)).toEqual(Array.from({ length: total }, (_, i) => total - i));
    // The chain is only checked when asked.
    expect(first.text).not.toContain('id="chain-state"');
  });

  it('filters by actor, action, ticket reference and UTC dates, and the filters combine', async () => {
    const byActor = await admin.get('/dashboard/audit?actor=moderator:ben').expect(200);
    expect(cellsIn(byActor.text, 'action')).toEqual(['released', 'claimed']);
    expect(byActor.text).toContain('<a class="reference" href="/dashboard/audit?ticket=RD-AUD001">RD-AUD001</a>');
    expect(byActor.text).toContain('192.0.2.7');

    const byTicket = await admin.get('/dashboard/audit?ticket=rd-aud001').expect(200);
    expect(cellsIn(byTicket.text, 'actor')).toEqual(['moderator:ben', 'requester', 'moderator:ben']);
    const combined = await admin.get('/dashboard/audit?ticket=RD-AUD001&action=claimed').expect(200);
    expect(idsIn(combined.text)).toHaveLength(1);
    expect(cellsIn(combined.text, 'action')).toEqual(['claimed']);

    const unknown = await admin.get('/dashboard/audit?ticket=RD-ZZZ999').expect(200);
    expect(unknown.text).toContain('There is no ticket with the reference RD-ZZZ999.');
    expect(idsIn(unknown.text)).toEqual([]);

    // Both days included, whole UTC days: 23:59:59 on the 12th is in, the 10th is out.
    const days = await admin.get('/dashboard/audit?from=2026-01-11&to=2026-01-12').expect(200);
    expect(nextHrefIn(days.text)).toMatch(/^\/dashboard\/audit\?from=2026-01-11&to=2026-01-12&before=\d+$/);
    expect(await idsThroughout(days.text)).toHaveLength(63);
    const oneDay = await admin.get('/dashboard/audit?from=2026-01-12&to=2026-01-12&actor=requester').expect(200);
    expect(cellsIn(oneDay.text, 'actor')).toEqual(['requester']);
    const before = await admin.get('/dashboard/audit?to=2026-01-09').expect(200);
    expect(before.text).toContain('id="audit-empty"');
  });

  it('shows entry data escaped', async () => {
    const page = await admin.get('/dashboard/audit?actor=requester').expect(200);
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });

  it.each([
    ['actor=%3Cscript%3E', 'actor'],
    ['action=Signed%20In', 'action'],
    ['ticket=RD-12', 'ticket'],
    ['from=2026-02-30', 'from'],
    ['from=2026-01-12&to=2026-01-11', 'to'],
    ['before=abc', 'before'],
    ['action=claimed&action=released', 'action'],
    ['verify=yes', 'verify'],
  ])('answers a bad filter (%s) with a 400 page naming %s', async (query, parameter) => {
    const res = await admin.get(`/dashboard/audit?${query}`).expect(400);
    expect(res.text).toContain(`Bad filter: ${parameter}`);
    expect(res.text).toMatch(new RegExp(`<p>${parameter} [^<]+</p>`));
  });

  it('checks the whole chain when asked, and names the first broken entry', async () => {
    const intact = await admin.get('/dashboard/audit?verify=1&actor=system').expect(200);
    const total = await t.dataSource.getRepository(AuditEntry).count();
    expect(intact.text).toContain(`Chain intact: ${total} entries checked.`);
    // The button keeps the filters.
    expect(intact.text).toMatch(
      /<form method="get" action="\/dashboard\/audit" class="inline-form" id="audit-verify">\s*<input type="hidden" name="actor" value="system">/,
    );

    // Someone with database access (who can drop the guard) rewrites entry 5.
    const table = t.dataSource.getMetadata(AuditEntry).tablePath;
    if (t.dataSource.options.type === 'postgres') await t.dataSource.query(`ALTER TABLE ${table} DISABLE TRIGGER audit_log_no_change`);
    else await t.dataSource.query('DROP TRIGGER audit_log_no_update');
    await t.dataSource.query(`UPDATE ${table} SET action = 'forged' WHERE id = 5`);
    const broken = await admin.get('/dashboard/audit?verify=1').expect(200);
    expect(broken.text).toContain('Chain broken at entry 5: its content does not match its hash (the entry was changed). The 4 entries before it are intact.');
  });
});
