/** What the score CLI prints: one JSON line per scored ticket, one stderr line per problem. */
import type { FieldError } from '../../common/domain.exception.js';
import { type CalibrationCurve, pOwner } from '../../scoring/calibration.js';
import type { Assessment } from '../../scoring/scoring.types.js';

/**
 * `{"ref","score","band","recommendation","risk_flags","signals","rule_version","shares_version","p_owner"}`,
 * in that order. `p_owner` is P(owner) of the score under `curve` (the CLI has no outcomes: the prior of
 * docs/evidence.md, "Calibrated odds"), four decimals.
 */
export function scoreLine(ref: string, assessment: Assessment, curve: CalibrationCurve): string {
  return JSON.stringify({
    ref,
    score: assessment.score,
    band: assessment.band,
    recommendation: assessment.recommendation,
    risk_flags: assessment.riskFlags,
    signals: assessment.signals,
    rule_version: assessment.ruleVersion,
    shares_version: assessment.sharesVersion,
    p_owner: Number(pOwner(curve, assessment.score).toFixed(4)),
  });
}

/** `tickets.jsonl:7: contact_email: contact_email must be an e-mail address…`, like import-directory's. */
export function problemLines(file: string, line: number, errors: readonly FieldError[]): string[] {
  return errors.map(({ field, reasons }) => `${file}:${line}: ${field}: ${reasons.join('; ')}`);
}
