// A deterministic, plausible history of stored tickets for the report page's screenshot: two months of
// arrivals (fewer at weekends, slowly growing, a wave of compromised accounts), moderators who claim,
// ask, wait on the requester, approve and deny at their own pace, a few tickets nobody picked up in
// time. Each ticket is what the app would have stored by `now`: its SLA clock replayed step by step
// (sla-fixture.ts), the measures fixed as they happened, the state it has reached.
import { pick, seededRandom } from '../../src/common/random.js';
import type { Ticket } from '../../src/tickets/ticket.entity.js';
import { isOpen, TicketState } from '../../src/tickets/ticket-state.js';
import { makeStoredTicket } from './factories.js';
import { type ClockStep, measuredClockAfter } from './sla-fixture.js';
import type { Outcome, RequestType, Band } from '../../src/tickets/ticket.types.js';

const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;

export const HISTORY_SEED = 6_2026;

/** Who works the queue: a share of the claims, a median handling time; dev joined three and a half weeks ago. */
const MODERATORS = [
  { name: 'ana', weight: 4, handlingMedianMs: 35 * MIN, sinceDaysAgo: Infinity },
  { name: 'ben', weight: 3, handlingMedianMs: 70 * MIN, sinceDaysAgo: Infinity },
  { name: 'carla', weight: 3, handlingMedianMs: 50 * MIN, sinceDaysAgo: Infinity },
  { name: 'dev', weight: 2, handlingMedianMs: 110 * MIN, sinceDaysAgo: 24 },
] as const;

const TYPES: Array<[RequestType, number]> = [
  ['lost_2fa', 40],
  ['forgot_password', 22],
  ['lost_email_access', 16],
  ['lost_recovery_codes', 12],
  ['compromised', 10],
];
/** Share of decisions that approve, by type (a question answered helps a little). */
const APPROVE: Record<RequestType, number> = {
  forgot_password: 0.72,
  lost_2fa: 0.58,
  lost_recovery_codes: 0.6,
  lost_email_access: 0.4,
  compromised: 0.5,
};
const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const BANDS: Band[] = ['strong', 'moderate', 'weak', 'insufficient'];
const BAND_SCORE: Record<Band, number> = { strong: 78, moderate: 52, weak: 30, insufficient: 9 };

type Event =
  | { at: number; kind: 'claim'; by: string }
  | { at: number; kind: 'release' | 'ask' | 'answer' | 'withdraw' | 'close' | 'cooled' | 'completed' }
  | { at: number; kind: 'decide'; outcome: 'approved' | 'denied'; coolingEnds: number };

export interface HistoryOptions {
  seed?: number;
  /** Days of arrivals, ending today (UTC). */
  days?: number;
}

/** About 600 tickets for 60 days; the same seed and `now` give the same rows. */
export function reportHistory(now: Date, { seed = HISTORY_SEED, days = 60 }: HistoryOptions = {}): Ticket[] {
  const random = seededRandom(seed);
  const chance = (p: number) => random() < p;
  const between = (a: number, b: number) => a + (b - a) * random();
  const exponential = (mean: number) => -Math.log(1 - random()) * mean;
  const logNormal = (median: number, sigma: number) => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
  const weighted = <T>(items: ReadonlyArray<readonly [T, number]>): T => {
    let r = random() * items.reduce((sum, [, w]) => sum + w, 0);
    for (const [item, w] of items) if ((r -= w) < 0) return item;
    return items[items.length - 1][0];
  };
  const nowMs = now.getTime();
  const today = Math.floor(nowMs / D) * D;
  const moderatorAt = (at: number, not?: string) => {
    const active = MODERATORS.filter((m) => at >= nowMs - m.sinceDaysAgo * D && m.name !== not);
    return weighted(active.map((m) => [m, m.weight] as const));
  };
  const references = new Set<string>();
  const reference = () => {
    for (;;) {
      const ref = `RD-${Array.from({ length: 6 }, () => pick(random, [...REFERENCE_ALPHABET])).join('')}`;
      if (!references.has(ref)) {
        references.add(ref);
        return ref;
      }
    }
  };

  const tickets: Ticket[] = [];
  for (let daysAgo = days - 1; daysAgo >= 0; daysAgo--) {
    const dayStart = today - daysAgo * D;
    const weekend = [0, 6].includes(new Date(dayStart).getUTCDay());
    // A phishing wave four weeks ago: compromised accounts for five days.
    const wave = daysAgo >= 26 && daysAgo <= 30;
    const expected = (weekend ? 5.5 : 10.5) * (0.9 + (0.2 * (days - daysAgo)) / days) + (wave ? 4 : 0);
    const count = Math.round(expected * between(0.75, 1.25));
    for (let k = 0; k < count; k++) {
      // Mostly in European and American daytime.
      const created = dayStart + (chance(0.8) ? between(7, 23) : between(0, 24)) * H;
      if (created > nowMs - 5 * MIN) continue;
      const type = wave && chance(0.35) ? 'compromised' : weighted(TYPES);
      tickets.push(story(tickets.length, type, created));
    }
  }
  return tickets;

  /** One ticket's life, cut at `now`. */
  function story(i: number, type: RequestType, created: number): Ticket {
    const events: Event[] = [];
    const weekendArrival = [0, 6].includes(new Date(created).getUTCDay());
    // The wait for a first claim: compromised accounts are worked first; a few wait far too long.
    let wait =
      type === 'compromised'
        ? 0.5 * H + exponential(5 * H) + (chance(0.05) ? between(20, 40) * H : 0)
        : 1 * H + exponential(14 * H) + (chance(0.045) ? between(60, 120) * H : 0);
    if (weekendArrival) wait += between(6, 30) * H;
    if (chance(0.008)) wait = between(15, 40) * D; // forgotten
    const firstClaim = created + wait;

    if (chance(0.04)) {
      // The requester withdraws before anyone looked.
      events.push({ at: created + random() * wait * 0.9, kind: 'withdraw' });
    } else {
      const first = moderatorAt(firstClaim);
      events.push({ at: firstClaim, kind: 'claim', by: first.name });
      let claimedAt = firstClaim;
      let holder: (typeof MODERATORS)[number] = first;
      let approve = APPROVE[type];
      const path = random();
      let answered = true;
      if (path < 0.3) {
        // A question; most requesters answer within days, the rest are closed after CLOSE_UNANSWERED_AFTER (30 d).
        const asked = firstClaim + between(10, 40) * MIN;
        events.push({ at: asked, kind: 'ask' });
        if (chance(0.8)) {
          const answer = asked + 3 * H + exponential(40 * H);
          events.push({ at: answer, kind: 'answer' });
          claimedAt = answer + 1 * H + exponential(14 * H);
          holder = chance(0.5) ? first : moderatorAt(claimedAt, first.name);
          events.push({ at: claimedAt, kind: 'claim', by: holder.name });
          approve += 0.1;
        } else {
          answered = false;
          events.push({ at: asked + 30 * D, kind: 'close' });
        }
      } else if (path < 0.38) {
        // Released for a second opinion; picked up again days later.
        events.push({ at: firstClaim + between(15, 45) * MIN, kind: 'release' });
        claimedAt = firstClaim + 1 * D + exponential(3 * D);
        holder = moderatorAt(claimedAt, first.name);
        events.push({ at: claimedAt, kind: 'claim', by: holder.name });
      }
      if (answered) {
        const decided = claimedAt + Math.max(5 * MIN, logNormal(holder.handlingMedianMs, 0.6));
        const outcome = chance(approve) ? 'approved' : 'denied';
        const coolingEnds = decided + (chance(0.65) ? 24 : 72) * H;
        events.push({ at: decided, kind: 'decide', outcome, coolingEnds });
        if (outcome === 'approved') {
          events.push({ at: coolingEnds, kind: 'cooled' });
          events.push({ at: coolingEnds + 0.3 * H + exponential(5 * H), kind: 'completed' });
        }
      }
    }
    return stored(
      i,
      type,
      created,
      events.filter((e) => e.at <= nowMs),
    );
  }

  /** The row after the events that have happened. */
  function stored(i: number, type: RequestType, created: number, events: Event[]): Ticket {
    let state = TicketState.AwaitingReview;
    let holder: string | null = null;
    let claimedAt: number | null = null;
    let outcome: Outcome | null = null;
    let decidedBy: string | null = null;
    let decidedAt: number | null = null;
    let handlingMs: number | null = null;
    let closedAt: number | null = null;
    let coolingOffEndsAt: number | null = null;
    const steps: ClockStep[] = [];
    const step = (kind: ClockStep[0], at: number) => steps.push([kind, new Date(at).toISOString()]);
    for (const e of events) {
      switch (e.kind) {
        case 'claim':
          if (claimedAt === null) step('respond', e.at); // the first claim is the first response
          state = TicketState.InReview;
          holder = e.by;
          claimedAt = e.at;
          break;
        case 'release':
          state = TicketState.AwaitingReview;
          holder = null;
          break;
        case 'ask':
          step('pause', e.at);
          state = TicketState.AwaitingRequester;
          holder = null;
          break;
        case 'answer':
          step('resume', e.at);
          state = TicketState.AwaitingReview;
          break;
        case 'decide':
          step('decide', e.at);
          outcome = e.outcome;
          decidedBy = `moderator:${holder}`;
          decidedAt = e.at;
          handlingMs = Math.round(e.at - (claimedAt ?? e.at));
          holder = null;
          if (e.outcome === 'approved') {
            state = TicketState.CoolingOff;
            coolingOffEndsAt = e.coolingEnds;
          } else {
            state = TicketState.Denied;
            closedAt = e.at;
          }
          break;
        case 'withdraw':
          step('decide', e.at);
          outcome = 'withdrawn';
          state = TicketState.Withdrawn;
          closedAt = e.at;
          break;
        case 'close':
          step('decide', e.at);
          outcome = 'closed_no_response';
          state = TicketState.ClosedNoResponse;
          closedAt = e.at;
          break;
        case 'cooled':
          state = TicketState.ResetIssued;
          break;
        case 'completed':
          state = TicketState.Completed;
          closedAt = e.at;
          break;
      }
    }
    const open = isOpen(state);
    const createdAt = new Date(created);
    const band = pick(random, BANDS);
    const ticket = makeStoredTicket(i, {
      reference: reference(),
      requestType: type,
      state,
      createdAt,
      updatedAt: new Date(events.at(-1)?.at ?? created),
      ...measuredClockAfter(createdAt, type, steps, open ? now : null),
      outcome,
      decidedBy,
      handlingMs,
      decidedAt: decidedAt === null ? null : new Date(decidedAt),
      closedAt: closedAt === null ? null : new Date(closedAt),
      coolingOffEndsAt: state === TicketState.CoolingOff && coolingOffEndsAt !== null ? new Date(coolingOffEndsAt) : null,
      claimedBy: state === TicketState.InReview ? `moderator:${holder}` : null,
      claimedAt: state === TicketState.InReview && claimedAt !== null ? new Date(claimedAt) : null,
      leaseExpiresAt: state === TicketState.InReview ? new Date(now.getTime() + 10 * MIN) : null,
      band,
      score: BAND_SCORE[band] + Math.floor(random() * 10),
      recommendation: band === 'strong' ? 'approve' : band === 'insufficient' ? 'deny' : 'request_info',
    });
    if (open) ticket.openKey = `${ticket.usernameKey}|${ticket.contactEmail}`;
    return ticket;
  }
}
