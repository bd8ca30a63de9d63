/**
 * Plain inputs and outputs of the evidence scorer, decoupled from TypeORM so that the same engine runs
 * in the API, the CLI and the evaluation. The account comes as a plain record (account-record.ts).
 */

/** The requester's answer to a yes/no question they may not know the answer to. */
export type ClaimAnswer = 'yes' | 'no' | 'unknown';

/**
 * What the requester claims, as the scorer reads it. The ticket's claims (tickets/ticket.types.ts) fit
 * it; the scorer declares its own shape so that it depends on nothing above it.
 */
export interface EvidenceClaims {
  previousEmails: string[];
  projects: string[];
  joinedApprox: string | null;
  has2fa: ClaimAnswer;
  hasRecoveryCodes: ClaimAnswer;
  details: string;
}

export interface TicketEvidence {
  contactEmail: string;
  /** The ticket's request type (tickets/ticket.types.ts, REQUEST_TYPES). */
  requestType: string;
  claims: EvidenceClaims;
  /** A one-time code sent to this address was typed back. */
  emailChallengePassed?: { address: string };
  /**
   * The challenge token was found in this project's repository, or (`via: 'trusted_publisher'`) a GitHub
   * Actions token from the project's trusted publisher carried the check's nonce: the same proof class.
   */
  repoChallengePassed?: { project: string; via?: 'repository' | 'trusted_publisher' };
  /** The requester signed in to this GitHub account (numeric user id) through the OAuth device flow. */
  linkedGithubProven?: { githubId: number };
  /** Another open ticket for the account came from a different contact address. */
  competingRequests: boolean;
  /**
   * The request belongs to a cluster of requests for different accounts that share how they were made
   * (campaign.ts; docs/evidence.md, "Coordinated requests").
   */
  coordinatedRequests?: boolean;
  /** When the ticket was submitted (for "released before the request"); defaults to `now`. */
  submittedAt?: Date;
}

export type Band = 'strong' | 'moderate' | 'weak' | 'insufficient';
export type Recommendation = 'approve' | 'request_info' | 'deny';

/** What a signal is: the scorer caps everything that is not `proof`. */
/**
 * `risk`: a trait of the request itself (such as a throwaway contact address) that weighs against it
 * without contradicting the directory.
 */
export type SignalKind = 'public' | 'private' | 'proof' | 'contradiction' | 'risk' | 'info';

export interface Signal {
  rule: string;
  /** Points added (positive) or taken away (negative). */
  effect: number;
  /** One line for the moderator; addresses are masked. */
  reason: string;
  kind: SignalKind;
}

export const RISK_FLAGS = [
  'competing_requests',
  'coordinated_requests',
  'primary_email_changed_recently',
  'high_value_account',
  'second_moderator_required',
  'disposable_domain',
  'expired_domain',
  'unused_recovery_codes',
  'no_such_account',
] as const;
export type RiskFlag = (typeof RISK_FLAGS)[number];

export interface Assessment {
  ruleVersion: string;
  /** The directory shares the yes/no answers were weighed against (directory-shares.ts). */
  sharesVersion: string;
  score: number;
  band: Band;
  recommendation: Recommendation;
  signals: Signal[];
  riskFlags: RiskFlag[];
  /** Proven control of a verified address on file plus an independent second proof (docs/security.md #5). */
  nistAal2Satisfied: boolean;
}
