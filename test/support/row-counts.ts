import { OutboxMessage } from '../../src/notifications/outbox.entity.js';
import { Ticket, TicketAccessToken, TicketEvent } from '../../src/tickets/ticket.entity.js';
import type { TestApp } from './test-app.js';

export type IntakeRowCounts = { tickets: number; events: number; tokens: number; outbox: number };

/** Rows in every table intake writes, in one round trip: a rejected request must leave all of them unchanged. */
export async function intakeRowCounts(t: TestApp): Promise<IntakeRowCounts> {
  const table = (entity: Function) => t.dataSource.getMetadata(entity).tablePath;
  const [row]: Record<keyof IntakeRowCounts, string | number>[] = await t.dataSource.query(`SELECT
    (SELECT COUNT(*) FROM ${table(Ticket)}) AS tickets,
    (SELECT COUNT(*) FROM ${table(TicketEvent)}) AS events,
    (SELECT COUNT(*) FROM ${table(TicketAccessToken)}) AS tokens,
    (SELECT COUNT(*) FROM ${table(OutboxMessage)}) AS outbox`);
  return { tickets: Number(row.tickets), events: Number(row.events), tokens: Number(row.tokens), outbox: Number(row.outbox) };
}
