// Random command sequences through `decide` (ticket-workflow.ts) for two or three tickets of the same
// account, each accepted transition applied as the writer would (its conditional recovery update
// included), with the lifecycle's invariants checked after every step against a model kept here.
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { desiredJobs } from './dispatch-order.js';
import { type Command, decide, type Transition, type TicketAggregate } from './ticket-workflow.js';
import { assessed, cmd, DAY, HOUR, newTicket, POLICY, SECOND, SLA, T0 } from './ticket-workflow.fixtures.js';
import { isOpen, TicketState } from './ticket-state.js';
import { COMMANDS, type CommandType, type FromState, inTable, NEW, statesFor } from './ticket-transitions.js';
import type { NewTicket } from './ticket-workflow.js';
import { LIVE_RECOVERY_STATES, type RecoveryRow, type RecoveryState, type TicketRow } from './ticket.types.js';

const S = TicketState;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const TARGETS = SLA.targetsFor('lost_2fa');

/** States reached by a decision or a closing: the decision clock stops there for the cycle. */
const DECIDED: readonly TicketState[] = [S.Approved, S.CoolingOff, S.ResetIssued, S.Completed, S.Denied, S.Withdrawn, S.ClosedNoResponse, S.Cancelled];
/** The live recovery each state has (none where absent). */
const RECOVERY_IN: Partial<Record<TicketState, RecoveryState>> = {
  [S.Approved]: 'awaiting_second',
  [S.CoolingOff]: 'cooling_off',
  [S.ResetIssued]: 'link_sent',
};
/** Commands with no guard beyond the state: refused only for it. */
const STATE_ONLY: readonly CommandType[] = [
  'follow_up',
  'flag_competing',
  'note',
  'withdraw',
  'add_information',
  'answer',
  'escalate',
  'reassign',
  'reopen',
  'route',
];

/** The model's own account of a ticket's SLA cycle, in wall time (every type runs on the 24×7 calendar). */
interface Cycle {
  start: number;
  pauses: Array<{ from: number; to: number }>;
  pausedSince: number | null;
  responded: boolean;
  decided: boolean;
  responseMs: number | null;
  decisionMs: number | null;
}

interface Tracked {
  fields: NewTicket;
  current: TicketAggregate;
  cycle: Cycle | null;
}

/** `expect(actual).toEqual(expected)`, paid for only when they differ: thousands of checks run per second. */
function same(actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toEqual(expected);
}

const pausedMs = (c: Cycle) => c.pauses.reduce((sum, p) => sum + p.to - p.from, 0);

/** The instant `budget` of unpaused time after the cycle started (a deadline reached before a pause is not moved by it). */
function deadline(c: Cycle, budget: number): number {
  let cursor = c.start;
  let remaining = budget;
  for (const pause of c.pauses) {
    if (cursor + remaining <= pause.from) return cursor + remaining;
    remaining -= pause.from - cursor;
    cursor = pause.to;
  }
  return cursor + remaining;
}

/** The model's SLA cycle after a move at `now`. */
function nextCycle(c: Cycle | null, from: FromState, to: TicketState, now: number): Cycle {
  if (from === NEW || c === null) return { start: now, pauses: [], pausedSince: null, responded: false, decided: false, responseMs: null, decisionMs: null };
  if (!isOpen(from) && isOpen(to)) {
    // A reopening: a new cycle; the first response is not measured again.
    return { start: now, pauses: [], pausedSince: null, responded: true, decided: false, responseMs: c.responseMs, decisionMs: null };
  }
  const next: Cycle = { ...c, pauses: [...c.pauses] };
  if (from === S.AwaitingRequester && to !== S.AwaitingRequester) {
    next.pauses.push({ from: next.pausedSince!, to: now });
    next.pausedSince = null;
  }
  if (to === S.AwaitingRequester && from !== S.AwaitingRequester) next.pausedSince = now;
  if (to === S.InReview && !next.responded) {
    next.responded = true;
    next.responseMs = now - next.start - pausedMs(next);
  }
  if (DECIDED.includes(to) && !next.decided) {
    next.decided = true;
    next.decisionMs = now - next.start - pausedMs(next);
  }
  return next;
}

interface Step {
  ticket: number;
  kind: CommandType;
  who: 'holder' | 'ann' | 'bob' | 'cy';
  to: 'ann' | 'bob' | 'cy';
  advanceMs: number;
  /** A command's yes/no argument (a reassessment, a second approval needed, the right token…), and "wait for its time". */
  flag: boolean;
  wait: boolean;
  token: number;
  coolingOffHours: number;
  closeAfterHours: number;
}

/** The commands that move a ticket along weigh more, so that runs get past the approval. */
const KINDS: CommandType[] = [
  ...COMMANDS.filter((c) => c !== 'submit'),
  'route',
  'route',
  'claim',
  'claim',
  'claim',
  'approve',
  'approve',
  'approve',
  'second_approval',
  'second_approval',
  'end_cooling_off',
  'end_cooling_off',
  'end_cooling_off',
  'complete',
  'complete',
  'complete',
  'stop',
  'answer',
  'ask',
  'reopen',
  'sla_due',
  'sla_due',
];

const stepArb: fc.Arbitrary<Step> = fc.record({
  ticket: fc.nat({ max: 2 }),
  kind: fc.constantFrom(...KINDS),
  who: fc.constantFrom('holder' as const, 'holder' as const, 'ann' as const, 'bob' as const, 'cy' as const),
  to: fc.constantFrom('ann' as const, 'bob' as const, 'cy' as const),
  advanceMs: fc.oneof(
    fc.integer({ min: 1, max: 3600 }).map((s) => s * SECOND),
    fc.integer({ min: 1, max: 96 }).map((h) => h * HOUR),
    fc.integer({ min: 1, max: 10 }).map((d) => d * DAY),
  ),
  flag: fc.boolean(),
  wait: fc.boolean(),
  token: fc.nat({ max: 1_000_000 }),
  coolingOffHours: fc.integer({ min: 1, max: 96 }),
  closeAfterHours: fc.integer({ min: 1, max: 14 * 24 }),
});

const nameOf = (actor: string | null) => actor?.replace(/^moderator:/, '') ?? null;

/** The command a step stands for, given the ticket as the model knows it. */
function commandFor(step: Step, tracked: Tracked, now: Date, index: number): Command {
  const ticket = tracked.current.ticket!;
  const recovery = tracked.current.recovery;
  const moderator = step.who === 'holder' ? (nameOf(ticket.claimedBy) ?? 'ann') : step.who;
  const token = `tok-${step.token}`;
  switch (step.kind) {
    case 'submit':
      return cmd.submit(tracked.fields);
    case 'follow_up':
      return cmd.followUp();
    case 'flag_competing':
      return cmd.flagCompeting(step.flag);
    case 'route':
      return cmd.route();
    case 'start_clock':
      return cmd.startClock();
    case 'claim':
      return cmd.claim(moderator);
    case 'renew_lease':
      return cmd.renew(moderator);
    case 'release':
      return cmd.release(moderator);
    case 'expire_lease':
      return cmd.expireLease();
    case 'reassign':
      return cmd.reassign(moderator, step.to);
    case 'escalate':
      return cmd.escalate(moderator);
    case 'ask':
      return cmd.ask(moderator);
    case 'answer':
      return cmd.answer();
    case 'add_information':
      return cmd.addInformation();
    // What the status page says the ticket waits on: the recovery-codes answer only for a ticket answered so
    // before every ticket was queued, which the model cannot make; decide takes it on the caller's word.
    case 'contest':
      return cmd.contest(step.flag ? 'recovery_codes' : 'question');
    case 'record_coc':
      return cmd.recordCoc(moderator);
    case 'note':
      return cmd.note(moderator);
    case 'approve':
      return cmd.approve({
        moderator,
        needsSecond: step.flag,
        coolingOffMs: step.coolingOffHours * HOUR,
        recoveryId: `recovery-${index}`,
        stopToken: `stop-${token}`,
        notify: ['owner@example.org'],
      });
    case 'second_approval': {
      const first = recovery?.firstApprover;
      const second = step.who !== 'holder' ? step.who : first === 'bob' ? 'cy' : 'bob';
      return { type: 'second_approval', moderator: second, notify: ['owner@example.org'], stopToken: `stop2-${token}` };
    }
    case 'end_cooling_off':
      return cmd.endCoolingOff(`reset-${token}`);
    case 'reissue_link':
      return cmd.reissue(`reset2-${token}`, `moderator:${moderator}`);
    case 'stop':
      return cmd.stop();
    case 'complete':
      return cmd.complete(step.flag && recovery?.resetTokenHash ? recovery.resetTokenHash : sha256(`wrong-${token}`));
    case 'deny':
      return cmd.deny(moderator);
    case 'withdraw':
      return cmd.withdraw();
    case 'close_unanswered':
      return cmd.closeUnanswered(new Date(now.getTime() - step.closeAfterHours * HOUR));
    case 'reopen':
      return cmd.reopen(moderator);
    case 'sla_due':
      return cmd.slaDue();
  }
}

/** With `wait`, a timer's command comes at its instant (time only moves forward). */
function whenFor(step: Step, ticket: TicketRow | null, now: number): number {
  if (!step.wait || !ticket) return now;
  const at =
    step.kind === 'sla_due'
      ? ticket.slaNextAt
      : step.kind === 'end_cooling_off'
        ? ticket.coolingOffEndsAt
        : step.kind === 'expire_lease'
          ? ticket.leaseExpiresAt
          : null;
  return at ? Math.max(now, at.getTime()) : now;
}

/** Whether the writer's conditional recovery update matches the row it would change (else it rolls back). */
function recoveryWriteHolds(t: Transition, before: RecoveryRow | null): boolean {
  const write = t.recoveryWrite;
  if (!write || write.kind === 'insert') return true;
  if (!before || before.id !== write.id || before.state !== write.fromState) return false;
  return Object.entries(write.where).every(([key, value]) => before[key as keyof RecoveryRow] === value);
}

const jobIds = (jobs: ReturnType<typeof desiredJobs>) => jobs.map((job) => job.id).sort();

/** Checks what a transition says against the row it was decided on: the writer's view. */
function checkTransition(t: Transition, before: TicketAggregate, kind: CommandType): void {
  const from: FromState = before.ticket ? before.ticket.state : NEW;
  same({ kind, from: t.from, to: t.to, inTable: inTable(kind, t.from, t.to) }, { kind, from, to: t.ticket.state, inTable: true });

  if (t.write.kind === 'insert') same(t.write.row, t.ticket);
  else if (t.write.kind === 'update') {
    same({ ...before.ticket, ...t.write.changes, version: before.ticket!.version + (t.write.lock === 'version' ? 1 : 0) }, t.ticket);
  } else same(t.ticket, before.ticket);
  if (t.write.kind === 'update') same({ kind, lock: t.write.lock }, { kind, lock: kind === 'sla_due' || kind === 'flag_competing' ? 'quiet' : 'version' });

  if (t.recoveryWrite?.kind === 'insert') same(t.recoveryWrite.row, t.recovery);
  else if (t.recoveryWrite?.kind === 'update') same({ ...before.recovery, ...t.recoveryWrite.changes }, t.recovery);
  else same(t.recovery, before.recovery);

  const was = before.ticket ? desiredJobs(before.ticket, false) : [];
  const now = desiredJobs(t.ticket, false);
  same(
    {
      kind,
      arm: t.timers.arm.map((job) => job.id).sort(),
      cancel: [...t.timers.cancel].sort(),
    },
    {
      kind,
      arm: jobIds(now.filter((job) => !was.some((w) => w.id === job.id && w.priority === job.priority))),
      cancel: jobIds(was.filter((w) => !now.some((job) => job.id === w.id))),
    },
  );
  same(
    t.audit.map((a) => a.action),
    t.events.map((e) => e.type),
  );
}

/** The invariants of one ticket at rest. */
function checkTicket(tracked: Tracked): void {
  const ticket = tracked.current.ticket;
  if (!ticket) return;
  const { state } = ticket;
  const c = tracked.cycle!;
  if (!isOpen(state)) {
    same(
      {
        state,
        claimedBy: ticket.claimedBy,
        claimedAt: ticket.claimedAt,
        leaseExpiresAt: ticket.leaseExpiresAt,
        openKey: ticket.openKey,
        coolingOffEndsAt: ticket.coolingOffEndsAt,
        jobs: desiredJobs(ticket, false),
      },
      { state, claimedBy: null, claimedAt: null, leaseExpiresAt: null, openKey: null, coolingOffEndsAt: null, jobs: [] },
    );
  } else {
    same(ticket.openKey, `${ticket.usernameKey}|${ticket.contactEmail}`);
    same({ state, held: ticket.claimedBy !== null }, { state, held: state === S.InReview });
  }
  // The live recovery belongs to the approved states, one per state.
  same({ state, recovery: tracked.current.recovery?.state ?? null }, { state, recovery: RECOVERY_IN[state] ?? null });
  // The clock runs on every reachable ticket; it is paused exactly while waiting on the requester, since then.
  same(ticket.slaCycleStartedAt, new Date(c.start));
  same({ state, pausedSince: ticket.slaPausedSince }, { state, pausedSince: c.pausedSince === null ? null : new Date(c.pausedSince) });
  same({ state, paused: c.pausedSince !== null }, { state, paused: state === S.AwaitingRequester });
  // Paused time is never counted: the stored measures are the cycle's time minus its pauses.
  same({ response: ticket.slaResponseMs, decision: ticket.slaDecisionMs }, { response: c.responseMs, decision: c.decisionMs });
  same(
    { responseMet: ticket.slaResponseMet, decisionMet: ticket.slaDecisionMet },
    {
      responseMet: c.responseMs === null ? null : c.responseMs <= TARGETS.firstResponseMs,
      decisionMet: c.decisionMs === null ? null : c.decisionMs <= TARGETS.decisionMs,
    },
  );
  // …and the running deadlines are pushed back by exactly the pauses before them.
  if (c.pausedSince === null && !c.decided) {
    same(ticket.decisionDueAt, new Date(deadline(c, TARGETS.decisionMs)));
    same(ticket.responseDueAt, c.responded ? null : new Date(deadline(c, TARGETS.firstResponseMs)));
  } else {
    same([ticket.responseDueAt, ticket.decisionDueAt, ticket.slaNextAt], [null, null, null]);
  }
}

/** Runs the steps; returns the moves made (for the coverage check). */
function run(ticketCount: number, steps: readonly Step[]): string[] {
  const tracked: Tracked[] = Array.from({ length: ticketCount }, (_, i) => ({
    fields: newTicket({
      id: `00000000-0000-4000-8000-00000000000${i}`,
      reference: `RD-TEST0${i}`,
      contactEmail: `requester${i}@example.org`,
    }),
    current: { ticket: null, recovery: null },
    cycle: null,
  }));
  const moves: string[] = [];
  let now = T0.getTime();
  steps.forEach((step, index) => {
    const tk = tracked[step.ticket % ticketCount];
    now = whenFor(step, tk.current.ticket, now + step.advanceMs);
    const at = new Date(now);
    const kind: CommandType = tk.current.ticket ? step.kind : 'submit';
    const command = tk.current.ticket ? commandFor(step, tk, at, index) : cmd.submit(tk.fields);
    const from: FromState = tk.current.ticket ? tk.current.ticket.state : NEW;

    // One live recovery per account: decide sees only the recovery it is given, so an approval gets
    // the other tickets' live one, as the caller reads it (the database's unique index enforces it too).
    const otherLive = tracked.find((o) => o !== tk && o.current.recovery)?.current.recovery ?? null;
    const aggregate = kind === 'approve' && otherLive ? { ...tk.current, recovery: otherLive } : tk.current;
    const decision = decide(aggregate, command, at, POLICY);

    if (decision.refused) {
      same({ kind, state: decision.state }, { kind, state: from });
      if (!statesFor(kind).includes(from)) same({ kind, from, reason: decision.reason }, { kind, from, reason: 'state' });
      // In an admitted state, only a contest of a question (not the recovery-codes answer) is refused for the state.
      else if (decision.reason === 'state')
        same({ kind, from, waitingFor: command.type === 'contest' ? command.waitingFor : 'n/a' }, { kind, from, waitingFor: 'question' });
      if (STATE_ONLY.includes(kind)) same({ kind, reason: decision.reason }, { kind, reason: 'state' });
      if (decision.reason === 'not_due') same({ kind, later: decision.at!.getTime() > now }, { kind, later: true });
      return;
    }
    // An approval given another ticket's live recovery is never taken.
    same({ kind, otherLive: aggregate !== tk.current }, { kind, otherLive: false });
    checkTransition(decision, tk.current, kind);
    if (!recoveryWriteHolds(decision, tk.current.recovery)) {
      // Only a reset with a token that is not the current one loses its conditional update (the transaction rolls back).
      same(kind, 'complete');
      return;
    }

    const recovery = decision.recovery && LIVE_RECOVERY_STATES.includes(decision.recovery.state) ? decision.recovery : null;
    const version = decision.write.kind === 'update' && decision.write.lock === 'version' ? decision.ticket.version + 1 : decision.ticket.version;
    // The pipeline's assessment lands soon after intake (derived data, outside the workflow).
    const ticket = kind === 'submit' ? assessed(decision.ticket, at) : decision.ticket;
    tk.current = { ticket: { ...ticket, version }, recovery };
    tk.cycle = nextCycle(tk.cycle, from, decision.to, now);
    moves.push(`${kind} ${from}->${decision.to}`);

    if (kind === 'sla_due') {
      // Marked once: the same firing again finds nothing to mark.
      const again = decide(tk.current, command, at, POLICY);
      same({ kind, refused: again.refused, reason: again.refused && again.reason === 'state' }, { kind, refused: true, reason: false });
    }
    checkTicket(tk);
    same({ liveRecoveries: tracked.filter((t) => t.current.recovery).length <= 1 }, { liveRecoveries: true });
  });
  return moves;
}

const scenario = (minLength: number) =>
  fc.record({
    tickets: fc.integer({ min: 2, max: 3 }),
    steps: fc.array(stepArb, { minLength, maxLength: 80, size: 'max' }),
  });

describe('decide over random command sequences (two or three tickets of one account)', () => {
  it("keeps the lifecycle's invariants after every step", () => {
    fc.assert(
      fc.property(scenario(1), ({ tickets, steps }) => {
        run(tickets, steps);
      }),
      { numRuns: 300 },
    );
  });

  it('gets to every row of the table over a fixed set of runs (so the property above is not vacuous)', () => {
    const reached = new Set<string>();
    for (const { tickets, steps } of fc.sample(scenario(40), { numRuns: 300, seed: 20261207 })) {
      for (const move of run(tickets, steps)) reached.add(move.split(' ')[0] + ' ' + move.split(' ')[1].split('->')[1]);
    }
    // Every command that moves a ticket, to each state it leads to (start_clock never: reachable clocks run).
    const wanted = [
      'route awaiting_review',
      'claim in_review',
      'release awaiting_review',
      'expire_lease awaiting_review',
      'reassign in_review',
      'escalate awaiting_review',
      'ask awaiting_requester',
      'answer awaiting_review',
      'contest awaiting_review',
      'approve approved',
      'approve cooling_off',
      'second_approval cooling_off',
      'end_cooling_off reset_issued',
      'stop cancelled',
      'complete completed',
      'deny denied',
      'withdraw withdrawn',
      'close_unanswered closed_no_response',
      'reopen awaiting_review',
    ];
    same(
      wanted.filter((move) => !reached.has(move)),
      [],
    );
  });
});
