// The one transition table: every command a ticket takes, the states it may be sent in, and the state
// it leads to. `decide()` (ticket-workflow.ts) refuses a command sent in any other state, and checks
// that what it produced is a row of this table. docs/architecture.md shows this table (a test compares).
import { OPEN_STATES, TicketState } from './ticket-state.js';

/** The state "before" a ticket exists: only `submit` starts from it. */
export const NEW = 'new' as const;
export type FromState = TicketState | typeof NEW;
/** The state does not change (the command changes other columns, or only adds to the timeline). */
export const SAME = 'same' as const;

export const COMMANDS = [
  'submit',
  'follow_up',
  'flag_competing',
  'route',
  'start_clock',
  'claim',
  'renew_lease',
  'release',
  'expire_lease',
  'reassign',
  'escalate',
  'ask',
  'answer',
  'add_information',
  'contest',
  'record_coc',
  'note',
  'approve',
  'second_approval',
  'end_cooling_off',
  'reissue_link',
  'stop',
  'complete',
  'deny',
  'withdraw',
  'close_unanswered',
  'reopen',
  'sla_due',
] as const;
export type CommandType = (typeof COMMANDS)[number];

export interface TransitionRow {
  command: CommandType;
  from: readonly FromState[];
  to: TicketState | typeof SAME;
  /** One line for the table in docs/architecture.md. */
  what: string;
}

const S = TicketState;
const OPEN = OPEN_STATES;
const ALL = Object.values(TicketState);

export const TRANSITIONS: readonly TransitionRow[] = [
  { command: 'submit', from: [NEW], to: S.Submitted, what: 'a requester asks for an account back' },
  { command: 'follow_up', from: OPEN, to: SAME, what: 'the same address asks again: folded into the open ticket' },
  { command: 'flag_competing', from: OPEN, to: SAME, what: 'another address asked for the same account' },
  { command: 'route', from: [S.Submitted], to: S.AwaitingReview, what: "assessed: into the moderators' queue" },
  { command: 'route', from: [S.AwaitingReview], to: SAME, what: 'assessed again: its place in the queue is refreshed' },
  { command: 'start_clock', from: OPEN, to: SAME, what: 'a ticket older than the SLA gets its clock' },
  { command: 'claim', from: [S.AwaitingReview], to: S.InReview, what: 'a moderator takes it (work next), with a lease' },
  { command: 'renew_lease', from: [S.InReview], to: SAME, what: 'the holder keeps working: the lease runs again' },
  { command: 'release', from: [S.InReview], to: S.AwaitingReview, what: 'the holder gives it back: it keeps its place' },
  { command: 'expire_lease', from: [S.InReview], to: S.AwaitingReview, what: 'the lease ran out: back in the queue' },
  { command: 'expire_lease', from: [S.InReview], to: SAME, what: 'the lease was renewed meanwhile: the timer waits again' },
  { command: 'reassign', from: [S.AwaitingReview, S.InReview], to: S.InReview, what: 'handed to another moderator' },
  { command: 'escalate', from: [S.InReview], to: S.AwaitingReview, what: 'released to the top of the queue for a senior' },
  { command: 'escalate', from: [S.AwaitingReview], to: SAME, what: 'marked for a senior: to the top of the queue' },
  { command: 'ask', from: [S.InReview], to: S.AwaitingRequester, what: 'a question to the requester' },
  { command: 'answer', from: [S.AwaitingRequester], to: S.AwaitingReview, what: 'the requester answers: back in the queue' },
  { command: 'add_information', from: OPEN.filter((s) => s !== S.AwaitingRequester), to: SAME, what: 'the requester adds information' },
  {
    command: 'contest',
    from: [S.AwaitingRequester],
    to: S.AwaitingReview,
    what: '"I cannot use recovery codes" (a ticket answered so before every ticket was queued): into the queue',
  },
  { command: 'record_coc', from: OPEN, to: SAME, what: 'a moderator records a Code of Conduct acceptance given elsewhere' },
  { command: 'note', from: ALL, to: SAME, what: 'a note for moderators only' },
  { command: 'approve', from: [S.InReview], to: S.Approved, what: 'the holder approves; a second senior must approve too' },
  { command: 'approve', from: [S.InReview], to: S.CoolingOff, what: 'the holder approves: the cooling-off starts, every address on file is told' },
  { command: 'second_approval', from: [S.Approved], to: S.CoolingOff, what: 'a second senior approves: the cooling-off starts' },
  { command: 'end_cooling_off', from: [S.CoolingOff], to: S.ResetIssued, what: 'the waiting period ended: the reset link goes out' },
  { command: 'reissue_link', from: [S.ResetIssued], to: SAME, what: 'a new reset link; the older one stops working' },
  { command: 'stop', from: [S.CoolingOff, S.ResetIssued], to: S.Cancelled, what: 'stopped from an address on file' },
  { command: 'complete', from: [S.ResetIssued], to: S.Completed, what: 'the reset link was used: a new password is set' },
  { command: 'deny', from: [S.InReview, S.Approved], to: S.Denied, what: 'denied, with the reason sent to the requester' },
  { command: 'withdraw', from: OPEN, to: S.Withdrawn, what: 'the requester withdraws' },
  { command: 'close_unanswered', from: [S.AwaitingRequester], to: S.ClosedNoResponse, what: 'no answer within CLOSE_UNANSWERED_AFTER' },
  { command: 'reopen', from: [S.Denied, S.ClosedNoResponse], to: S.AwaitingReview, what: 'a new decision cycle' },
  { command: 'sla_due', from: OPEN, to: SAME, what: 'an SLA timer fired: a warning or a breach is marked' },
];

/** The states a command may be sent in. */
export function statesFor(command: CommandType): FromState[] {
  return [...new Set(TRANSITIONS.filter((row) => row.command === command).flatMap((row) => row.from))];
}

/** Whether the table has this move (`to` equal to `from` is a SAME row). */
export function inTable(command: CommandType, from: FromState, to: TicketState): boolean {
  return TRANSITIONS.some((row) => row.command === command && row.from.includes(from) && (row.to === SAME ? to === from : row.to === to));
}

/** Every state a ticket can move to from `from`, over all commands (for diagrams and tests). */
export function nextStates(from: FromState): TicketState[] {
  return [...new Set(TRANSITIONS.filter((row) => row.from.includes(from) && row.to !== SAME).map((row) => row.to as TicketState))];
}
