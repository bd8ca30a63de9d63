import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import { isOpen } from '../tickets/ticket-state.js';

/** What a requester reads when a challenge is started or answered on a closed request. */
export const CLOSED_REQUEST_TEXT = 'This request is closed. If you still need help, please submit a new request.';

/** Every challenge (e-mail code, repository, trusted publisher, GitHub sign-in) needs an open request: 409 otherwise. */
export function assertTicketOpen(ticket: Pick<Ticket, 'state'>): void {
  if (!isOpen(ticket.state)) throw new DomainError(DomainErrorCode.Conflict, CLOSED_REQUEST_TEXT);
}
