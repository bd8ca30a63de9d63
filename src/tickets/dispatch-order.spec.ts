import { TicketState } from './ticket-state.js';
import { desiredJobs, dispatchPriority, DispatchTier, dispatchTier, type MirroredFields } from './dispatch-order.js';
import { QueueName, coolingOffTimerId, dispatchJobId, leaseTimerId, slaTimerId } from '../jobs/job.constants.js';

const ID = '3105d516-9a88-464a-8f18-047be7f64d2c';
const waiting = (over: Partial<MirroredFields> = {}): MirroredFields => ({
  id: ID,
  state: TicketState.AwaitingReview,
  claimedBy: null,
  escalated: false,
  slaLevel: 'on_time',
  recommendation: 'request_info',
  createdAt: new Date('2026-11-20T10:30:00Z'),
  leaseExpiresAt: null,
  slaNextAt: null,
  coolingOffEndsAt: null,
  ...over,
});

describe('dispatch order', () => {
  it('puts breached and escalated first, then warned, then (with the fast lane) proven control, then the rest', () => {
    expect(dispatchTier(waiting({ slaLevel: 'breached' }), false)).toBe(DispatchTier.Breached);
    expect(dispatchTier(waiting({ escalated: true }), false)).toBe(DispatchTier.Breached);
    expect(dispatchTier(waiting({ slaLevel: 'warning', recommendation: 'approve' }), true)).toBe(DispatchTier.Warned);
    expect(dispatchTier(waiting({ recommendation: 'approve' }), true)).toBe(DispatchTier.FastLane);
    expect(dispatchTier(waiting({ recommendation: 'approve' }), false)).toBe(DispatchTier.InTurn);
    expect(dispatchTier(waiting(), true)).toBe(DispatchTier.InTurn);
  });

  it('orders by tier first, then by the hour of arrival, within BullMQ 1 … 2,097,151', () => {
    const early = new Date('2026-01-01T00:10:00Z');
    const late = new Date('2026-01-01T05:00:00Z');
    expect(dispatchPriority(DispatchTier.InTurn, early)).toBeLessThan(dispatchPriority(DispatchTier.InTurn, late));
    expect(dispatchPriority(DispatchTier.Warned, late)).toBeLessThan(dispatchPriority(DispatchTier.InTurn, early));
    expect(dispatchPriority(DispatchTier.Breached, late)).toBeLessThan(dispatchPriority(DispatchTier.Warned, early));
    // The same hour shares a priority: BullMQ then serves in the order the jobs were added.
    expect(dispatchPriority(DispatchTier.InTurn, early)).toBe(dispatchPriority(DispatchTier.InTurn, new Date('2026-01-01T00:59:59Z')));
    expect(dispatchPriority(DispatchTier.Breached, new Date('2000-01-01T00:00:00Z'))).toBe(1);
    expect(dispatchPriority(DispatchTier.InTurn, new Date('2200-01-01T00:00:00Z'))).toBe(2_097_151);
  });

  it('wants a dispatch job only while the ticket waits unclaimed, plus its SLA timer and lease expiry', () => {
    const next = new Date('2026-11-21T10:30:00Z');
    const lease = new Date('2026-11-20T11:00:00Z');
    expect(desiredJobs(waiting({ slaNextAt: next }), false).map((j) => [j.queue, j.id])).toEqual([
      [QueueName.Dispatch, dispatchJobId(ID)],
      [QueueName.Timers, slaTimerId(ID, next)],
    ]);
    expect(desiredJobs(waiting({ state: TicketState.InReview, claimedBy: 'moderator:ann', leaseExpiresAt: lease }), false).map((j) => j.id)).toEqual([
      leaseTimerId(ID, lease),
    ]);
    expect(desiredJobs(waiting({ state: TicketState.AwaitingRequester }), false)).toEqual([]);
  });

  it('arms the end of a cooling-off only while the ticket cools off', () => {
    const ends = new Date('2026-11-22T10:00:00Z');
    expect(desiredJobs(waiting({ state: TicketState.CoolingOff, coolingOffEndsAt: ends }), false).map((j) => [j.queue, j.id, j.at])).toEqual([
      [QueueName.Timers, coolingOffTimerId(ID, ends), ends],
    ]);
    expect(desiredJobs(waiting({ state: TicketState.ResetIssued, coolingOffEndsAt: ends }), false)).toEqual([]);
  });
});
