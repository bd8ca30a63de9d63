/** The states of a ticket; which commands move it between them is the transition table (ticket-transitions.ts). */
export enum TicketState {
  Submitted = 'submitted',
  AwaitingReview = 'awaiting_review',
  InReview = 'in_review',
  AwaitingRequester = 'awaiting_requester',
  Approved = 'approved',
  CoolingOff = 'cooling_off',
  ResetIssued = 'reset_issued',
  Completed = 'completed',
  Denied = 'denied',
  Withdrawn = 'withdrawn',
  ClosedNoResponse = 'closed_no_response',
  /** Stopped during the recovery by someone reading an address on file (the stop link). */
  Cancelled = 'cancelled',
}

export const OPEN_STATES: readonly TicketState[] = [
  TicketState.Submitted,
  TicketState.AwaitingReview,
  TicketState.InReview,
  TicketState.AwaitingRequester,
  TicketState.Approved,
  TicketState.CoolingOff,
  TicketState.ResetIssued,
];

/** States in which the ticket waits its turn in the moderators' queue (FIFO). */
export const QUEUED_STATES: readonly TicketState[] = [TicketState.Submitted, TicketState.AwaitingReview];

export function isOpen(state: TicketState): boolean {
  return OPEN_STATES.includes(state);
}

/** What the requester reads on the status page: plain words, nothing internal. */
export const STATE_IN_PLAIN_WORDS: Record<TicketState, string> = {
  [TicketState.Submitted]: 'Received. Your request is waiting in the queue for a moderator.',
  [TicketState.AwaitingReview]: 'Waiting in the queue for a moderator.',
  [TicketState.InReview]: 'A moderator is reviewing your request now.',
  [TicketState.AwaitingRequester]: 'We need more information from you: see what we asked below.',
  [TicketState.Approved]: 'Approved. A waiting period runs before the reset link is sent.',
  [TicketState.CoolingOff]: 'Approved. A waiting period runs before the reset link is sent.',
  [TicketState.ResetIssued]: 'A reset link has been sent to the verified address.',
  [TicketState.Completed]: 'Completed: the account has been recovered.',
  [TicketState.Denied]: 'Closed: we could not confirm that you own the account.',
  [TicketState.Withdrawn]: 'Withdrawn at your request.',
  [TicketState.ClosedNoResponse]: 'Closed because we did not hear back from you.',
  [TicketState.Cancelled]: 'Stopped: someone reading an address on the account stopped the recovery.',
};
