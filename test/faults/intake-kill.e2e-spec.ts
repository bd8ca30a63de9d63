import type { DataSource } from 'typeorm';
import { AuditEntry } from '../../src/audit/audit-entry.entity.js';
import { SealedBox } from '../../src/common/sealed-box.js';
import { OutboxMessage, OutboxTopic } from '../../src/jobs/outbox.entity.js';
import { Ticket, TicketAccessToken, TicketEvent } from '../../src/tickets/ticket.entity.js';
import { makeTicketBody } from '../support/factories.js';
import { disposeEnv, isolatedEnv, TEST_SECRET } from '../support/test-app.js';
import {
  type AppProcess,
  auditVerify,
  databaseKind,
  faultRuns,
  inParallel,
  killHard,
  openDatabase,
  sqliteIntegrity,
  startProcess,
  stopProcess,
} from './fault-processes.js';

/**
 * docs/security.md #25 and #28: kill -9 of the web process while 500 intake requests are in flight,
 * `INTAKE_KILL_AFTER` of them acknowledged. A 201 is given only after the transaction that writes the
 * ticket, its timeline line and audit entry, its status token and its outbox rows (the acknowledgement
 * mail and the assessment request) committed, so every acknowledged reference must be found whole after
 * the kill; a request cut before its commit must leave nothing at all. The process is started again on
 * the same database and takes the requests the kill cut off.
 *
 * The processes run as ROLE=web: no worker processes the outbox, so every row intake wrote is still
 * there to be matched to its ticket (the mail is read back from its sealed payload).
 *
 * FAULT_RUNS sets the number of runs (default 3); the figures of each run are printed.
 */

const REQUESTS = 500;
const KILL_AFTER = 200;
const CONCURRENCY = 20;
const RUNS = faultRuns(3);

interface RunFigures {
  run: number;
  acknowledged: number;
  found: number;
  lost: number;
  /** Cut off by the kill (no answer) yet committed: in the database whole, never acknowledged. */
  committedUnanswered: number;
  /** Requests whose connection died with the process (the rest of `cutOff` was never sent). */
  diedInFlight: number;
  cutOff: number;
  afterRestart: number;
  integrity: string | null;
}

const figures: RunFigures[] = [];

/** What intake wrote, per ticket, read back from every table it writes. */
async function intakeRows(ds: DataSource) {
  const tickets = await ds.getRepository(Ticket).find({ select: { id: true, reference: true } });
  const events = await ds.getRepository(TicketEvent).find({ select: { ticketId: true, type: true } });
  const tokens = await ds.getRepository(TicketAccessToken).find({ select: { ticketId: true } });
  const audit = await ds.getRepository(AuditEntry).find({ select: { ticketId: true, action: true } });
  const outbox = await ds.getRepository(OutboxMessage).find({ select: { id: true, topic: true, payload: true, processedAt: true } });
  const box = new SealedBox(Buffer.from(TEST_SECRET, 'utf8'), 'outbox-mail');
  const referenceIds = new Map(tickets.map((t) => [t.reference, t.id]));
  // The assessment request names its ticket; the acknowledgement mail names the reference in its subject.
  const outboxTicket = outbox.map((row) => {
    if (!row.payload) return { row, ticketId: null };
    if (row.topic === OutboxTopic.Assess) return { row, ticketId: (JSON.parse(row.payload) as { ticketId: string }).ticketId };
    const subject = (JSON.parse(box.open(row.payload)) as { subject: string }).subject;
    const reference = /\[(RD-[A-Z0-9]+)\]/.exec(subject)?.[1];
    return { row, ticketId: reference ? (referenceIds.get(reference) ?? `unknown ${reference}`) : `no reference in "${subject}"` };
  });
  const count = (ids: Array<string | null>) => ids.reduce((m, id) => m.set(id ?? '', (m.get(id ?? '') ?? 0) + 1), new Map<string, number>());
  return {
    tickets,
    submitted: count(events.filter((e) => e.type === 'submitted').map((e) => e.ticketId)),
    events,
    tokens: count(tokens.map((t) => t.ticketId)),
    tokenRows: tokens,
    auditSubmitted: count(audit.filter((a) => a.action === 'submitted').map((a) => a.ticketId)),
    auditRows: audit,
    mails: count(outboxTicket.filter((o) => o.row.topic === OutboxTopic.Mail).map((o) => o.ticketId)),
    assessments: count(outboxTicket.filter((o) => o.row.topic === OutboxTopic.Assess).map((o) => o.ticketId)),
    outbox: outboxTicket,
  };
}

/**
 * No ticket half-written and no row without its ticket: each ticket has exactly one `submitted` line
 * and audit entry, one status token, one acknowledgement mail and one assessment request, and nothing
 * else is in those tables.
 */
async function expectWholeTickets(ds: DataSource): Promise<Set<string>> {
  const rows = await intakeRows(ds);
  const ids = new Set(rows.tickets.map((t) => t.id));
  const perTicket = rows.tickets
    .map((t) => ({
      reference: t.reference,
      submitted: rows.submitted.get(t.id) ?? 0,
      audit: rows.auditSubmitted.get(t.id) ?? 0,
      tokens: rows.tokens.get(t.id) ?? 0,
      mails: rows.mails.get(t.id) ?? 0,
      assessments: rows.assessments.get(t.id) ?? 0,
    }))
    .filter((x) => x.submitted !== 1 || x.audit !== 1 || x.tokens !== 1 || x.mails !== 1 || x.assessments !== 1);
  expect(perTicket).toEqual([]);
  // Orphans: rows whose ticket is not there (or that name none).
  expect(rows.events.filter((e) => !ids.has(e.ticketId))).toEqual([]);
  expect(rows.events.filter((e) => e.type !== 'submitted')).toEqual([]);
  expect(rows.tokenRows.filter((x) => !ids.has(x.ticketId))).toEqual([]);
  expect(rows.auditRows.filter((a) => a.ticketId !== null && !ids.has(a.ticketId))).toEqual([]);
  expect(rows.outbox.filter((o) => o.ticketId === null || !ids.has(o.ticketId)).map((o) => ({ id: o.row.id, topic: o.row.topic, ticket: o.ticketId }))).toEqual(
    [],
  );
  expect(rows.outbox).toHaveLength(2 * ids.size);
  return new Set(rows.tickets.map((t) => t.reference));
}

describe(`kill -9 of the web process during ${REQUESTS} concurrent intakes (${databaseKind()})`, () => {
  afterAll(() => {
    // The figures the docs quote (docs/security.md #25, #28).
    console.log(
      [
        `intake kill -9 on ${databaseKind()}: ${REQUESTS} requests, ${CONCURRENCY} at a time, SIGKILL after ${KILL_AFTER} acknowledged`,
        ...figures.map(
          (f) =>
            `  run ${f.run}: acknowledged ${f.acknowledged}, found ${f.found}, lost ${f.lost}; in flight at the kill ${f.diedInFlight} ` +
            `(committed whole but unanswered ${f.committedUnanswered}, left nothing ${f.diedInFlight - f.committedUnanswered}), never sent ${f.cutOff - f.diedInFlight}; ` +
            `acknowledged after the restart ${f.afterRestart}; integrity_check ${f.integrity ?? 'n/a (PostgreSQL)'}`,
        ),
      ].join('\n'),
    );
  });

  for (let run = 1; run <= RUNS; run++) {
    it(`run ${run}: every acknowledged ticket is there whole after the kill, nothing is half-written, and the restarted process takes the rest`, async () => {
      const env = isolatedEnv({ DEMO_DATA: 'false', INTAKE_RATE_LIMIT: '0', INTAKE_USERNAME_RATE_LIMIT: '0' });
      const processes: AppProcess[] = [];
      let ds: DataSource | undefined;
      try {
        const web = await startProcess(`web run ${run}`, 'web', env);
        processes.push(web);
        const bodies = Array.from({ length: REQUESTS }, (_, i) =>
          makeTicketBody({ username: `kill${run}-${i}`, contact_email: `kill${run}-${i}@example.org` }),
        );
        const acknowledged = new Map<number, string>();
        const cutOff: number[] = [];
        let diedInFlight = 0;
        const unexpected: string[] = [];
        /** Set once: the kill, started when the KILL_AFTER-th acknowledgement came back. */
        const kill: { done: Promise<void> | null } = { done: null };
        const post = (base: string, i: number) =>
          fetch(`${base}/api/v1/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bodies[i]) });

        await inParallel(
          bodies.map((_, i) => i),
          CONCURRENCY,
          async (i) => {
            if (kill.done) {
              cutOff.push(i); // never sent: the process is gone
              return;
            }
            try {
              const res = await post(web.base, i);
              const text = await res.text();
              if (res.status !== 201) unexpected.push(`${i}: ${res.status} ${text.slice(0, 200)}`);
              else acknowledged.set(i, (JSON.parse(text) as { reference: string }).reference);
            } catch {
              cutOff.push(i); // the connection died with the process: no answer
              diedInFlight++;
              return;
            }
            if (acknowledged.size >= KILL_AFTER && !kill.done) kill.done = killHard(web);
          },
        );
        await kill.done;
        expect(unexpected).toEqual([]);
        expect(web.child.signalCode).toBe('SIGKILL');
        const beforeRestart = new Set(acknowledged.values());

        // Straight after the kill, before anything opens the database again.
        ds = await openDatabase(env);
        const integrityAfterKill = await sqliteIntegrity(ds);
        if (integrityAfterKill !== null) expect(integrityAfterKill).toBe('ok');
        const afterKill = await expectWholeTickets(ds);
        const lostAtKill = [...beforeRestart].filter((ref) => !afterKill.has(ref));
        expect(lostAtKill).toEqual([]);

        // The same database again: as many new requests as the kill cut off, all acknowledged. (New
        // usernames: a request resent after its commit would be a follow-up to its own ticket.)
        const again = await startProcess(`web run ${run}, restarted`, 'web', env);
        processes.push(again);
        const resent = new Map<number, string>();
        await inParallel(cutOff, CONCURRENCY, async (i) => {
          bodies[i] = makeTicketBody({ username: `kill${run}-again-${i}`, contact_email: `kill${run}-again-${i}@example.org` });
          const res = await post(again.base, i);
          const text = await res.text();
          if (res.status !== 201) unexpected.push(`after the restart ${i}: ${res.status} ${text.slice(0, 200)}`);
          else resent.set(i, (JSON.parse(text) as { reference: string }).reference);
        });
        expect(unexpected).toEqual([]);
        await stopProcess(again);

        const final = await expectWholeTickets(ds);
        const integrity = await sqliteIntegrity(ds);
        if (integrity !== null) expect(integrity).toBe('ok');
        const lost = [...beforeRestart, ...resent.values()].filter((ref) => !final.has(ref));
        expect(lost).toEqual([]);
        // Beyond the acknowledged ones, only requests in flight at the kill may have committed (whole, unanswered).
        const committedUnanswered = afterKill.size - beforeRestart.size;
        expect(committedUnanswered).toBeGreaterThanOrEqual(0);
        expect(committedUnanswered).toBeLessThanOrEqual(diedInFlight);
        expect(final.size).toBe(afterKill.size + cutOff.length);
        expect(auditVerify(env)).toMatchObject({ status: 0 });

        figures.push({
          run,
          acknowledged: beforeRestart.size,
          found: [...beforeRestart].filter((ref) => afterKill.has(ref)).length,
          lost: lostAtKill.length,
          committedUnanswered,
          diedInFlight,
          cutOff: cutOff.length,
          afterRestart: resent.size,
          integrity,
        });
      } finally {
        await ds?.destroy();
        for (const p of processes) await killHard(p);
        await disposeEnv(env);
      }
    });
  }
});
