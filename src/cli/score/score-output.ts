/** What the score CLI prints: one JSON line per scored ticket, one stderr line per problem. */
import type { FieldError } from '../../common/domain.exception.js';
import type { Assessment } from '../../scoring/scoring.types.js';

/** `{"ref","score","band","recommendation","risk_flags","signals"}`, in that order. */
export function scoreLine(ref: string, assessment: Assessment): string {
  return JSON.stringify({
    ref,
    score: assessment.score,
    band: assessment.band,
    recommendation: assessment.recommendation,
    risk_flags: assessment.riskFlags,
    signals: assessment.signals,
    rule_version: assessment.ruleVersion,
    shares_version: assessment.sharesVersion,
  });
}

/** `tickets.jsonl:7: contact_email: contact_email must be an e-mail address…`, like import-directory's. */
export function problemLines(file: string, line: number, errors: readonly FieldError[]): string[] {
  return errors.map(({ field, reasons }) => `${file}:${line}: ${field}: ${reasons.join('; ')}`);
}
