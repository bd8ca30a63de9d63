import { newReference, REFERENCE_PATTERN } from '../common/tokens.js';
import { measuresBetween } from '../sla/sla-measures.js';
import { DEFAULT_SLA_POLICY_JSON, parseSlaPolicy, type SlaPolicy } from '../sla/sla-policy.js';
import { isOpen, OPEN_STATES, TicketState } from '../tickets/ticket-state.js';
import { bulkHistories, seedIdentity, seedReference, seedSerialOf } from './bulk-seeder.js';
import { type HistoryRules, type TicketHistory, ticketHistory } from './ticket-history.js';
import { slaColumns, slaStateOf } from '../tickets/ticket-sla.js';
import { REQUEST_TYPES, type TicketEventType, type TimelineEntry } from '../tickets/ticket.types.js';
import { type CommandType, type FromState, inTable, NEW, SAME, TRANSITIONS } from '../tickets/ticket-transitions.js';
import type { Transition } from '../tickets/ticket-workflow.js';
import { seededRandom } from '../common/random.js';
import { testPolicy } from '../tickets/ticket-workflow.fixtures.js';

const DAY = 86_400_000;
const NOW = new Date('2026-11-30T12:00:00Z');

function rulesWith(policy: SlaPolicy, closeUnansweredMs: number | null = 30 * DAY): HistoryRules {
  return {
    ...testPolicy({ targetsFor: (type) => policy.targetsFor(type), leaseMs: 15 * 60_000, resetLinkTtlMs: DAY }),
    coolingOffMs: DAY,
    coolingOffLongMs: 3 * DAY,
    closeUnansweredMs,
    ruleVersion: '2026.11.2',
    codeOfConductVersion: '2026-11',
  };
}

const DEFAULT_RULES = rulesWith(parseSlaPolicy(DEFAULT_SLA_POLICY_JSON, 'default', REQUEST_TYPES));
const generate = (count: number, seed = 7, rules = DEFAULT_RULES, days = 365) => [...bulkHistories({ count, seed, days, now: NOW }, rules)];

/** The measures the ticket's stored clock gives when re-derived with the app's measuresBetween. */
function rederived(h: TicketHistory, rules: HistoryRules) {
  const state = slaStateOf(h.ticket)!;
  const t = rules.targetsFor(h.ticket.requestType);
  const response =
    h.ticket.slaCycle === 1 && state.firstRespondedAt
      ? measuresBetween({ ...state, firstRespondedAt: null, decidedAt: null }, { ...state, decidedAt: null }, t)
      : {};
  const decision = state.decidedAt ? measuresBetween({ ...state, decidedAt: null }, state, t) : {};
  return { response, decision };
}

describe('bulkHistories', () => {
  const histories = generate(4_000);
  const tickets = histories.map((h) => h.ticket);

  it('is the same for the same seed and now, and differs for another seed', () => {
    const again = generate(200);
    expect(generate(200)).toEqual(again);
    expect(generate(200, 8).map((h) => h.ticket.requestType)).not.toEqual(again.map((h) => h.ticket.requestType));
  });

  it('gives unique ids, references matching the app pattern (never the app generator own), usernames', () => {
    expect(new Set(tickets.map((t) => t.id)).size).toBe(tickets.length);
    expect(new Set(tickets.map((t) => t.usernameKey)).size).toBe(tickets.length);
    expect(new Set(tickets.map((t) => t.reference)).size).toBe(tickets.length);
    expect(tickets.every((t) => REFERENCE_PATTERN.test(t.reference) && t.reference.startsWith('RD-0'))).toBe(true);
    expect(tickets.every((t) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(t.id))).toBe(true);
    for (let i = 0; i < 2_000; i++) expect(newReference()).not.toMatch(/^RD-0/);
  });

  it('numbers seeded references both ways, within the app reference pattern', () => {
    for (const serial of [0, 1, 29, 30, 12_345, 24_299_999]) {
      expect(seedSerialOf(seedReference(serial))).toBe(serial);
      expect(seedReference(serial)).toMatch(REFERENCE_PATTERN);
    }
    expect(seedSerialOf('RD-7K3F9Q')).toBeNull();
    expect(() => seedReference(24_300_000)).toThrow(RangeError);
  });

  it('continues the references after `firstSerial`, the tickets otherwise unchanged', () => {
    const later = [...bulkHistories({ count: 50, seed: 7, days: 365, now: NOW }, DEFAULT_RULES, 1_000)];
    expect(later[0].ticket.reference).toBe(seedReference(1_000));
    const first = generate(50);
    // The account id is made from the ticket id, so it is unique across runs too.
    const blank = { id: '', reference: '', username: '', usernameKey: '', contactEmail: '', openKey: null, accountId: null };
    expect(later.map((h) => ({ ...h.ticket, ...blank }))).toEqual(first.map((h) => ({ ...h.ticket, ...blank })));
  });

  it('leaves a few percent open, in several open states, mostly recent; the rest closed with an outcome', () => {
    const open = tickets.filter((t) => isOpen(t.state));
    expect(open.length / tickets.length).toBeGreaterThan(0.02);
    expect(open.length / tickets.length).toBeLessThan(0.08);
    expect(new Set(open.map((t) => t.state)).size).toBeGreaterThanOrEqual(3);
    const ageDays = open.map((t) => (NOW.getTime() - t.createdAt.getTime()) / DAY).sort((a, b) => a - b);
    expect(ageDays[Math.floor(ageDays.length / 2)]).toBeLessThan(30);
    for (const t of open) {
      expect(t.openKey).toBe(`${t.usernameKey}|${t.contactEmail}`);
      expect(t.closedAt).toBeNull();
    }
    const closed = tickets.filter((t) => !isOpen(t.state));
    for (const t of closed) {
      expect(t.openKey).toBeNull();
      expect(t.closedAt).not.toBeNull();
      expect(t.outcome).not.toBeNull();
      expect(t.slaDecidedAt).not.toBeNull();
    }
  });

  it('ends cycles in plausible shares of each outcome', () => {
    const share = (outcome: string) => tickets.filter((t) => t.outcome === outcome).length / tickets.length;
    expect(share('approved')).toBeGreaterThan(0.35);
    expect(share('denied')).toBeGreaterThan(0.2);
    expect(share('withdrawn')).toBeGreaterThan(0.04);
    expect(share('closed_no_response')).toBeGreaterThan(0.04);
    expect(share('approved')).toBeGreaterThan(share('denied'));
  });

  it('stores the clock exactly as the app columns have it, and measures as measuresBetween re-derives them', () => {
    for (const h of histories) {
      const state = slaStateOf(h.ticket);
      expect(state).not.toBeNull();
      const { slaResponseMs, slaResponseMet, slaDecisionMs, slaDecisionMet } = h.ticket;
      expect({ ...slaColumns(state!) }).toEqual(expect.objectContaining({ slaLevel: h.ticket.slaLevel, slaNextAt: h.ticket.slaNextAt }));
      const { response, decision } = rederived(h, DEFAULT_RULES);
      if (h.ticket.slaCycle === 1) {
        expect({ slaResponseMs, slaResponseMet }).toEqual(h.ticket.firstRespondedAt ? response : { slaResponseMs: null, slaResponseMet: null });
      }
      expect({ slaDecisionMs, slaDecisionMet }).toEqual(h.ticket.slaDecidedAt ? decision : { slaDecisionMs: null, slaDecisionMet: null });
    }
  });

  it('records decisions with who decided and how long they held the ticket', () => {
    for (const t of tickets.filter((x) => x.outcome === 'approved' || x.outcome === 'denied')) {
      expect(t.decidedBy).toMatch(/^moderator:(alice|bruno|chen|dara|emeka|fatima|gus)$/);
      expect(t.handlingMs).toBeGreaterThan(0);
      expect(t.decidedAt).not.toBeNull();
    }
    for (const t of tickets.filter((x) => x.outcome === 'withdrawn' || x.outcome === 'closed_no_response')) {
      expect({ decidedBy: t.decidedBy, handlingMs: t.handlingMs }).toEqual({ decidedBy: null, handlingMs: null });
    }
  });

  it('has some breaches, pauses, reopened tickets and escalations', () => {
    expect(tickets.filter((t) => t.slaResponseMet === false).length).toBeGreaterThan(40);
    expect(tickets.filter((t) => t.slaPauses.length > 0).length).toBeGreaterThan(400);
    expect(tickets.filter((t) => t.escalated).length).toBeGreaterThan(40);
    const reopened = histories.filter((h) => h.cycles.length > 0);
    expect(reopened.length).toBeGreaterThan(20);
    for (const h of reopened) {
      expect(h.ticket.slaCycle).toBe(2);
      expect(h.cycles).toEqual([expect.objectContaining({ ticketId: h.ticket.id, cycle: 1, requestType: h.ticket.requestType })]);
      expect(['denied', 'closed_no_response']).toContain(h.cycles[0].outcome);
      expect(h.cycles[0].closedAt!.getTime()).toBeLessThan(h.cycles[0].reopenedAt.getTime());
      expect(h.events.some((e) => e.type === 'reopened')).toBe(true);
    }
  });

  it('writes a timeline in order, from the submission up to now, a breach event wherever a level was marked', () => {
    for (const h of histories) {
      const times = h.events.map((e) => e.createdAt.getTime());
      expect(h.events[0]).toMatchObject({ type: 'submitted', actor: 'requester', public: true, createdAt: h.ticket.createdAt });
      expect(times.every((t, i) => i === 0 || t >= times[i - 1])).toBe(true);
      expect(times[times.length - 1]).toBeLessThanOrEqual(NOW.getTime());
      expect(h.events.length).toBeGreaterThanOrEqual(h.ticket.state === TicketState.Submitted ? 1 : 3);
      expect(h.events.length).toBeLessThanOrEqual(30);
      expect(h.events.every((e) => e.ticketId === h.ticket.id)).toBe(true);
      // Small rows: even an approval against the recommendation, with its reasons and the override's, stays short.
      expect(h.events.filter((e) => JSON.stringify(e.data).length >= 500).map((e) => [e.type, JSON.stringify(e.data)])).toEqual([]);
      const breachedNow = h.ticket.slaResponseLevel === 'breached' || h.ticket.slaDecisionLevel === 'breached';
      if (breachedNow) expect(h.events.some((e) => e.type === 'sla_breached')).toBe(true);
    }
    const perTicket = histories.reduce((n, h) => n + h.events.length, 0) / histories.length;
    expect(perTicket).toBeGreaterThan(5);
    expect(perTicket).toBeLessThan(9);
  });

  it('holds the claim only while in review, and the state of an open ticket is an open state', () => {
    for (const t of tickets) {
      if (t.state === TicketState.InReview) expect(t.claimedBy && t.claimedAt && t.leaseExpiresAt! > NOW).toBeTruthy();
      else expect({ claimedBy: t.claimedBy, claimedAt: t.claimedAt }).toEqual({ claimedBy: null, claimedAt: null });
      if (isOpen(t.state)) expect(OPEN_STATES).toContain(t.state);
      expect(t.createdAt.getTime()).toBeLessThan(NOW.getTime());
      expect(t.createdAt.getTime()).toBeGreaterThanOrEqual(NOW.getTime() - 365 * DAY);
    }
  });

  it('measures working time on a business-hours calendar in a non-UTC zone, re-derived the same way', () => {
    const office = parseSlaPolicy(
      {
        default: { first_response: '16h', decision: '80h', warn_at: 0.75, calendar: 'office' },
        calendars: { office: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: '09:00-17:00', time_zone: 'America/St_Johns', holidays: [] } },
      },
      'test',
      REQUEST_TYPES,
    );
    const rules = rulesWith(office);
    const run = generate(600, 3, rules, 120);
    for (const h of run) {
      const { response, decision } = rederived(h, rules);
      if (h.ticket.slaCycle === 1 && h.ticket.firstRespondedAt)
        expect({ slaResponseMs: h.ticket.slaResponseMs, slaResponseMet: h.ticket.slaResponseMet }).toEqual(response);
      if (h.ticket.slaDecidedAt) expect({ slaDecisionMs: h.ticket.slaDecisionMs, slaDecisionMet: h.ticket.slaDecisionMet }).toEqual(decision);
    }
    expect(run.some((h) => h.ticket.slaDecisionMet === false || h.ticket.slaResponseMet === false)).toBe(true);
  });

  it('leaves unanswered tickets waiting when CLOSE_UNANSWERED_AFTER is never', () => {
    const run = generate(1_500, 7, rulesWith(parseSlaPolicy(DEFAULT_SLA_POLICY_JSON, 'default', REQUEST_TYPES), null));
    expect(run.some((h) => h.ticket.outcome === 'closed_no_response')).toBe(false);
    expect(run.some((h) => h.ticket.state === TicketState.AwaitingRequester && NOW.getTime() - h.ticket.createdAt.getTime() > 60 * DAY)).toBe(true);
  });
});

/** The command each timeline line is written by (ticket-workflow.ts), for replaying a timeline on the table. */
const COMMAND_OF: Partial<Record<TicketEventType, CommandType>> = {
  submitted: 'submit',
  routed: 'route',
  recovery_codes_answer: 'route',
  claimed: 'claim',
  escalated: 'escalate',
  info_requested: 'ask',
  message: 'answer',
  contested: 'contest',
  approved: 'approve',
  second_approval: 'second_approval',
  reset_link_sent: 'end_cooling_off',
  reset_link_reissued: 'reissue_link',
  reset_completed: 'complete',
  recovery_stopped: 'stop',
  denied: 'deny',
  withdrawn: 'withdraw',
  closed_no_response: 'close_unanswered',
  reopened: 'reopen',
  sla_warning: 'sla_due',
  sla_breached: 'sla_due',
};
/** Lines that come with another command's line (answer, approvals), or from the assessment, which moves nothing. */
const WRITTEN_WITH_ANOTHER: readonly TicketEventType[] = ['state_changed', 'cooling_off_started', 'assessed'];

/** Where the line's command leads from `from`, by the table: the one row it can take there, told apart by the line where two can. */
function replayStep(event: TimelineEntry, from: FromState): { command: CommandType | undefined; to: TicketState | null } {
  const command = COMMAND_OF[event.type];
  const rows = TRANSITIONS.filter((row) => row.command === command && row.from.includes(from));
  let to: TicketState | null = null;
  if (event.type === 'routed') to = TicketState.AwaitingReview;
  else if (event.type === 'recovery_codes_answer') to = TicketState.AwaitingRequester;
  else if (event.type === 'approved') to = event.data.needs_second ? TicketState.Approved : TicketState.CoolingOff;
  else if (rows.length === 1) to = rows[0].to === SAME ? (from as TicketState) : rows[0].to;
  return { command, to: to !== null && command && inTable(command, from, to) ? to : null };
}

describe('the seeded lifecycle, checked against the transition table', () => {
  const histories = generate(4_000);

  it('replays every seeded timeline on the table: each line a move the table allows, ending in the stored state', () => {
    for (const h of histories) {
      let state: FromState = NEW;
      for (const [i, event] of h.events.entries()) {
        if (WRITTEN_WITH_ANOTHER.includes(event.type)) continue;
        const { command, to } = replayStep(event, state);
        if (!command || to === null) {
          expect({ reference: h.ticket.reference, line: i, type: event.type, command, from: state }).toEqual('a move of the transition table');
        }
        state = to!;
      }
      expect({ reference: h.ticket.reference, state }).toEqual({ reference: h.ticket.reference, state: h.ticket.state });
    }
  });

  /** Tickets made one by one, with every transition the generator applied. */
  const observed = Array.from({ length: 1_500 }, (_, serial) => {
    const random = seededRandom(1_000 + serial);
    const createdAt = NOW.getTime() - Math.floor(random() * 200 * DAY);
    const transitions: Transition[] = [];
    const history = ticketHistory(random, seedIdentity(random, serial, createdAt), createdAt, NOW.getTime(), DEFAULT_RULES, (t) => transitions.push(t));
    return { history, transitions };
  });

  it('applies only transitions decide made, chained state to state, and writes their lines and nothing else but the assessment', () => {
    for (const { history, transitions } of observed) {
      expect(transitions[0]).toMatchObject({ command: 'submit', from: NEW });
      transitions.forEach((t, i) => {
        expect(inTable(t.command, t.from, t.to)).toBe(true);
        if (i > 0) expect(t.from).toBe(transitions[i - 1].to);
      });
      expect(transitions[transitions.length - 1].ticket).toEqual(
        history.ticket.assessedAt ? expect.objectContaining({ state: history.ticket.state }) : history.ticket,
      );
      expect(history.events.filter((e) => e.type !== 'assessed')).toEqual(transitions.flatMap((t) => t.events));
      expect(history.cycles).toEqual(transitions.flatMap((t) => (t.archive ? [t.archive] : [])));
    }
  });

  it('replaces a command the workflow refuses: requests naming no account are denied, expired reset links reissued', () => {
    const all = [...histories, ...observed.map((o) => o.history)];
    const accountless = all.filter((h) => h.ticket.accountId === null);
    expect(accountless.length).toBeGreaterThan(20);
    expect(accountless.some((h) => h.ticket.outcome === 'denied')).toBe(true);
    for (const h of accountless) {
      expect(h.ticket.outcome).not.toBe('approved');
      expect(h.recoveries).toEqual([]);
    }
    const reissued = all.filter((h) => h.events.some((e) => e.type === 'reset_link_reissued'));
    expect(reissued.length).toBeGreaterThan(5);
    for (const h of reissued.filter((x) => x.ticket.state === TicketState.Completed)) {
      const [recovery] = h.recoveries;
      expect(recovery.resetUsedAt!.getTime()).toBeLessThan(recovery.resetExpiresAt!.getTime());
    }
  });

  it('keeps one recovery per approval, in the state its ticket is in, approved by two people where four eyes are needed', () => {
    const live = { approved: 'awaiting_second', cooling_off: 'cooling_off', reset_issued: 'link_sent', completed: 'completed', cancelled: 'cancelled' };
    const recoveries = histories.flatMap((h) => h.recoveries);
    for (const h of histories) {
      expect(h.recoveries.length).toBe(h.events.filter((e) => e.type === 'approved').length);
      if (h.ticket.state in live) expect(h.recoveries.at(-1)!.state).toBe(live[h.ticket.state as keyof typeof live]);
      for (const r of h.recoveries) {
        expect({ ticketId: r.ticketId, accountId: r.accountId }).toEqual({ ticketId: h.ticket.id, accountId: h.ticket.accountId });
        expect(r.secondApprover).not.toBe(r.firstApprover);
        if (r.needsSecond && !['awaiting_second', 'cancelled', 'denied'].includes(r.state)) expect(r.secondApprover).not.toBeNull();
      }
    }
    expect(recoveries.length).toBeGreaterThan(1_000);
    const unique = (values: Array<string | null>) => new Set(values.filter((v) => v !== null)).size === values.filter((v) => v !== null).length;
    expect(unique(recoveries.map((r) => r.id))).toBe(true);
    expect(unique(recoveries.map((r) => r.activeKey))).toBe(true);
    expect(unique(recoveries.map((r) => r.stopTokenHash))).toBe(true);
    expect(unique(recoveries.map((r) => r.resetTokenHash))).toBe(true);
  });
});
