/** The pure evidence scorer of issue 3: no I/O, the time comes in as an argument. */
export { assess, bandFor, contradictionEscalation } from './assess.js';
export { toAccountRecord, toTicketEvidence } from './evidence.mapping.js';
export { blindGuessGains, DEFAULT_SCORING_CONFIG, DISPOSABLE_DOMAINS } from './scoring.config.js';
export type { AnswerWeights, ScoringConfig } from './scoring.config.js';
export { RISK_FLAGS } from './evidence.types.js';
export type {
  AccountEmailRecord, AccountProjectRecord, AccountRecord, Assessment, Band, Recommendation, RiskFlag, Signal, SignalKind, TicketEvidence,
} from './evidence.types.js';
