// What `decide` (ticket-workflow.ts) does for each command: its guards, and its concrete output compared
// with what the services did before it (src/review-queue/review.service.ts, src/moderation/decisions.service.ts,
// src/resets/resets.service.ts, src/intake/intake.service.ts, src/intake/status.service.ts,
// src/review-queue/close-unanswered.service.ts, src/sla/sla.service.ts).
import { createHash } from 'node:crypto';
import { coolingOffTimerId, dispatchJobId, leaseTimerId, QueueName, slaTimerId } from '../jobs/job.constants.js';
import { MailTemplate } from '../notifications/mail-template.js';
import { desiredJobs, dispatchPriority, DispatchTier } from './dispatch-order.js';
import {
  allowedCommands,
  auditData,
  type Command,
  decide,
  type Decision,
  isRefusal,
  messageCommand,
  type Refusal,
  type Transition,
} from './ticket-workflow.js';
import {
  ACCOUNT_ID,
  admittedCases,
  assessed,
  applied,
  cmd,
  COOLING_OFF_MS,
  DAY,
  expectTransition,
  HOUR,
  LEASE_MS,
  liveRecoveryOf,
  MINUTE,
  newTicket,
  POLICY,
  plus,
  RESET_LINK_TTL_MS,
  SECOND,
  type Story,
  submitted,
  T0,
  testPolicy,
  then,
  TICKET_ID,
  ticketIn,
  withoutClock,
  withoutCoc,
} from './ticket-workflow.fixtures.js';
import { TicketState } from './ticket-state.js';
import { COMMANDS, statesFor } from './ticket-transitions.js';
import type { TicketRow } from './ticket.types.js';

const S = TicketState;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const OPEN_KEY = 'sample-user|requester@example.org';
const NOT_HOLDER = 'You do not hold this ticket (its lease may have run out); take it again from the queue.';

/** Decides `command` `afterMs` after the story's last step. */
function send(story: Pick<Story, 'current' | 'now'>, command: Command, afterMs = MINUTE, policy = POLICY): Decision {
  return decide(story.current, command, plus(story.now, afterMs), policy);
}

function accepted(story: Pick<Story, 'current' | 'now'>, command: Command, afterMs = MINUTE, policy = POLICY): Transition {
  return expectTransition(send(story, command, afterMs, policy));
}

function refused(decision: Decision): Refusal {
  if (!isRefusal(decision)) throw new Error(`expected a refusal, got ${decision.from} → ${decision.to}`);
  return decision;
}

/** The events as (type, actor, public, data keys), the way the old services wrote them. */
const eventsOf = (t: Transition) => t.events.map((e) => [e.type, e.actor, e.public, Object.keys(e.data).sort()]);
const mailsOf = (t: Transition) => t.mails.map((m) => [m.template, m.to]);

/** The jobs Redis should gain and lose, by id, from desiredJobs before and after (a changed dispatch priority re-arms). */
function jobDiff(before: TicketRow | null, after: TicketRow, fastLane = false): { arm: string[]; cancel: string[] } {
  const was = before ? desiredJobs(before, fastLane) : [];
  const now = desiredJobs(after, fastLane);
  return {
    arm: now
      .filter((job) => !was.some((w) => w.id === job.id && w.priority === job.priority))
      .map((job) => job.id)
      .sort(),
    cancel: was
      .filter((w) => !now.some((job) => job.id === w.id))
      .map((w) => w.id)
      .sort(),
  };
}
const timerIds = (t: Transition) => ({ arm: t.timers.arm.map((job) => job.id).sort(), cancel: [...t.timers.cancel].sort() });

describe('submit', () => {
  const t = accepted({ current: { ticket: null, recovery: null }, now: T0 }, cmd.submit(), 0);

  it('inserts a submitted ticket holding its open slot, version 1, its SLA clock started at arrival', () => {
    expect(t).toMatchObject({ from: 'new', to: S.Submitted, write: { kind: 'insert', row: t.ticket }, recoveryWrite: null, archive: null });
    expect(t.ticket).toMatchObject({
      id: TICKET_ID,
      state: S.Submitted,
      openKey: OPEN_KEY,
      version: 1,
      createdAt: T0,
      updatedAt: T0,
      cocVersion: '2026-11',
      cocAcceptedAt: T0,
      claimedBy: null,
      slaCycle: 1,
      slaCycleStartedAt: T0,
      firstRespondedAt: null,
      slaPausedSince: null,
      responseWarnAt: plus(T0, 54 * HOUR),
      responseDueAt: plus(T0, 72 * HOUR),
      decisionWarnAt: plus(T0, 252 * HOUR),
      decisionDueAt: plus(T0, 14 * DAY),
      slaNextAt: plus(T0, 54 * HOUR),
      slaLevel: 'on_time',
      outcome: null,
      slaResponseMs: null,
    });
  });

  it('writes the public "submitted" line (with the IP in the audit only), acknowledges by mail and asks for an assessment', () => {
    expect(eventsOf(t)).toEqual([['submitted', 'requester', true, ['coc_version']]]);
    expect(t.events[0].data).toEqual({ coc_version: '2026-11' });
    expect(t.audit).toEqual([{ at: T0, actor: 'requester', action: 'submitted', ticketId: TICKET_ID, data: { coc_version: '2026-11', ip: '192.0.2.7' } }]);
    expect(t.mails).toEqual([
      {
        to: 'requester@example.org',
        template: MailTemplate.Acknowledgement,
        context: { reference: 'RD-7K3F9Q', username: 'Sample-User', statusUrl: 'https://desk.example.org/status/tok' },
      },
    ]);
    expect(t.assess).toBe('submitted');
  });

  it('leaves its SLA timer to the routing (no sync from intake)', () => {
    expect(timerIds(t)).toEqual({ arm: [slaTimerId(TICKET_ID, plus(T0, 54 * HOUR))], cancel: [] });
    expect(t.sync).toBe('none');
  });

  it('is refused for a ticket that exists', () => {
    const story = submitted();
    expect(refused(send(story, cmd.submit()))).toMatchObject({ reason: 'state', state: S.Submitted });
  });
});

describe('follow_up and flag_competing', () => {
  it('folds a follow-up into the open ticket: claims merged, reassessed, status link mailed again', () => {
    const story = ticketIn(S.InReview);
    const t = accepted(story, cmd.followUp());
    expect(t.to).toBe(S.InReview);
    expect(t.ticket.claims.projects).toEqual(['sampleproject', 'otherproject']);
    expect(t.ticket.claims.details).toBe('I lost my phone.\n\n---\n\nMore.');
    expect(eventsOf(t)).toEqual([['follow_up', 'requester', true, ['claims', 'request_type']]]);
    const { claims } = cmd.followUp() as Extract<Command, { type: 'follow_up' }>;
    expect(t.audit[0].data).toEqual({ request_type: 'lost_2fa', claims_chars: JSON.stringify(claims).length, ip: '192.0.2.8' });
    expect(t.audit[0].data).not.toHaveProperty('claims');
    expect(t.assess).toBe('follow_up');
    expect(mailsOf(t)).toEqual([[MailTemplate.StatusLinkAgain, 'requester@example.org']]);
    expect(t.mails[0].context).toEqual({ reference: 'RD-7K3F9Q', username: 'Sample-User', statusUrl: 'https://desk.example.org/status/tok2' });
    expect(t.write).toMatchObject({ kind: 'update', lock: 'version' });
    expect(t.sync).toBe('none');
  });

  it('flags a competing request quietly (no version bump), reassessing only when asked', () => {
    const story = ticketIn(S.AwaitingReview);
    const t = accepted(story, cmd.flagCompeting(true));
    expect(t.ticket.competing).toBe(true);
    expect(t.write).toMatchObject({ kind: 'update', lock: 'quiet' });
    expect(eventsOf(t)).toEqual([['competing_request', 'system', false, ['reference']]]);
    expect(t.events[0].data).toEqual({ reference: 'RD-RIVAL2' });
    expect(t.assess).toBe('competing_request');
    expect(accepted(story, cmd.flagCompeting(false)).assess).toBeNull();
  });
});

describe('route', () => {
  const story = submitted();

  it('puts an assessed ticket in the queue (internal line) and arms its dispatch job', () => {
    const t = accepted(story, cmd.route());
    expect(t.to).toBe(S.AwaitingReview);
    expect(eventsOf(t)).toEqual([['routed', 'system', false, []]]);
    expect(t.mails).toEqual([]);
    expect(timerIds(t)).toEqual({ arm: [dispatchJobId(TICKET_ID)], cancel: [] });
    expect(t.sync).toBe('outbox');
  });

  it('routes a ticket for an account with unused recovery codes exactly like one for an unknown username', () => {
    // What the requester sees next must not tell whether the account exists or what it holds.
    const withCodes = submitted(newTicket({ accountId: ACCOUNT_ID }));
    const assessed = { ...withCodes, current: { ...withCodes.current, ticket: { ...withCodes.current.ticket!, riskFlags: ' unused_recovery_codes ' } } };
    const unknown = submitted(newTicket({ accountId: null }));
    const known = accepted(assessed, cmd.route());
    const nobody = accepted(unknown, cmd.route());
    expect(known.to).toBe(S.AwaitingReview);
    const { accountId: _a, riskFlags: _r, ...knownRow } = known.ticket;
    const { accountId: _b, riskFlags: _s, ...unknownRow } = nobody.ticket;
    expect(knownRow).toEqual(unknownRow);
    expect({ events: known.events, mails: known.mails, timers: known.timers, audit: known.audit }).toEqual({
      events: nobody.events,
      mails: nobody.mails,
      timers: nobody.timers,
      audit: nobody.audit,
    });
    expect(known.mails).toEqual([]);
  });

  it('only refreshes the queue place of a ticket already routed (no write, but a sync)', () => {
    const queued = ticketIn(S.AwaitingReview);
    const t = accepted(queued, cmd.route());
    expect(t).toMatchObject({ from: S.AwaitingReview, to: S.AwaitingReview, write: { kind: 'none' }, events: [], mails: [], sync: 'outbox' });
  });
});

describe('start_clock', () => {
  it('starts the clock of a ticket from before the SLA at its arrival, paused if it waits on the requester', () => {
    const queued = ticketIn(S.AwaitingReview);
    const t = accepted({ ...queued, current: { ticket: withoutClock(queued.current.ticket!), recovery: null } }, cmd.startClock(), DAY);
    expect(t.ticket).toMatchObject({ slaCycleStartedAt: T0, slaPausedSince: null, responseDueAt: plus(T0, 72 * HOUR), slaNextAt: plus(T0, 54 * HOUR) });
    expect(eventsOf(t)).toEqual([['sla_started', 'system', false, []]]);

    const waiting = ticketIn(S.AwaitingRequester);
    const paused = accepted({ ...waiting, current: { ticket: withoutClock(waiting.current.ticket!), recovery: null } }, cmd.startClock(), DAY);
    expect(paused.ticket).toMatchObject({ slaCycleStartedAt: T0, slaPausedSince: plus(waiting.now, DAY), slaNextAt: null });
  });

  it('is refused for a ticket whose clock runs', () => {
    expect(refused(send(ticketIn(S.AwaitingReview), cmd.startClock()))).toMatchObject({
      reason: 'rule',
      message: 'The SLA clock of this ticket already runs.',
    });
  });
});

describe('claim', () => {
  const queued = ticketIn(S.AwaitingReview);
  const t = accepted(queued, cmd.claim('bob'), 20 * MINUTE);
  const now = plus(queued.now, 20 * MINUTE);

  it('hands the ticket to the moderator with a lease; the first claim is the first response', () => {
    expect(t.to).toBe(S.InReview);
    expect(t.ticket).toMatchObject({
      claimedBy: 'moderator:bob',
      claimedAt: now,
      leaseExpiresAt: plus(now, LEASE_MS),
      updatedAt: now,
      firstRespondedAt: now,
      slaResponseMs: now.getTime() - T0.getTime(),
      slaResponseMet: true,
      responseDueAt: null,
      slaNextAt: plus(T0, 252 * HOUR),
    });
    expect(t.events).toEqual([
      {
        ticketId: TICKET_ID,
        type: 'claimed',
        actor: 'moderator:bob',
        public: false,
        data: { lease_expires_at: plus(now, LEASE_MS).toISOString() },
        createdAt: now,
      },
    ]);
    expect(t.write).toMatchObject({ kind: 'update', lock: 'version' });
    expect(t.mails).toEqual([]);
  });

  it("takes the dispatch job out and arms the lease expiry (and the decision clock's timer)", () => {
    expect(timerIds(t)).toEqual({
      arm: [leaseTimerId(TICKET_ID, plus(now, LEASE_MS)), slaTimerId(TICKET_ID, plus(T0, 252 * HOUR))].sort(),
      cancel: [dispatchJobId(TICKET_ID), slaTimerId(TICKET_ID, plus(T0, 54 * HOUR))].sort(),
    });
    expect(t.sync).toBe('outbox');
  });

  it('keeps the first response of an earlier claim', () => {
    const released = then({ current: applied(t), now }, cmd.release('bob'));
    const again = accepted(released, cmd.claim('ann'), HOUR);
    expect(again.ticket).toMatchObject({ claimedBy: 'moderator:ann', firstRespondedAt: now, slaResponseMs: now.getTime() - T0.getTime() });
    expect(again.write.kind === 'update' && 'firstRespondedAt' in again.write.changes).toBe(false);
  });

  it('is refused for a ticket someone holds', () => {
    // Reachable tickets are held only in review (refused for the state); a row read while another claim committed says who holds it.
    expect(refused(send(ticketIn(S.InReview), cmd.claim('bob')))).toMatchObject({ reason: 'state' });
    const stale = { ...queued.current.ticket!, claimedBy: 'moderator:ann' };
    expect(refused(send({ ...queued, current: { ticket: stale, recovery: null } }, cmd.claim('bob')))).toMatchObject({
      reason: 'holder',
      message: 'The ticket is held by moderator:ann.',
    });
  });
});

describe("the holder's commands", () => {
  const held = ticketIn(S.InReview);
  const lease = held.current.ticket!.leaseExpiresAt!;

  it.each<[string, Command]>([
    ['renew_lease', cmd.renew('bob')],
    ['release', cmd.release('bob')],
    ['ask', cmd.ask('bob')],
    ['approve', cmd.approve({ moderator: 'bob' })],
    ['deny', cmd.deny('bob')],
  ])('%s by someone else than the holder is refused', (_name, command) => {
    expect(refused(send(held, command))).toMatchObject({ reason: 'holder', message: NOT_HOLDER, state: S.InReview });
  });

  it('renew_lease runs the lease again from now, without a sync (the armed timer waits again)', () => {
    const t = accepted(held, cmd.renew('ann'), 20 * MINUTE);
    const renewed = plus(held.now, 20 * MINUTE + LEASE_MS);
    expect(t).toMatchObject({ to: S.InReview, sync: 'none', events: [], write: { kind: 'update', lock: 'version', changes: { leaseExpiresAt: renewed } } });
    expect(timerIds(t)).toEqual({ arm: [leaseTimerId(TICKET_ID, renewed)], cancel: [leaseTimerId(TICKET_ID, lease)] });
  });

  it('release puts the ticket back in the queue: dispatch job armed, lease timer cancelled', () => {
    const t = accepted(held, cmd.release('ann'));
    expect(t.ticket).toMatchObject({
      state: S.AwaitingReview,
      claimedBy: null,
      claimedAt: null,
      leaseExpiresAt: null,
      firstRespondedAt: held.current.ticket!.firstRespondedAt,
    });
    expect(eventsOf(t)).toEqual([['released', 'moderator:ann', false, []]]);
    expect(timerIds(t)).toEqual({ arm: [dispatchJobId(TICKET_ID)], cancel: [leaseTimerId(TICKET_ID, lease)] });
    expect(t.sync).toBe('outbox');
  });

  it('ask pauses the clock, ends the claim, puts the question on the status page and mails it', () => {
    const t = accepted(held, cmd.ask('ann'), 10 * MINUTE);
    const now = plus(held.now, 10 * MINUTE);
    expect(t.ticket).toMatchObject({
      state: S.AwaitingRequester,
      slaPausedSince: now,
      claimedBy: null,
      claimedAt: null,
      leaseExpiresAt: null,
      slaNextAt: null,
      decisionDueAt: null,
    });
    expect(t.events).toEqual([
      {
        ticketId: TICKET_ID,
        type: 'info_requested',
        actor: 'moderator:ann',
        public: true,
        createdAt: now,
        data: { message: 'Which projects did you publish?', template: 'projects' },
      },
    ]);
    expect(t.audit[0].data).toEqual({ message_chars: JSON.stringify('Which projects did you publish?').length, template: 'projects' });
    expect(t.mails).toEqual([
      {
        to: 'requester@example.org',
        template: MailTemplate.InfoRequested,
        context: { reference: 'RD-7K3F9Q', username: 'Sample-User', message: 'Which projects did you publish?' },
      },
    ]);
    expect(timerIds(t)).toEqual({ arm: [], cancel: [leaseTimerId(TICKET_ID, lease), slaTimerId(TICKET_ID, plus(T0, 252 * HOUR))].sort() });
  });
});

describe('expire_lease', () => {
  const held = ticketIn(S.InReview);
  const lease = held.current.ticket!.leaseExpiresAt!;

  it('puts the ticket back when the lease ran out', () => {
    const t = expectTransition(decide(held.current, cmd.expireLease(), lease, POLICY));
    expect(t.ticket).toMatchObject({ state: S.AwaitingReview, claimedBy: null, leaseExpiresAt: null });
    expect(t.events).toEqual([
      { ticketId: TICKET_ID, type: 'lease_expired', actor: 'system', public: false, data: { held_by: 'moderator:ann' }, createdAt: lease },
    ]);
    expect(timerIds(t)).toEqual({ arm: [dispatchJobId(TICKET_ID)], cancel: [leaseTimerId(TICKET_ID, lease)] });
  });

  it("only has the renewed lease's timer armed when the lease was renewed meanwhile", () => {
    const renewed = then(held, cmd.renew('ann'), 20 * MINUTE);
    const t = expectTransition(decide(renewed.current, cmd.expireLease(), lease, POLICY));
    expect(t).toMatchObject({ from: S.InReview, to: S.InReview, write: { kind: 'none' }, events: [], sync: 'outbox' });
  });

  it('is refused when nobody holds the ticket', () => {
    const nobody = { ...held.current.ticket!, claimedBy: null, leaseExpiresAt: null };
    expect(refused(decide({ ticket: nobody, recovery: null }, cmd.expireLease(), lease, POLICY))).toMatchObject({ reason: 'holder' });
  });
});

describe('reassign and escalate', () => {
  it('reassigns a held ticket with a fresh lease, naming both moderators', () => {
    const held = ticketIn(S.InReview);
    const t = accepted(held, cmd.reassign('cy', 'bob'));
    const now = plus(held.now, MINUTE);
    expect(t.ticket).toMatchObject({ state: S.InReview, claimedBy: 'moderator:bob', claimedAt: now, leaseExpiresAt: plus(now, LEASE_MS) });
    expect(t.events.map((e) => [e.type, e.actor, e.public, e.data])).toEqual([
      ['reassigned', 'moderator:cy', false, { from: 'moderator:ann', to: 'moderator:bob' }],
    ]);
  });

  it('reassigns a waiting ticket: the first response, the dispatch job gone', () => {
    const queued = ticketIn(S.AwaitingReview);
    const t = accepted(queued, cmd.reassign('cy', 'bob'));
    expect(t.ticket.firstRespondedAt).toEqual(plus(queued.now, MINUTE));
    expect(t.events[0].data).toEqual({ from: null, to: 'moderator:bob' });
    expect(timerIds(t).cancel).toContain(dispatchJobId(TICKET_ID));
  });

  it('escalates a held ticket to the top of the queue, claim ended', () => {
    const held = ticketIn(S.InReview);
    const t = accepted(held, cmd.escalate('ann'));
    expect(t.ticket).toMatchObject({ state: S.AwaitingReview, escalated: true, claimedBy: null, leaseExpiresAt: null });
    expect(t.events.map((e) => [e.type, e.actor, e.public, e.data])).toEqual([['escalated', 'moderator:ann', false, { reason: 'needs a senior' }]]);
    const dispatch = t.timers.arm.find((job) => job.queue === QueueName.Dispatch)!;
    expect(dispatch.priority).toBe(dispatchPriority(DispatchTier.Breached, T0));
  });

  it('escalates a waiting ticket: its dispatch job is armed again at the top tier', () => {
    const queued = ticketIn(S.AwaitingReview);
    const t = accepted(queued, cmd.escalate('ann'));
    expect(t.to).toBe(S.AwaitingReview);
    expect(t.timers.arm.map((job) => [job.id, job.priority])).toEqual([[dispatchJobId(TICKET_ID), dispatchPriority(DispatchTier.Breached, T0)]]);
    expect(t.timers.cancel).toEqual([]);
  });
});

describe("the requester's messages", () => {
  it('answer resumes the clock (the pause pushes the deadlines back) and puts the ticket back in the queue', () => {
    const waiting = ticketIn(S.AwaitingRequester);
    const since = waiting.current.ticket!.slaPausedSince!;
    const t = accepted(waiting, cmd.answer(), 2 * HOUR);
    const now = plus(waiting.now, 2 * HOUR);
    expect(t.ticket).toMatchObject({
      state: S.AwaitingReview,
      slaPausedSince: null,
      slaPauses: [{ from: since.toISOString(), to: now.toISOString() }],
      decisionDueAt: plus(T0, 14 * DAY + 2 * HOUR),
      slaNextAt: plus(T0, 252 * HOUR + 2 * HOUR),
    });
    expect(eventsOf(t)).toEqual([
      ['message', 'requester', true, ['message']],
      ['state_changed', 'requester', false, ['from', 'to']],
    ]);
    expect(t.events[1].data).toEqual({ from: S.AwaitingRequester, to: S.AwaitingReview });
    expect(t.assess).toBe('message');
    expect(timerIds(t)).toEqual({ arm: [dispatchJobId(TICKET_ID), slaTimerId(TICKET_ID, plus(T0, 254 * HOUR))].sort(), cancel: [] });
  });

  it('add_information adds a line and asks for an assessment, the state unchanged', () => {
    const held = ticketIn(S.InReview);
    const t = accepted(held, cmd.addInformation());
    expect(t).toMatchObject({ to: S.InReview, assess: 'message', sync: 'none' });
    expect(eventsOf(t)).toEqual([['message', 'requester', true, ['message']]]);
  });

  it('messageCommand answers while the desk waits on the requester, adds information otherwise', () => {
    expect(messageCommand({ state: S.AwaitingRequester }, 'hi')).toEqual({ type: 'answer', message: 'hi' });
    expect(messageCommand({ state: S.InReview }, 'hi')).toEqual({ type: 'add_information', message: 'hi' });
  });

  it('contest of the recovery-codes answer (a ticket answered so before every ticket was queued) sends it to the queue and resumes the clock', () => {
    const waiting = ticketIn(S.AwaitingRequester);
    const t = accepted(waiting, cmd.contest('recovery_codes'), HOUR);
    expect(t.ticket).toMatchObject({ state: S.AwaitingReview, slaPausedSince: null });
    expect(eventsOf(t)).toEqual([['contested', 'requester', true, ['public_text']]]);
  });

  it.each<['question' | null]>([['question'], [null]])('contest while waiting for %s is refused', (waitingFor) => {
    const waiting = ticketIn(S.AwaitingRequester);
    expect(refused(send(waiting, cmd.contest(waitingFor)))).toMatchObject({ reason: 'state', message: 'This request is not waiting on recovery codes.' });
  });
});

describe('record_coc and note', () => {
  it('records an acceptance given elsewhere on a ticket without one', () => {
    const held = ticketIn(S.InReview);
    const t = accepted({ ...held, current: { ticket: withoutCoc(held.current.ticket!), recovery: null } }, cmd.recordCoc('ann'));
    expect(t.ticket).toMatchObject({ cocVersion: '2026-11', cocAcceptedAt: plus(T0, -HOUR), cocMethod: 'email_reply', cocRecordedBy: 'moderator:ann' });
    expect(t.events.map((e) => [e.type, e.actor, e.public, e.data])).toEqual([
      ['coc_recorded', 'moderator:ann', false, { version: '2026-11', accepted_at: plus(T0, -HOUR).toISOString(), method: 'email_reply' }],
    ]);
  });

  it('refuses a second record', () => {
    expect(refused(send(ticketIn(S.InReview), cmd.recordCoc()))).toMatchObject({
      reason: 'rule',
      message: 'A Code of Conduct acceptance is already on record for this ticket.',
    });
  });

  it('adds a note to any ticket, closed too, changing no column', () => {
    const done = ticketIn(S.Completed);
    const t = accepted(done, cmd.note('ann'));
    expect(t).toMatchObject({ to: S.Completed, write: { kind: 'none' }, sync: 'none', mails: [] });
    expect(eventsOf(t)).toEqual([['note', 'moderator:ann', false, ['message']]]);
    expect(t.audit[0].data).toEqual({ message_chars: JSON.stringify('called the requester').length });
  });
});

describe('approve', () => {
  const held = ticketIn(S.InReview);
  const claimedAt = held.current.ticket!.claimedAt!;
  const lease = held.current.ticket!.leaseExpiresAt!;
  const now = plus(held.now, 10 * MINUTE);
  const endsAt = plus(now, COOLING_OFF_MS);

  it("without a second approval: cooling off, the recovery inserted with the stop token's SHA-256", () => {
    const t = accepted(held, cmd.approve(), 10 * MINUTE);
    expect(t.to).toBe(S.CoolingOff);
    expect(t.ticket).toMatchObject({
      state: S.CoolingOff,
      coolingOffEndsAt: endsAt,
      decidedAt: now,
      outcome: 'approved',
      decidedBy: 'moderator:ann',
      handlingMs: now.getTime() - claimedAt.getTime(),
      claimedBy: null,
      claimedAt: null,
      leaseExpiresAt: null,
      slaDecidedAt: now,
      slaDecisionMs: now.getTime() - T0.getTime(),
      slaDecisionMet: true,
      slaNextAt: null,
      openKey: OPEN_KEY,
    });
    expect(t.recoveryWrite).toEqual({ kind: 'insert', row: t.recovery });
    expect(t.recovery).toEqual({
      id: 'a1b2c3d4-0000-4000-8000-000000000001',
      ticketId: TICKET_ID,
      accountId: ACCOUNT_ID,
      activeKey: ACCOUNT_ID,
      state: 'cooling_off',
      resetAddress: 'owner@example.org',
      needsSecond: false,
      override: false,
      overrideReason: null,
      firstApprover: 'ann',
      firstApprovedAt: now,
      secondApprover: null,
      secondApprovedAt: null,
      coolingOffMs: COOLING_OFF_MS,
      coolingOffEndsAt: endsAt,
      stopTokenHash: sha256('stop-token-0123456789'),
      resetTokenHash: null,
      resetIssuedAt: null,
      resetExpiresAt: null,
      resetUsedAt: null,
      closedAt: null,
      closedReason: null,
      createdAt: now,
    });
  });

  it('tells every address on file (with the stop link) and the requester', () => {
    const t = accepted(held, cmd.approve(), 10 * MINUTE);
    const notice = {
      reference: 'RD-7K3F9Q',
      username: 'Sample-User',
      coolingOffEnds: endsAt.toISOString().slice(0, 16).replace('T', ' '),
      stopUrl: 'https://desk.example.org/recovery/stop/stop-token-0123456789',
      contact: 'ops@desk.example.org',
    };
    expect(t.mails).toEqual([
      { to: 'owner@example.org', template: MailTemplate.RecoveryNotice, context: notice },
      { to: 'second@example.org', template: MailTemplate.RecoveryNotice, context: notice },
      {
        to: 'requester@example.org',
        template: MailTemplate.RecoveryApproved,
        context: { reference: 'RD-7K3F9Q', username: 'Sample-User', coolingOffEnds: notice.coolingOffEnds, linkHours: 24 },
      },
    ]);
    expect(t.events.map((e) => [e.type, e.actor, e.public])).toEqual([
      ['approved', 'moderator:ann', true],
      ['cooling_off_started', 'system', true],
    ]);
    expect(t.events[0].data).toEqual({
      needs_second: false,
      reasons: ['email proven'],
      reset_to: 'o***@example.org',
      cooling_off_ms: COOLING_OFF_MS,
      public_text: 'A moderator approved the recovery.',
    });
    expect(t.events[1].data).toMatchObject({ ends_at: endsAt.toISOString(), notified: 2 });
    expect(timerIds(t)).toEqual({
      arm: [coolingOffTimerId(TICKET_ID, endsAt)],
      cancel: [leaseTimerId(TICKET_ID, lease), slaTimerId(TICKET_ID, plus(T0, 252 * HOUR))].sort(),
    });
  });

  it('with a second approval to wait for: approved, the recovery awaiting it, no mail yet', () => {
    const t = accepted(held, cmd.approve({ needsSecond: true }), 10 * MINUTE);
    expect(t.ticket).toMatchObject({ state: S.Approved, coolingOffEndsAt: null, decidedAt: now, outcome: 'approved', claimedBy: null });
    expect(t.recovery).toMatchObject({ state: 'awaiting_second', needsSecond: true, stopTokenHash: null, coolingOffEndsAt: null, activeKey: ACCOUNT_ID });
    expect(t.recoveryWrite).toEqual({ kind: 'insert', row: t.recovery });
    expect(t.mails).toEqual([]);
    expect(eventsOf(t)).toEqual([['approved', 'moderator:ann', true, ['cooling_off_ms', 'needs_second', 'public_text', 'reasons', 'reset_to']]]);
    expect(t.events[0].data.public_text).toBe('A moderator approved the recovery; a second moderator must approve it too.');
    expect(timerIds(t)).toEqual({ arm: [], cancel: [leaseTimerId(TICKET_ID, lease), slaTimerId(TICKET_ID, plus(T0, 252 * HOUR))].sort() });
  });

  it('is refused without a Code of Conduct record, without an account, or while the account has a live recovery', () => {
    const ticket = held.current.ticket!;
    expect(refused(send({ ...held, current: { ticket: withoutCoc(ticket), recovery: null } }, cmd.approve()))).toMatchObject({
      reason: 'rule',
      message: 'The Code of Conduct acceptance is not on record: record how the requester accepted it first.',
    });
    expect(refused(send({ ...held, current: { ticket: { ...ticket, accountId: null }, recovery: null } }, cmd.approve()))).toMatchObject({
      reason: 'rule',
      message: 'There is no account with this username: nothing to recover.',
    });
    expect(refused(send({ ...held, current: { ticket, recovery: liveRecoveryOf('another-ticket') } }, cmd.approve()))).toMatchObject({
      reason: 'rule',
      message: 'Another recovery of this account is already approved; only one may run at a time.',
    });
  });

  it('checks the holder before the rules', () => {
    const ticket = withoutCoc(held.current.ticket!);
    expect(refused(send({ ...held, current: { ticket, recovery: null } }, cmd.approve({ moderator: 'bob' })))).toMatchObject({ reason: 'holder' });
  });

  it('is refused for a ticket that has no assessment, whatever the role', () => {
    const ticket = { ...held.current.ticket!, assessedAt: null, recommendation: null, band: null, score: null };
    for (const role of ['moderator', 'senior', 'admin']) {
      expect(
        refused(send({ ...held, current: { ticket, recovery: null } }, cmd.approve({ role, overrideReason: 'a long enough reason, really' }))),
      ).toMatchObject({ reason: 'rule', message: 'The evidence has not been assessed yet: approval waits for the assessment.' });
    }
  });

  describe('against the recommendation', () => {
    const denied = {
      ...held,
      current: { ticket: assessed(held.current.ticket!, held.now, { score: 0, band: 'insufficient', recommendation: 'deny' }), recovery: null },
    };
    const reason = 'The owner confirmed by a signed release on the project page.';

    it('is refused for a moderator, and for a senior without a written reason', () => {
      expect(refused(send(denied, cmd.approve({ role: 'moderator', overrideReason: reason })))).toMatchObject({
        reason: 'rule',
        message: 'Approving against the recommendation (the assessment recommends deny (score 0)) takes a senior moderator: escalate the ticket instead.',
      });
      expect(refused(send(denied, cmd.approve({ role: 'senior', overrideReason: 'because' })))).toMatchObject({
        reason: 'rule',
        message: expect.stringContaining('needs a written reason of at least 20 characters'),
      });
    });

    it('by a senior with a reason: approved, a second approval required even if the policy asked for none, the reason in the audit only', () => {
      const t = accepted(denied, cmd.approve({ role: 'senior', overrideReason: `  ${reason}  `, needsSecond: false }), 10 * MINUTE);
      expect(t.ticket).toMatchObject({ state: S.Approved, coolingOffEndsAt: null });
      // Marked on the recovery too, trimmed, for the database's CHECKs (migration 1765200000000).
      expect(t.recovery).toMatchObject({ needsSecond: true, state: 'awaiting_second', override: true, overrideReason: reason });
      expect(t.timers.arm).toEqual([]);
      const [event] = t.events;
      expect(event.data).toMatchObject({
        needs_second: true,
        against_recommendation: 'the assessment recommends deny (score 0)',
        override_reason: reason,
        reasons: ['email proven'],
        public_text: 'A moderator approved the recovery; a second moderator must approve it too.',
      });
      expect(t.audit[0].data).toMatchObject({ override_reason: reason, against_recommendation: 'the assessment recommends deny (score 0)' });
    });

    it('a request_info in the weak band is an override too; in the moderate band it is not', () => {
      const weak = {
        ...held,
        current: { ticket: assessed(held.current.ticket!, held.now, { score: 40, band: 'weak', recommendation: 'request_info' }), recovery: null },
      };
      expect(refused(send(weak, cmd.approve()))).toMatchObject({ reason: 'rule', message: expect.stringContaining('takes a senior moderator') });
      const moderate = {
        ...held,
        current: { ticket: assessed(held.current.ticket!, held.now, { score: 60, band: 'moderate', recommendation: 'request_info' }), recovery: null },
      };
      expect(accepted(moderate, cmd.approve(), 10 * MINUTE).ticket.state).toBe(S.CoolingOff);
    });
  });
});

describe('second_approval', () => {
  const approved = ticketIn(S.Approved);
  const firstApprovedAt = approved.current.recovery!.firstApprovedAt;

  it('by another senior starts the cooling-off, conditional on nobody having approved meanwhile', () => {
    const t = accepted(approved, cmd.secondApproval('bob'), HOUR);
    const now = plus(approved.now, HOUR);
    const endsAt = plus(now, COOLING_OFF_MS);
    expect(t.ticket).toMatchObject({
      state: S.CoolingOff,
      coolingOffEndsAt: endsAt,
      decidedAt: firstApprovedAt,
      outcome: 'approved',
      decidedBy: 'moderator:ann',
    });
    expect(t.recoveryWrite).toEqual({
      kind: 'update',
      id: approved.current.recovery!.id,
      fromState: 'awaiting_second',
      where: { secondApprover: null },
      changes: { secondApprover: 'bob', secondApprovedAt: now, state: 'cooling_off', coolingOffEndsAt: endsAt, stopTokenHash: sha256('stop-token-second') },
    });
    expect(t.events.map((e) => [e.type, e.actor, e.public, e.data.first])).toEqual([
      ['second_approval', 'moderator:bob', true, 'ann'],
      ['cooling_off_started', 'system', true, undefined],
    ]);
    expect(mailsOf(t)).toEqual([
      [MailTemplate.RecoveryNotice, 'owner@example.org'],
      [MailTemplate.RecoveryNotice, 'second@example.org'],
      [MailTemplate.RecoveryApproved, 'requester@example.org'],
    ]);
    expect(timerIds(t)).toEqual({ arm: [coolingOffTimerId(TICKET_ID, endsAt)], cancel: [] });
  });

  it('by the first approver is refused', () => {
    expect(refused(send(approved, cmd.secondApproval('ann')))).toMatchObject({
      reason: 'rule',
      message: 'The second approval must come from a different senior moderator than the first.',
    });
  });

  it('is refused when no recovery waits for it', () => {
    expect(refused(send({ ...approved, current: { ...approved.current, recovery: null } }, cmd.secondApproval('bob')))).toMatchObject({
      reason: 'state',
      message: 'This ticket is not waiting for a second approval.',
    });
  });
});

describe('end_cooling_off, reissue_link, stop, complete', () => {
  const cooling = ticketIn(S.CoolingOff);
  const endsAt = cooling.current.ticket!.coolingOffEndsAt!;

  it('end_cooling_off before its time is not due, and says when', () => {
    expect(refused(decide(cooling.current, cmd.endCoolingOff(), plus(endsAt, -SECOND), POLICY))).toMatchObject({
      reason: 'not_due',
      at: endsAt,
      message: 'The cooling-off has not ended yet.',
    });
  });

  it('end_cooling_off sends the single-use reset link to the reset address', () => {
    const t = expectTransition(decide(cooling.current, cmd.endCoolingOff('reset-token-A'), endsAt, POLICY));
    const expires = plus(endsAt, RESET_LINK_TTL_MS);
    expect(t.ticket).toMatchObject({ state: S.ResetIssued, coolingOffEndsAt: null });
    expect(t.recoveryWrite).toMatchObject({
      kind: 'update',
      fromState: 'cooling_off',
      changes: { state: 'link_sent', resetTokenHash: sha256('reset-token-A'), resetIssuedAt: endsAt, resetExpiresAt: expires },
    });
    expect(t.mails).toEqual([
      {
        to: 'owner@example.org',
        template: MailTemplate.ResetLink,
        context: { reference: 'RD-7K3F9Q', username: 'Sample-User', resetUrl: 'https://desk.example.org/reset/reset-token-A', linkHours: 24 },
      },
    ]);
    expect(t.events.map((e) => [e.type, e.actor, e.public, e.data.to, e.data.expires_at])).toEqual([
      ['reset_link_sent', 'system', true, 'o***@example.org', expires.toISOString()],
    ]);
    expect(timerIds(t)).toEqual({ arm: [], cancel: [coolingOffTimerId(TICKET_ID, endsAt)] });
  });

  const issued = ticketIn(S.ResetIssued);

  it("reissue_link replaces the link's hash (the older one stops working)", () => {
    const t = accepted(issued, cmd.reissue('reset-token-B', 'moderator:cy'));
    expect(t.to).toBe(S.ResetIssued);
    expect(t.recovery).toMatchObject({ state: 'link_sent', resetTokenHash: sha256('reset-token-B') });
    expect(t.events.map((e) => [e.type, e.actor])).toEqual([['reset_link_reissued', 'moderator:cy']]);
    expect(mailsOf(t)).toEqual([[MailTemplate.ResetLink, 'owner@example.org']]);
  });

  it('stop closes the ticket as cancelled and ends the recovery; the requester is told', () => {
    const t = accepted(cooling, cmd.stop());
    const now = plus(cooling.now, MINUTE);
    expect(t.ticket).toMatchObject({ state: S.Cancelled, openKey: null, closedAt: now, coolingOffEndsAt: null, outcome: 'approved' });
    expect(t.recovery).toMatchObject({
      state: 'cancelled',
      activeKey: null,
      resetTokenHash: null,
      closedAt: now,
      closedReason: 'stopped_from_address_on_file',
    });
    expect(eventsOf(t)).toEqual([['recovery_stopped', 'account_owner', true, ['public_text']]]);
    expect(t.audit[0].data).toMatchObject({ ip: '198.51.100.4' });
    expect(t.mails).toEqual([
      { to: 'requester@example.org', template: MailTemplate.RecoveryStopped, context: { reference: 'RD-7K3F9Q', username: 'Sample-User' } },
    ]);
    expect(timerIds(t)).toEqual({ arm: [], cancel: [coolingOffTimerId(TICKET_ID, endsAt)] });
  });

  it('complete closes the ticket, conditional on the link still unused, and tells every address', () => {
    const hash = issued.current.recovery!.resetTokenHash!;
    const t = accepted(issued, cmd.complete(hash));
    const now = plus(issued.now, MINUTE);
    expect(t.ticket).toMatchObject({ state: S.Completed, openKey: null, closedAt: now });
    expect(t.recoveryWrite).toMatchObject({
      kind: 'update',
      fromState: 'link_sent',
      where: { resetTokenHash: hash },
      changes: { state: 'completed', resetUsedAt: now, activeKey: null, closedAt: now, closedReason: 'password_set' },
    });
    expect(eventsOf(t)).toEqual([['reset_completed', 'requester', true, ['public_text']]]);
    expect(t.mails.map((m) => [m.template, m.to, m.context])).toEqual(
      ['owner@example.org', 'second@example.org'].map((to) => [
        MailTemplate.RecoveryCompleted,
        to,
        { reference: 'RD-7K3F9Q', username: 'Sample-User', contact: 'ops@desk.example.org' },
      ]),
    );
  });

  it('complete is refused once the link has expired (as ResetsService.redeem refused it, src/resets/resets.service.ts)', () => {
    const recovery = issued.current.recovery!;
    const expiresAt = recovery.resetExpiresAt!;
    expect(expiresAt).toEqual(plus(issued.now, RESET_LINK_TTL_MS));
    expect(decide(issued.current, cmd.complete(recovery.resetTokenHash!), plus(expiresAt, -SECOND), POLICY)).toMatchObject({ refused: false, to: S.Completed });
    for (const at of [expiresAt, plus(expiresAt, DAY)]) {
      expect(refused(decide(issued.current, cmd.complete(recovery.resetTokenHash!), at, POLICY))).toMatchObject({
        reason: 'rule',
        state: S.ResetIssued,
        message: 'The reset link has expired.',
      });
    }
  });

  it('reissue, stop and complete are refused without a live recovery', () => {
    const none = { ...issued, current: { ticket: issued.current.ticket, recovery: null } };
    for (const command of [cmd.reissue(), cmd.stop(), cmd.complete('0'.repeat(64))]) {
      expect(refused(send(none, command))).toMatchObject({ reason: 'state' });
    }
  });
});

describe('closing', () => {
  /** What every closing leaves: no open slot, no claim, no timer. */
  function expectClosed(t: Transition, now: Date) {
    expect(t.ticket).toMatchObject({ openKey: null, closedAt: now, claimedBy: null, claimedAt: null, leaseExpiresAt: null, coolingOffEndsAt: null });
    expect(desiredJobs(t.ticket, false)).toEqual([]);
    expect(t.timers.arm).toEqual([]);
  }

  it('deny by the holder: outcome, the reason mailed, every timer cancelled', () => {
    const held = ticketIn(S.InReview);
    const t = accepted(held, cmd.deny('ann'), HOUR);
    const now = plus(held.now, HOUR);
    expectClosed(t, now);
    expect(t.ticket).toMatchObject({
      state: S.Denied,
      outcome: 'denied',
      decidedBy: 'moderator:ann',
      decidedAt: now,
      handlingMs: HOUR,
      slaDecidedAt: now,
      slaDecisionMs: now.getTime() - T0.getTime(),
    });
    expect(t.events.map((e) => [e.type, e.actor, e.public, e.data])).toEqual([
      [
        'denied',
        'moderator:ann',
        true,
        {
          message: 'We could not confirm that you own the account.',
          template: 'unproven',
          public_text: 'The request was denied.',
        },
      ],
    ]);
    expect(t.mails).toEqual([
      {
        to: 'requester@example.org',
        template: MailTemplate.DecisionDenied,
        context: { reference: 'RD-7K3F9Q', username: 'Sample-User', message: 'We could not confirm that you own the account.' },
      },
    ]);
    expect(timerIds(t).cancel).toEqual(
      desiredJobs(held.current.ticket!, false)
        .map((job) => job.id)
        .sort(),
    );
    expect(t.recoveryWrite).toBeNull();
  });

  it("deny of an approved ticket ends its recovery as denied and keeps the approval's decision time", () => {
    const approved = ticketIn(S.Approved);
    const t = accepted(approved, cmd.deny('bob'), HOUR);
    expectClosed(t, plus(approved.now, HOUR));
    expect(t.ticket).toMatchObject({ outcome: 'denied', decidedBy: 'moderator:bob', decidedAt: approved.current.ticket!.decidedAt, handlingMs: null });
    expect(t.recoveryWrite).toMatchObject({
      kind: 'update',
      fromState: 'awaiting_second',
      changes: { state: 'denied', activeKey: null, closedReason: 'denied' },
    });
  });

  it('withdraw while waiting: outcome withdrawn, no mail', () => {
    const queued = ticketIn(S.AwaitingReview);
    const t = accepted(queued, cmd.withdraw());
    expectClosed(t, plus(queued.now, MINUTE));
    expect(t.ticket).toMatchObject({ state: S.Withdrawn, outcome: 'withdrawn', decidedBy: null });
    expect(t.events.map((e) => [e.type, e.actor, e.public, e.data])).toEqual([['withdrawn', 'requester', true, {}]]);
    expect(t.mails).toEqual([]);
    expect(timerIds(t)).toEqual({ arm: [], cancel: [dispatchJobId(TICKET_ID), slaTimerId(TICKET_ID, plus(T0, 54 * HOUR))].sort() });
  });

  it('withdraw while cooling off cancels the recovery and keeps the approval as the outcome', () => {
    const cooling = ticketIn(S.CoolingOff);
    const t = accepted(cooling, cmd.withdraw());
    expectClosed(t, plus(cooling.now, MINUTE));
    expect(t.ticket).toMatchObject({ state: S.Withdrawn, outcome: 'approved', decidedBy: 'moderator:ann' });
    expect(t.recovery).toMatchObject({ state: 'cancelled', activeKey: null, resetTokenHash: null, closedReason: 'withdrawn' });
    expect(timerIds(t).cancel).toEqual([coolingOffTimerId(TICKET_ID, cooling.current.ticket!.coolingOffEndsAt!)]);
  });

  it('close_unanswered after the cutoff: closed for no response, the wait counted out of the decision time', () => {
    const waiting = ticketIn(S.AwaitingRequester);
    const since = waiting.current.ticket!.slaPausedSince!;
    const t = accepted(waiting, cmd.closeUnanswered(plus(since, 7 * DAY)), 8 * DAY);
    const now = plus(waiting.now, 8 * DAY);
    expectClosed(t, now);
    expect(t.ticket).toMatchObject({
      state: S.ClosedNoResponse,
      outcome: 'closed_no_response',
      slaPausedSince: null,
      slaPauses: [{ from: since.toISOString(), to: now.toISOString() }],
      slaDecisionMs: since.getTime() - T0.getTime(),
    });
    expect(t.events.map((e) => [e.type, e.actor, e.public, e.data])).toEqual([['closed_no_response', 'system', true, { waiting_since: since.toISOString() }]]);
    expect(t.mails).toEqual([
      {
        to: 'requester@example.org',
        template: MailTemplate.ClosedNoResponse,
        context: {
          reference: 'RD-7K3F9Q',
          username: 'Sample-User',
          waitingSince: since.toISOString().slice(0, 16).replace('T', ' '),
          contact: 'ops@desk.example.org',
          recoverUrl: 'https://desk.example.org/recover',
        },
      },
    ]);
  });

  it('close_unanswered before the cutoff (or exactly at it) is refused', () => {
    const waiting = ticketIn(S.AwaitingRequester);
    const since = waiting.current.ticket!.slaPausedSince!;
    for (const cutoff of [plus(since, -HOUR), since]) {
      expect(refused(send(waiting, cmd.closeUnanswered(cutoff), DAY))).toMatchObject({
        reason: 'rule',
        message: 'The requester answered, or has not waited long enough.',
      });
    }
  });
});

describe('reopen', () => {
  const denied = ticketIn(S.Denied);
  const before = denied.current.ticket!;
  const t = accepted(denied, cmd.reopen('cy'), 3 * DAY);
  const now = plus(denied.now, 3 * DAY);

  it('archives the ended cycle for reports', () => {
    expect(t.archive).toEqual({
      ticketId: TICKET_ID,
      cycle: 1,
      requestType: 'lost_2fa',
      startedAt: T0,
      decidedAt: before.slaDecidedAt,
      decisionMs: before.slaDecisionMs,
      decisionMet: true,
      outcome: 'denied',
      decidedBy: 'moderator:ann',
      handlingMs: before.handlingMs,
      closedAt: before.closedAt,
      reopenedAt: now,
    });
  });

  it('starts cycle 2 with the full decision budget, the open slot taken again and the decision cleared', () => {
    expect(t.ticket).toMatchObject({
      state: S.AwaitingReview,
      openKey: OPEN_KEY,
      closedAt: null,
      decidedAt: null,
      outcome: null,
      decidedBy: null,
      handlingMs: null,
      slaCycle: 2,
      slaCycleStartedAt: now,
      slaDecidedAt: null,
      slaDecisionMs: null,
      slaDecisionMet: null,
      decisionDueAt: plus(now, 14 * DAY),
      firstRespondedAt: before.firstRespondedAt,
      slaResponseMs: before.slaResponseMs,
    });
    expect(t.events.map((e) => [e.type, e.actor, e.public, e.data])).toEqual([['reopened', 'moderator:cy', false, { reason: 'new evidence', cycle: 2 }]]);
    expect(timerIds(t)).toEqual({ arm: [dispatchJobId(TICKET_ID), slaTimerId(TICKET_ID, plus(now, 252 * HOUR))].sort(), cancel: [] });
  });
});

describe('sla_due', () => {
  const queued = ticketIn(S.AwaitingReview);
  const warnAt = plus(T0, 54 * HOUR);
  const dueAt = plus(T0, 72 * HOUR);

  it('marks the response warning once, quietly, and has the caller sync', () => {
    const t = expectTransition(decide(queued.current, cmd.slaDue(), warnAt, POLICY));
    expect(t.marks).toEqual([{ clock: 'response', level: 'warning' }]);
    expect(t.ticket).toMatchObject({ slaResponseLevel: 'warning', slaLevel: 'warning', slaNextAt: dueAt, state: S.AwaitingReview });
    expect(t.write).toMatchObject({ kind: 'update', lock: 'quiet', where: { slaResponseLevel: 'on_time', slaDecisionLevel: 'on_time', slaCycle: 1 } });
    expect(t.sync).toBe('caller');
    expect(t.events.map((e) => [e.type, e.actor, e.public, e.data])).toEqual([
      ['sla_warning', 'system', false, { clock: 'response', due_at: dueAt.toISOString(), cycle: 1 }],
    ]);
    expect(t.mails).toEqual([]);
    expect(t.webhooks).toEqual([]);
    // The dispatch job moves up to the warned tier; the fired timer gives way to the breach's.
    expect(t.timers.arm.map((job) => [job.id, job.priority])).toEqual([
      [dispatchJobId(TICKET_ID), dispatchPriority(DispatchTier.Warned, T0)],
      [slaTimerId(TICKET_ID, dueAt), undefined],
    ]);
    expect(t.timers.cancel).toEqual([slaTimerId(TICKET_ID, warnAt)]);
    // A second firing on the result marks nothing.
    expect(refused(decide(applied(t), cmd.slaDue(), warnAt, POLICY))).toMatchObject({ reason: 'not_due', at: dueAt });
  });

  it('marks a late breach without the stale warning, mails ops, and posts no webhook unless configured', () => {
    const late = plus(dueAt, HOUR);
    const t = expectTransition(decide(queued.current, cmd.slaDue(), late, POLICY));
    expect(t.marks).toEqual([{ clock: 'response', level: 'breached' }]);
    expect(t.events.map((e) => e.type)).toEqual(['sla_breached']);
    expect(t.mails).toEqual([
      {
        to: 'ops@desk.example.org',
        template: MailTemplate.SlaBreach,
        context: { reference: 'RD-7K3F9Q', clock: 'first response', requestType: 'lost_2fa', dueAt: dueAt.toISOString(), holder: null },
      },
    ]);
    expect(t.webhooks).toEqual([]);
    // Marked once: the same firing again waits for the decision clock's warning.
    expect(refused(decide(applied(t), cmd.slaDue(), late, POLICY))).toMatchObject({ reason: 'not_due', at: plus(T0, 252 * HOUR) });

    const hooked = expectTransition(decide(queued.current, cmd.slaDue(), late, testPolicy({ slaWebhook: true })));
    expect(hooked.webhooks).toEqual([
      {
        event: 'sla_breached',
        reference: 'RD-7K3F9Q',
        clock: 'response',
        request_type: 'lost_2fa',
        due_at: dueAt.toISOString(),
        breached_at: late.toISOString(),
      },
    ]);
  });

  it('names the holder in the breach mail of a held ticket', () => {
    const held = ticketIn(S.InReview);
    const t = expectTransition(decide(held.current, cmd.slaDue(), plus(T0, 15 * DAY), POLICY));
    expect(t.marks).toEqual([{ clock: 'decision', level: 'breached' }]);
    expect(t.mails[0].context).toMatchObject({ clock: 'decision', holder: 'moderator:ann', dueAt: plus(T0, 14 * DAY).toISOString() });
  });

  it('is not due before the next instant, and has nothing to do with a paused or absent clock', () => {
    expect(refused(decide(queued.current, cmd.slaDue(), plus(warnAt, -SECOND), POLICY))).toMatchObject({ reason: 'not_due', at: warnAt });
    const waiting = ticketIn(S.AwaitingRequester);
    expect(refused(decide(waiting.current, cmd.slaDue(), plus(T0, 30 * DAY), POLICY))).toMatchObject({ reason: 'rule', message: 'Nothing is due.' });
    const legacy = { ticket: withoutClock(queued.current.ticket!), recovery: null };
    expect(refused(decide(legacy, cmd.slaDue(), plus(T0, 30 * DAY), POLICY))).toMatchObject({
      reason: 'rule',
      message: 'The SLA clock of this ticket does not run.',
    });
  });
});

describe('a ticket from before the SLA (its clock never started)', () => {
  // stepClock starts such a clock at the ticket's arrival before the move's steps; the measures are
  // taken from that start too, as SlaService.step did (src/sla/sla.service.ts: the started clock, then the step).
  it('measures its first response from its arrival when first claimed', () => {
    const queued = ticketIn(S.AwaitingReview);
    const legacy = { ticket: withoutClock(queued.current.ticket!), recovery: null };
    const t = expectTransition(decide(legacy, cmd.claim('bob'), plus(T0, 80 * HOUR), POLICY));
    expect(t.ticket).toMatchObject({ slaCycleStartedAt: T0, firstRespondedAt: plus(T0, 80 * HOUR), slaResponseMs: 80 * HOUR, slaResponseMet: false });
  });

  it('measures its decision from its arrival when decided', () => {
    const held = ticketIn(S.InReview);
    const legacy = { ticket: withoutClock(held.current.ticket!), recovery: null };
    const t = expectTransition(decide(legacy, cmd.deny('ann'), plus(T0, 2 * DAY), POLICY));
    expect(t.ticket).toMatchObject({ slaCycleStartedAt: T0, slaDecidedAt: plus(T0, 2 * DAY), slaDecisionMs: 2 * DAY, slaDecisionMet: true });
  });
});

describe('timers, every admitted command in every state', () => {
  const cases = COMMANDS.flatMap((type) => statesFor(type).flatMap((state) => admittedCases(type, state).map((c) => [type, state, c.label, c] as const)));

  it.each(cases)('%s in %s (%s): arms and cancels the difference of desiredJobs before and after', (_type, _state, _label, c) => {
    const decision = decide(c.current, c.command, c.now, POLICY);
    if (decision.refused) {
      expect('refused' in c.expect).toBe(true);
      return;
    }
    expect(timerIds(decision)).toEqual(jobDiff(c.current.ticket, decision.ticket));
    // The writer applies `changes` to the row it read (a person's change also moves the version on): that must give the ticket `decide` returns.
    if (decision.write.kind === 'update') {
      const version = decision.write.lock === 'version' ? c.current.ticket!.version + 1 : c.current.ticket!.version;
      expect({ ...c.current.ticket, ...decision.write.changes, version }).toEqual(decision.ticket);
      if (decision.write.lock === 'version') expect(decision.write.where.version).toBe(c.current.ticket!.version);
    }
    if (decision.write.kind === 'none') expect(decision.ticket).toEqual(c.current.ticket);
    expect(decision.audit.map((a) => [a.action, a.actor, a.at])).toEqual(decision.events.map((e) => [e.type, e.actor, e.createdAt]));
  });

  it("uses the fast lane's tier for a ticket the scorer recommends approving, when the policy has it", () => {
    const story = submitted();
    const recommended = { ...story.current.ticket!, recommendation: 'approve' as const };
    const t = expectTransition(decide({ ticket: recommended, recovery: null }, cmd.route(), plus(T0, MINUTE), testPolicy({ fastLane: true })));
    expect(t.timers.arm.map((job) => job.priority)).toEqual([dispatchPriority(DispatchTier.FastLane, T0)]);
  });
});

describe('auditData and allowedCommands', () => {
  it('keeps free text and claims out of the audit log, by length only, and adds the IP', () => {
    expect(auditData({ message: 'hello', template: 't' })).toEqual({ message_chars: 7, template: 't' });
    expect(auditData({ claims: { a: 1 } }, '192.0.2.1')).toEqual({ claims_chars: 7, ip: '192.0.2.1' });
    expect(auditData({ message: null })).toEqual({ message_chars: 2 });
  });

  it('offers what the workflow would take now', () => {
    const held = ticketIn(S.InReview);
    const now = plus(held.now, MINUTE);
    const candidates = [cmd.release('ann'), cmd.release('bob'), cmd.claim('bob'), cmd.ask('ann'), cmd.approve(), cmd.withdraw(), cmd.reopen()];
    expect(allowedCommands(held.current, candidates, now, POLICY)).toEqual(['release', 'ask', 'approve', 'withdraw']);
  });
});

describe('newTicket fixtures', () => {
  it("reach each state through decide with the ticket's own id and reference", () => {
    for (const state of Object.values(TicketState)) {
      const story = ticketIn(state, { ticket: newTicket({ reference: 'RD-ABCDEF' }) });
      expect([story.current.ticket!.state, story.current.ticket!.reference]).toEqual([state, 'RD-ABCDEF']);
    }
  });
});
