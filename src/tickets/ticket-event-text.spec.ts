import { describeForRequester, describeForStaff } from './ticket-event-text.js';
import type { TicketEventType } from './ticket.types.js';

const at = new Date('2026-11-25T12:00:00Z');
const event = (type: string, data: Record<string, unknown> = {}, actor = 'system', isPublic = false) => ({
  type,
  actor,
  public: isPublic,
  data,
  createdAt: at,
});

// A Record, so the compiler says when a new event type has no line here.
const EVERY_TYPE: Record<TicketEventType, true> = {
  submitted: true,
  follow_up: true,
  message: true,
  withdrawn: true,
  competing_request: true,
  state_changed: true,
  info_requested: true,
  assessed: true,
  codes_sent: true,
  code_sent: true,
  code_confirmed: true,
  code_rejected: true,
  code_locked: true,
  repository_challenge_started: true,
  repository_checked: true,
  repository_result_recorded: true,
  publisher_challenge_started: true,
  publisher_token_rejected: true,
  publisher_token_checked: true,
  publisher_challenge_locked: true,
  github_identity_started: true,
  github_identity_checked: true,
  recovery_codes_hint_sent: true,
  routed: true,
  recovery_codes_answer: true,
  contested: true,
  claimed: true,
  lease_renewed: true,
  released: true,
  lease_expired: true,
  reassigned: true,
  escalated: true,
  sla_started: true,
  sla_paused: true,
  sla_resumed: true,
  sla_warning: true,
  sla_breached: true,
  reopened: true,
  note: true,
  denied: true,
  coc_recorded: true,
  approved: true,
  second_approval: true,
  cooling_off_started: true,
  reset_link_sent: true,
  reset_link_reissued: true,
  reset_completed: true,
  recovery_stopped: true,
  closed_no_response: true,
};

describe('timeline lines', () => {
  it("keeps the requester's wording for the status page", () => {
    expect(describeForRequester(event('submitted', {}, 'requester', true))).toEqual({ at, text: 'We received your request.' });
    expect(describeForRequester(event('message', { message: '<b>hi</b>' }, 'requester', true))).toEqual({
      at,
      text: 'You added information.',
      body: '<b>hi</b>',
    });
    expect(describeForRequester(event('code_sent', { public_text: 'We sent a code.' }, 'moderator:ann', true))).toEqual({ at, text: 'We sent a code.' });
    expect(describeForRequester(event('claimed')).text).toBe('The request was updated.');
    expect(describeForRequester(event('closed_no_response', { waiting_since: '2026-10-20T09:00:00.000Z' }, 'system', true))).toEqual({
      at,
      text: 'We closed the request because we did not hear back from you.',
    });
  });

  it.each(Object.keys(EVERY_TYPE))('has a staff line of its own for %s', (type) => {
    const line = describeForStaff(event(type, {}, 'moderator:ann'));
    expect(line.text.length).toBeGreaterThan(5);
    expect(line.text).not.toContain('undefined');
    expect(line.text).not.toBe(`${type.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase())} by ann.`);
  });

  it('says who did what, keeps free text as a body, and marks what the requester sees', () => {
    expect(describeForStaff(event('message', { message: '<img src=x>' }, 'requester', true))).toEqual({
      at,
      type: 'message',
      actor: 'requester',
      public: true,
      category: 'requester',
      text: 'The requester added information.',
      body: '<img src=x>',
    });
    expect(describeForStaff(event('claimed', { lease_expires_at: '2026-11-25T12:15:00.000Z' }, 'moderator:ann'))).toMatchObject({
      actor: 'ann',
      public: false,
      category: 'queue',
      text: 'ann took the ticket (lease until 2026-11-25T12:15:00.000Z).',
    });
    expect(
      describeForStaff(
        event('assessed', {
          trigger: 'follow_up',
          score: 42,
          band: 'weak',
          recommendation: 'request_info',
          rule_version: '2026.11.2',
          risk_flags: ['high_value_account'],
        }),
      ).text,
    ).toBe('Assessed (follow up): score 42, weak, recommends request info; rules 2026.11.2; flags: high value account.');
    expect(describeForStaff(event('sla_breached', { clock: 'response', due_at: '2026-11-28T12:00:00.000Z' }))).toMatchObject({
      category: 'sla',
      text: 'SLA breached: the first-response deadline (2026-11-28T12:00:00.000Z) passed.',
    });
    expect(describeForStaff(event('lease_expired', { held_by: 'moderator:zed' })).text).toBe('The lease of zed ran out: back in the queue.');
    expect(describeForStaff(event('escalated', { reason: 'high value' }, 'moderator:ann')).body).toBe('high value');
    expect(describeForStaff(event('closed_no_response', { waiting_since: '2026-10-20T09:00:00.000Z' }, 'system', true))).toMatchObject({
      actor: 'system',
      public: true,
      category: 'queue',
      text: 'Closed without an answer: the requester had not replied since 2026-10-20T09:00:00.000Z.',
    });
  });

  it('says which second factor confirmed an approval, and nothing for approvals that do not record it', () => {
    const approved = (data: Record<string, unknown>) => describeForStaff(event('approved', { reset_to: 'o***@example.org', ...data }, 'moderator:ann')).text;
    expect(approved({ reauthenticated_with: 'passkey' })).toBe('ann approved the recovery (confirmed with a passkey), reset link to o***@example.org.');
    expect(approved({ reauthenticated_with: 'totp' })).toBe(
      'ann approved the recovery (confirmed with an authenticator code), reset link to o***@example.org.',
    );
    expect(approved({})).toBe('ann approved the recovery, reset link to o***@example.org.');
    expect(describeForStaff(event('second_approval', { first: 'ann', reauthenticated_with: 'passkey' }, 'moderator:bob')).text).toBe(
      'bob gave the second approval (the first was ann; confirmed with a passkey).',
    );
  });

  it('reads event types it does not know yet', () => {
    expect(describeForStaff(event('note_added', { note: 'called the owner' }, 'moderator:ann'))).toMatchObject({
      category: 'moderator',
      text: 'Note added by ann.',
      body: 'called the owner',
    });
    expect(describeForStaff(event('recovery_paused', { public_text: 'We paused it.' }, 'moderator:ann', true)).text).toBe('We paused it.');
  });
});
