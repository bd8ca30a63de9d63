import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { appendAudit, AuditLog } from '../src/audit/audit-log.service.js';
import { AuditEntry } from '../src/audit/audit-entry.entity.js';
import { Transactions } from '../src/database/transactions.js';
import { ReconcilerService } from '../src/review-queue/reconciler.service.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { insertRows } from '../src/database/transactions.js';
import { makeStoredTicket } from './support/factories.js';
import { moderator, REVIEW_TOKEN } from './support/review-api.js';
import { expectEventually, startTestApp, type TestApp } from './support/test-app.js';

const CLI = join(process.cwd(), 'dist/cli/main.js');

describe('the audit log: append-only, hash-chained, verified by `npm run cli -- audit-verify`', () => {
  let t: TestApp;
  const postgres = () => t.dataSource.options.type === 'postgres';
  const table = () => t.dataSource.getMetadata(AuditEntry).tablePath;
  const verifyCli = () => spawnSync(process.execPath, [CLI, 'audit-verify'], { env: { ...process.env, ...t.env }, encoding: 'utf8' });

  beforeAll(async () => {
    t = await startTestApp({ REVIEW_API_TOKEN: REVIEW_TOKEN, RECONCILE_INTERVAL: '1h' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("records moderators' and the system's actions, in the same transaction, and the chain verifies", async () => {
    const ticket = makeStoredTicket(1, { reference: 'RD-A00001', state: TicketState.AwaitingReview });
    await insertRows(t.dataSource.manager, Ticket, ticket);
    await t.app.get(ReconcilerService).run();
    const ann = moderator(t, 'ann');
    await expectEventually(async () => expect((await ann.next().expect(200)).body.reference).toBe(ticket.reference));
    await ann.escalate(ticket.reference, 'two claims on one account').expect(204);

    const entries = await t.dataSource.getRepository(AuditEntry).find({ where: { ticketId: ticket.id }, order: { id: 'ASC' } });
    expect(entries.map((e) => [e.actor, e.action])).toEqual([
      ['moderator:ann', 'claimed'],
      ['moderator:ann', 'escalated'],
    ]);
    expect(entries[1].data).toEqual({ reason: 'two claims on one account' });
    expect(await t.app.get(AuditLog).verify()).toMatchObject({ ok: true });
    const cli = verifyCli();
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/^The audit log is intact: \d+ entries/);
  });

  it('never forks under concurrent appends', async () => {
    const transactions = t.app.get(Transactions);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        transactions.run((em) => appendAudit(em, { at: new Date(), actor: 'system', action: 'test_append', ticketId: null, data: { i } })),
      ),
    );
    const ids = (await t.dataSource.getRepository(AuditEntry).find({ select: { id: true }, order: { id: 'ASC' } })).map((e) => e.id);
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(await t.app.get(AuditLog).verify()).toMatchObject({ ok: true, checked: ids.length });
  });

  it('refuses updates and deletes in the database itself', async () => {
    await expect(t.dataSource.query(`UPDATE ${table()} SET actor = 'moderator:mallory' WHERE id = 1`)).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query(`DELETE FROM ${table()} WHERE id = 1`)).rejects.toThrow(/append-only/);
    if (postgres()) await expect(t.dataSource.query(`TRUNCATE ${table()}`)).rejects.toThrow(/append-only/);
  });

  it('names the first broken entry when someone with database access rewrites history', async () => {
    // Someone who can drop the guard (a database administrator) changes an entry: the chain shows it.
    if (postgres()) await t.dataSource.query(`ALTER TABLE ${table()} DISABLE TRIGGER audit_log_no_change`);
    else await t.dataSource.query('DROP TRIGGER audit_log_no_update');
    await t.dataSource.query(`UPDATE ${table()} SET actor = 'moderator:mallory' WHERE id = 2`);
    expect(await t.app.get(AuditLog).verify()).toMatchObject({ ok: false, brokenId: 2, checked: 1 });
    const cli = verifyCli();
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain('The audit log is broken at entry 2: its content does not match its hash');
  });
});
