/** Every mail the desk sends: the names of the Handlebars files under views/mail/. */
export enum MailTemplate {
  Acknowledgement = 'acknowledgement',
  StatusLinkAgain = 'status-link-again',
  ChallengeCode = 'challenge-code',
  RecoveryCodesHint = 'recovery-codes-hint',
  SlaBreach = 'sla-breach',
  InfoRequested = 'info-requested',
  DecisionDenied = 'decision-denied',
  RecoveryApproved = 'recovery-approved',
  RecoveryNotice = 'recovery-notice',
  ResetLink = 'reset-link',
  RecoveryCompleted = 'recovery-completed',
  RecoveryStopped = 'recovery-stopped',
  ClosedNoResponse = 'closed-no-response',
  WeeklySummary = 'weekly-summary',
}
