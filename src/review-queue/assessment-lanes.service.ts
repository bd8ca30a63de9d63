import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { OutboxTopic } from '../jobs/outbox.entity.js';
import type { AssessPayload } from '../jobs/outbox.service.js';
import { OutboxRelay, type PendingRow } from '../jobs/outbox-relay.service.js';
import { assessmentPriority } from '../tickets/assessment-lane.js';
import { Ticket } from '../tickets/ticket.entity.js';
import type { AssessmentTrigger } from '../tickets/ticket.types.js';

/**
 * Puts the assessments of tickets with rivals (many requests for one account) in their own, later lane
 * of the review queue (src/tickets/assessment-lane.ts), so that a storm of them never holds back anyone
 * else's ticket (docs/security.md #31). Decided when the relay publishes the request: by then intake's
 * transaction has flagged a new rival, even though its assessment was asked for before the flag.
 */
@Injectable()
export class AssessmentLanes implements OnModuleInit {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.relay.prioritiseWith((rows) => this.prioritiesOf(rows));
  }

  async prioritiesOf(rows: readonly PendingRow[]): Promise<ReadonlyMap<string, number>> {
    const requests = rows.flatMap((row) => {
      const request = row.topic === OutboxTopic.Assess ? requestOf(row.payload) : null;
      return request ? [{ id: row.id, ...request }] : [];
    });
    if (requests.length === 0) return new Map();
    const ticketIds = [...new Set(requests.map((r) => r.ticketId))];
    const competing = await this.dataSource.getRepository(Ticket).find({ where: { id: In(ticketIds), competing: true }, select: { id: true } });
    const withRivals = new Set(competing.map((t) => t.id));
    const priorities = new Map<string, number>();
    for (const r of requests) {
      const priority = assessmentPriority(r.trigger, withRivals.has(r.ticketId));
      if (priority !== undefined) priorities.set(r.id, priority);
    }
    return priorities;
  }
}

/**
 * The request a row holds, or null. A payload that does not read leaves its row in the default lane:
 * its job fails on its own, and must not stop the relay from publishing every other row.
 */
function requestOf(payload: string | null): (AssessPayload & { trigger: AssessmentTrigger }) | null {
  try {
    const parsed = payload ? (JSON.parse(payload) as Partial<AssessPayload>) : null;
    return parsed && typeof parsed.ticketId === 'string' && typeof parsed.trigger === 'string'
      ? (parsed as AssessPayload & { trigger: AssessmentTrigger })
      : null;
  } catch {
    return null;
  }
}
