// A ticket's lifecycle as data: `decide(current, command, now, policy)` says what a command does to a
// ticket (column changes, timeline lines, audit entries, timers to arm and cancel, mails, assessment
// requests), or why it is refused. Pure: no I/O, the time and every random token come in as arguments.
// One writer (TicketWriter) applies the result inside the caller's transaction.
import type { AuditFacts } from '../audit/audit-chain.js';
import { checkOverride } from './approval-guard.js';
import { maskEmail } from '../common/normalize.js';
import { hashToken } from '../common/tokens.js';
import { MailTemplate } from '../notifications/mail-template.js';
import { applyMarks, dueMarks, type SlaMark, type SlaTargets, startSla } from '../sla/sla-clock.js';
import { measuresBetween } from '../sla/sla-measures.js';
import { mergeClaims } from './claims.js';
import { desiredJobs, type JobSpec } from './dispatch-order.js';
import { slaSteps, stepClock } from './sla-steps.js';
import { slaColumns, slaStateOf } from './ticket-sla.js';
import { isOpen, TicketState } from './ticket-state.js';
import { type CommandType, type FromState, inTable, NEW, statesFor } from './ticket-transitions.js';
import {
  type AssessmentTrigger,
  LIVE_RECOVERY_STATES,
  moderatorActor,
  NO_REPORT_FIGURES,
  type Outcome,
  type RecoveryRow,
  type RequestType,
  type TicketClaims,
  type TicketCycleRow,
  type TicketEventType,
  type TicketRow,
  type TimelineEntry,
} from './ticket.types.js';
import { isUnanswered } from './unanswered.js';

/** What configuration decides about a ticket's life (built at boot by workflow-policy.provider.ts). */
export interface WorkflowPolicy {
  targetsFor(type: RequestType): SlaTargets;
  leaseMs: number;
  /** Tickets with proven control go ahead of the in-turn tier of the queue. */
  fastLane: boolean;
  publicBaseUrl: string;
  resetLinkTtlMs: number;
  /** Where breaches are mailed, and the contact named in mails to requesters and owners. */
  opsEmail: string;
  /** A breach is also posted to the ops webhook. */
  slaWebhook: boolean;
}

/** The ticket as it stands (null before `submit`), with its live recovery if it has one. */
export interface TicketAggregate {
  ticket: TicketRow | null;
  recovery: RecoveryRow | null;
}

/** The requester's fields of a new ticket; `decide` adds the lifecycle's columns. */
export type NewTicket = Pick<
  TicketRow,
  'id' | 'reference' | 'username' | 'usernameKey' | 'accountId' | 'contactEmail' | 'requestType' | 'claims' | 'cocVersion'
>;

/** What the last approval needs to tell the owner: the caller looked the addresses up and made the token. */
interface CoolingOffFacts {
  /** Every address to tell (current addresses on file, not on expired domains, and the reset address). */
  notify: string[];
  /** A fresh stop-link token: only its hash is kept. */
  stopToken: string;
}

/** The second factor that re-authenticated an approval: a fresh TOTP code or a passkey (never a recovery code). */
export type ReauthFactor = 'totp' | 'passkey';

export type Command =
  | { type: 'submit'; ticket: NewTicket; statusUrl: string; ip: string }
  | { type: 'follow_up'; claims: TicketClaims; requestType: RequestType; statusUrl: string; ip: string }
  | { type: 'flag_competing'; rival: string; reassess: boolean }
  | { type: 'route' }
  | { type: 'start_clock' }
  | { type: 'claim'; moderator: string }
  | { type: 'renew_lease'; moderator: string }
  | { type: 'release'; moderator: string }
  | { type: 'expire_lease' }
  | { type: 'reassign'; moderator: string; to: string }
  | { type: 'escalate'; moderator: string; reason: string }
  | { type: 'ask'; moderator: string; message: string; template: string }
  | { type: 'answer'; message: string }
  | { type: 'add_information'; message: string }
  | { type: 'contest'; waitingFor: 'recovery_codes' | 'question' | null }
  | { type: 'record_coc'; moderator: string; version: string; acceptedAt: Date; method: string }
  | { type: 'note'; moderator: string; message: string }
  | ({
      type: 'approve';
      moderator: string;
      recoveryId: string;
      resetAddress: string;
      needsSecond: boolean;
      coolingOffMs: number;
      reasons: string[];
      /** The approver's role and, for an approval against the recommendation, their written reason (approval-guard.ts). */
      role: string;
      overrideReason: string | null;
      /** The second factor that re-authenticated the approver just before (docs/security.md #15); absent for seeded history. */
      reauthenticatedWith?: ReauthFactor;
    } & CoolingOffFacts)
  | ({ type: 'second_approval'; moderator: string; reauthenticatedWith?: ReauthFactor } & CoolingOffFacts)
  | { type: 'end_cooling_off'; resetToken: string }
  | { type: 'reissue_link'; actor: string; resetToken: string }
  | { type: 'stop'; ip: string }
  | { type: 'complete'; resetTokenHash: string; notify: string[]; ip: string }
  | { type: 'deny'; moderator: string; message: string; template: string }
  | { type: 'withdraw' }
  | { type: 'close_unanswered'; cutoff: Date }
  | { type: 'reopen'; moderator: string; reason: string }
  | { type: 'sla_due' };

export type RefusalReason =
  /** The command is not taken in the ticket's state. */
  | 'state'
  /** The sender does not hold the ticket (or it is held by someone). */
  | 'holder'
  /** A rule of the command itself (a Code of Conduct record missing, a second approval by the first approver…). */
  | 'rule'
  /** A timer woke before its time: `at` says when to look again. */
  | 'not_due';

export interface Refusal {
  refused: true;
  command: CommandType;
  state: FromState;
  reason: RefusalReason;
  message: string;
  at?: Date;
}

export interface MailIntent {
  to: string;
  template: MailTemplate;
  context: Record<string, unknown>;
}

export type TicketWrite =
  | { kind: 'insert'; row: TicketRow }
  /**
   * `version`: a person's change, applied only if nobody changed the ticket since it was read (the
   * version goes up). `quiet`: derived data (SLA marks, flags), conditional on `where` only, leaving the
   * version alone so that it never makes a person's concurrent action fail.
   */
  | { kind: 'update'; changes: Partial<TicketRow>; lock: 'version' | 'quiet'; where: Partial<TicketRow> }
  | { kind: 'none' };

export type RecoveryWrite =
  | { kind: 'insert'; row: RecoveryRow }
  /** Conditional on the recovery still being in `fromState` (and on `where`). */
  | { kind: 'update'; id: string; fromState: RecoveryRow['state']; where: Partial<RecoveryRow>; changes: Partial<RecoveryRow> };

export interface Transition {
  refused: false;
  command: CommandType;
  from: FromState;
  to: TicketState;
  /** The ticket after the command. */
  ticket: TicketRow;
  recovery: RecoveryRow | null;
  write: TicketWrite;
  recoveryWrite: RecoveryWrite | null;
  /** A reopen keeps the ended cycle for reports. */
  archive: TicketCycleRow | null;
  events: TimelineEntry[];
  /** One entry per timeline line: actor, time, ticket; free text only by its length. */
  audit: AuditFacts[];
  timers: { arm: JobSpec[]; cancel: string[] };
  /**
   * How Redis learns of the new timers: `outbox` (a sync row in the same transaction), `caller` (the
   * hot timer path syncs right after its commit), or `none` (nothing changed there).
   */
  sync: 'outbox' | 'caller' | 'none';
  mails: MailIntent[];
  assess: AssessmentTrigger | null;
  webhooks: Array<Record<string, unknown>>;
  /** Marks an SLA timer set (sla_due), for the metrics. */
  marks: SlaMark[];
}

export type Decision = Transition | Refusal;

const words = (state: FromState): string => state.replace(/_/g, ' ');
/** `2026-11-25 14:00`: deadlines in mails and on the status page, always UTC. */
export const utcMinute = (at: Date): string => at.toISOString().slice(0, 16).replace('T', ' ');

/** Free text and claims stay on the timeline: the audit log records that they came, not what they say. */
const TEXT_FIELDS = ['message', 'claims'] as const;

export function auditData(data: Record<string, unknown>, ip?: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const field of TEXT_FIELDS) {
    if (field in out) {
      out[`${field}_chars`] = JSON.stringify(out[field] ?? '').length;
      delete out[field];
    }
  }
  return ip ? { ...out, ip } : out;
}

/** What a state refusal says, per command. */
const REFUSED_IN_STATE: Partial<Record<CommandType, string>> = {
  reopen: 'Only a denied ticket or one closed without an answer can be reopened.',
  withdraw: 'This request can no longer be withdrawn.',
  contest: 'This request is not waiting on recovery codes.',
  second_approval: 'This ticket is not waiting for a second approval.',
  reissue_link: 'Only a ticket whose reset link was sent and not yet used can get a new one.',
  record_coc: 'The ticket is closed.',
};

const NOT_HOLDER = 'You do not hold this ticket (its lease may have run out); take it again from the queue.';
// Commands only the holder sends: in another state, the sender cannot be holding the ticket.
for (const command of ['renew_lease', 'release', 'ask', 'approve', 'deny'] as const) REFUSED_IN_STATE[command] = NOT_HOLDER;

const CLOSED = 'This request is closed. If you still need help, please submit a new request.';

function refuse(command: CommandType, state: FromState, reason: RefusalReason, message: string, at?: Date): Refusal {
  return { refused: true, command, state, reason, message, ...(at ? { at } : {}) };
}

function refuseState(command: CommandType, state: FromState): Refusal {
  const message =
    REFUSED_IN_STATE[command] ??
    (state !== NEW && !isOpen(state) && statesFor(command).every((s) => s === NEW || isOpen(s))
      ? CLOSED
      : `A ticket that is ${words(state)} cannot take "${command.replace(/_/g, ' ')}".`);
  return refuse(command, state, 'state', message);
}

/**
 * A transition being built: changes accumulate on `ticket`, and `finish` derives the timers, the
 * audit entries and the SLA columns from what changed.
 */
class Draft {
  readonly events: TimelineEntry[] = [];
  readonly audit: AuditFacts[] = [];
  readonly mails: MailIntent[] = [];
  readonly webhooks: Array<Record<string, unknown>> = [];
  changes: Partial<TicketRow> = {};
  recoveryWrite: RecoveryWrite | null = null;
  recovery: RecoveryRow | null;
  archive: TicketCycleRow | null = null;
  assess: AssessmentTrigger | null = null;
  marks: SlaMark[] = [];
  lock: 'version' | 'quiet' = 'version';
  where: Partial<TicketRow> = {};
  sync: 'outbox' | 'caller' | 'none' | 'auto' = 'auto';
  /** Redis must be brought in line even though no job changed (a dispatch job's priority may have). */
  resync = false;

  constructor(
    readonly command: CommandType,
    readonly before: TicketRow,
    recovery: RecoveryRow | null,
    readonly now: Date,
  ) {
    this.recovery = recovery;
  }

  get ticket(): TicketRow {
    return { ...this.before, ...this.changes };
  }

  set(changes: Partial<TicketRow>): this {
    this.changes = { ...this.changes, ...changes };
    return this;
  }

  event(type: TicketEventType, actor: string, isPublic: boolean, data: Record<string, unknown> = {}, ip?: string): this {
    const entry: TimelineEntry = { ticketId: this.before.id, type, actor, public: isPublic, data, createdAt: this.now };
    this.events.push(entry);
    this.audit.push({ at: this.now, actor, action: type, ticketId: this.before.id, data: auditData(data, ip) });
    return this;
  }

  mail(to: string, template: MailTemplate, context: Record<string, unknown>): this {
    this.mails.push({ to, template, context });
    return this;
  }

  recoveryUpdate(changes: Partial<RecoveryRow>, where: Partial<RecoveryRow> = {}): void {
    const recovery = this.recovery!;
    if (this.recoveryWrite?.kind === 'insert') {
      this.recoveryWrite = { kind: 'insert', row: { ...this.recoveryWrite.row, ...changes } };
    } else if (this.recoveryWrite?.kind === 'update') {
      this.recoveryWrite = { ...this.recoveryWrite, changes: { ...this.recoveryWrite.changes, ...changes } };
    } else {
      this.recoveryWrite = { kind: 'update', id: recovery.id, fromState: recovery.state, where, changes };
    }
    this.recovery = { ...recovery, ...changes };
  }
}

/** Applies the SLA steps of the move from the state before to `to`, and the state itself. */
function move(draft: Draft, to: TicketState, policy: WorkflowPolicy): void {
  const before = draft.ticket;
  const targets = policy.targetsFor(before.requestType);
  const clock = slaStateOf(before);
  const next = stepClock(clock, slaSteps(before.state, to, clock !== null), before.createdAt, draft.now, targets);
  // A clock never started is measured from where stepClock starts it (the ticket's arrival), not from nothing.
  const measuredFrom = clock ?? startSla(before.createdAt, targets);
  if (next && next !== clock) draft.set({ ...slaColumns(next), ...measuresBetween(measuredFrom, next, targets) });
  if (to !== before.state) draft.set({ state: to });
}

/** The claim ends (and its lease with it). */
const UNCLAIMED = { claimedBy: null, claimedAt: null, leaseExpiresAt: null } as const;

/**
 * The cycle's outcome, for reports. A moderator's decision records who decided and how long they held
 * the ticket; a withdrawal or a closing without an answer records its outcome only if nothing was
 * decided before (withdrawing an approved recovery does not undo the approval in the reports).
 */
function outcome(ticket: TicketRow, now: Date, what: Outcome, by: string | null): Partial<TicketRow> {
  if (what === 'approved' || what === 'denied') {
    return { outcome: what, decidedBy: by, handlingMs: ticket.claimedAt ? now.getTime() - ticket.claimedAt.getTime() : null };
  }
  return ticket.outcome ? {} : { outcome: what, decidedBy: null, handlingMs: null };
}

/** A closed ticket gives up its open slot (another request from the same address may come) and its timers. */
function close(draft: Draft, to: TicketState, policy: WorkflowPolicy): void {
  move(draft, to, policy);
  draft.set({ ...UNCLAIMED, openKey: null, closedAt: draft.now, coolingOffEndsAt: null });
}

/** The live recovery of a ticket closing for another reason ends: its links stop working. */
function endRecovery(draft: Draft, state: 'cancelled' | 'denied', reason: string): void {
  if (!draft.recovery) return;
  draft.recoveryUpdate({ state, activeKey: null, resetTokenHash: null, closedAt: draft.now, closedReason: reason });
}

const linkHours = (policy: WorkflowPolicy): number => Math.round((policy.resetLinkTtlMs / 3_600_000) * 10) / 10;

function startCoolingOff(draft: Draft, facts: CoolingOffFacts, policy: WorkflowPolicy): void {
  const recovery = draft.recovery!;
  const ticket = draft.ticket;
  const endsAt = new Date(draft.now.getTime() + recovery.coolingOffMs);
  draft.recoveryUpdate({ state: 'cooling_off', coolingOffEndsAt: endsAt, stopTokenHash: hashToken(facts.stopToken) });
  const stopUrl = `${policy.publicBaseUrl}/recovery/stop/${facts.stopToken}`;
  const context = { reference: ticket.reference, username: ticket.username, coolingOffEnds: utcMinute(endsAt), stopUrl, contact: policy.opsEmail };
  for (const address of facts.notify) draft.mail(address, MailTemplate.RecoveryNotice, context);
  draft.mail(ticket.contactEmail, MailTemplate.RecoveryApproved, {
    reference: ticket.reference,
    username: ticket.username,
    coolingOffEnds: utcMinute(endsAt),
    linkHours: linkHours(policy),
  });
  draft.event('cooling_off_started', 'system', true, {
    ends_at: endsAt.toISOString(),
    notified: facts.notify.length,
    public_text: `Approved. Every address on the account was told; the reset link follows after ${utcMinute(endsAt)} (UTC).`,
  });
  move(draft, TicketState.CoolingOff, policy);
  draft.set({ coolingOffEndsAt: endsAt });
}

function sendLink(draft: Draft, token: string, type: 'reset_link_sent' | 'reset_link_reissued', actor: string, policy: WorkflowPolicy): void {
  const recovery = draft.recovery!;
  const ticket = draft.ticket;
  const expiresAt = new Date(draft.now.getTime() + policy.resetLinkTtlMs);
  draft.recoveryUpdate({ state: 'link_sent', resetTokenHash: hashToken(token), resetIssuedAt: draft.now, resetExpiresAt: expiresAt });
  draft.mail(recovery.resetAddress, MailTemplate.ResetLink, {
    reference: ticket.reference,
    username: ticket.username,
    resetUrl: `${policy.publicBaseUrl}/reset/${token}`,
    linkHours: linkHours(policy),
  });
  draft.event(type, actor, true, {
    to: maskEmail(recovery.resetAddress),
    expires_at: expiresAt.toISOString(),
    public_text: `The reset link was sent to the address verified with you. It works once, until ${utcMinute(expiresAt)} (UTC).`,
  });
}

/** The first row of a new ticket: the requester's fields, waiting to be routed, its SLA clock started. */
function newTicketRow(fields: NewTicket, now: Date): TicketRow {
  return {
    ...fields,
    state: TicketState.Submitted,
    openKey: `${fields.usernameKey}|${fields.contactEmail}`,
    competing: false,
    cocAcceptedAt: now,
    cocMethod: null,
    cocRecordedBy: null,
    delayAcknowledgedAt: now,
    coolingOffEndsAt: null,
    createdAt: now,
    updatedAt: now,
    decidedAt: null,
    closedAt: null,
    version: 1,
    ...NO_REPORT_FIGURES,
    score: null,
    band: null,
    recommendation: null,
    riskFlags: null,
    ruleVersion: null,
    assessedAt: null,
    claimedBy: null,
    claimedAt: null,
    leaseExpiresAt: null,
    escalated: false,
    slaCycle: 1,
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
  };
}

type Step = (draft: Draft, policy: WorkflowPolicy) => Refusal | void;

/** Each command's own work, once the table admitted it in the ticket's state. */
function stepFor(command: Command): Step {
  switch (command.type) {
    case 'submit':
      return (d, p) => {
        move(d, TicketState.Submitted, p);
        d.event('submitted', 'requester', true, { coc_version: command.ticket.cocVersion }, command.ip);
        d.assess = 'submitted';
        d.mail(command.ticket.contactEmail, MailTemplate.Acknowledgement, {
          reference: command.ticket.reference,
          username: command.ticket.username,
          statusUrl: command.statusUrl,
        });
        // The SLA timer is armed when the pipeline routes the ticket, seconds later: intake stays one transaction lighter.
        d.sync = 'none';
      };
    case 'follow_up':
      return (d) => {
        const t = d.ticket;
        d.event('follow_up', 'requester', true, { request_type: command.requestType, claims: command.claims }, command.ip);
        // The follow-up's claims join the ticket's, and the ticket is assessed again with them.
        d.set({ claims: mergeClaims(t.claims, command.claims), updatedAt: d.now });
        d.assess = 'follow_up';
        d.mail(t.contactEmail, MailTemplate.StatusLinkAgain, { reference: t.reference, username: t.username, statusUrl: command.statusUrl });
      };
    case 'flag_competing':
      return (d) => {
        d.lock = 'quiet';
        d.set({ competing: true, updatedAt: d.now });
        d.event('competing_request', 'system', false, { reference: command.rival });
        // A rival request is a risk the rival's assessment must show too.
        if (command.reassess) d.assess = 'competing_request';
      };
    case 'route':
      return (d, p) => {
        if (d.ticket.state === TicketState.AwaitingReview) {
          // Assessed again: the fast lane may have changed its place.
          d.resync = true;
          return;
        }
        // Every ticket goes to the queue, whatever the account holds: what the requester sees next must
        // not tell whether the account exists or has unused recovery codes (docs/security.md #1). The
        // owner learns of the codes at the verified addresses on file (src/evidence/evidence.service.ts), never
        // at the contact address.
        move(d, TicketState.AwaitingReview, p);
        d.set({ updatedAt: d.now }).event('routed', 'system', false, {});
      };
    case 'start_clock':
      return (d, p) => {
        const t = d.ticket;
        if (t.slaCycleStartedAt) return refuse('start_clock', t.state, 'rule', 'The SLA clock of this ticket already runs.');
        const targets = p.targetsFor(t.requestType);
        const started = stepClock(null, t.state === TicketState.AwaitingRequester ? ['start', 'pause'] : ['start'], t.createdAt, d.now, targets)!;
        d.set({ ...slaColumns(started), ...measuresBetween(null, started, targets) });
        d.event('sla_started', 'system', false, {});
      };
    case 'claim':
      return (d, p) => {
        const t = d.ticket;
        if (t.claimedBy !== null) return refuse('claim', t.state, 'holder', `The ticket is held by ${t.claimedBy}.`);
        const actor = moderatorActor(command.moderator);
        // Picking the ticket up is the first response: the requester's page now says a moderator is on it.
        move(d, TicketState.InReview, p);
        const leaseExpiresAt = new Date(d.now.getTime() + p.leaseMs);
        d.set({ claimedBy: actor, claimedAt: d.now, leaseExpiresAt, updatedAt: d.now });
        d.event('claimed', actor, false, { lease_expires_at: leaseExpiresAt.toISOString() });
      };
    case 'renew_lease':
      return (d, p) => {
        const t = d.ticket;
        if (t.claimedBy !== moderatorActor(command.moderator)) return refuse('renew_lease', t.state, 'holder', NOT_HOLDER);
        d.set({ leaseExpiresAt: new Date(d.now.getTime() + p.leaseMs) });
        // The armed expiry timer wakes at the old time, sees the later lease and waits again (expire_lease).
        d.sync = 'none';
      };
    case 'release':
      return (d, p) => {
        const t = d.ticket;
        if (t.claimedBy !== moderatorActor(command.moderator)) return refuse('release', t.state, 'holder', NOT_HOLDER);
        move(d, TicketState.AwaitingReview, p);
        d.set({ ...UNCLAIMED, updatedAt: d.now }).event('released', moderatorActor(command.moderator), false, {});
      };
    case 'expire_lease':
      return (d, p) => {
        const t = d.ticket;
        if (!t.claimedBy || !t.leaseExpiresAt) return refuse('expire_lease', t.state, 'holder', 'Nobody holds this ticket.');
        if (t.leaseExpiresAt > d.now) {
          // Renewed since the timer was armed: only its new expiry must be armed.
          d.resync = true;
          return;
        }
        move(d, TicketState.AwaitingReview, p);
        d.set({ ...UNCLAIMED, updatedAt: d.now }).event('lease_expired', 'system', false, { held_by: t.claimedBy });
      };
    case 'reassign':
      return (d, p) => {
        const t = d.ticket;
        const to = moderatorActor(command.to);
        move(d, TicketState.InReview, p);
        d.set({ claimedBy: to, claimedAt: d.now, leaseExpiresAt: new Date(d.now.getTime() + p.leaseMs), updatedAt: d.now });
        d.event('reassigned', moderatorActor(command.moderator), false, { from: t.claimedBy, to });
      };
    case 'escalate':
      return (d, p) => {
        move(d, TicketState.AwaitingReview, p);
        d.set({ ...UNCLAIMED, escalated: true, updatedAt: d.now });
        d.event('escalated', moderatorActor(command.moderator), false, { reason: command.reason });
      };
    case 'ask':
      return (d, p) => {
        const t = d.ticket;
        if (t.claimedBy !== moderatorActor(command.moderator)) return refuse('ask', t.state, 'holder', NOT_HOLDER);
        move(d, TicketState.AwaitingRequester, p);
        d.set({ ...UNCLAIMED, updatedAt: d.now });
        // The status page shows `message` as the question and takes the answer.
        d.event('info_requested', moderatorActor(command.moderator), true, { message: command.message, template: command.template });
        d.mail(t.contactEmail, MailTemplate.InfoRequested, { reference: t.reference, username: t.username, message: command.message });
      };
    case 'answer':
      return (d, p) => {
        d.event('message', 'requester', true, { message: command.message });
        d.assess = 'message';
        // The answer puts the ticket back in the moderators' queue, and its clock runs again.
        move(d, TicketState.AwaitingReview, p);
        d.set({ updatedAt: d.now });
        d.event('state_changed', 'requester', false, { from: TicketState.AwaitingRequester, to: TicketState.AwaitingReview });
      };
    case 'add_information':
      return (d) => {
        d.event('message', 'requester', true, { message: command.message });
        d.assess = 'message';
        d.set({ updatedAt: d.now });
      };
    // Only tickets answered "use a recovery code" before routing stopped doing so (their timeline has a
    // recovery_codes_answer line) still wait on that answer: this is their way into the queue.
    case 'contest':
      return (d, p) => {
        if (command.waitingFor !== 'recovery_codes') return refuseState('contest', d.ticket.state);
        move(d, TicketState.AwaitingReview, p);
        d.set({ updatedAt: d.now });
        d.event('contested', 'requester', true, {
          public_text: "You told us you cannot use recovery codes. The request went to the moderators' queue.",
        });
      };
    case 'record_coc':
      return (d) => {
        const t = d.ticket;
        if (t.cocAcceptedAt) return refuse('record_coc', t.state, 'rule', 'A Code of Conduct acceptance is already on record for this ticket.');
        d.set({
          cocVersion: command.version,
          cocAcceptedAt: command.acceptedAt,
          cocMethod: command.method,
          cocRecordedBy: moderatorActor(command.moderator),
          updatedAt: d.now,
        });
        d.event('coc_recorded', moderatorActor(command.moderator), false, {
          version: command.version,
          accepted_at: command.acceptedAt.toISOString(),
          method: command.method,
        });
      };
    case 'note':
      return (d) => {
        d.event('note', moderatorActor(command.moderator), false, { message: command.message });
        d.sync = 'none';
      };
    case 'approve':
      return (d, p) => {
        const t = d.ticket;
        const actor = moderatorActor(command.moderator);
        if (t.claimedBy !== actor) return refuse('approve', t.state, 'holder', NOT_HOLDER);
        if (!t.cocAcceptedAt) {
          return refuse('approve', t.state, 'rule', 'The Code of Conduct acceptance is not on record: record how the requester accepted it first.');
        }
        if (!t.accountId) return refuse('approve', t.state, 'rule', 'There is no account with this username: nothing to recover.');
        if (d.recovery) return refuse('approve', t.state, 'rule', 'Another recovery of this account is already approved; only one may run at a time.');
        const guard = checkOverride(t, command.role, command.overrideReason);
        if (!guard.ok) return refuse('approve', t.state, 'rule', guard.message);
        // Against the evidence, a second senior must agree, whatever the approval policy found.
        const needsSecond = command.needsSecond || guard.against !== null;
        const recovery: RecoveryRow = {
          id: command.recoveryId,
          ticketId: t.id,
          accountId: t.accountId,
          activeKey: t.accountId,
          state: 'awaiting_second',
          resetAddress: command.resetAddress,
          needsSecond,
          override: guard.against !== null,
          overrideReason: guard.against ? command.overrideReason!.trim() : null,
          firstApprover: command.moderator,
          firstApprovedAt: d.now,
          secondApprover: null,
          secondApprovedAt: null,
          coolingOffMs: command.coolingOffMs,
          coolingOffEndsAt: null,
          stopTokenHash: null,
          resetTokenHash: null,
          resetIssuedAt: null,
          resetExpiresAt: null,
          resetUsedAt: null,
          closedAt: null,
          closedReason: null,
          createdAt: d.now,
        };
        d.recovery = recovery;
        d.recoveryWrite = { kind: 'insert', row: recovery };
        const decided = outcome(t, d.now, 'approved', actor);
        move(d, TicketState.Approved, p);
        d.set({ ...decided, ...UNCLAIMED, decidedAt: d.now, updatedAt: d.now });
        d.event('approved', actor, true, {
          needs_second: needsSecond,
          reasons: command.reasons,
          reset_to: maskEmail(command.resetAddress),
          cooling_off_ms: command.coolingOffMs,
          ...(command.reauthenticatedWith ? { reauthenticated_with: command.reauthenticatedWith } : {}),
          // Staff-only fields (the status page shows public_text): the override and its reason stay in the audit entry.
          ...(guard.against ? { against_recommendation: guard.against, override_reason: command.overrideReason!.trim() } : {}),
          public_text: needsSecond ? 'A moderator approved the recovery; a second moderator must approve it too.' : 'A moderator approved the recovery.',
        });
        // Without a second approval to wait for, the cooling-off starts at once.
        if (!needsSecond) startCoolingOff(d, command, p);
      };
    case 'second_approval':
      return (d, p) => {
        const t = d.ticket;
        const recovery = d.recovery;
        if (!recovery || recovery.state !== 'awaiting_second') return refuseState('second_approval', t.state);
        if (recovery.firstApprover === command.moderator) {
          return refuse('second_approval', t.state, 'rule', 'The second approval must come from a different senior moderator than the first.');
        }
        // Conditional on nobody having approved meanwhile: of two seniors approving at once, one wins.
        d.recoveryWrite = { kind: 'update', id: recovery.id, fromState: 'awaiting_second', where: { secondApprover: null }, changes: {} };
        d.recoveryUpdate({ secondApprover: command.moderator, secondApprovedAt: d.now });
        d.set({ updatedAt: d.now });
        d.event('second_approval', moderatorActor(command.moderator), true, {
          first: recovery.firstApprover,
          ...(command.reauthenticatedWith ? { reauthenticated_with: command.reauthenticatedWith } : {}),
          public_text: 'A second moderator approved the recovery.',
        });
        startCoolingOff(d, command, p);
      };
    case 'end_cooling_off':
      return (d, p) => {
        const t = d.ticket;
        const recovery = d.recovery;
        if (!recovery || recovery.state !== 'cooling_off' || !t.coolingOffEndsAt) return refuseState('end_cooling_off', t.state);
        if (t.coolingOffEndsAt > d.now) return refuse('end_cooling_off', t.state, 'not_due', 'The cooling-off has not ended yet.', t.coolingOffEndsAt);
        sendLink(d, command.resetToken, 'reset_link_sent', 'system', p);
        move(d, TicketState.ResetIssued, p);
        d.set({ coolingOffEndsAt: null, updatedAt: d.now });
      };
    case 'reissue_link':
      return (d, p) => {
        if (!d.recovery || d.recovery.state !== 'link_sent') return refuseState('reissue_link', d.ticket.state);
        sendLink(d, command.resetToken, 'reset_link_reissued', command.actor, p);
        d.set({ updatedAt: d.now });
      };
    case 'stop':
      return (d, p) => {
        const t = d.ticket;
        if (!d.recovery) return refuseState('stop', t.state);
        d.recoveryUpdate({ state: 'cancelled', activeKey: null, resetTokenHash: null, closedAt: d.now, closedReason: 'stopped_from_address_on_file' });
        close(d, TicketState.Cancelled, p);
        d.set({ updatedAt: d.now });
        d.event(
          'recovery_stopped',
          'account_owner',
          true,
          { public_text: 'The recovery was stopped from an address on the account. No reset link will be sent.' },
          command.ip,
        );
        d.mail(t.contactEmail, MailTemplate.RecoveryStopped, { reference: t.reference, username: t.username });
      };
    case 'complete':
      return (d, p) => {
        const t = d.ticket;
        const recovery = d.recovery;
        if (!recovery || recovery.state !== 'link_sent') return refuseState('complete', t.state);
        // The link works until its expiry only (a new one can be issued: reissue_link).
        if (!recovery.resetExpiresAt || recovery.resetExpiresAt <= d.now) return refuse('complete', t.state, 'rule', 'The reset link has expired.');
        // Conditional on the link still unused: two submissions at once cannot both set a password.
        d.recoveryWrite = { kind: 'update', id: recovery.id, fromState: 'link_sent', where: { resetTokenHash: command.resetTokenHash }, changes: {} };
        d.recoveryUpdate({ state: 'completed', resetUsedAt: d.now, activeKey: null, closedAt: d.now, closedReason: 'password_set' });
        close(d, TicketState.Completed, p);
        d.set({ updatedAt: d.now });
        d.event(
          'reset_completed',
          'requester',
          true,
          {
            public_text: 'A new password was set. Two-factor authentication and recovery codes were removed: add them again after you sign in.',
          },
          command.ip,
        );
        const context = { reference: t.reference, username: t.username, contact: p.opsEmail };
        for (const address of command.notify) d.mail(address, MailTemplate.RecoveryCompleted, context);
      };
    case 'deny':
      return (d, p) => {
        const t = d.ticket;
        const actor = moderatorActor(command.moderator);
        // The holder denies; a ticket waiting for a second approval is denied by a senior (checked by the caller).
        if (t.state === TicketState.InReview && t.claimedBy !== actor) return refuse('deny', t.state, 'holder', NOT_HOLDER);
        const decided = outcome(t, d.now, 'denied', actor);
        close(d, TicketState.Denied, p);
        d.set({ ...decided, decidedAt: t.decidedAt ?? d.now, updatedAt: d.now });
        endRecovery(d, 'denied', 'denied');
        d.event('denied', actor, true, { message: command.message, template: command.template, public_text: 'The request was denied.' });
        d.mail(t.contactEmail, MailTemplate.DecisionDenied, { reference: t.reference, username: t.username, message: command.message });
      };
    case 'withdraw':
      return (d, p) => {
        const decided = outcome(d.ticket, d.now, 'withdrawn', null);
        close(d, TicketState.Withdrawn, p);
        d.set({ ...decided, updatedAt: d.now });
        // Withdrawn while approved: no reset link may go out any more.
        endRecovery(d, 'cancelled', 'withdrawn');
        d.event('withdrawn', 'requester', true, {});
      };
    case 'close_unanswered':
      return (d, p) => {
        const t = d.ticket;
        if (!isUnanswered(t, command.cutoff)) return refuse('close_unanswered', t.state, 'rule', 'The requester answered, or has not waited long enough.');
        const waitingSince = t.slaPausedSince!;
        const decided = outcome(t, d.now, 'closed_no_response', null);
        close(d, TicketState.ClosedNoResponse, p);
        d.set({ ...decided, updatedAt: d.now });
        d.event('closed_no_response', 'system', true, { waiting_since: waitingSince.toISOString() });
        d.mail(t.contactEmail, MailTemplate.ClosedNoResponse, {
          reference: t.reference,
          username: t.username,
          waitingSince: utcMinute(waitingSince),
          contact: p.opsEmail,
          recoverUrl: `${p.publicBaseUrl}/recover`,
        });
      };
    case 'reopen':
      return (d, p) => {
        const t = d.ticket;
        // The ended cycle, for reports: the ticket's own columns then describe the new one.
        d.archive = {
          ticketId: t.id,
          cycle: t.slaCycle,
          requestType: t.requestType,
          startedAt: t.slaCycleStartedAt ?? t.createdAt,
          decidedAt: t.slaDecidedAt,
          decisionMs: t.slaDecisionMs,
          decisionMet: t.slaDecisionMet,
          outcome: t.outcome,
          decidedBy: t.decidedBy,
          handlingMs: t.handlingMs,
          closedAt: t.closedAt,
          reopenedAt: d.now,
        };
        move(d, TicketState.AwaitingReview, p);
        d.set({
          openKey: `${t.usernameKey}|${t.contactEmail}`,
          closedAt: null,
          decidedAt: null,
          outcome: null,
          decidedBy: null,
          handlingMs: null,
          updatedAt: d.now,
        });
        d.event('reopened', moderatorActor(command.moderator), false, { reason: command.reason, cycle: d.ticket.slaCycle });
      };
    case 'sla_due':
      return (d, p) => {
        const t = d.ticket;
        const state = slaStateOf(t);
        if (!state) return refuse('sla_due', t.state, 'rule', 'The SLA clock of this ticket does not run.');
        const marks = dueMarks(state, d.now);
        if (marks.length === 0) {
          return state.nextAt && state.nextAt > d.now
            ? refuse('sla_due', t.state, 'not_due', 'Nothing is due yet.', state.nextAt)
            : refuse('sla_due', t.state, 'rule', 'Nothing is due.');
        }
        const targets = p.targetsFor(t.requestType);
        const next = applyMarks(state, marks, targets);
        // Derived data, conditional on the levels read: two firings (or two workers) cannot both mark.
        d.lock = 'quiet';
        d.where = { slaResponseLevel: t.slaResponseLevel, slaDecisionLevel: t.slaDecisionLevel, slaCycle: t.slaCycle };
        d.set({ ...slaColumns(next), ...measuresBetween(state, next, targets) });
        d.marks = marks;
        // The timers' hot path brings Redis in line itself, right after the commit.
        d.sync = 'caller';
        for (const mark of marks) {
          const dueAt = mark.clock === 'response' ? t.responseDueAt : t.decisionDueAt;
          d.event(mark.level === 'breached' ? 'sla_breached' : 'sla_warning', 'system', false, {
            clock: mark.clock,
            due_at: dueAt?.toISOString() ?? null,
            cycle: t.slaCycle,
          });
          if (mark.level !== 'breached') continue;
          d.mail(p.opsEmail, MailTemplate.SlaBreach, {
            reference: t.reference,
            clock: mark.clock === 'response' ? 'first response' : 'decision',
            requestType: t.requestType,
            dueAt: dueAt?.toISOString() ?? 'unknown',
            holder: t.claimedBy,
          });
          if (p.slaWebhook) {
            d.webhooks.push({
              event: 'sla_breached',
              reference: t.reference,
              clock: mark.clock,
              request_type: t.requestType,
              due_at: dueAt?.toISOString() ?? null,
              breached_at: d.now.toISOString(),
            });
          }
        }
      };
  }
}

/** The jobs Redis should hold before and after, compared by id (a changed dispatch priority re-arms). */
function timersBetween(before: TicketRow | null, after: TicketRow, fastLane: boolean): Transition['timers'] {
  const was = new Map((before ? desiredJobs(before, fastLane) : []).map((job) => [job.id, job]));
  const now = desiredJobs(after, fastLane);
  const ids = new Set(now.map((job) => job.id));
  return {
    arm: now.filter((job) => was.get(job.id)?.priority !== job.priority || !was.has(job.id)),
    cancel: [...was.keys()].filter((id) => !ids.has(id)),
  };
}

/**
 * What `command` does to the ticket at `now`, or why it is refused. Every move is a row of the
 * transition table (ticket-transitions.ts); the SLA clock follows sla-steps.ts.
 */
export function decide(current: TicketAggregate, command: Command, now: Date, policy: WorkflowPolicy): Decision {
  const from: FromState = current.ticket ? current.ticket.state : NEW;
  if (!statesFor(command.type).includes(from)) return refuseState(command.type, from);
  const before = current.ticket ?? (command.type === 'submit' ? newTicketRow(command.ticket, now) : null);
  if (!before) return refuseState(command.type, from);
  // A new ticket is drafted from its first row, in the state before it existed.
  const draft = new Draft(command.type, current.ticket ? before : { ...before, state: NEW as unknown as TicketState }, current.recovery, now);
  const refusal = stepFor(command)(draft, policy);
  if (refusal) return refusal;
  const changed = Object.keys(draft.changes).length > 0;
  const versioned = current.ticket !== null && changed && draft.lock === 'version';
  // A person's change is applied only to the version read, and moves the version on.
  const after = versioned ? { ...draft.ticket, version: before.version + 1 } : draft.ticket;
  if (!inTable(command.type, from, after.state)) {
    throw new Error(`ticket-workflow: "${command.type}" moved a ticket from ${from} to ${after.state}, which the transition table does not allow`);
  }
  const timers = timersBetween(current.ticket, after, policy.fastLane);
  const write: TicketWrite = !current.ticket
    ? { kind: 'insert', row: after }
    : changed
      ? { kind: 'update', changes: draft.changes, lock: draft.lock, where: versioned ? { ...draft.where, version: before.version } : draft.where }
      : { kind: 'none' };
  const jobsChanged = timers.arm.length > 0 || timers.cancel.length > 0 || draft.resync;
  return {
    refused: false,
    command: command.type,
    from,
    to: after.state,
    ticket: after,
    recovery: draft.recovery,
    write,
    recoveryWrite: draft.recoveryWrite,
    archive: draft.archive,
    events: draft.events,
    audit: draft.audit,
    timers,
    sync: draft.sync === 'auto' ? (jobsChanged ? 'outbox' : 'none') : draft.sync,
    mails: draft.mails,
    assess: draft.assess,
    webhooks: draft.webhooks,
    marks: draft.marks,
  };
}

export const isRefusal = (decision: Decision): decision is Refusal => decision.refused;

/**
 * The ticket and its live recovery as TicketWriter leaves them after `transition`: what the next
 * `decide` reads (a recovery that ended is no longer the ticket's live one).
 */
export function aggregateAfter(transition: Transition): TicketAggregate {
  const recovery = transition.recovery && LIVE_RECOVERY_STATES.includes(transition.recovery.state) ? transition.recovery : null;
  return { ticket: transition.ticket, recovery };
}

/** The moderator holds the ticket: it is in review and claimed by them. */
export function heldBy(ticket: Pick<TicketRow, 'state' | 'claimedBy'>, moderator: string): boolean {
  return ticket.state === TicketState.InReview && ticket.claimedBy === moderatorActor(moderator);
}

/** A requester's message: an answer while the desk waits on them, added information otherwise. */
export function messageCommand(ticket: Pick<TicketRow, 'state'>, message: string): Command {
  return ticket.state === TicketState.AwaitingRequester ? { type: 'answer', message } : { type: 'add_information', message };
}

/** Which of `candidates` the workflow would take now: what a page may offer (the POST is decided again). */
export function allowedCommands(current: TicketAggregate, candidates: readonly Command[], now: Date, policy: WorkflowPolicy): CommandType[] {
  return candidates.filter((c) => !isRefusal(decide(current, c, now, policy))).map((c) => c.type);
}
