import type { ScoringConfig } from '../scoring.config.js';
import type { RiskFlag, Signal, TicketEvidence } from '../scoring.types.js';
import type { AccountRecord } from '../account-record.js';
import type { DirectoryShares } from '../directory-shares.js';

/** A rule's inputs: never any I/O, and the time comes in as `now`. */
export interface RuleInput {
  ticket: TicketEvidence;
  account: AccountRecord;
  config: ScoringConfig;
  /** The directory's shares the yes/no answers are weighed against. */
  shares: DirectoryShares;
  now: Date;
}

export interface RuleResult {
  signals: Signal[];
  riskFlags?: RiskFlag[];
}

export type Rule = (input: RuleInput) => RuleResult;
