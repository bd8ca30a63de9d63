// The transition table (ticket-transitions.ts) against `decide` (ticket-workflow.ts): every command in
// every state, a ticket reached through `decide` itself (ticket-workflow.fixtures.ts).
import { decide, type Decision } from './ticket-workflow.js';
import { admittedCases, ALL_STATES, anyCommand, POLICY, plus, MINUTE, submitted, ticketIn } from './ticket-workflow.fixtures.js';
import { isOpen, OPEN_STATES, TicketState } from './ticket-state.js';
import { COMMANDS, type CommandType, type FromState, inTable, NEW, nextStates, SAME, statesFor, TRANSITIONS } from './ticket-transitions.js';

const S = TicketState;

/** The ticket a refused-in-state test sends the command to (none for NEW). */
function sendInState(type: CommandType, state: FromState): Decision {
  if (state === NEW) return decide({ ticket: null, recovery: null }, anyCommand(type), plus(submitted().now, MINUTE), POLICY);
  const story = ticketIn(state);
  return decide(story.current, anyCommand(type), plus(story.now, MINUTE), POLICY);
}

describe('the transition table', () => {
  it('names every command once at least, and only known states', () => {
    expect(new Set(TRANSITIONS.map((row) => row.command))).toEqual(new Set(COMMANDS));
    for (const row of TRANSITIONS) {
      for (const from of row.from) expect(ALL_STATES).toContain(from);
      if (row.to !== SAME) expect(Object.values(TicketState)).toContain(row.to);
    }
  });

  it('starts a ticket only with submit, and leaves NEW for nothing else', () => {
    expect(COMMANDS.filter((c) => statesFor(c).includes(NEW))).toEqual(['submit']);
    expect(statesFor('submit')).toEqual([NEW]);
    expect(nextStates(NEW)).toEqual([S.Submitted]);
  });

  it('lets nothing but a note touch a completed, withdrawn or cancelled ticket', () => {
    for (const state of [S.Completed, S.Withdrawn, S.Cancelled]) {
      expect(COMMANDS.filter((c) => statesFor(c).includes(state))).toEqual(['note']);
      expect(nextStates(state)).toEqual([]);
    }
  });

  it('reopens only a denied ticket or one closed for want of an answer, into the queue', () => {
    expect(statesFor('reopen')).toEqual([S.Denied, S.ClosedNoResponse]);
    expect(nextStates(S.Denied)).toEqual([S.AwaitingReview]);
    expect(nextStates(S.ClosedNoResponse)).toEqual([S.AwaitingReview]);
  });

  it('moves each open state only where the lifecycle goes', () => {
    // Every assessed ticket goes to the queue: nothing about the account sends it elsewhere.
    expect(nextStates(S.Submitted).sort()).toEqual([S.AwaitingReview, S.Withdrawn].sort());
    expect(nextStates(S.AwaitingReview).sort()).toEqual([S.InReview, S.Withdrawn].sort());
    // in_review → in_review: reassigned to another moderator.
    expect(nextStates(S.InReview).sort()).toEqual([S.AwaitingReview, S.InReview, S.AwaitingRequester, S.Approved, S.CoolingOff, S.Denied, S.Withdrawn].sort());
    expect(nextStates(S.AwaitingRequester).sort()).toEqual([S.AwaitingReview, S.Withdrawn, S.ClosedNoResponse].sort());
    expect(nextStates(S.Approved).sort()).toEqual([S.CoolingOff, S.Denied, S.Withdrawn].sort());
    expect(nextStates(S.CoolingOff).sort()).toEqual([S.ResetIssued, S.Cancelled, S.Withdrawn].sort());
    expect(nextStates(S.ResetIssued).sort()).toEqual([S.Completed, S.Cancelled, S.Withdrawn].sort());
  });

  it('has no shortcut around the review, the approval or the cooling-off', () => {
    expect(inTable('claim', S.Submitted, S.InReview)).toBe(false);
    expect(inTable('approve', S.AwaitingReview, S.CoolingOff)).toBe(false);
    expect(inTable('end_cooling_off', S.Approved, S.ResetIssued)).toBe(false);
    expect(inTable('complete', S.CoolingOff, S.Completed)).toBe(false);
    expect(inTable('answer', S.AwaitingRequester, S.InReview)).toBe(false);
  });

  it('reads a SAME row as "the state stays" and nothing else', () => {
    expect(inTable('note', S.Completed, S.Completed)).toBe(true);
    expect(inTable('note', S.Completed, S.AwaitingReview)).toBe(false);
    expect(inTable('expire_lease', S.InReview, S.InReview)).toBe(true);
    expect(inTable('expire_lease', S.InReview, S.AwaitingReview)).toBe(true);
    expect(inTable('expire_lease', S.InReview, S.AwaitingRequester)).toBe(false);
  });
});

describe('decide, every command in every state', () => {
  describe.each([...COMMANDS])('%s', (type) => {
    const admitted = statesFor(type);

    it.each(ALL_STATES.filter((s) => !admitted.includes(s)))('is refused in %s, for the state', (state) => {
      const decision = sendInState(type, state);
      expect(decision).toMatchObject({ refused: true, command: type, state, reason: 'state' });
      expect((decision as { message: string }).message.length).toBeGreaterThan(10);
    });

    const cases = admitted.flatMap((state) => admittedCases(type, state).map((c) => [state, c.label, c] as const));
    if (cases.length > 0) {
      it.each(cases)('in %s (%s) follows a row of the table', (state, _label, c) => {
        const decision = decide(c.current, c.command, c.now, POLICY);
        if ('refused' in c.expect) {
          expect(decision).toMatchObject({ refused: true, command: type, state, reason: c.expect.refused });
          return;
        }
        expect(decision).toMatchObject({ refused: false, command: type, from: state, to: c.expect.to });
        if (decision.refused) return;
        expect(inTable(type, decision.from, decision.to)).toBe(true);
        expect(decision.ticket.state).toBe(c.expect.to);
      });
    }
  });

  it('reaches every row of the table through the admitted cases, but for a timer that finds no running clock', () => {
    const reached = new Set<string>();
    const guarded = new Set<string>();
    for (const type of COMMANDS) {
      for (const state of statesFor(type)) {
        for (const c of admittedCases(type, state)) {
          const decision = decide(c.current, c.command, c.now, POLICY);
          if (!decision.refused) reached.add(`${type} ${decision.from}->${decision.to}`);
          else guarded.add(`${type} ${state}->${state}`);
        }
      }
    }
    // An SLA timer armed before a pause or a decision may still fire: it finds nothing due (refused, 'rule').
    expect([...guarded].sort()).toEqual([
      'sla_due approved->approved',
      'sla_due awaiting_requester->awaiting_requester',
      'sla_due cooling_off->cooling_off',
      'sla_due reset_issued->reset_issued',
    ]);
    const rows = TRANSITIONS.flatMap((row) => row.from.map((from) => `${row.command} ${from}->${row.to === SAME ? from : row.to}`));
    expect(rows.filter((row) => !reached.has(row) && !guarded.has(row))).toEqual([]);
    expect([...reached].filter((move) => !rows.includes(move))).toEqual([]);
  });

  it('tells the requester a closed request is closed, and names the state otherwise', () => {
    const completed = ticketIn(S.Completed);
    const closed = decide(completed.current, anyCommand('add_information'), plus(completed.now, MINUTE), POLICY);
    expect(closed).toMatchObject({ reason: 'state', message: 'This request is closed. If you still need help, please submit a new request.' });
    const review = ticketIn(S.AwaitingReview);
    expect(decide(review.current, anyCommand('claim'), plus(review.now, MINUTE), POLICY)).not.toMatchObject({ refused: true });
    expect(decide(review.current, anyCommand('reissue_link'), plus(review.now, MINUTE), POLICY)).toMatchObject({
      reason: 'state',
      message: 'Only a ticket whose reset link was sent and not yet used can get a new one.',
    });
    expect(decide(review.current, anyCommand('end_cooling_off'), plus(review.now, MINUTE), POLICY)).toMatchObject({
      reason: 'state',
      message: 'A ticket that is awaiting review cannot take "end cooling off".',
    });
    // Only the holder sends these: in another state the sender cannot be holding the ticket.
    expect(decide(review.current, anyCommand('ask'), plus(review.now, MINUTE), POLICY)).toMatchObject({
      reason: 'state',
      message: 'You do not hold this ticket (its lease may have run out); take it again from the queue.',
    });
    expect(decide(review.current, anyCommand('reopen'), plus(review.now, MINUTE), POLICY)).toMatchObject({
      reason: 'state',
      message: 'Only a denied ticket or one closed without an answer can be reopened.',
    });
    expect(decide(completed.current, anyCommand('withdraw'), plus(completed.now, MINUTE), POLICY)).toMatchObject({
      reason: 'state',
      message: 'This request can no longer be withdrawn.',
    });
  });

  it('treats every open state as open and every other as closed, as the table does', () => {
    for (const state of Object.values(TicketState)) expect(statesFor('withdraw').includes(state)).toBe(isOpen(state));
    expect(statesFor('sla_due')).toEqual([...OPEN_STATES]);
  });
});
