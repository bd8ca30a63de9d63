// The report's calibration tables (docs/reports.md, "Calibration"): per rule version, how well the
// score ranks decided tickets (ROC AUC) and how P(owner) compares with what happened, by tenth.
import { brierScore, type CalibrationCurve, OUTCOME_LABELS, pOwner, reliabilityBins, rocAuc } from '../scoring/calibration.js';
import type { LabelledRow } from './report-queries.js';

/** The curve a rule version's scores are read with, and where it came from. */
export interface CurveInUse {
  curve: CalibrationCurve;
  /** The `calibrations` row; null: the prior, never built. */
  version: number | null;
  /** Outcomes the build read (0 before any build). */
  outcomes: number;
}

export interface RuleVersionRow {
  rule_version: string;
  decided: number;
  owners: number;
  not_owners: number;
  /** ROC AUC of the score, owners against not; null without both. Four decimals. */
  auc: number | null;
  /** What P(owner) rests on: `calibrated` or `prior`. */
  basis: 'calibrated' | 'prior';
  calibration_version: number | null;
  calibration_outcomes: number;
  /** Mean squared error of P(owner) against the outcome; four decimals. */
  brier: number | null;
  /** The curve in use, P(owner) = σ(intercept + slope·(score − center)), as stored (`npm run score -- --calibration` reads it). */
  intercept: number;
  slope: number;
  center: number;
}

export interface ReliabilityRow {
  rule_version: string;
  /** "0.0–0.1" … "0.9–1.0". */
  p_owner: string;
  tickets: number;
  owners: number;
  /** Three decimals; null for an empty tenth. */
  mean_predicted: number | null;
  observed: number | null;
}

const round = (value: number | null, places: number) => (value === null ? null : Number(value.toFixed(places)));

/** Newest rule version first ("2026.12.10" after "2026.12.9"). */
const byVersionDescending = (a: string, b: string) => b.localeCompare(a, 'en', { numeric: true });

/** Both tables from the decided tickets of the range and the curve in use for each rule version. */
export function calibrationRows(
  labelled: readonly LabelledRow[],
  curves: ReadonlyMap<string, CurveInUse>,
): { versions: RuleVersionRow[]; reliability: ReliabilityRow[] } {
  const byVersion = new Map<string, Array<{ score: number; owner: boolean }>>();
  for (const row of labelled) {
    const owner = OUTCOME_LABELS[row.state];
    if (owner === undefined) continue;
    let list = byVersion.get(row.ruleVersion);
    if (!list) byVersion.set(row.ruleVersion, (list = []));
    list.push({ score: row.score, owner });
  }
  const versions: RuleVersionRow[] = [];
  const reliability: ReliabilityRow[] = [];
  for (const ruleVersion of [...byVersion.keys()].sort(byVersionDescending)) {
    const points = byVersion.get(ruleVersion)!;
    const used = curves.get(ruleVersion);
    if (!used) throw new Error(`no curve for rule version ${ruleVersion}`);
    const predicted = points.map((p) => ({ predicted: pOwner(used.curve, p.score), owner: p.owner }));
    const owners = points.filter((p) => p.owner).length;
    versions.push({
      rule_version: ruleVersion,
      decided: points.length,
      owners,
      not_owners: points.length - owners,
      auc: round(
        rocAuc(
          points.filter((p) => p.owner).map((p) => p.score),
          points.filter((p) => !p.owner).map((p) => p.score),
        ),
        4,
      ),
      basis: used.curve.method === 'logistic' ? 'calibrated' : 'prior',
      calibration_version: used.version,
      calibration_outcomes: used.outcomes,
      brier: round(brierScore(predicted), 4),
      intercept: used.curve.intercept,
      slope: used.curve.slope,
      center: used.curve.center,
    });
    for (const bin of reliabilityBins(predicted)) {
      reliability.push({
        rule_version: ruleVersion,
        p_owner: `${bin.from.toFixed(1)}–${bin.to.toFixed(1)}`,
        tickets: bin.tickets,
        owners: bin.owners,
        mean_predicted: round(bin.meanPredicted, 3),
        observed: round(bin.observed, 3),
      });
    }
  }
  return { versions, reliability };
}
