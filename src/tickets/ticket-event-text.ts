/**
 * One readable line per timeline event: the requester's wording for the status page (public events
 * only), and the staff wording for the moderator's ticket page (every event). Pure: no I/O.
 */
import type { TicketEvent } from './ticket.entity.js';

export interface EventLine {
  at: Date;
  text: string;
  /** Free text that came with the event (a message, a reason, a note): shown escaped, as a quote. */
  body?: string;
}

export interface StaffEventLine extends EventLine {
  type: string;
  /** `requester`, `system`, or the moderator's name. */
  actor: string;
  /** The requester sees this line on the status page. */
  public: boolean;
  /** For grouping and styling: what kind of line this is. */
  category: 'requester' | 'moderator' | 'assessment' | 'challenge' | 'sla' | 'queue';
}

/** Typed as any string: rows written by newer code (or older types) must still read. */
type EventInput = Pick<TicketEvent, 'actor' | 'public' | 'data' | 'createdAt'> & { type: string };

/** Event data is JSON: strings and numbers as they are, anything larger as JSON rather than "[object Object]". */
const str = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === undefined || value === null ? '' : JSON.stringify(value);
};
const words = (value: unknown): string => str(value).replace(/_/g, ' ');

/** The status page's wording: what the requester did, and what we told them (`public_text`). */
export function describeForRequester(event: EventInput): EventLine {
  const at = event.createdAt;
  switch (event.type) {
    case 'submitted':
      return { at, text: 'We received your request.' };
    case 'follow_up':
      return { at, text: 'You sent the request again; we added it to this one. It keeps its place in the queue.' };
    case 'message':
      return { at, text: 'You added information.', body: str(event.data.message) };
    case 'withdrawn':
      return { at, text: 'You withdrew the request.' };
    case 'recovery_codes_answer':
      return { at, text: 'We answered: this account can be recovered with a recovery code, without a moderator.' };
    case 'closed_no_response':
      return { at, text: 'We closed the request because we did not hear back from you.' };
    default:
      return { at, text: str(event.data.public_text) || 'The request was updated.', body: event.data.message ? str(event.data.message) : undefined };
  }
}

/** `moderator:ann` → `ann`. */
export function actorName(actor: string): string {
  return actor.replace(/^moderator:/, '');
}

/** The moderator's wording: every event, public or internal, with who did it. */
export function describeForStaff(event: EventInput): StaffEventLine {
  const d = event.data;
  const who = actorName(event.actor);
  const line = (category: StaffEventLine['category'], text: string, body?: unknown): StaffEventLine => ({
    at: event.createdAt,
    type: event.type,
    actor: who,
    public: event.public,
    category,
    text,
    ...(body === undefined || body === null || body === '' ? {} : { body: str(body) }),
  });
  switch (event.type) {
    case 'submitted':
      return line('requester', `Submitted by the requester${d.coc_version ? ` (Code of Conduct ${str(d.coc_version)} accepted)` : ''}.`);
    case 'follow_up':
      return line(
        'requester',
        `The requester sent the request again${d.request_type ? ` (${words(d.request_type)})` : ''}; its claims were added to this ticket.`,
      );
    case 'message':
      return line('requester', 'The requester added information.', d.message);
    case 'withdrawn':
      return line('requester', 'The requester withdrew the request.');
    case 'contested':
      return line('requester', 'The requester cannot use recovery codes: back to the queue.');
    case 'competing_request':
      return line('queue', `Competing request ${str(d.reference)} for the same account came from another contact address.`);
    case 'state_changed':
      return line('queue', `State changed from ${words(d.from)} to ${words(d.to)}.`);
    case 'info_requested':
      return line('moderator', `${who} asked the requester for more information.`, d.message);
    case 'assessed': {
      const flags = Array.isArray(d.risk_flags) && d.risk_flags.length ? `; flags: ${d.risk_flags.map(words).join(', ')}` : '';
      return line(
        'assessment',
        `Assessed (${words(d.trigger)}): score ${str(d.score)}, ${str(d.band)}, recommends ${words(d.recommendation)}; rules ${str(d.rule_version)}${flags}.`,
      );
    }
    case 'codes_sent':
      return line('challenge', 'One-time codes sent automatically to the addresses the requester reads (decoys where not on file).');
    case 'code_sent':
      return line('challenge', `${who} sent a one-time code to an address on file.`);
    case 'code_confirmed':
      return line('challenge', 'The requester typed back a one-time code: control of an address proven.');
    case 'code_rejected':
      return line('challenge', `A wrong one-time code was typed (try ${str(d.attempts)}).`);
    case 'code_locked':
      return line('challenge', 'Too many wrong one-time codes: the codes locked.');
    case 'repository_challenge_started':
      return line('challenge', `Repository check started for ${str(d.repository)} by ${who}.`);
    case 'repository_checked':
      if (d.state) return line('challenge', `Repository check: ${words(d.state)}${d.project ? ` (project ${str(d.project)})` : ''}.`, d.note);
      if (d.outcome) return line('challenge', `Repository checked: ${words(d.outcome)}.`, d.reason);
      return line('challenge', 'The requester was told the token was found.');
    case 'repository_result_recorded':
      return line('challenge', `${who} recorded a repository check by hand: ${words(d.state)}${d.project ? ` (project ${str(d.project)})` : ''}.`, d.note);
    case 'publisher_challenge_started':
      return line('challenge', `Trusted-publisher check started by ${who}: a nonce for a GitHub Actions token.`);
    case 'publisher_token_rejected':
      return line('challenge', `A trusted-publisher token was refused (try ${str(d.attempts)}).`, d.reason);
    case 'publisher_token_checked':
      if (!d.state) return line('challenge', 'The requester was told the token was received.');
      return line(
        'challenge',
        `Trusted-publisher token from ${str(d.repository) || 'an unknown repository'}: ${words(d.state) || 'checked'}${d.project ? ` (project ${str(d.project)})` : ''}.`,
        d.note,
      );
    case 'publisher_challenge_locked':
      return line('challenge', 'Too many refused trusted-publisher tokens: the check locked.');
    case 'github_identity_started':
      return line('challenge', 'Linked GitHub identity check started (OAuth device flow).');
    case 'github_identity_checked':
      if (d.github_id !== undefined)
        return line(
          'challenge',
          `Signed in to GitHub user id ${str(d.github_id)}${d.login ? ` (@${str(d.login)})` : ''}: ${d.matches ? 'the linked id, control proven' : 'not the linked id, proves nothing'}.`,
        );
      if (d.outcome) return line('challenge', `Linked GitHub identity check: ${words(d.outcome)}.`, d.reason);
      return line('challenge', 'The requester was told the GitHub sign-in was read.');
    case 'recovery_codes_hint_sent':
      return line('challenge', `Mailed the recovery-code advice to ${str(d.recipients)} address(es) on file.`);
    case 'recovery_codes_answer':
      return line('queue', 'Answered with the recovery-code advice: waiting on the requester, SLA paused.');
    case 'routed':
      return line('queue', "Routed to the moderators' queue.");
    case 'claimed':
      return line('queue', `${who} took the ticket${d.lease_expires_at ? ` (lease until ${str(d.lease_expires_at)})` : ''}.`);
    case 'lease_renewed':
      return line('queue', `${who} renewed the lease.`);
    case 'released':
      return line('queue', `${who} released the ticket.`);
    case 'lease_expired':
      return line('queue', `The lease${d.held_by ? ` of ${actorName(str(d.held_by))}` : ''} ran out: back in the queue.`);
    case 'reassigned':
      return line('queue', `${who} reassigned the ticket${d.from ? ` from ${actorName(str(d.from))}` : ''} to ${actorName(str(d.to))}.`);
    case 'escalated':
      return line('moderator', `${who} escalated the ticket to a senior moderator.`, d.reason);
    case 'reopened':
      return line('moderator', `${who} reopened the ticket${d.cycle ? ` (decision cycle ${str(d.cycle)})` : ''}.`, d.reason);
    case 'sla_started':
      return line('sla', 'SLA clock started.');
    case 'sla_paused':
      return line('sla', 'SLA clock paused.');
    case 'sla_resumed':
      return line('sla', 'SLA clock resumed.');
    case 'sla_warning':
      return line('sla', `SLA warning: the ${slaClock(d.clock)} deadline${d.due_at ? ` (${str(d.due_at)})` : ''} is near.`);
    case 'sla_breached':
      return line('sla', `SLA breached: the ${slaClock(d.clock)} deadline${d.due_at ? ` (${str(d.due_at)})` : ''} passed.`);
    case 'note':
      return line('moderator', `${who} wrote an internal note.`, d.message);
    case 'denied':
      return line('moderator', `${who} denied the request${d.template ? ` (template ${str(d.template)})` : ''}.`, d.message);
    case 'coc_recorded':
      return line('moderator', `${who} recorded the Code of Conduct acceptance: version ${str(d.version)}, ${words(d.method)}, at ${str(d.accepted_at)}.`);
    case 'approved': {
      const why = Array.isArray(d.reasons) && d.reasons.length ? ` (${d.reasons.map(str).join('; ')})` : '';
      const override = d.override_reason
        ? `Approved against the recommendation (${str(d.against_recommendation)}). Reason: ${str(d.override_reason)}`
        : undefined;
      return line(
        'moderator',
        `${who} approved the recovery${confirmedWith(d.reauthenticated_with, ' (', ')')}, reset link to ${str(d.reset_to)}${d.needs_second ? '; a second senior moderator must approve' : ''}${why}.`,
        override,
      );
    }
    case 'second_approval':
      return line('moderator', `${who} gave the second approval (the first was ${str(d.first)}${confirmedWith(d.reauthenticated_with, '; ', '')}).`);
    case 'cooling_off_started':
      return line('queue', `Cooling-off until ${str(d.ends_at)}; ${str(d.notified)} address(es) told, each with a stop link.`);
    case 'reset_link_sent':
      return line('queue', `Reset link sent to ${str(d.to)}, valid until ${str(d.expires_at)}.`);
    case 'reset_link_reissued':
      return line('moderator', `${who} sent a new reset link to ${str(d.to)} (the older one no longer works), valid until ${str(d.expires_at)}.`);
    case 'reset_completed':
      return line('requester', 'The requester set a new password: 2FA and recovery codes removed, ticket completed.');
    case 'recovery_stopped':
      return line('requester', 'The recovery was stopped from an address on file (the stop link).');
    case 'closed_no_response':
      return line('queue', `Closed without an answer: the requester had not replied${d.waiting_since ? ` since ${str(d.waiting_since)}` : ''}.`);
    default: {
      // Event types added later (decisions, notes) still read: the public wording, or the type in words.
      const text = str(d.public_text) || `${words(event.type).replace(/^./, (c) => c.toUpperCase())}${event.actor === 'system' ? '' : ` by ${who}`}.`;
      return line(event.actor.startsWith('moderator:') ? 'moderator' : 'queue', text, d.message ?? d.note ?? d.reason);
    }
  }
}

function slaClock(clock: unknown): string {
  return clock === 'response' ? 'first-response' : 'decision';
}

/** Which second factor confirmed an approval, for the staff timeline (docs/security.md #15); nothing for lines that do not say. */
function confirmedWith(factor: unknown, before: string, after: string): string {
  if (factor === 'passkey') return `${before}confirmed with a passkey${after}`;
  if (factor === 'totp') return `${before}confirmed with an authenticator code${after}`;
  return '';
}
