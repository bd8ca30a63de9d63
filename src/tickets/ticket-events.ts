import type { EntityManager } from 'typeorm';
import { insertRows } from '../database/transactions.js';
import { TicketEvent } from './ticket.entity.js';

/** Adds one timeline line inside the caller's transaction (without reloading it). */
export async function addTicketEvent(em: EntityManager, event: Omit<TicketEvent, 'id'>): Promise<void> {
  // `data` is free-form JSON; TypeORM's deep-partial type cannot express `unknown` values.
  await insertRows(em, TicketEvent, event as never);
}
