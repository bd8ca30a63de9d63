// Test support for the ticket workflow specs (not used by the app): a policy, a new ticket's fields,
// commands with valid arguments, and `ticketIn(state)`, which reaches a state by running `decide` from
// `submit` and applying each transition as the writer would, so every fixture is a state a real ticket
// can be in. Pure: no I/O, no clock, no randomness.
import { DEFAULT_SLA_POLICY_JSON, parseSlaPolicy } from '../sla/sla-policy.js';
import {
  aggregateAfter,
  type Command,
  decide,
  type Decision,
  type NewTicket,
  type TicketAggregate,
  type Transition,
  type WorkflowPolicy,
} from './ticket-workflow.js';
import { TicketState } from './ticket-state.js';
import { type CommandType, type FromState, NEW } from './ticket-transitions.js';
import { type RecoveryRow, REQUEST_TYPES, type TicketClaims, type TicketRow } from './ticket.types.js';

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Every instant in the fixtures counts from here. */
export const T0 = new Date('2026-11-20T10:00:00.000Z');
export const plus = (at: Date, ms: number): Date => new Date(at.getTime() + ms);

export const SLA = parseSlaPolicy(DEFAULT_SLA_POLICY_JSON, 'test', REQUEST_TYPES);

export const LEASE_MS = 30 * MINUTE;
export const RESET_LINK_TTL_MS = 24 * HOUR;
export const COOLING_OFF_MS = 48 * HOUR;

/** The shipped SLA policy (24×7 calendar for every type), a 30-minute lease, a one-day reset link. */
export function testPolicy(over: Partial<WorkflowPolicy> = {}): WorkflowPolicy {
  return {
    targetsFor: (type) => SLA.targetsFor(type),
    leaseMs: LEASE_MS,
    fastLane: false,
    publicBaseUrl: 'https://desk.example.org',
    resetLinkTtlMs: RESET_LINK_TTL_MS,
    opsEmail: 'ops@desk.example.org',
    slaWebhook: false,
    ...over,
  };
}

export const POLICY = testPolicy();

export const CLAIMS: TicketClaims = {
  previousEmails: ['old@example.org'],
  emailsStillRead: [],
  projects: ['sampleproject'],
  joinedApprox: '2019',
  has2fa: 'yes',
  hasRecoveryCodes: 'no',
  details: 'I lost my phone.',
};

export const TICKET_ID = '3105d516-9a88-464a-8f18-047be7f64d2c';
export const ACCOUNT_ID = '9f1c2a40-1111-4a2b-8c3d-5e6f7a8b9c0d';

/** A requester's fields for a ticket on an existing account. */
export function newTicket(over: Partial<NewTicket> = {}): NewTicket {
  return {
    id: TICKET_ID,
    reference: 'RD-7K3F9Q',
    username: 'Sample-User',
    usernameKey: 'sample-user',
    accountId: ACCOUNT_ID,
    contactEmail: 'requester@example.org',
    requestType: 'lost_2fa',
    claims: CLAIMS,
    cocVersion: '2026-11',
    ...over,
  };
}

/** Commands with plausible arguments; tests override what they look at. */
export const cmd = {
  submit: (ticket: NewTicket = newTicket()): Command => ({ type: 'submit', ticket, statusUrl: 'https://desk.example.org/status/tok', ip: '192.0.2.7' }),
  followUp: (): Command => ({
    type: 'follow_up',
    claims: { ...CLAIMS, projects: ['otherproject'], details: 'More.' },
    requestType: 'lost_2fa',
    statusUrl: 'https://desk.example.org/status/tok2',
    ip: '192.0.2.8',
  }),
  flagCompeting: (reassess = true): Command => ({ type: 'flag_competing', rival: 'RD-RIVAL2', reassess }),
  route: (): Command => ({ type: 'route' }),
  startClock: (): Command => ({ type: 'start_clock' }),
  claim: (moderator = 'ann'): Command => ({ type: 'claim', moderator }),
  renew: (moderator = 'ann'): Command => ({ type: 'renew_lease', moderator }),
  release: (moderator = 'ann'): Command => ({ type: 'release', moderator }),
  expireLease: (): Command => ({ type: 'expire_lease' }),
  reassign: (moderator = 'cy', to = 'bob'): Command => ({ type: 'reassign', moderator, to }),
  escalate: (moderator = 'ann'): Command => ({ type: 'escalate', moderator, reason: 'needs a senior' }),
  ask: (moderator = 'ann'): Command => ({ type: 'ask', moderator, message: 'Which projects did you publish?', template: 'projects' }),
  answer: (): Command => ({ type: 'answer', message: 'sampleproject and another one' }),
  addInformation: (): Command => ({ type: 'add_information', message: 'I also used old@example.org.' }),
  contest: (waitingFor: 'recovery_codes' | 'question' | null = 'recovery_codes'): Command => ({ type: 'contest', waitingFor }),
  recordCoc: (moderator = 'ann'): Command => ({ type: 'record_coc', moderator, version: '2026-11', acceptedAt: plus(T0, -HOUR), method: 'email_reply' }),
  note: (moderator = 'ann'): Command => ({ type: 'note', moderator, message: 'called the requester' }),
  approve: (over: Partial<Extract<Command, { type: 'approve' }>> = {}): Command => ({
    type: 'approve',
    moderator: 'ann',
    recoveryId: 'a1b2c3d4-0000-4000-8000-000000000001',
    resetAddress: 'owner@example.org',
    needsSecond: false,
    coolingOffMs: COOLING_OFF_MS,
    reasons: ['email proven'],
    role: 'moderator',
    overrideReason: null,
    notify: ['owner@example.org', 'second@example.org'],
    stopToken: 'stop-token-0123456789',
    ...over,
  }),
  secondApproval: (moderator = 'bob'): Command => ({
    type: 'second_approval',
    moderator,
    notify: ['owner@example.org', 'second@example.org'],
    stopToken: 'stop-token-second',
  }),
  endCoolingOff: (resetToken = 'reset-token-0123456789'): Command => ({ type: 'end_cooling_off', resetToken }),
  reissue: (resetToken = 'reset-token-reissued', actor = 'moderator:ann'): Command => ({ type: 'reissue_link', actor, resetToken }),
  stop: (): Command => ({ type: 'stop', ip: '198.51.100.4' }),
  complete: (resetTokenHash: string): Command => ({
    type: 'complete',
    resetTokenHash,
    notify: ['owner@example.org', 'second@example.org'],
    ip: '198.51.100.5',
  }),
  deny: (moderator = 'ann'): Command => ({ type: 'deny', moderator, message: 'We could not confirm that you own the account.', template: 'unproven' }),
  withdraw: (): Command => ({ type: 'withdraw' }),
  closeUnanswered: (cutoff: Date): Command => ({ type: 'close_unanswered', cutoff }),
  reopen: (moderator = 'ann'): Command => ({ type: 'reopen', moderator, reason: 'new evidence' }),
  slaDue: (): Command => ({ type: 'sla_due' }),
};

export function expectTransition(decision: Decision): Transition {
  if (decision.refused) throw new Error(`refused ${decision.command} in ${decision.state} (${decision.reason}): ${decision.message}`);
  return decision;
}

/** What the writer leaves behind: the ticket after, and the recovery only while it is live. */
export const applied: (transition: Transition) => TicketAggregate = aggregateAfter;

/** A ticket at an instant, with what led there. */
export interface Story {
  current: TicketAggregate;
  now: Date;
  last: Transition;
}

/** Runs `command` `afterMs` after the story's last step; throws if refused. */
export function then(story: Pick<Story, 'current' | 'now'>, command: Command, afterMs = 5 * MINUTE, policy = POLICY): Story {
  const now = plus(story.now, afterMs);
  const last = expectTransition(decide(story.current, command, now, policy));
  return { current: applied(last), now, last };
}

export function submitted(ticket: NewTicket = newTicket(), at = T0, policy = POLICY): Story {
  const story = then({ current: { ticket: null, recovery: null }, now: at }, cmd.submit(ticket), 0, policy);
  return { ...story, current: { ...story.current, ticket: assessed(story.current.ticket!, at) } };
}

/**
 * The ticket with an assessment on record, as the pipeline leaves it soon after intake (outside the
 * workflow: derived data). Recommends approval unless told otherwise, so approvals need no override.
 */
export function assessed(ticket: TicketRow, at: Date, over: Partial<Pick<TicketRow, 'score' | 'band' | 'recommendation'>> = {}): TicketRow {
  return { ...ticket, score: 90, band: 'strong', recommendation: 'approve', assessedAt: at, ...over };
}

export interface FixtureOptions {
  /** The requester's fields (default: newTicket()). */
  ticket?: NewTicket;
  policy?: WorkflowPolicy;
}

/**
 * A ticket in `state`, reached through `decide` from `submit` at T0 (steps five minutes apart, the
 * cooling-off waited out). The holder of an in-review ticket is `ann`; the first approver too.
 */
export function ticketIn(state: TicketState, options: FixtureOptions = {}): Story {
  const policy = options.policy ?? POLICY;
  const go = (story: Story, command: Command, afterMs?: number) => then(story, command, afterMs, policy);
  const s = submitted(options.ticket, T0, policy);
  if (state === TicketState.Submitted) return s;
  const queued = go(s, cmd.route());
  if (state === TicketState.AwaitingReview) return queued;
  if (state === TicketState.Withdrawn) return go(queued, cmd.withdraw());
  const held = go(queued, cmd.claim('ann'));
  switch (state) {
    case TicketState.InReview:
      return held;
    case TicketState.AwaitingRequester:
      return go(held, cmd.ask('ann'));
    case TicketState.Denied:
      return go(held, cmd.deny('ann'));
    case TicketState.ClosedNoResponse: {
      const asked = go(held, cmd.ask('ann'));
      return go(asked, cmd.closeUnanswered(plus(asked.now, DAY)), 8 * DAY);
    }
    case TicketState.Approved:
      return go(held, cmd.approve({ needsSecond: true }));
    default:
      break;
  }
  const cooling = go(held, cmd.approve());
  if (state === TicketState.CoolingOff) return cooling;
  const issued = go(cooling, cmd.endCoolingOff(), COOLING_OFF_MS);
  switch (state) {
    case TicketState.ResetIssued:
      return issued;
    case TicketState.Completed:
      return go(issued, cmd.complete(issued.current.recovery!.resetTokenHash!));
    case TicketState.Cancelled:
      return go(issued, cmd.stop());
    default:
      throw new Error(`ticketIn: no path to ${String(state)}`);
  }
}

/** The clock columns of a ticket from before the SLA existed (the reconciler starts its clock). */
export function withoutClock(ticket: TicketRow): TicketRow {
  return {
    ...ticket,
    slaCycleStartedAt: null,
    firstRespondedAt: null,
    slaDecidedAt: null,
    slaPausedSince: null,
    slaPauses: [],
    responseWarnAt: null,
    responseDueAt: null,
    decisionWarnAt: null,
    decisionDueAt: null,
    slaResponseLevel: 'on_time',
    slaDecisionLevel: 'on_time',
    slaLevel: 'on_time',
    slaNextAt: null,
    slaResponseMs: null,
    slaResponseMet: null,
    slaDecisionMs: null,
    slaDecisionMet: null,
  };
}

/** A ticket from before the Code of Conduct was asked for on the form. */
export function withoutCoc(ticket: TicketRow): TicketRow {
  return { ...ticket, cocVersion: null, cocAcceptedAt: null };
}

export const ALL_STATES: readonly FromState[] = [NEW, ...Object.values(TicketState)];

/** Another ticket's live recovery of the same account (what the caller passes to `approve`). */
export function liveRecoveryOf(ticketId: string, over: Partial<RecoveryRow> = {}): RecoveryRow {
  return {
    id: 'b0000000-0000-4000-8000-00000000000b',
    ticketId,
    accountId: ACCOUNT_ID,
    activeKey: ACCOUNT_ID,
    state: 'cooling_off',
    resetAddress: 'owner@example.org',
    needsSecond: false,
    override: false,
    overrideReason: null,
    firstApprover: 'dan',
    firstApprovedAt: T0,
    secondApprover: null,
    secondApprovedAt: null,
    coolingOffMs: COOLING_OFF_MS,
    coolingOffEndsAt: plus(T0, COOLING_OFF_MS),
    stopTokenHash: 'x'.repeat(64),
    resetTokenHash: null,
    resetIssuedAt: null,
    resetExpiresAt: null,
    resetUsedAt: null,
    closedAt: null,
    closedReason: null,
    createdAt: T0,
    ...over,
  };
}

/** One way to send a command in a state the table admits it in, with arguments and timing that satisfy its guards. */
export interface AdmittedCase {
  label: string;
  current: TicketAggregate;
  command: Command;
  now: Date;
  /** The state the ticket must end in, or the refusal a guard that no ticket in this state can pass gives. */
  expect: { to: TicketState } | { refused: 'rule'; why: string };
}

/**
 * The admitted cases of `type` in `state` (one per table row it can take there). The cases where a
 * guard cannot hold are named: an SLA timer finds nothing due while the clock is paused or stopped.
 */
export function admittedCases(type: CommandType, state: FromState): AdmittedCase[] {
  const S = TicketState;
  if (state === NEW) {
    return type === 'submit'
      ? [{ label: 'a new request', current: { ticket: null, recovery: null }, command: cmd.submit(), now: T0, expect: { to: S.Submitted } }]
      : [];
  }
  const story = ticketIn(state);
  const { current } = story;
  const ticket = current.ticket!;
  const soon = plus(story.now, MINUTE);
  const one = (command: Command, to: TicketState, label = 'valid arguments', now = soon, cur = current): AdmittedCase[] => [
    { label, current: cur, command, now, expect: { to } },
  ];
  switch (type) {
    case 'submit':
      return [];
    case 'follow_up':
      return one(cmd.followUp(), state);
    case 'flag_competing':
      return one(cmd.flagCompeting(), state);
    case 'route':
      return state === S.Submitted
        ? one(cmd.route(), S.AwaitingReview, 'assessed: into the queue, whatever the account holds')
        : one(cmd.route(), state, 'assessed again');
    case 'start_clock':
      return one(cmd.startClock(), state, 'a ticket from before the SLA', soon, { ...current, ticket: withoutClock(ticket) });
    case 'claim':
      return one(cmd.claim('bob'), S.InReview);
    case 'renew_lease':
      return one(cmd.renew('ann'), state);
    case 'release':
      return one(cmd.release('ann'), S.AwaitingReview);
    case 'expire_lease':
      return [
        ...one(cmd.expireLease(), S.AwaitingReview, 'the lease ran out', plus(ticket.leaseExpiresAt!, SECOND)),
        ...one(cmd.expireLease(), state, 'the lease was renewed meanwhile', plus(ticket.leaseExpiresAt!, -SECOND)),
      ];
    case 'reassign':
      return one(cmd.reassign('cy', 'bob'), S.InReview);
    case 'escalate':
      return one(cmd.escalate('ann'), S.AwaitingReview);
    case 'ask':
      return one(cmd.ask('ann'), S.AwaitingRequester);
    case 'answer':
      return one(cmd.answer(), S.AwaitingReview);
    case 'add_information':
      return one(cmd.addInformation(), state);
    case 'contest':
      // The status page says what the ticket waits on: here, the recovery-codes answer of an older ticket.
      return one(cmd.contest('recovery_codes'), S.AwaitingReview, 'waiting on the recovery-codes answer');
    case 'record_coc':
      return one(cmd.recordCoc(), state, 'no acceptance on record', soon, { ...current, ticket: withoutCoc(ticket) });
    case 'note':
      return one(cmd.note(), state);
    case 'approve':
      return [
        ...one(cmd.approve({ needsSecond: true }), S.Approved, 'a second approval needed'),
        ...one(cmd.approve({ needsSecond: false }), S.CoolingOff, 'no second approval needed'),
      ];
    case 'second_approval':
      return one(cmd.secondApproval('bob'), S.CoolingOff);
    case 'end_cooling_off':
      return one(cmd.endCoolingOff(), S.ResetIssued, 'the cooling-off ended', ticket.coolingOffEndsAt!);
    case 'reissue_link':
      return one(cmd.reissue(), state);
    case 'stop':
      return one(cmd.stop(), S.Cancelled);
    case 'complete':
      return one(cmd.complete(current.recovery!.resetTokenHash!), S.Completed);
    case 'deny':
      return one(cmd.deny(state === S.Approved ? 'bob' : 'ann'), S.Denied);
    case 'withdraw':
      return one(cmd.withdraw(), S.Withdrawn);
    case 'close_unanswered':
      return one(cmd.closeUnanswered(plus(ticket.slaPausedSince!, 1)), S.ClosedNoResponse);
    case 'reopen':
      return one(cmd.reopen(), S.AwaitingReview);
    case 'sla_due':
      return ticket.slaNextAt
        ? one(cmd.slaDue(), state, 'the next SLA instant came', ticket.slaNextAt)
        : [
            {
              label: 'no deadline runs',
              current,
              command: cmd.slaDue(),
              now: plus(story.now, 30 * DAY),
              expect: { refused: 'rule', why: state === S.AwaitingRequester ? 'the clock is paused' : 'the clocks stopped at the decision' },
            },
          ];
  }
}

/** A command with valid arguments for any state: what a refused-in-state test sends. */
export function anyCommand(type: CommandType): Command {
  switch (type) {
    case 'submit':
      return cmd.submit();
    case 'follow_up':
      return cmd.followUp();
    case 'flag_competing':
      return cmd.flagCompeting();
    case 'route':
      return cmd.route();
    case 'start_clock':
      return cmd.startClock();
    case 'claim':
      return cmd.claim('bob');
    case 'renew_lease':
      return cmd.renew('ann');
    case 'release':
      return cmd.release('ann');
    case 'expire_lease':
      return cmd.expireLease();
    case 'reassign':
      return cmd.reassign();
    case 'escalate':
      return cmd.escalate();
    case 'ask':
      return cmd.ask();
    case 'answer':
      return cmd.answer();
    case 'add_information':
      return cmd.addInformation();
    case 'contest':
      return cmd.contest('recovery_codes');
    case 'record_coc':
      return cmd.recordCoc();
    case 'note':
      return cmd.note();
    case 'approve':
      return cmd.approve();
    case 'second_approval':
      return cmd.secondApproval();
    case 'end_cooling_off':
      return cmd.endCoolingOff();
    case 'reissue_link':
      return cmd.reissue();
    case 'stop':
      return cmd.stop();
    case 'complete':
      return cmd.complete('0'.repeat(64));
    case 'deny':
      return cmd.deny();
    case 'withdraw':
      return cmd.withdraw();
    case 'close_unanswered':
      return cmd.closeUnanswered(plus(T0, 365 * DAY));
    case 'reopen':
      return cmd.reopen();
    case 'sla_due':
      return cmd.slaDue();
  }
}
