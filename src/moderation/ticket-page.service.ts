import { Injectable } from '@nestjs/common';
import { decides } from '../auth/moderator-roles.js';
import { PasskeysService } from '../auth/passkeys.service.js';
import type { StaffIdentity } from '../auth/staff-session.js';
import { emailKey } from '../common/normalize.js';
import { CODE_OF_CONDUCT } from '../intake/code-of-conduct.js';
import { ReviewService } from '../review-queue/review.service.js';
import { againstRecommendation, MIN_OVERRIDE_REASON, OVERRIDE_ROLES } from '../tickets/approval-guard.js';
import { isOpen, TicketState } from '../tickets/ticket-state.js';
import { moderatorActor } from '../tickets/ticket.types.js';
import { DecisionsService } from './decisions.service.js';
import { TicketViewService } from './ticket-view.service.js';

/** The decision forms that can come back to the ticket page with what was typed into them. */
export type KeptFormName = 'approve' | 'second-approval';

/**
 * A decision form sent back unfinished (a refused authenticator code, a field that does not pass):
 * what the moderator chose stays chosen, and each problem sits beside its field.
 */
export interface KeptForm {
  form: KeptFormName;
  /** What was sent, by field name (reset_address, override_reason); never the code or the passkey's answer. */
  values: Record<string, string>;
  /** Why, by field name (code, passkey_assertion, reset_address, override_reason). */
  errors: Record<string, string>;
  /** One sentence for the top of the actions: what did not happen. */
  problem: string;
}

/**
 * The ticket page's view model, in one place: the page itself (QueueController) and a decision form
 * that comes back with a problem (DecisionsController) render the same page from it.
 */
@Injectable()
export class TicketPageService {
  constructor(
    private readonly ticketView: TicketViewService,
    private readonly review: ReviewService,
    private readonly decisions: DecisionsService,
    private readonly passkeys: PasskeysService,
  ) {}

  /** Null when there is no such ticket. Opening the page renews the holder's lease. */
  async model(reference: string, staff: StaffIdentity, page: { csrfToken: string; notice?: string; kept?: KeptForm }): Promise<Record<string, unknown> | null> {
    const loaded = await this.ticketView.load(reference);
    if (!loaded) return null;
    const { ticket, view } = loaded;
    const mine = ticket.state === TicketState.InReview && ticket.claimedBy === moderatorActor(staff.name);
    // The page is open: the holder's lease runs again from now.
    const leaseExpiresAt = mine ? (await this.review.renewLease(ticket.reference, staff.name)).toISOString() : view.ticket.leaseExpiresAt;
    const open = isOpen(ticket.state);
    const senior = staff.role === 'senior';
    const decider = decides(staff.role);
    const kept = page.kept;
    const approve = kept?.form === 'approve' ? kept : undefined;
    const chosen = approve?.values.reset_address ? emailKey(approve.values.reset_address) : undefined;
    const secondApprove = senior && ticket.state === TicketState.Approved && view.recovery?.firstApprover !== staff.name;
    return {
      title: `Ticket ${ticket.reference}`,
      staff,
      csrfToken: page.csrfToken,
      mine,
      ...view,
      ticket: { ...view.ticket, leaseExpiresAt },
      // The reset address sent back stays selected (the DTO lower-cases it, so compare keys).
      options: {
        ...view.options,
        resetAddresses: view.options.resetAddresses.map((o) => ({ ...o, selected: chosen !== undefined && emailKey(o.address) === chosen })),
      },
      notice: page.notice,
      problem: kept?.problem,
      kept: { approve, secondApproval: kept?.form === 'second-approval' ? kept : undefined },
      // "Confirm with a passkey" beside the code, for someone who has one (docs/moderation.md, "Passkeys").
      passkeyReauth: (mine || secondApprove) && (await this.passkeys.has(staff.id)),
      templates: this.decisions.replyTemplates(),
      cocCurrentVersion: CODE_OF_CONDUCT.version,
      // What "Approve" would do, from the same rules the workflow checks (src/tickets/approval-guard.ts).
      approval: {
        assessed: ticket.assessedAt !== null,
        against: againstRecommendation(ticket),
        mayOverride: OVERRIDE_ROLES.includes(staff.role),
        minReason: MIN_OVERRIDE_REASON,
      },
      // What the forms offer; the services check the same rules again on every POST.
      can: {
        decide: mine,
        secondApprove,
        denyAsSenior: senior && ticket.state === TicketState.Approved,
        reissue: (senior || staff.role === 'admin') && ticket.state === TicketState.ResetIssued,
        recordCoc: decider && open && !view.coc,
        escalate: decider && (mine || ticket.state === TicketState.AwaitingReview),
        reopen: decider && (ticket.state === TicketState.Denied || ticket.state === TicketState.ClosedNoResponse),
        note: decider,
      },
    };
  }
}
