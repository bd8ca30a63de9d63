// The SLA clock's steps for every move of the transition table (sla-steps.ts), and what stepClock does with them.
import { ALWAYS } from '../sla/calendar.js';
import { decideSla, pauseSla, respondSla, type SlaTargets, startSla } from '../sla/sla-clock.js';
import { type SlaStep, slaSteps, stepClock } from './sla-steps.js';
import { isOpen, OPEN_STATES, TicketState } from './ticket-state.js';
import { type FromState, NEW, SAME, TRANSITIONS } from './ticket-transitions.js';
import { slaStateOf } from './ticket-sla.js';
import { DAY, HOUR, plus, T0, ticketIn } from './ticket-workflow.fixtures.js';

const S = TicketState;
const t: SlaTargets = { firstResponseMs: 72 * HOUR, decisionMs: 14 * DAY, warnAt: 0.75, calendar: ALWAYS };

/** Every (from, to) of the table, with the steps of a running clock. */
const MOVES: Array<[FromState, TicketState, SlaStep[]]> = [
  [NEW, S.Submitted, ['start']],
  // Moves that keep the state (follow-up, note, reassign of a held ticket…): a repeated respond or decide is a no-op.
  [S.Submitted, S.Submitted, []],
  [S.AwaitingReview, S.AwaitingReview, []],
  [S.InReview, S.InReview, ['respond']],
  [S.AwaitingRequester, S.AwaitingRequester, []],
  [S.Approved, S.Approved, ['decide']],
  [S.CoolingOff, S.CoolingOff, ['decide']],
  [S.ResetIssued, S.ResetIssued, ['decide']],
  [S.Completed, S.Completed, ['decide']],
  [S.Denied, S.Denied, ['decide']],
  [S.Withdrawn, S.Withdrawn, ['decide']],
  [S.ClosedNoResponse, S.ClosedNoResponse, ['decide']],
  [S.Cancelled, S.Cancelled, ['decide']],
  // Waiting on the requester pauses; their answer resumes.
  [S.Submitted, S.AwaitingReview, []],
  [S.InReview, S.AwaitingRequester, ['pause']],
  [S.AwaitingRequester, S.AwaitingReview, ['resume']],
  // A moderator taking the ticket is the first response.
  [S.AwaitingReview, S.InReview, ['respond']],
  [S.InReview, S.AwaitingReview, []],
  // A decision or a closing stops both clocks.
  [S.InReview, S.Approved, ['decide']],
  [S.InReview, S.CoolingOff, ['decide']],
  [S.Approved, S.CoolingOff, ['decide']],
  [S.CoolingOff, S.ResetIssued, ['decide']],
  [S.CoolingOff, S.Cancelled, ['decide']],
  [S.ResetIssued, S.Cancelled, ['decide']],
  [S.ResetIssued, S.Completed, ['decide']],
  [S.InReview, S.Denied, ['decide']],
  [S.Approved, S.Denied, ['decide']],
  ...OPEN_STATES.map((from): [FromState, TicketState, SlaStep[]] => [from, S.Withdrawn, ['decide']]),
  [S.AwaitingRequester, S.ClosedNoResponse, ['decide']],
  // A reopening starts a new cycle.
  [S.Denied, S.AwaitingReview, ['reopen']],
  [S.ClosedNoResponse, S.AwaitingReview, ['reopen']],
];

const key = (from: FromState, to: TicketState) => `${from}->${to}`;

describe('slaSteps', () => {
  it('has a line above for exactly the moves of the transition table', () => {
    const table = new Set(TRANSITIONS.flatMap((row) => row.from.map((from) => key(from, row.to === SAME ? (from as TicketState) : row.to))));
    expect(new Set(MOVES.map(([from, to]) => key(from, to)))).toEqual(table);
    expect(MOVES).toHaveLength(table.size);
  });

  it.each(MOVES)('%s → %s, clock running: %j', (from, to, steps) => {
    expect(slaSteps(from, to, true)).toEqual(steps);
  });

  // A ticket from before the SLA: a move into an open state starts the clock first; a move out of the
  // open states does not need to (stepClock starts it at the ticket's arrival before any step).
  it.each(MOVES)('%s → %s, clock never started', (from, to, steps) => {
    const expected = from === NEW || (isOpen(from) && isOpen(to)) ? [...new Set<SlaStep>(['start', ...steps])] : steps;
    expect(slaSteps(from, to, false)).toEqual(expected);
  });

  it('never starts and reopens in one move, and only reopens a closed ticket', () => {
    for (const [from, to] of MOVES) {
      for (const started of [true, false]) {
        const steps = slaSteps(from, to, started);
        expect(steps.includes('reopen')).toBe(from !== NEW && !isOpen(from) && isOpen(to));
        if (steps.includes('reopen')) expect(steps).toEqual(['reopen']);
      }
    }
  });

  it('leaves a started clock unchanged on every move that keeps the state of a reachable ticket', () => {
    for (const state of Object.values(TicketState)) {
      const story = ticketIn(state);
      const ticket = story.current.ticket!;
      const clock = slaStateOf(ticket)!;
      expect(clock).not.toBeNull();
      const after = stepClock(clock, slaSteps(state, state, true), ticket.createdAt, plus(story.now, HOUR), t);
      expect({ state, same: after === clock }).toEqual({ state, same: true });
    }
  });
});

describe('stepClock', () => {
  const clock = startSla(T0, t);

  it('returns the clock itself when there is no step, even a clock never started', () => {
    expect(stepClock(clock, [], T0, plus(T0, HOUR), t)).toBe(clock);
    expect(stepClock(null, [], T0, plus(T0, HOUR), t)).toBeNull();
  });

  it('changes nothing on a running clock for "start"', () => {
    expect(stepClock(clock, ['start'], plus(T0, DAY), plus(T0, 2 * DAY), t)).toBe(clock);
  });

  it("starts a clock never started at the ticket's arrival, then applies the steps at now", () => {
    const created = plus(T0, -3 * HOUR);
    expect(stepClock(null, ['start'], created, T0, t)).toEqual(startSla(created, t));
    expect(stepClock(null, ['start', 'respond'], created, T0, t)).toEqual(respondSla(startSla(created, t), T0, t));
    // No "start" in the steps: the clock is started all the same, before deciding.
    expect(stepClock(null, ['decide'], created, T0, t)).toEqual(decideSla(startSla(created, t), T0, t));
  });

  it('applies pause, resume, respond, decide and reopen in order at now', () => {
    const paused = stepClock(clock, ['pause'], T0, plus(T0, HOUR), t)!;
    expect(paused).toEqual(pauseSla(clock, plus(T0, HOUR), t));
    const resumed = stepClock(paused, ['resume'], T0, plus(T0, 5 * HOUR), t)!;
    expect(resumed.pausedSince).toBeNull();
    expect(resumed.pauses).toEqual([{ from: plus(T0, HOUR), to: plus(T0, 5 * HOUR) }]);
    expect(resumed.responseDueAt).toEqual(plus(T0, 76 * HOUR));
    const decided = stepClock(resumed, ['respond', 'decide'], T0, plus(T0, 6 * HOUR), t)!;
    expect(decided).toMatchObject({ firstRespondedAt: plus(T0, 6 * HOUR), decidedAt: plus(T0, 6 * HOUR), nextAt: null });
    const reopened = stepClock(decided, ['reopen'], T0, plus(T0, 2 * DAY), t)!;
    expect(reopened).toMatchObject({ cycle: 2, cycleStartedAt: plus(T0, 2 * DAY), decidedAt: null, pauses: [], decisionDueAt: plus(T0, 16 * DAY) });
  });
});
