import type { RuleInput, RuleResult } from './rule.types.js';

const RULE = 'join_date';
const PATTERN = /^(\d{4})(?:-(\d{2}))?$/;

/**
 * Claimed join date (`YYYY` or `YYYY-MM`, UTC). An exact match is public knowledge; a near miss (within
 * the tolerance) is neutral, since owners misremember; further off is a contradiction.
 */
export function joinDateRule({ ticket, account, config }: RuleInput): RuleResult {
  const claim = ticket.claims.joinedApprox?.trim();
  if (!claim) return { signals: [] };
  const m = PATTERN.exec(claim);
  if (!m) return { signals: [] };
  const year = Number(m[1]);
  const month = m[2] === undefined ? null : Number(m[2]);
  if (month !== null && (month < 1 || month > 12)) return { signals: [] };
  const realYear = account.joinedAt.getUTCFullYear();
  const realMonth = account.joinedAt.getUTCMonth() + 1;

  let distance: number; // months between claim and the real join month
  if (month === null) {
    distance = year === realYear ? 0 : year < realYear ? (realYear - year - 1) * 12 + realMonth : (year - realYear - 1) * 12 + (13 - realMonth);
  } else {
    distance = Math.abs((year - realYear) * 12 + (month - realMonth));
  }
  if (distance === 0) {
    return { signals: [{ rule: RULE, effect: config.weights.joinDateKnown, kind: 'public', reason: `join date ${claim} matches (public knowledge)` }] };
  }
  if (distance <= config.joinDateToleranceMonths) {
    return { signals: [{ rule: RULE, effect: 0, kind: 'info', reason: `join date ${claim} is close to the real one` }] };
  }
  return { signals: [{ rule: RULE, effect: -config.weights.contradiction, kind: 'contradiction', reason: `join date ${claim} is far from the real one` }] };
}
