import { canTransition, isOpen, OPEN_STATES, QUEUED_STATES, STATE_IN_PLAIN_WORDS, TicketState } from './ticket-state.js';

const S = TicketState;
const ALL = Object.values(TicketState);
const TERMINAL = [S.Completed, S.Denied, S.Withdrawn, S.ClosedNoResponse, S.Cancelled];

/** Every allowed move (DESIGN.md, "Ticket states", plus a reviewer handing a ticket back to the queue); nothing else is. */
const ALLOWED: Array<[TicketState, TicketState]> = [
  [S.Submitted, S.AwaitingReview],
  [S.Submitted, S.AwaitingRequester],
  [S.AwaitingReview, S.InReview],
  [S.InReview, S.AwaitingReview],
  [S.InReview, S.AwaitingRequester],
  [S.InReview, S.Approved],
  [S.InReview, S.CoolingOff],
  [S.AwaitingRequester, S.AwaitingReview],
  [S.Approved, S.CoolingOff],
  [S.CoolingOff, S.ResetIssued],
  [S.ResetIssued, S.Completed],
  [S.CoolingOff, S.Cancelled],
  [S.ResetIssued, S.Cancelled],
  [S.Denied, S.AwaitingReview],
  [S.ClosedNoResponse, S.AwaitingReview],
  ...OPEN_STATES.flatMap((from) => [S.Denied, S.Withdrawn, S.ClosedNoResponse].map((to): [TicketState, TicketState] => [from, to])),
];
const allowed = new Set(ALLOWED.map(([from, to]) => `${from}->${to}`));

describe('ticket states', () => {
  it('has twelve states: seven open and five terminal', () => {
    expect(ALL).toHaveLength(12);
    expect(OPEN_STATES).toHaveLength(7);
    expect([...OPEN_STATES, ...TERMINAL].sort()).toEqual([...ALL].sort());
  });

  describe('canTransition', () => {
    it.each(ALLOWED)('allows %s → %s', (from, to) => {
      expect(canTransition(from, to)).toBe(true);
    });

    const refused = ALL.flatMap((from) => ALL.map((to): [TicketState, TicketState] => [from, to]))
      .filter(([from, to]) => !allowed.has(`${from}->${to}`));

    it('refuses every other move (including staying put)', () => {
      expect(refused).toHaveLength(ALL.length * ALL.length - ALLOWED.length);
      for (const [from, to] of refused) expect({ from, to, allowed: canTransition(from, to) }).toEqual({ from, to, allowed: false });
    });

    it.each([
      [S.Submitted, S.InReview],
      [S.Submitted, S.Approved],
      [S.AwaitingReview, S.Approved],
      [S.InReview, S.ResetIssued],
      [S.Approved, S.ResetIssued],
      [S.CoolingOff, S.Completed],
      [S.AwaitingRequester, S.InReview],
      [S.InReview, S.Completed],
    ])('refuses the shortcut %s → %s', (from, to) => {
      expect(canTransition(from, to)).toBe(false);
    });

    it.each([S.Completed, S.Withdrawn, S.Cancelled])('allows no move out of %s', (from) => {
      expect(ALL.filter((to) => canTransition(from, to))).toEqual([]);
    });

    it.each([S.Denied, S.ClosedNoResponse])('lets %s only be reopened into the queue', (from) => {
      expect(ALL.filter((to) => canTransition(from, to))).toEqual([S.AwaitingReview]);
    });

    it.each(OPEN_STATES)('lets %s be denied, withdrawn or closed for no response', (from) => {
      expect(canTransition(from, S.Denied)).toBe(true);
      expect(canTransition(from, S.Withdrawn)).toBe(true);
      expect(canTransition(from, S.ClosedNoResponse)).toBe(true);
      expect(canTransition(from, S.Completed)).toBe(from === S.ResetIssued);
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
