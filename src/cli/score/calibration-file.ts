/**
 * `npm run score -- --calibration FILE`: the desk's curve for P(owner), taken from the report's download
 * `/reports/calibration.json` (docs/reports.md): the row of the rules the CLI scores with.
 */
import type { CalibrationCurve } from '../../scoring/calibration.js';

export type CalibrationFileResult = { ok: true; curve: CalibrationCurve; description: string } | { ok: false; message: string };

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

export function readCalibrationFile(text: string, ruleVersion: string): CalibrationFileResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not JSON: ${(error as Error).message}` };
  }
  const rows = (parsed as { table?: unknown; rows?: unknown } | null)?.rows;
  if ((parsed as { table?: unknown } | null)?.table !== 'calibration' || !Array.isArray(rows)) {
    return { ok: false, message: 'not the calibration table: download /reports/calibration.json' };
  }
  const row = (rows as Array<Record<string, unknown>>).find((r) => r?.rule_version === ruleVersion);
  if (!row) return { ok: false, message: `no row for rules ${ruleVersion}, the rules this CLI scores with` };
  if (!finite(row.intercept) || !finite(row.slope) || !finite(row.center) || row.slope < 0) {
    return { ok: false, message: `the row of rules ${ruleVersion} has no usable intercept, slope (≥ 0) and center` };
  }
  const method = row.basis === 'calibrated' ? 'logistic' : 'prior';
  const description =
    method === 'logistic'
      ? `calibration version ${String(row.calibration_version)} (${String(row.calibration_outcomes)} decided tickets, rules ${ruleVersion})`
      : `the desk's prior for rules ${ruleVersion} (too few decided tickets)`;
  return { ok: true, curve: { method, intercept: row.intercept, slope: row.slope, center: row.center }, description };
}
