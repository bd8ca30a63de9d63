import { TicketState } from './ticket-state.js';
import { isUnanswered, unansweredCutoff } from './unanswered.js';

const DAY = 86_400_000;
const now = new Date('2026-12-01T10:00:00Z');
const cutoff = unansweredCutoff(now, 30 * DAY);
const waiting = (since: string | null, state = TicketState.AwaitingRequester) => ({ state, slaPausedSince: since === null ? null : new Date(since) });

describe('closing tickets nobody answered', () => {
  it('puts the cutoff the configured time before now, or nowhere when switched off', () => {
    expect(cutoff).toEqual(new Date('2026-11-01T10:00:00Z'));
    expect(unansweredCutoff(now, null)).toBeNull();
  });

  it('closes a ticket that has waited on the requester for more than the limit, not one at or under it', () => {
    expect(isUnanswered(waiting('2026-11-01T09:59:59.999Z'), cutoff)).toBe(true);
    expect(isUnanswered(waiting('2026-10-01T00:00:00Z'), cutoff)).toBe(true);
    expect(isUnanswered(waiting('2026-11-01T10:00:00Z'), cutoff)).toBe(false);
    expect(isUnanswered(waiting('2026-11-20T00:00:00Z'), cutoff)).toBe(false);
  });

  it('leaves tickets in any other state, and waits whose start is unknown', () => {
    for (const state of Object.values(TicketState).filter((s) => s !== TicketState.AwaitingRequester)) {
      expect(isUnanswered(waiting('2026-01-01T00:00:00Z', state), cutoff)).toBe(false);
    }
    expect(isUnanswered(waiting(null), cutoff)).toBe(false);
  });

  it('closes nothing when switched off', () => {
    expect(isUnanswered(waiting('2000-01-01T00:00:00Z'), null)).toBe(false);
  });
});
