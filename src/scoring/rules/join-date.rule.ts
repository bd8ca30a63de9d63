import type { RuleInput, RuleResult } from './rule.types.js';

const RULE = 'join_date';
const PATTERN = /^(\d{4})(?:-(\d{2}))?$/;

/**
 * Months between a claimed join date (`YYYY` or `YYYY-MM`, UTC) and the real join month: a year claim
 * is 0 anywhere inside that year. Null when the claim is missing or malformed.
 */
export function joinDateDistance(claimed: string | null | undefined, joinedAt: Date): number | null {
  const claim = claimed?.trim();
  if (!claim) return null;
  const m = PATTERN.exec(claim);
  if (!m) return null;
  const year = Number(m[1]);
  const month = m[2] === undefined ? null : Number(m[2]);
  if (month !== null && (month < 1 || month > 12)) return null;
  const realYear = joinedAt.getUTCFullYear();
  const realMonth = joinedAt.getUTCMonth() + 1;
  if (month === null) {
    return year === realYear ? 0 : year < realYear ? (realYear - year - 1) * 12 + realMonth : (year - realYear - 1) * 12 + (13 - realMonth);
  }
  return Math.abs((year - realYear) * 12 + (month - realMonth));
}

/**
 * Claimed join date (`YYYY` or `YYYY-MM`, UTC). An exact match is public knowledge; a near miss (within
 * the tolerance) is neutral, since owners misremember; further off is a contradiction.
 */
export function joinDateRule({ ticket, account, config }: RuleInput): RuleResult {
  const distance = joinDateDistance(ticket.claims.joinedApprox, account.joinedAt);
  if (distance === null) return { signals: [] };
  const claim = ticket.claims.joinedApprox!.trim();
  if (distance === 0) {
    return { signals: [{ rule: RULE, effect: config.weights.joinDateKnown, kind: 'public', reason: `join date ${claim} matches (public knowledge)` }] };
  }
  if (distance <= config.joinDateToleranceMonths) {
    return { signals: [{ rule: RULE, effect: 0, kind: 'info', reason: `join date ${claim} is close to the real one` }] };
  }
  return { signals: [{ rule: RULE, effect: -config.weights.contradiction, kind: 'contradiction', reason: `join date ${claim} is far from the real one` }] };
}
