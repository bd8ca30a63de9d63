import { coolingOffTimerId, dispatchJobId, JobName, leaseTimerId, QueueName, slaTimerId } from '../jobs/job.constants.js';
import { isOpen, TicketState } from './ticket-state.js';
import type { TicketRow } from './ticket.types.js';

/**
 * The moderators' order: breached (and escalated) first, then warned, then an optional fast lane for
 * proven control, then everyone else; within a tier, first come first served.
 * BullMQ priorities run from 1 (first) to 2^21; ties are served in the order the jobs were added. So the
 * priority carries the tier in its top 2 bits and the hour the ticket arrived in the lower 19: a ticket
 * released or rebuilt after a Redis loss goes back before every ticket that arrived in a later hour
 * (and, within its own hour, after those already waiting). 2^19 hours from 2025 last until 2084.
 */
export enum DispatchTier {
  Breached = 0,
  Warned = 1,
  FastLane = 2,
  InTurn = 3,
}

const HOUR_MS = 3_600_000;
const EPOCH_MS = Date.UTC(2025, 0, 1);
const HOURS = 2 ** 19;

export type DispatchFields = Pick<TicketRow, 'state' | 'claimedBy' | 'escalated' | 'slaLevel' | 'recommendation' | 'createdAt'>;

export function dispatchTier(ticket: DispatchFields, fastLane: boolean): DispatchTier {
  if (ticket.escalated || ticket.slaLevel === 'breached') return DispatchTier.Breached;
  if (ticket.slaLevel === 'warning') return DispatchTier.Warned;
  // The scorer recommends approval only when control of an address or a repository was proven.
  if (fastLane && ticket.recommendation === 'approve') return DispatchTier.FastLane;
  return DispatchTier.InTurn;
}

/** 1 … 2,097,151, BullMQ's range (0 would mean "no priority", served before every prioritised job). */
export function dispatchPriority(tier: DispatchTier, createdAt: Date): number {
  const hour = Math.min(HOURS - 1, Math.max(1, Math.floor((createdAt.getTime() - EPOCH_MS) / HOUR_MS)));
  return tier * HOURS + hour;
}

/** A ticket waits for a moderator: it must have a dispatch job. */
export function waitsForModerator(ticket: Pick<TicketRow, 'state' | 'claimedBy'>): boolean {
  return ticket.state === TicketState.AwaitingReview && ticket.claimedBy === null;
}

export interface JobSpec {
  queue: QueueName.Dispatch | QueueName.Timers;
  name: JobName;
  id: string;
  data: { ticketId: string; at?: string };
  /** Dispatch only. */
  priority?: number;
  /** Timers only: when to wake up. */
  at?: Date;
}

export type MirroredFields = DispatchFields & Pick<TicketRow, 'id' | 'leaseExpiresAt' | 'slaNextAt' | 'coolingOffEndsAt'>;

/** Every job Redis should hold for this ticket, derived from SQL alone (docs/architecture.md, principle 1); none once closed. */
export function desiredJobs(ticket: MirroredFields, fastLane: boolean): JobSpec[] {
  const jobs: JobSpec[] = [];
  if (!isOpen(ticket.state)) return jobs;
  if (waitsForModerator(ticket)) {
    jobs.push({
      queue: QueueName.Dispatch,
      name: JobName.Dispatch,
      id: dispatchJobId(ticket.id),
      data: { ticketId: ticket.id },
      priority: dispatchPriority(dispatchTier(ticket, fastLane), ticket.createdAt),
    });
  }
  if (ticket.slaNextAt) {
    jobs.push({
      queue: QueueName.Timers,
      name: JobName.SlaCheck,
      id: slaTimerId(ticket.id, ticket.slaNextAt),
      data: { ticketId: ticket.id, at: ticket.slaNextAt.toISOString() },
      at: ticket.slaNextAt,
    });
  }
  if (ticket.claimedBy && ticket.leaseExpiresAt && ticket.state === TicketState.InReview) {
    jobs.push({
      queue: QueueName.Timers,
      name: JobName.LeaseExpiry,
      id: leaseTimerId(ticket.id, ticket.leaseExpiresAt),
      data: { ticketId: ticket.id, at: ticket.leaseExpiresAt.toISOString() },
      at: ticket.leaseExpiresAt,
    });
  }
  // After approval: the reset link goes out when the cooling-off ends (src/resets/).
  if (ticket.state === TicketState.CoolingOff && ticket.coolingOffEndsAt) {
    jobs.push({
      queue: QueueName.Timers,
      name: JobName.CoolingOffEnd,
      id: coolingOffTimerId(ticket.id, ticket.coolingOffEndsAt),
      data: { ticketId: ticket.id, at: ticket.coolingOffEndsAt.toISOString() },
      at: ticket.coolingOffEndsAt,
    });
  }
  return jobs;
}
