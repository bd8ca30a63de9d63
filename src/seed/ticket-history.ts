// One generated ticket with its whole life up to `now`: what the live app would have stored for it had it
// been submitted at `createdAt` and then routed, taken, questioned, decided, cooled off and closed (or
// reopened) at the instants drawn here. The lifecycle is the app's own: every step is a command sent
// through `decide` (ticket-workflow.ts) and applied to the rows in memory as TicketWriter applies it to
// the database, so states, SLA columns, measures, timeline lines, earlier cycles and recoveries are
// exactly what the workflow makes. What is drawn here is only who sends which command when; a command
// the workflow refuses is replaced by another (an approval of a request naming no account becomes a
// denial, an expired reset link is reissued). SLA timers fire (`sla_due`) where the clock says they
// would. Nothing happens after `now`: a ticket whose next step lies in the future stays where it is.
import type { RiskFlag } from '../scoring/scoring.types.js';
import { bandFor } from '../scoring/assess.js';
import { againstRecommendation } from '../tickets/approval-guard.js';
import { isOpen } from '../tickets/ticket-state.js';
import {
  aggregateAfter,
  type Command,
  decide,
  isRefusal,
  type Refusal,
  type TicketAggregate,
  type Transition,
  type WorkflowPolicy,
} from '../tickets/ticket-workflow.js';
import {
  type Band,
  moderatorActor,
  type Recommendation,
  type RecoveryRow,
  type RequestType,
  type TicketCycleRow,
  type TicketRow,
  type TimelineEntry,
} from '../tickets/ticket.types.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * What the app's configuration decides about a ticket's life: the workflow's own policy (SLA targets,
 * lease, reset link) and what the services add (the approval policy's cooling-off periods, the closing
 * of unanswered tickets, the versions assessments and submissions record).
 */
export interface HistoryRules extends WorkflowPolicy {
  coolingOffMs: number;
  coolingOffLongMs: number;
  /** CLOSE_UNANSWERED_AFTER: null (never) leaves unanswered tickets waiting on the requester. */
  closeUnansweredMs: number | null;
  /** The scoring rules' version, as assessments record it. */
  ruleVersion: string;
  codeOfConductVersion: string;
}

export type NewTicketEvent = TimelineEntry;

export interface TicketHistory {
  ticket: TicketRow;
  /** In the order they happened. */
  events: NewTicketEvent[];
  /** Cycles that ended before a reopen. */
  cycles: TicketCycleRow[];
  /** Every recovery an approval started, as it stands at `now`. */
  recoveries: RecoveryRow[];
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
  ['lost_2fa', 40],
  ['lost_email_access', 22],
  ['forgot_password', 15],
  ['lost_recovery_codes', 13],
  ['compromised', 10],
];

/** Requests naming a username the directory does not hold: the workflow refuses to approve them. */
const NO_ACCOUNT_SHARE = 0.02;

const INFO_TEMPLATES: ReadonlyArray<readonly [string, string]> = [
  ['old-addresses', 'Which e-mail addresses were on the account before?'],
  ['projects-and-dates', 'Which projects did you release, and roughly when?'],
  ['repository-access', 'Can you push to the repository of one of the projects?'],
  ['free-question', 'Please tell us more about how you lost access.'],
];
const DENY_TEMPLATES: ReadonlyArray<readonly [string, string]> = [
  ['not-enough-evidence', 'We could not confirm that you own the account.'],
  ['what-would-help', 'We could not confirm that you own the account; a release signed with your key would help.'],
  ['pep-541', 'The account is not yours to take over; see PEP 541 for abandoned projects.'],
  ['use-recovery-codes', 'Please sign in with one of your recovery codes.'],
];
const ANSWERS = [
  'I used old@example.net until 2019.',
  'I released the first versions in 2017.',
  'Yes, I pushed the branch you asked for.',
  'My phone with the authenticator was stolen.',
  'The old address was at my previous employer.',
];
const ESCALATION_REASONS = ['High-value account: a senior should decide.', 'Conflicting evidence.', 'Possible takeover attempt.'];
const REOPEN_REASONS = ['The requester wrote back with new evidence.', 'The requester answered by mail after the closing.'];
const ON_FILE_DOMAINS = ['example.org', 'example.net', 'example.com'];

function weighted<T>(random: () => number, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let x = random() * total;
  for (const [value, w] of items) {
    x -= w;
    if (x < 0) return value;
  }
  return items[items.length - 1][0];
}

const pickFrom = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];

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
  return weighted(
    random,
    pool.map((m) => [m.name, m.weight] as const),
  );
}

const paceOf = (name: string) => SEED_MODERATORS.find((m) => m.name === name)?.pace ?? 1;

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

/**
 * An id made from the ticket's (a UUIDv7 unique across runs: its last digits are the serial) by setting
 * the version digit to 8 (custom) and the next one to `tag`: unique per ticket and tag, and never a ticket's.
 */
const derivedId = (ticketId: string, tag: number): string => `${ticketId.slice(0, 14)}8${tag.toString(16)}${ticketId.slice(16)}`;
const ACCOUNT_TAG = 0xa;
const RECOVERY_TAG = 0xc;

/**
 * The ticket as the database would hold it, changed only by the workflow's transitions (and by the
 * assessment, which stores derived columns beside them as the scoring pipeline does).
 */
class Life {
  current: TicketAggregate = { ticket: null, recovery: null };
  readonly events: NewTicketEvent[] = [];
  readonly cycles: TicketCycleRow[] = [];
  readonly recoveries = new Map<string, RecoveryRow>();

  constructor(
    readonly now: number,
    private readonly policy: WorkflowPolicy,
    private readonly observe?: (transition: Transition) => void,
  ) {}

  get ticket(): TicketRow {
    return this.current.ticket!;
  }

  /** The command decided at `at`: applied if taken; a refusal changes nothing. */
  try(command: Command, at: number): Transition | Refusal {
    const decision = decide(this.current, command, new Date(at), this.policy);
    if (!isRefusal(decision)) this.apply(decision);
    return decision;
  }

  /** The first of `commands` the workflow takes at `at`. None taken is a mistake of this generator. */
  send(at: number, ...commands: Command[]): Transition {
    let refusal: Refusal | undefined;
    for (const command of commands) {
      const decision = this.try(command, at);
      if (!isRefusal(decision)) return decision;
      refusal = decision;
    }
    throw new Error(`seed: ${this.ticket.reference}: "${refusal!.command}" refused in ${refusal!.state} (${refusal!.reason}): ${refusal!.message}`);
  }

  /** What TicketWriter.apply stores: the row after, its timeline, the archived cycle, the recovery. */
  private apply(transition: Transition): void {
    this.current = aggregateAfter(transition);
    for (const event of transition.events) this.events.push(event);
    if (transition.archive) this.cycles.push(transition.archive);
    if (transition.recoveryWrite && transition.recovery) this.recoveries.set(transition.recovery.id, transition.recovery);
    this.observe?.(transition);
  }

  /** Whether the instant has come by `now`. The SLA timers due until then fire first (or until `now`). */
  reach(at: number): boolean {
    this.fire(Math.min(at, this.now));
    return at <= this.now;
  }

  /** The timers worker's `sla_due` at each instant the clock armed (slaNextAt), while the ticket is open. */
  private fire(until: number): void {
    for (;;) {
      const ticket = this.current.ticket;
      if (!ticket || !isOpen(ticket.state) || !ticket.slaNextAt || ticket.slaNextAt.getTime() > until) return;
      this.send(ticket.slaNextAt.getTime(), { type: 'sla_due' });
    }
  }

  /** The scoring pipeline's first assessment: the summary columns (no new version) and the timeline line. */
  assessed(at: number, a: Assessment, ruleVersion: string): void {
    const ticket = this.ticket;
    this.current = {
      ...this.current,
      ticket: {
        ...ticket,
        score: a.score,
        band: a.band,
        recommendation: a.recommendation,
        riskFlags: a.flags.length ? ` ${a.flags.join(' ')} ` : ' ',
        ruleVersion,
        assessedAt: new Date(at),
      },
    };
    this.events.push({
      ticketId: ticket.id,
      type: 'assessed',
      actor: 'system',
      public: false,
      createdAt: new Date(at),
      data: { trigger: 'submitted', score: a.score, band: a.band, recommendation: a.recommendation, rule_version: ruleVersion, risk_flags: a.flags },
    });
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
 * PRNG, so a ticket does not change when others are added. `observe` hears every transition applied.
 */
export function ticketHistory(
  random: () => number,
  identity: TicketIdentity,
  createdAt: number,
  now: number,
  rules: HistoryRules,
  observe?: (transition: Transition) => void,
): TicketHistory {
  const requestType = weighted(random, SEED_TYPE_WEIGHTS);
  const hasAccount = random() >= NO_ACCOUNT_SHARE;
  const compromised = requestType === 'compromised';
  const assessment = assess(random, requestType, hasAccount);
  const life = new Life(now, rules, observe);
  const usernameKey = identity.username.toLowerCase();
  const onFile = `${usernameKey}@${pickFrom(random, ON_FILE_DOMAINS)}`;
  let resetLinks = 0;

  const run = (): void => {
    life.send(createdAt, {
      type: 'submit',
      ip: '',
      statusUrl: '',
      ticket: {
        id: identity.id,
        reference: identity.reference,
        username: identity.username,
        usernameKey,
        accountId: hasAccount ? derivedId(identity.id, ACCOUNT_TAG) : null,
        contactEmail: identity.contactEmail,
        requestType,
        claims: { previousEmails: [], projects: [], joinedApprox: null, has2fa: 'unknown', hasRecoveryCodes: 'unknown', details: '' },
        cocVersion: rules.codeOfConductVersion,
      },
    });
    const routedAt = createdAt + 5 * SECOND + Math.floor(random() * 85 * SECOND);
    if (!life.reach(routedAt)) return;
    life.assessed(routedAt, assessment, rules.ruleVersion);
    // Every ticket goes to the queue, whatever the account holds (one answer for every username).
    life.send(routedAt, { type: 'route' });
    return review(routedAt, 0, false);
  };

  const withinAnswerWindow = (askedAt: number, at: number) => rules.closeUnansweredMs === null || at - askedAt < rules.closeUnansweredMs;

  /**
   * The open page renews the holder's lease (ReviewService.renewLease) until they act at `actAt`, or
   * past `now` if they are still at it: each renewal comes before the lease runs out.
   */
  const hold = (name: string, actAt: number): void => {
    const until = actAt <= now ? actAt : now + 1;
    for (;;) {
      const lease = life.ticket.leaseExpiresAt!.getTime();
      if (lease >= until) return;
      // A page reloaded shortly before the lease runs out (each renewal is a decision of its own: few of them).
      const at = lease - Math.floor(rules.leaseMs * (0.05 + 0.2 * random()));
      life.reach(at);
      life.send(at, { type: 'renew_lease', moderator: name });
    }
  };

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
    life.send(claimAt, { type: 'claim', moderator: name });
    const actAt = claimAt + Math.max(MINUTE, lognormal(random, 15 * MINUTE * paceOf(name), 0.8));
    hold(name, actAt);
    if (!life.reach(actAt)) return;
    if (!escalated && random() < (compromised ? 0.1 : 0.04)) {
      // Released to the queue, marked for a senior moderator.
      life.send(actAt, { type: 'escalate', moderator: name, reason: pickFrom(random, ESCALATION_REASONS) });
      return review(actAt, round, reopened, true);
    }
    const askChance = round >= 2 ? 0 : round === 1 ? 0.15 : { strong: 0.1, moderate: 0.3, weak: 0.5, insufficient: 0.3 }[assessment.band];
    if (random() < askChance) return ask(name, actAt, round, reopened);
    const approveChance = { strong: 0.95, moderate: 0.85, weak: 0.62, insufficient: 0.25 }[assessment.band] + (round > 0 ? 0.15 : 0);
    if (random() < approveChance) return approve(name, actAt, reopened);
    return deny(name, actAt, reopened);
  };

  /** The holder asks the requester; the requester answers, withdraws, or falls silent. */
  const ask = (name: string, at: number, round: number, reopened: boolean): void => {
    const [template, message] = pickFrom(random, INFO_TEMPLATES);
    life.send(at, { type: 'ask', moderator: name, message, template });
    const choice = random();
    if (choice < 0.6) {
      const answeredAt = at + lognormal(random, 36 * HOUR, 1.2);
      if (!withinAnswerWindow(at, answeredAt)) return closeUnanswered(at, reopened);
      if (!life.reach(answeredAt)) return;
      // The answer puts the ticket back in the queue and the clock runs again.
      life.send(answeredAt, { type: 'answer', message: pickFrom(random, ANSWERS) });
      return review(answeredAt, round + 1, reopened);
    }
    if (choice < 0.68) {
      const withdrawnAt = at + lognormal(random, 3 * DAY, 0.8);
      if (withinAnswerWindow(at, withdrawnAt)) return withdraw(withdrawnAt);
    }
    return closeUnanswered(at, reopened);
  };

  const withdraw = (at: number): void => {
    if (!life.reach(at)) return;
    life.send(at, { type: 'withdraw' });
  };

  /** The sweep after CLOSE_UNANSWERED_AFTER closes the ticket; some requesters come back later. */
  const closeUnanswered = (askedAt: number, reopened = false): void => {
    if (rules.closeUnansweredMs === null) return;
    const at = askedAt + rules.closeUnansweredMs + 1 + Math.floor(random() * 10 * MINUTE);
    if (!life.reach(at)) return;
    life.send(at, { type: 'close_unanswered', cutoff: new Date(at - rules.closeUnansweredMs) });
    if (!reopened && random() < 0.12) reopen(at);
  };

  const denyCommand = (name: string): Command => {
    const [template, message] = pickFrom(random, DENY_TEMPLATES);
    return { type: 'deny', moderator: name, message, template };
  };

  const deny = (name: string, at: number, reopened: boolean): void => {
    life.send(at, denyCommand(name));
    if (!reopened && random() < 0.025) reopen(at);
  };

  const reopen = (closedAt: number): void => {
    const at = closedAt + Math.max(HOUR, lognormal(random, 5 * DAY, 0.9));
    if (!life.reach(at)) return;
    life.send(at, { type: 'reopen', moderator: moderator(random), reason: pickFrom(random, REOPEN_REASONS) });
    review(at, 0, true);
  };

  /** The approval policy's choices, then cooling-off, reset link and new password (or a stop link). */
  const approve = (name: string, at: number, reopened: boolean): void => {
    const fourEyes = assessment.flags.includes('second_moderator_required');
    const newChannel = random() < 0.08;
    // Against the recommendation, a senior approves with a reason and a second senior must agree (approval-guard.ts).
    const against = againstRecommendation(life.ticket) !== null;
    const needsSecond = fourEyes || newChannel || against;
    const highValue = assessment.flags.includes('high_value_account');
    const long = highValue || needsSecond || random() < 0.35;
    // The approval policy's reasons (approval-policy.ts), in short.
    const longReasons = [
      ...(highValue ? ['high-value account'] : []),
      ...(newChannel ? ['new channel'] : []),
      ...(long && !highValue && !newChannel ? ['nothing on file proven'] : []),
    ];
    const reasons = [
      ...(fourEyes ? ['second moderator required'] : []),
      ...(newChannel ? ['reset address not on file'] : []),
      ...(long ? [`long cooling-off: ${longReasons.join(', ')}`] : []),
    ];
    const resetAddress = newChannel ? identity.contactEmail : onFile;
    const notify = [...new Set([onFile, ...(random() < 0.4 ? [`${usernameKey}@${pickFrom(random, ON_FILE_DOMAINS)}`] : []), resetAddress])];
    const recoveryId = derivedId(identity.id, RECOVERY_TAG + life.recoveries.size);
    // A request naming no account cannot be approved: the moderator denies it instead.
    const decided = life.send(
      at,
      {
        type: 'approve',
        moderator: name,
        recoveryId,
        resetAddress,
        needsSecond,
        coolingOffMs: long ? rules.coolingOffLongMs : rules.coolingOffMs,
        reasons,
        notify,
        stopToken: `seed-stop-${recoveryId}`,
        role: against ? 'senior' : 'moderator',
        overrideReason: against ? 'The owner confirmed by a call we placed.' : null,
      },
      denyCommand(name),
    );
    if (decided.command === 'deny') {
      if (!reopened && random() < 0.025) reopen(at);
      return;
    }
    let coolingFrom = at;
    if (needsSecond) {
      const secondAt = at + Math.max(5 * MINUTE, lognormal(random, 5 * HOUR, 1));
      if (!life.reach(secondAt)) return;
      life.send(secondAt, { type: 'second_approval', moderator: moderator(random, true, name), notify, stopToken: `seed-stop-${recoveryId}-2` });
      coolingFrom = secondAt;
    }
    const coolingOffMs = life.current.recovery!.coolingOffMs;
    if (random() < 0.025) {
      // Someone reading an address on file used the stop link; the decision stands.
      const stoppedAt = coolingFrom + Math.floor(random() * coolingOffMs);
      if (!life.reach(stoppedAt)) return;
      life.send(stoppedAt, { type: 'stop', ip: '' });
      return;
    }
    let linkAt = coolingFrom + coolingOffMs + SECOND + Math.floor(random() * 20 * SECOND);
    if (!life.reach(linkAt)) return;
    life.send(linkAt, { type: 'end_cooling_off', resetToken: `seed-reset-${recoveryId}-${++resetLinks}` });
    let usedAt = linkAt + Math.max(MINUTE, lognormal(random, 2 * HOUR, 1.3));
    for (;;) {
      if (!life.reach(usedAt)) return;
      const used = life.try({ type: 'complete', resetTokenHash: life.current.recovery!.resetTokenHash!, notify, ip: '' }, usedAt);
      if (!isRefusal(used)) return;
      // The link ran out unused: a moderator sends a new one when the requester asks.
      linkAt = Math.max(usedAt, linkAt + rules.resetLinkTtlMs) + Math.max(HOUR, lognormal(random, DAY, 0.8));
      if (!life.reach(linkAt)) return;
      life.send(linkAt, { type: 'reissue_link', actor: moderatorActor(moderator(random)), resetToken: `seed-reset-${recoveryId}-${++resetLinks}` });
      usedAt = linkAt + Math.min(rules.resetLinkTtlMs - MINUTE, Math.max(MINUTE, lognormal(random, 30 * MINUTE, 1)));
    }
  };

  run();
  life.reach(now); // timers of a ticket still open fire up to now
  return { ticket: life.ticket, events: life.events, cycles: life.cycles, recoveries: [...life.recoveries.values()] };
}

interface Assessment {
  score: number;
  band: Band;
  recommendation: Recommendation;
  flags: RiskFlag[];
}

/**
 * The first assessment: at most 60, under the knowledge-only cap (65), so no ticket starts `strong` (75).
 * Unused recovery codes are known only of an account the directory holds.
 */
function assess(random: () => number, type: RequestType, hasAccount: boolean): Assessment {
  const score = Math.max(0, Math.min(60, Math.round(32 + 16 * normal(random))));
  const band = bandFor(score);
  const flags: RiskFlag[] = [];
  if (random() < 0.04) flags.push('primary_email_changed_recently');
  if (random() < (type === 'compromised' ? 0.25 : 0.08)) flags.push('high_value_account');
  if (flags.length) flags.push('second_moderator_required');
  if (type === 'lost_2fa' && random() < 0.08 && hasAccount) flags.push('unused_recovery_codes');
  return { score, band, recommendation: band === 'insufficient' && score < 8 ? 'deny' : 'request_info', flags };
}
