// One generated ticket with its whole life up to `now`: what the live app would have stored for it had it
// been submitted at `createdAt` and then routed, taken, questioned, decided, cooled off and closed (or
// reopened) at the instants drawn here. Pure: every SLA column and measure comes from the app's own
// clock functions (sla-clock.ts, sla-measures.ts, sla-columns.ts), the timers fire where the clock says
// they would, and transitions follow the services (ReviewService.closing and reopen, DecisionsService,
// ResetsService, StatusService). Nothing happens after `now`: a ticket whose next step lies in the future
// is left open in the state it has reached.
import {
  applyMarks, decideSla, dueMarks, pauseSla, reopenSla, respondSla, resumeSla, type SlaState, type SlaTargets, startSla,
} from '../sla/sla-clock.js';
import { measuresBetween, type SlaMeasures } from '../sla/sla-measures.js';
import type { Ticket, TicketCycle, TicketEvent } from '../tickets/ticket.entity.js';
import { isOpen, TicketState } from '../tickets/ticket-state.js';
import type { Outcome, RequestType, TicketEventType, Band, Recommendation } from '../tickets/ticket.types.js';
import { slaColumns } from '../tickets/ticket-sla.js';
import { bandFor } from '../scoring/assess.js';
import type { RiskFlag } from '../scoring/scoring.types.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** What the app's configuration decides about a ticket's life (AppConfig and the SLA policy). */
export interface HistoryRules {
  targetsFor(type: RequestType): SlaTargets;
  leaseMs: number;
  coolingOffMs: number;
  coolingOffLongMs: number;
  resetLinkTtlMs: number;
  /** CLOSE_UNANSWERED_AFTER: null (never) leaves unanswered tickets waiting on the requester. */
  closeUnansweredMs: number | null;
  /** The scoring rules' version, as assessments record it. */
  ruleVersion: string;
  codeOfConductVersion: string;
}

export type NewTicketEvent = Omit<TicketEvent, 'id'>;

export interface TicketHistory {
  ticket: Ticket;
  /** In the order they happened. */
  events: NewTicketEvent[];
  /** Cycles that ended before a reopen. */
  cycles: TicketCycle[];
}

/** Who decides, and how many of the tickets each takes: a small desk with two seniors. */
const SEED_MODERATORS: ReadonlyArray<{ name: string; weight: number; pace: number; senior: boolean }> = [
  { name: 'alice', weight: 22, pace: 0.8, senior: true },
  { name: 'bruno', weight: 18, pace: 1.0, senior: false },
  { name: 'chen', weight: 16, pace: 1.3, senior: false },
  { name: 'dara', weight: 14, pace: 0.9, senior: true },
  { name: 'emeka', weight: 12, pace: 1.1, senior: false },
  { name: 'fatima', weight: 10, pace: 1.6, senior: false },
  { name: 'gus', weight: 8, pace: 1.0, senior: false },
];

/** Shares of the request types: lost second factors dominate, as on a package index. */
const SEED_TYPE_WEIGHTS: ReadonlyArray<readonly [RequestType, number]> = [
  ['lost_2fa', 40], ['lost_email_access', 22], ['forgot_password', 15], ['lost_recovery_codes', 13], ['compromised', 10],
];

const INFO_TEMPLATES: ReadonlyArray<readonly [string, string]> = [
  ['old-addresses', 'Which e-mail addresses were on the account before?'],
  ['projects-and-dates', 'Which projects did you release, and roughly when?'],
  ['repository-access', 'Can you push to the repository of one of the projects?'],
  ['free-question', 'Please tell us more about how you lost access.'],
];
const DENY_TEMPLATES = ['not-enough-evidence', 'what-would-help', 'pep-541', 'use-recovery-codes'];
const ANSWERS = [
  'I used old@example.net until 2019.', 'I released the first versions in 2017.', 'Yes, I pushed the branch you asked for.',
  'My phone with the authenticator was stolen.', 'The old address was at my previous employer.',
];
const ESCALATION_REASONS = ['High-value account: a senior should decide.', 'Conflicting evidence.', 'Possible takeover attempt.'];
const REOPEN_REASONS = ['The requester wrote back with new evidence.', 'The requester answered by mail after the closing.'];

function weighted<T>(random: () => number, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let x = random() * total;
  for (const [value, w] of items) {
    x -= w;
    if (x < 0) return value;
  }
  return items[items.length - 1][0];
}

/** A standard normal draw (Box–Muller). */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A duration with a long right tail, as waits and handling times are: `median` × e^(σ·N(0,1)). */
function lognormal(random: () => number, median: number, sigma: number): number {
  return Math.round(median * Math.exp(sigma * normal(random)));
}

function moderator(random: () => number, seniorOnly = false, not?: string): string {
  const pool = SEED_MODERATORS.filter((m) => (!seniorOnly || m.senior) && m.name !== not);
  return weighted(random, pool.map((m) => [m.name, m.weight] as const));
}

const paceOf = (name: string) => SEED_MODERATORS.find((m) => m.name === name)?.pace ?? 1;
const actor = (name: string) => `moderator:${name}`;
const iso = (ms: number) => new Date(ms).toISOString();

/** Most tickets picked up at the weekend wait for Monday: the desk works weekdays, with some cover. */
function onWorkingDay(random: () => number, at: number): number {
  const day = new Date(at).getUTCDay();
  if ((day !== 0 && day !== 6) || random() < 0.4) return at;
  const monday = Math.floor(at / DAY) * DAY + (day === 6 ? 2 : 1) * DAY;
  return monday + 7 * HOUR + Math.floor(random() * 10 * HOUR);
}

/** Weeks before `now` over which the desk has fallen behind (more requests than it decides). */
const BACKLOG_BUILDING_MS = 8 * 7 * DAY;

/**
 * How far behind the desk is at `at`, as a factor on queue waits: over the year-end holidays and in
 * August, and increasingly over the last weeks (the backlog the reports should show building up).
 */
function deskLoad(at: number, now: number): number {
  const date = new Date(at);
  const month = date.getUTCMonth();
  const season = (month === 11 && date.getUTCDate() >= 20) || (month === 0 && date.getUTCDate() <= 6) ? 2.5 : month === 7 ? 1.6 : 1;
  return season * (1 + 3 * Math.max(0, 1 - (now - at) / BACKLOG_BUILDING_MS));
}

/** The ticket's state as the services leave it, changed step by step, with its timeline. */
class Life {
  readonly events: NewTicketEvent[] = [];
  readonly cycles: TicketCycle[] = [];
  clock: SlaState;
  measures: SlaMeasures = { slaResponseMs: null, slaResponseMet: null, slaDecisionMs: null, slaDecisionMet: null };
  state = TicketState.Submitted;
  version = 1;
  updatedAt: number;
  claimedBy: string | null = null;
  claimedAt: number | null = null;
  leaseExpiresAt: number | null = null;
  outcome: Outcome | null = null;
  decidedBy: string | null = null;
  handlingMs: number | null = null;
  decidedAt: number | null = null;
  closedAt: number | null = null;
  coolingOffEndsAt: number | null = null;
  escalated = false;

  constructor(readonly id: string, readonly createdAt: number, readonly now: number, readonly targets: SlaTargets) {
    this.clock = startSla(new Date(createdAt), targets);
    this.updatedAt = createdAt;
  }

  /**
   * Whether the instant has come by `now`. The SLA timers due until then fire first (or until `now`,
   * when it has not come: the ticket stops there).
   */
  reach(at: number): boolean {
    this.fire(Math.min(at, this.now));
    return at <= this.now;
  }

  /** SlaService.fire at each instant a timer was armed for (the clock's nextAt), while the ticket is open. */
  private fire(until: number): void {
    while (isOpen(this.state) && this.clock.nextAt && this.clock.nextAt.getTime() <= until) {
      const at = this.clock.nextAt;
      const marks = dueMarks(this.clock, at);
      if (marks.length === 0) return;
      const before = this.clock;
      this.setClock(applyMarks(before, marks, this.targets));
      for (const mark of marks) {
        const dueAt = mark.clock === 'response' ? before.responseDueAt : before.decisionDueAt;
        this.event(mark.level === 'breached' ? 'sla_breached' : 'sla_warning', 'system', false, at.getTime(),
          { clock: mark.clock, due_at: dueAt?.toISOString() ?? null, cycle: before.cycle });
      }
    }
  }

  /** The clock's new state with the measures that changed (SlaService.change). */
  private setClock(next: SlaState): void {
    Object.assign(this.measures, measuresBetween(this.clock, next, this.targets));
    this.clock = next;
  }

  sla(step: (s: SlaState, now: Date, t: SlaTargets) => SlaState, at: number): void {
    this.setClock(step(this.clock, new Date(at), this.targets));
  }

  event(type: TicketEventType, by: string, isPublic: boolean, at: number, data: Record<string, unknown> = {}): void {
    this.events.push({ ticketId: this.id, type, actor: by, public: isPublic, data, createdAt: new Date(at) });
  }

  /** A change a person or a service made through updateTicketIfUnchanged: the version goes up. */
  change(state: TicketState, at: number): void {
    this.state = state;
    this.version += 1;
    this.updatedAt = at;
  }

  claim(name: string, at: number, leaseMs: number): void {
    if (this.clock.firstRespondedAt === null) this.sla(respondSla, at);
    this.claimedBy = actor(name);
    this.claimedAt = at;
    this.leaseExpiresAt = at + leaseMs;
    this.change(TicketState.InReview, at);
    this.event('claimed', actor(name), false, at, { lease_expires_at: iso(at + leaseMs) });
  }

  /** ReviewService.closing: the clocks stop, the claim ends, the outcome is recorded. */
  closing(outcome: Outcome, at: number, by: string | null = null): void {
    this.sla(decideSla, at);
    if (outcome === 'approved' || outcome === 'denied') {
      this.outcome = outcome;
      this.decidedBy = by;
      this.handlingMs = this.claimedAt !== null ? at - this.claimedAt : null;
    } else if (this.outcome === null) {
      this.outcome = outcome;
      this.decidedBy = null;
      this.handlingMs = null;
    }
    this.claimedBy = null;
    this.claimedAt = null;
    this.leaseExpiresAt = null;
  }

  close(state: TicketState, at: number): void {
    this.closedAt = at;
    this.coolingOffEndsAt = null;
    this.change(state, at);
  }

  /** ReviewService.reopen: the ended cycle is kept for reports, a new one starts. */
  reopen(requestType: RequestType, name: string, reason: string, at: number): void {
    this.cycles.push({
      ticketId: this.id, cycle: this.clock.cycle, requestType, startedAt: this.clock.cycleStartedAt, decidedAt: this.clock.decidedAt,
      decisionMs: this.measures.slaDecisionMs, decisionMet: this.measures.slaDecisionMet, outcome: this.outcome, decidedBy: this.decidedBy,
      handlingMs: this.handlingMs, closedAt: this.closedAt === null ? null : new Date(this.closedAt), reopenedAt: new Date(at),
    });
    this.sla(reopenSla, at);
    this.closedAt = null;
    this.decidedAt = null;
    this.outcome = null;
    this.decidedBy = null;
    this.handlingMs = null;
    this.change(TicketState.AwaitingReview, at);
    this.event('reopened', actor(name), false, at, { reason, cycle: this.clock.cycle });
  }
}

/** Who the ticket is from, as generated: `serial` makes the reference, the username and the id unique. */
export interface TicketIdentity {
  id: string;
  reference: string;
  username: string;
  contactEmail: string;
}

/**
 * The ticket `identity` submitted at `createdAt`, lived until `now`. `random` is this ticket's own
 * PRNG, so a ticket does not change when others are added.
 */
export function ticketHistory(random: () => number, identity: TicketIdentity, createdAt: number, now: number, rules: HistoryRules): TicketHistory {
  const requestType = weighted(random, SEED_TYPE_WEIGHTS);
  const targets = rules.targetsFor(requestType);
  const life = new Life(identity.id, createdAt, now, targets);
  const compromised = requestType === 'compromised';
  const assessment = assess(random, requestType);
  let assessedAt: number | null = null;

  const run = (): void => {
    life.event('submitted', 'requester', true, createdAt, { coc_version: rules.codeOfConductVersion });
    const routedAt = createdAt + 5 * SECOND + Math.floor(random() * 85 * SECOND);
    if (!life.reach(routedAt)) return;
    assessedAt = routedAt;
    life.event('assessed', 'system', false, routedAt, {
      trigger: 'submitted', score: assessment.score, band: assessment.band, recommendation: assessment.recommendation,
      rule_version: rules.ruleVersion, risk_flags: assessment.flags,
    });
    let queuedAt = routedAt;
    if (assessment.flags.includes('unused_recovery_codes')) {
      // ReviewService.routeInside: the recovery-code advice, waiting on the requester with the clock paused.
      life.sla(pauseSla, routedAt);
      life.change(TicketState.AwaitingRequester, routedAt);
      life.event('recovery_codes_answer', 'system', true, routedAt);
      const choice = random();
      if (choice < 0.55) {
        const at = routedAt + lognormal(random, DAY, 1);
        if (withinAnswerWindow(routedAt, at)) return withdraw(at);
        return closeUnanswered(routedAt);
      }
      if (choice < 0.85) {
        const at = routedAt + lognormal(random, 6 * HOUR, 1);
        if (!withinAnswerWindow(routedAt, at)) return closeUnanswered(routedAt);
        if (!life.reach(at)) return;
        life.sla(resumeSla, at);
        life.change(TicketState.AwaitingReview, at);
        life.event('contested', 'requester', true, at);
        queuedAt = at;
      } else {
        return closeUnanswered(routedAt);
      }
    } else {
      life.change(TicketState.AwaitingReview, routedAt);
      life.event('routed', 'system', false, routedAt);
    }
    return review(queuedAt, 0, false);
  };

  const withinAnswerWindow = (askedAt: number, at: number) => rules.closeUnansweredMs === null || at - askedAt < rules.closeUnansweredMs;

  /**
   * Waits in the queue from `queuedAt`, is taken and worked on; `round` counts questions asked in this
   * cycle; an escalated ticket waits for a senior moderator.
   */
  const review = (queuedAt: number, round: number, reopened: boolean, escalated = false): void => {
    const median = escalated ? 2 * DAY : compromised ? 3 * HOUR : round > 0 ? 14 * HOUR : reopened ? 16 * HOUR : 22 * HOUR;
    const claimAt = onWorkingDay(random, queuedAt + lognormal(random, median * deskLoad(queuedAt, now), 0.95));
    // Some requesters give up waiting (or get back in on their own) and withdraw.
    if (round === 0 && !reopened && !escalated && random() < 0.07) {
      const at = queuedAt + lognormal(random, 1.5 * DAY, 1);
      if (at < claimAt) return withdraw(at);
    }
    if (!life.reach(claimAt)) return;
    const name = moderator(random, escalated);
    life.claim(name, claimAt, rules.leaseMs);
    const actAt = claimAt + Math.max(MINUTE, lognormal(random, 15 * MINUTE * paceOf(name), 0.8));
    if (!life.reach(actAt)) {
      // Still on the moderator's screen: the open page renews the lease (ReviewService.renewLease).
      if (life.leaseExpiresAt! < now) life.leaseExpiresAt = now + Math.floor(random() * rules.leaseMs);
      return;
    }
    if (!escalated && random() < (compromised ? 0.1 : 0.04)) {
      // ReviewService.escalate: released to the queue, marked for a senior moderator.
      life.claimedBy = null;
      life.claimedAt = null;
      life.leaseExpiresAt = null;
      life.escalated = true;
      life.change(TicketState.AwaitingReview, actAt);
      life.event('escalated', actor(name), false, actAt, { reason: ESCALATION_REASONS[Math.floor(random() * ESCALATION_REASONS.length)] });
      return review(actAt, round, reopened, true);
    }
    const askChance = round >= 2 ? 0 : round === 1 ? 0.15 : { strong: 0.1, moderate: 0.3, weak: 0.5, insufficient: 0.3 }[assessment.band];
    if (random() < askChance) return ask(name, actAt, round, reopened);
    const approveChance = { strong: 0.95, moderate: 0.85, weak: 0.62, insufficient: 0.25 }[assessment.band] + (round > 0 ? 0.15 : 0);
    if (random() < approveChance) return approve(name, actAt);
    return deny(name, actAt, reopened);
  };

  /** DecisionsService.askForInformation, then the requester answers, withdraws, or falls silent. */
  const ask = (name: string, at: number, round: number, reopened: boolean): void => {
    life.sla(pauseSla, at);
    life.claimedBy = null;
    life.claimedAt = null;
    life.leaseExpiresAt = null;
    life.change(TicketState.AwaitingRequester, at);
    const [template, message] = INFO_TEMPLATES[Math.floor(random() * INFO_TEMPLATES.length)];
    life.event('info_requested', actor(name), true, at, { message, template });
    const choice = random();
    if (choice < 0.6) {
      const answeredAt = at + lognormal(random, 36 * HOUR, 1.2);
      if (!withinAnswerWindow(at, answeredAt)) return closeUnanswered(at, reopened);
      if (!life.reach(answeredAt)) return;
      // StatusService.addMessage: the answer puts the ticket back in the queue and the clock runs again.
      life.event('message', 'requester', true, answeredAt, { message: ANSWERS[Math.floor(random() * ANSWERS.length)] });
      life.sla(resumeSla, answeredAt);
      life.change(TicketState.AwaitingReview, answeredAt);
      life.event('state_changed', 'requester', false, answeredAt, { from: TicketState.AwaitingRequester, to: TicketState.AwaitingReview });
      return review(answeredAt, round + 1, reopened);
    }
    if (choice < 0.68) {
      const withdrawnAt = at + lognormal(random, 3 * DAY, 0.8);
      if (withinAnswerWindow(at, withdrawnAt)) return withdraw(withdrawnAt);
    }
    return closeUnanswered(at, reopened);
  };

  /** StatusService.withdraw. */
  const withdraw = (at: number): void => {
    if (!life.reach(at)) return;
    life.closing('withdrawn', at);
    life.close(TicketState.Withdrawn, at);
    life.event('withdrawn', 'requester', true, at);
  };

  /** No answer within CLOSE_UNANSWERED_AFTER: closed by the desk; some requesters come back later. */
  const closeUnanswered = (askedAt: number, reopened = false): void => {
    if (rules.closeUnansweredMs === null) return;
    const at = askedAt + rules.closeUnansweredMs + Math.floor(random() * 10 * MINUTE);
    if (!life.reach(at)) return;
    life.closing('closed_no_response', at);
    life.close(TicketState.ClosedNoResponse, at);
    life.event('state_changed', 'system', true, at, {
      from: TicketState.AwaitingRequester, to: TicketState.ClosedNoResponse, public_text: 'Closed because we did not hear back from you.',
    });
    if (!reopened && random() < 0.12) reopen(at);
  };

  /** DecisionsService.deny. */
  const deny = (name: string, at: number, reopened: boolean): void => {
    life.closing('denied', at, actor(name));
    life.decidedAt ??= at;
    life.close(TicketState.Denied, at);
    life.event('denied', actor(name), true, at, { template: DENY_TEMPLATES[Math.floor(random() * DENY_TEMPLATES.length)], public_text: 'The request was denied.' });
    if (!reopened && random() < 0.025) reopen(at);
  };

  const reopen = (closedAt: number): void => {
    const at = closedAt + Math.max(HOUR, lognormal(random, 5 * DAY, 0.9));
    if (!life.reach(at)) return;
    life.reopen(requestType, moderator(random), REOPEN_REASONS[Math.floor(random() * REOPEN_REASONS.length)], at);
    review(at, 0, true);
  };

  /** DecisionsService.approve (and secondApproval), then ResetsService: cooling-off, reset link, new password. */
  const approve = (name: string, at: number): void => {
    const needsSecond = assessment.flags.includes('second_moderator_required') || random() < 0.08;
    const long = assessment.flags.includes('high_value_account') || needsSecond || random() < 0.35;
    const coolingOffMs = long ? rules.coolingOffLongMs : rules.coolingOffMs;
    life.closing('approved', at, actor(name));
    life.decidedAt = at;
    life.event('approved', actor(name), true, at, {
      needs_second: needsSecond, cooling_off_ms: coolingOffMs,
      public_text: needsSecond ? 'A moderator approved the recovery; a second moderator must approve it too.' : 'A moderator approved the recovery.',
    });
    let coolingFrom = at;
    if (needsSecond) {
      life.change(TicketState.Approved, at);
      const secondAt = at + Math.max(5 * MINUTE, lognormal(random, 5 * HOUR, 1));
      if (!life.reach(secondAt)) return;
      life.event('second_approval', actor(moderator(random, true, name)), true, secondAt, { first: name, public_text: 'A second moderator approved the recovery.' });
      coolingFrom = secondAt;
    }
    const endsAt = coolingFrom + coolingOffMs;
    life.event('cooling_off_started', 'system', true, coolingFrom, { ends_at: iso(endsAt), notified: 1 + Math.floor(random() * 3) });
    life.coolingOffEndsAt = endsAt;
    life.change(TicketState.CoolingOff, coolingFrom);
    if (random() < 0.025) {
      // Someone reading an address on file used the stop link (ResetsService.stop); the decision stands.
      const stoppedAt = coolingFrom + Math.floor(random() * coolingOffMs);
      if (!life.reach(stoppedAt)) return;
      life.close(TicketState.Cancelled, stoppedAt);
      life.event('recovery_stopped', 'account_owner', true, stoppedAt, { public_text: 'The recovery was stopped from an address on the account.' });
      return;
    }
    let linkAt = endsAt + SECOND + Math.floor(random() * 20 * SECOND);
    if (!life.reach(linkAt)) return;
    const to = `${identity.username[0]}***@example.org`;
    life.coolingOffEndsAt = null;
    life.change(TicketState.ResetIssued, linkAt);
    life.event('reset_link_sent', 'system', true, linkAt, { to, expires_at: iso(linkAt + rules.resetLinkTtlMs) });
    let usedAt = linkAt + Math.max(MINUTE, lognormal(random, 2 * HOUR, 1.3));
    if (usedAt >= linkAt + rules.resetLinkTtlMs) {
      // The link ran out unused: a moderator sends a new one when the requester asks (ResetsService.reissue).
      linkAt += rules.resetLinkTtlMs + Math.max(HOUR, lognormal(random, DAY, 0.8));
      if (!life.reach(linkAt)) return;
      life.updatedAt = linkAt;
      life.event('reset_link_reissued', actor(moderator(random)), false, linkAt, { to, expires_at: iso(linkAt + rules.resetLinkTtlMs) });
      usedAt = linkAt + Math.min(rules.resetLinkTtlMs - MINUTE, Math.max(MINUTE, lognormal(random, 30 * MINUTE, 1)));
    }
    if (!life.reach(usedAt)) return;
    life.close(TicketState.Completed, usedAt);
    life.event('reset_completed', 'requester', true, usedAt, { public_text: 'A new password was set.' });
  };

  run();
  life.reach(now); // timers of a ticket still open fire up to now
  const at = (ms: number | null) => (ms === null ? null : new Date(ms));
  const open = isOpen(life.state);
  const usernameKey = identity.username.toLowerCase();
  const ticket: Ticket = {
    id: identity.id, reference: identity.reference, username: identity.username, usernameKey, accountId: null,
    contactEmail: identity.contactEmail, requestType,
    claims: { previousEmails: [], projects: [], joinedApprox: null, has2fa: 'unknown', hasRecoveryCodes: 'unknown', details: '' },
    state: life.state, openKey: open ? `${usernameKey}|${identity.contactEmail}` : null, competing: false,
    cocVersion: rules.codeOfConductVersion, cocAcceptedAt: new Date(createdAt), cocMethod: null, cocRecordedBy: null,
    delayAcknowledgedAt: new Date(createdAt), createdAt: new Date(createdAt), updatedAt: new Date(life.updatedAt),
    decidedAt: at(life.decidedAt), closedAt: at(life.closedAt),
    score: assessedAt === null ? null : assessment.score, band: assessedAt === null ? null : assessment.band,
    recommendation: assessedAt === null ? null : assessment.recommendation,
    // As EvidenceService stores them: space-separated between spaces, a lone space for none.
    riskFlags: assessedAt === null ? null : ` ${assessment.flags.join(' ')}${assessment.flags.length ? ' ' : ''}`,
    ruleVersion: assessedAt === null ? null : rules.ruleVersion, assessedAt: at(assessedAt),
    claimedBy: life.claimedBy, claimedAt: at(life.claimedAt), leaseExpiresAt: at(life.leaseExpiresAt), escalated: life.escalated,
    coolingOffEndsAt: at(life.coolingOffEndsAt),
    ...slaColumns(life.clock),
    ...life.measures,
    outcome: life.outcome, decidedBy: life.decidedBy, handlingMs: life.handlingMs,
    version: life.version,
  };
  return { ticket, events: life.events, cycles: life.cycles };
}

/** The first assessment: at most 60, under the knowledge-only cap (65), so no ticket starts `strong` (75). */
function assess(random: () => number, type: RequestType): { score: number; band: Band; recommendation: Recommendation; flags: RiskFlag[] } {
  const score = Math.max(0, Math.min(60, Math.round(32 + 16 * normal(random))));
  const band = bandFor(score);
  const flags: RiskFlag[] = [];
  if (random() < 0.04) flags.push('primary_email_changed_recently');
  if (random() < (type === 'compromised' ? 0.25 : 0.08)) flags.push('high_value_account');
  if (flags.length) flags.push('second_moderator_required');
  if (type === 'lost_2fa' && random() < 0.08) flags.push('unused_recovery_codes');
  return { score, band, recommendation: band === 'insufficient' && score < 8 ? 'deny' : 'request_info', flags };
}
