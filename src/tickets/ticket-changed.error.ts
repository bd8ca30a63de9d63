import { DomainError, DomainErrorCode } from '../common/domain.exception.js';

/** The optimistic lock lost: someone changed the ticket between the read and the write. */
export class TicketChanged extends DomainError {
  constructor(message = 'The ticket changed meanwhile; please reload it.') {
    super(DomainErrorCode.Conflict, message);
  }
}

/** The recovery's conditional update matched nothing: it moved on meanwhile (approved, used, stopped). */
export class RecoveryChanged extends DomainError {
  constructor(message = 'The recovery changed meanwhile; please reload the ticket.') {
    super(DomainErrorCode.Conflict, message);
  }
}
