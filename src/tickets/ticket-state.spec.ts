import { isOpen, OPEN_STATES, QUEUED_STATES, STATE_IN_PLAIN_WORDS, TicketState } from './ticket-state.js';
import { nextStates } from './ticket-transitions.js';

const S = TicketState;
const ALL = Object.values(TicketState);
const TERMINAL = [S.Completed, S.Denied, S.Withdrawn, S.ClosedNoResponse, S.Cancelled];

describe('ticket states', () => {
  it('has twelve states: seven open and five terminal', () => {
    expect(ALL).toHaveLength(12);
    expect(OPEN_STATES).toHaveLength(7);
    expect([...OPEN_STATES, ...TERMINAL].sort()).toEqual([...ALL].sort());
  });

  describe('the moves the transition table allows (ticket-transitions.ts)', () => {
    it.each([
      [S.Submitted, S.InReview],
      [S.Submitted, S.Approved],
      [S.AwaitingReview, S.Approved],
      [S.InReview, S.ResetIssued],
      [S.Approved, S.ResetIssued],
      [S.CoolingOff, S.Completed],
      [S.AwaitingRequester, S.InReview],
      [S.InReview, S.Completed],
    ])('has no shortcut %s → %s', (from, to) => {
      expect(nextStates(from)).not.toContain(to);
    });

    it.each([S.Completed, S.Withdrawn, S.Cancelled])('allows no move out of %s', (from) => {
      expect(nextStates(from)).toEqual([]);
    });

    it.each([S.Denied, S.ClosedNoResponse])('lets %s only be reopened into the queue', (from) => {
      expect(nextStates(from)).toEqual([S.AwaitingReview]);
    });

    it.each(OPEN_STATES)('lets %s be withdrawn; only a reset link used completes a ticket', (from) => {
      expect(nextStates(from)).toContain(S.Withdrawn);
      expect(nextStates(from).includes(S.Completed)).toBe(from === S.ResetIssued);
    });

    it('lets only a held ticket (or one waiting for a second approval) be denied, and only a silent requester be closed unanswered', () => {
      expect(OPEN_STATES.filter((from) => nextStates(from).includes(S.Denied))).toEqual([S.InReview, S.Approved]);
      expect(OPEN_STATES.filter((from) => nextStates(from).includes(S.ClosedNoResponse))).toEqual([S.AwaitingRequester]);
    });
  });

  describe('isOpen', () => {
    it.each(OPEN_STATES)('is true for %s', (state) => {
      expect(isOpen(state)).toBe(true);
    });

    it.each(TERMINAL)('is false for %s', (state) => {
      expect(isOpen(state)).toBe(false);
    });
  });

  it('queues only submitted and awaiting_review tickets', () => {
    expect([...QUEUED_STATES]).toEqual([S.Submitted, S.AwaitingReview]);
    expect(QUEUED_STATES.every(isOpen)).toBe(true);
  });

  it('has plain words for every state, with no internal state names', () => {
    for (const state of ALL) {
      expect(STATE_IN_PLAIN_WORDS[state]).toMatch(/^[A-Z].*\.$/);
      expect(STATE_IN_PLAIN_WORDS[state]).not.toContain('_');
    }
  });
});
