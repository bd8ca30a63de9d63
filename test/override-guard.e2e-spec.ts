import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { DataSource, type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { loadConfig } from '../src/config/app-config.js';
import { runMigrations } from '../src/database/migrate.js';
import { MIGRATIONS } from '../src/database/migrations/index.js';
import { appDataSourceOptions } from '../src/entities.js';
import { ReviewService } from '../src/review-queue/review.service.js';
import { Recovery } from '../src/tickets/recovery.entity.js';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { makeAccount, makeStoredTicket, makeTicketBody, seedDirectory } from './support/factories.js';
import { pipelineSettled } from './support/row-counts.js';
import { codeAt, csrfIn, signedInModerator, STAFF_TOTP_SECRET } from './support/staff.js';
import { disposeEnv, isolatedEnv, startTestApp, type TestApp } from './support/test-app.js';

const OWNER = makeAccount({
  username: 'guarded-owner',
  emails: [{ address: 'guarded@owner.example', verified: true, primary: true, public: false, added_at: '2016-03-14T10:00:00Z', removed_at: null }],
});
const REASON = 'Confirmed by a signed message from the project key on file.';

/**
 * Approving against the evidence is refused by the database itself (docs/security.md #13, migration
 * 1765200000000), not only by the workflow: every write here goes straight through the DataSource, as a
 * script or a bug that bypassed `decide` would, and is refused. The workflow's own path still works.
 */
describe('the database guards an approval against the recommendation', () => {
  let t: TestApp;
  let sue: TestAgent;
  let sam: TestAgent;
  let ticket: Ticket;

  beforeAll(async () => {
    t = await startTestApp({ RECONCILE_INTERVAL: '1h' });
    await seedDirectory(t, [OWNER]);
    sue = await signedInModerator(t, 'sue', 'senior');
    sam = await signedInModerator(t, 'sam', 'senior');
    // Nothing claimed, nothing proven: the assessment is against approval.
    const created = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username: 'guarded-owner', contact_email: 'guarded-requester@new.example' }))
      .expect(201);
    await pipelineSettled(t);
    ticket = await t.dataSource.getRepository(Ticket).findOneByOrFail({ reference: created.body.reference as string });
  });
  afterAll(() => t?.close());

  /** A recovery row as the workflow would write it, with `over` changed. */
  const row = (over: Partial<Recovery> = {}): Partial<Recovery> => ({
    id: randomUUID(),
    ticketId: ticket.id,
    accountId: ticket.accountId!,
    activeKey: ticket.accountId!,
    state: 'awaiting_second',
    resetAddress: 'guarded@owner.example',
    needsSecond: true,
    override: true,
    overrideReason: REASON,
    firstApprover: 'sue',
    firstApprovedAt: new Date(),
    coolingOffMs: 72 * 3_600_000,
    createdAt: new Date(),
    ...over,
  });
  const insert = (over: Partial<Recovery> = {}) => t.dataSource.getRepository(Recovery).insert(row(over));
  const recoveries = () => t.dataSource.getRepository(Recovery).countBy({ ticketId: ticket.id });

  it('the ticket is assessed against approval', () => {
    expect(ticket.assessedAt).toBeInstanceOf(Date);
    expect(ticket.recommendation === 'deny' || (ticket.recommendation === 'request_info' && ['weak', 'insufficient'].includes(ticket.band!))).toBe(true);
  });

  it('refuses a direct write of an approval that is not marked as an override, or has no reason, or no second approval', async () => {
    await expect(insert({ override: false, overrideReason: null })).rejects.toThrow(/must be stored as an override/);
    await expect(insert({ override: false, overrideReason: null, needsSecond: false, state: 'cooling_off' })).rejects.toThrow(/must be stored as an override/);
    await expect(insert({ overrideReason: null })).rejects.toThrow(/ck_recoveries_override_reason/);
    await expect(insert({ overrideReason: 'x'.repeat(19) })).rejects.toThrow(/ck_recoveries_override_reason/);
    // Spaces around a short reason do not make it long enough.
    await expect(insert({ overrideReason: `     ${'y'.repeat(19)}     ` })).rejects.toThrow(/ck_recoveries_override_reason/);
    await expect(insert({ needsSecond: false })).rejects.toThrow(/ck_recoveries_override_second/);
    // Marked as needing the second approval, but already past it without one.
    await expect(insert({ state: 'cooling_off' })).rejects.toThrow(/ck_recoveries_second_before_link/);
    await expect(insert({ state: 'cooling_off', secondApprover: 'sue', secondApprovedAt: new Date() })).rejects.toThrow(/ck_recoveries_two_people/);
    expect(await recoveries()).toBe(0);
  });

  it('refuses a direct write of any approval of a ticket that has no assessment', async () => {
    const unassessed = {
      ...ticket,
      id: randomUUID(),
      reference: 'RD-UNASSESS',
      assessedAt: null,
      recommendation: null,
      band: null,
      score: null,
      openKey: null,
    };
    await t.dataSource.getRepository(Ticket).insert(unassessed);
    await expect(insert({ ticketId: unassessed.id, override: false, overrideReason: null, needsSecond: false, activeKey: null })).rejects.toThrow(
      /has no assessment/,
    );
    await expect(insert({ ticketId: unassessed.id, activeKey: null })).rejects.toThrow(/has no assessment/);
    await t.dataSource.getRepository(Ticket).delete({ id: unassessed.id });
  });

  it('keeps a stored override an override: its reason, its second approval and its first approver cannot be changed afterwards', async () => {
    // A row that passes every rule, written directly (nothing checks who sue is here): then each way round the rules is refused.
    const id = row().id!;
    await t.dataSource.getRepository(Recovery).insert(row({ id }));
    const update = (changes: Partial<Recovery>) => t.dataSource.getRepository(Recovery).update({ id }, changes);
    await expect(update({ override: false })).rejects.toThrow(/cannot change/);
    await expect(update({ overrideReason: 'a different reason, long enough to pass' })).rejects.toThrow(/cannot change/);
    await expect(update({ needsSecond: false })).rejects.toThrow(/cannot change/);
    await expect(update({ firstApprover: 'sam' })).rejects.toThrow(/cannot change/);
    await expect(update({ state: 'cooling_off' })).rejects.toThrow(/ck_recoveries_second_before_link/);
    await expect(update({ secondApprover: 'sue', secondApprovedAt: new Date() })).rejects.toThrow(/ck_recoveries_two_people/);
    expect(await t.dataSource.getRepository(Recovery).findOneByOrFail({ id })).toMatchObject({ override: true, needsSecond: true, secondApprover: null });
    await t.dataSource.getRepository(Recovery).delete({ id });
  });

  it('the workflow still approves against the recommendation: a senior with a reason, then a second senior', async () => {
    expect(await t.app.get(ReviewService).claim(ticket.id, 'sue')).not.toBeNull();
    const page = await sue.get(`/dashboard/tickets/${ticket.reference}`).expect(200);
    // The next 30-second step: the sign-in took the current one.
    await sue
      .post(`/dashboard/tickets/${ticket.reference}/approve`)
      .type('form')
      .send({ reset_address: 'guarded@owner.example', override_reason: REASON, code: await codeAt(STAFF_TOTP_SECRET, 30), _csrf: csrfIn(page.text) })
      .expect(303)
      .expect('Location', `/dashboard/tickets/${ticket.reference}?done=approved_once`);
    expect(await t.dataSource.getRepository(Recovery).findOneByOrFail({ ticketId: ticket.id })).toMatchObject({
      state: 'awaiting_second',
      override: true,
      overrideReason: REASON,
      needsSecond: true,
      firstApprover: 'sue',
    });

    const second = await sam.get(`/dashboard/tickets/${ticket.reference}`).expect(200);
    await sam
      .post(`/dashboard/tickets/${ticket.reference}/second-approval`)
      .type('form')
      .send({ code: await codeAt(STAFF_TOTP_SECRET, 30), _csrf: csrfIn(second.text) })
      .expect(303);
    expect(await t.dataSource.getRepository(Recovery).findOneByOrFail({ ticketId: ticket.id })).toMatchObject({ state: 'cooling_off', secondApprover: 'sam' });
    expect((await t.dataSource.getRepository(Ticket).findOneByOrFail({ id: ticket.id })).state).toBe(TicketState.CoolingOff);
  });
});

/** A migration written after the guard's that alters `tickets`, as TypeORM does it on SQLite (copy, drop, rename). */
class LaterTicketsColumn9999999999999 implements MigrationInterface {
  name = 'LaterTicketsColumn9999999999999';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('tickets', new TableColumn({ name: 'later_note', type: 'varchar', length: '20', isNullable: true }));
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('tickets', 'later_note');
  }
}

describe('the guard and later migrations', () => {
  const env = isolatedEnv();
  let ds: DataSource;
  afterAll(async () => {
    await ds?.destroy();
    await disposeEnv(env);
  });

  it("lets a later migration alter tickets (the guard's triggers read it), and the guard still holds after it", async () => {
    ds = await new DataSource({ ...appDataSourceOptions(loadConfig(env).database), migrations: [...MIGRATIONS, LaterTicketsColumn9999999999999] }).initialize();
    expect(await runMigrations(ds)).toContain('LaterTicketsColumn9999999999999');
    const stored = { ...makeStoredTicket(1), accountId: randomUUID(), state: TicketState.Approved };
    await ds.getRepository(Ticket).insert(stored);
    const recovery = (over: Partial<Recovery>) =>
      ds.getRepository(Recovery).insert({
        id: randomUUID(),
        ticketId: stored.id,
        accountId: stored.accountId,
        activeKey: null,
        state: 'cooling_off',
        resetAddress: 'owner@example.org',
        needsSecond: false,
        override: false,
        overrideReason: null,
        firstApprover: 'sue',
        firstApprovedAt: new Date(),
        coolingOffMs: 0,
        createdAt: new Date(),
        ...over,
      });
    await expect(recovery({})).rejects.toThrow(/has no assessment/);
    await ds.getRepository(Ticket).update({ id: stored.id }, { assessedAt: new Date(), recommendation: 'deny', band: 'insufficient', score: 0 });
    await expect(recovery({})).rejects.toThrow(/must be stored as an override/);
    await expect(recovery({ override: true, overrideReason: REASON })).rejects.toThrow(/ck_recoveries_override_second/);
  });
});
