import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { Ticket } from './ticket.entity.js';

/**
 * Updates system-derived columns (score summary, SLA levels and timers) without TypeORM's automatic
 * bump of the optimistic-lock `version`: the version guards what people change, so a background job
 * must never make a requester's or a moderator's concurrent action fail with "changed meanwhile".
 * Returns how many rows matched, so callers can make the update conditional (fire-once guards).
 */
export async function updateTicketQuietly(
  em: EntityManager, where: { id: string } & Record<string, unknown>, patch: QueryDeepPartialEntity<Ticket>,
): Promise<number> {
  const query = em.createQueryBuilder().update(Ticket).set({ ...patch, version: () => '"version"' });
  Object.entries(where).forEach(([key, value], i) => {
    const column = em.connection.getMetadata(Ticket).findColumnWithPropertyName(key)?.databaseName ?? key;
    if (value === null) query.andWhere(`"${column}" IS NULL`);
    else query.andWhere(`"${column}" = :w${i}`, { [`w${i}`]: value });
  });
  const result = await query.execute();
  return result.affected ?? 0;
}

/**
 * A change made by a person (requester or moderator): applied only if nobody changed the ticket since
 * it was read (optimistic lock on `version`, bumped here). False when someone did.
 */
export async function updateTicketIfUnchanged(em: EntityManager, ticket: Pick<Ticket, 'id' | 'version'>, changes: QueryDeepPartialEntity<Ticket>): Promise<boolean> {
  const result = await em.update(Ticket, { id: ticket.id, version: ticket.version }, { ...changes, version: ticket.version + 1 });
  return Boolean(result.affected);
}
