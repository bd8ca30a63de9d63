import { Ticket, TicketAccessToken, TicketEvent } from '../../src/tickets/ticket.entity.js';
import { IsNull, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { expectEventually, type TestApp } from './test-app.js';
import { OutboxMessage } from '../../src/jobs/outbox.entity.js';

export type IntakeRowCounts = { tickets: number; events: number; tokens: number; outbox: number };

/** Waits until every outbox row (mail, assessments) has been processed: the background work has settled. */
export async function pipelineSettled(t: TestApp): Promise<void> {
  await expectEventually(async () => {
    const left = await t.dataSource.getRepository(OutboxMessage).countBy({ processedAt: IsNull() });
    if (left > 0) throw new Error(`${left} outbox rows still unprocessed`);
  });
}

/**
 * Rows in every table intake writes, in one round trip: a rejected request must leave all of them
 * unchanged. Counted once earlier requests' background work (assessments, mail) has settled.
 */
export async function intakeRowCounts(t: TestApp): Promise<IntakeRowCounts> {
  await pipelineSettled(t);
  const table = (entity: EntityTarget<ObjectLiteral>) => t.dataSource.getMetadata(entity).tablePath;
  const [row]: Record<keyof IntakeRowCounts, string | number>[] = await t.dataSource.query(`SELECT
    (SELECT COUNT(*) FROM ${table(Ticket)}) AS tickets,
    (SELECT COUNT(*) FROM ${table(TicketEvent)}) AS events,
    (SELECT COUNT(*) FROM ${table(TicketAccessToken)}) AS tokens,
    (SELECT COUNT(*) FROM ${table(OutboxMessage)}) AS outbox`);
  return { tickets: Number(row.tickets), events: Number(row.events), tokens: Number(row.tokens), outbox: Number(row.outbox) };
}
