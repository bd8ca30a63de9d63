import type { Assessment, Band, Recommendation, RiskFlag, Signal, TicketEvidence } from './scoring.types.js';
import { RISK_FLAGS } from './scoring.types.js';
import { RULES, emailChallengeCounts, repoChallengeCounts } from './rules/index.js';
import type { RuleInput } from './rules/index.js';
import { configuredShares, DEFAULT_SCORING_CONFIG } from './scoring.config.js';
import type { DirectoryShares } from './directory-shares.js';
import type { ScoringConfig } from './scoring.config.js';
import type { AccountRecord } from './account-record.js';

/** Flags after which a decision needs a second moderator (docs/security.md #13). */
const SECOND_MODERATOR_FLAGS: readonly RiskFlag[] = ['competing_requests', 'coordinated_requests', 'primary_email_changed_recently', 'high_value_account'];

export function bandFor(score: number, config: ScoringConfig = DEFAULT_SCORING_CONFIG): Band {
  if (score >= config.bands.strong) return 'strong';
  if (score >= config.bands.moderate) return 'moderate';
  if (score >= config.bands.weak) return 'weak';
  return 'insufficient';
}

/** n wrong claims beyond the per-claim penalty: grows with n², so many wrong guesses weigh more. */
export function contradictionEscalation(count: number, config: ScoringConfig = DEFAULT_SCORING_CONFIG): number {
  return count < 2 ? 0 : (config.weights.contradictionEscalation * (count * (count - 1))) / 2;
}

function sortFlags(flags: Iterable<RiskFlag>): RiskFlag[] {
  const set = new Set(flags);
  return RISK_FLAGS.filter((f) => set.has(f));
}

/**
 * Scores one ticket against the account it names (null: no such account). Pure: no I/O, and the time
 * comes in as `now`. Knowledge alone never reaches the approval threshold (docs/security.md #4): only a passed
 * e-mail or repository challenge can make the recommendation `approve`, and even then the flags may
 * say a second moderator is needed.
 */
export function assess(
  ticket: TicketEvidence,
  account: AccountRecord | null,
  now: Date,
  config: ScoringConfig = DEFAULT_SCORING_CONFIG,
  shares: DirectoryShares = configuredShares(config),
): Assessment {
  if (account === null) {
    const flags: RiskFlag[] = ['no_such_account'];
    if (ticket.competingRequests) flags.push('competing_requests');
    if (ticket.coordinatedRequests) flags.push('coordinated_requests');
    return {
      ruleVersion: config.ruleVersion,
      sharesVersion: shares.version,
      score: 0,
      band: 'insufficient',
      recommendation: 'deny',
      signals: [{ rule: 'account', effect: 0, kind: 'info', reason: 'no such account (moderators only)' }],
      riskFlags: sortFlags(flags),
      nistAal2Satisfied: false,
    };
  }

  const input: RuleInput = { ticket, account, config, shares, now };
  // The score starts above 0 so that evidence against shows: a ticket with many wrong claims scores
  // below one that says nothing, as the moderator (and the ranking) should see it.
  const signals: Signal[] =
    config.neutralScore === 0 ? [] : [{ rule: 'baseline', effect: config.neutralScore, kind: 'info', reason: 'starting score: no evidence either way' }];
  const flags = new Set<RiskFlag>();
  for (const rule of RULES) {
    const result = rule(input);
    signals.push(...result.signals);
    for (const flag of result.riskFlags ?? []) flags.add(flag);
  }

  const wrong = signals.filter((s) => s.kind === 'contradiction').length;
  const escalation = contradictionEscalation(wrong, config);
  if (escalation > 0) {
    signals.push({ rule: 'contradictions', effect: -escalation, kind: 'contradiction', reason: `${wrong} claims contradict the directory: extra penalty` });
  }

  const raw = signals.reduce((sum, s) => sum + s.effect, 0);
  const hasProof = signals.some((s) => s.kind === 'proof' && s.effect > 0);
  const { approveAt, knowledgeOnlyCap, denyAtOrBelow } = config.recommendation;
  let capped = raw;
  if (!hasProof) {
    const cap = Math.min(knowledgeOnlyCap, approveAt - 1);
    if (raw > cap) {
      capped = cap;
      signals.push({ rule: 'knowledge_cap', effect: cap - raw, kind: 'info', reason: `no proven control: knowledge alone is capped at ${cap}` });
    }
  }
  const score = Math.max(0, Math.min(100, Math.round(capped)));

  let recommendation: Recommendation;
  if (hasProof && score >= approveAt) recommendation = 'approve';
  else if (!hasProof && raw <= denyAtOrBelow) recommendation = 'deny';
  else recommendation = 'request_info';

  if (SECOND_MODERATOR_FLAGS.some((f) => flags.has(f))) flags.add('second_moderator_required');

  return {
    ruleVersion: config.ruleVersion,
    sharesVersion: shares.version,
    score,
    band: bandFor(score, config),
    recommendation,
    signals,
    riskFlags: sortFlags(flags),
    nistAal2Satisfied: emailChallengeCounts(input) && repoChallengeCounts(input),
  };
}
