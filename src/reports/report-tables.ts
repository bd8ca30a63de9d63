// The report's tables by name, as downloads: `/reports/<name>.csv` and `.json` carry exactly the rows
// the page shows (times in milliseconds, shares in percent with one decimal).
import { type Cell, toCsv } from './csv.js';
import { AGE_BUCKETS } from './report-math.js';
import type { ReportRange } from './report-range.js';

export const REPORT_TABLES = ['sla', 'daily', 'backlog', 'breaches', 'moderators', 'decision-times', 'calibration', 'reliability'] as const;
export type ReportTable = (typeof REPORT_TABLES)[number];

export function isReportTable(name: string): name is ReportTable {
  return (REPORT_TABLES as readonly string[]).includes(name);
}

export type { Cell };

/** One table of a report, for a download. */
export interface ReportTableData {
  range: ReportRange;
  generatedAt: Date;
  rows: ReadonlyArray<object>;
}

/** Column order of each table (the CSV header, even when the range has no rows). */
export const TABLE_COLUMNS: Record<ReportTable, readonly string[]> = {
  sla: [
    'request_type',
    'received',
    'decided',
    'approved',
    'denied',
    'withdrawn',
    'closed_no_response',
    'response_measured',
    'response_met',
    'response_met_pct',
    'response_p50_ms',
    'response_p90_ms',
    'response_p99_ms',
    'decision_measured',
    'decision_met',
    'decision_met_pct',
    'decision_p50_ms',
    'decision_p90_ms',
    'decision_p99_ms',
  ],
  daily: ['day', 'received', 'decided', 'open_at_end'],
  backlog: ['state', ...AGE_BUCKETS.map((b) => b.key), 'total'],
  breaches: ['reference', 'request_type', 'received_at', 'state', 'breached', 'response_ms', 'decision_ms', 'moderator'],
  moderators: ['moderator', 'decisions', 'approved', 'denied', 'median_handling_ms', 'decision_measured', 'decision_met', 'decision_met_pct'],
  'decision-times': ['time_to_decision', 'decisions'],
  calibration: [
    'rule_version',
    'decided',
    'owners',
    'not_owners',
    'auc',
    'basis',
    'calibration_version',
    'calibration_outcomes',
    'brier',
    'intercept',
    'slope',
    'center',
  ],
  reliability: ['rule_version', 'p_owner', 'tickets', 'owners', 'mean_predicted', 'observed'],
};

/** A table's rows with exactly its columns, in order. */
export function tableRows(rows: ReadonlyArray<object>, table: ReportTable): Array<Record<string, Cell>> {
  return rows.map((row) => {
    const values = row as Record<string, Cell>;
    return Object.fromEntries(TABLE_COLUMNS[table].map((c) => [c, values[c] ?? null]));
  });
}

/** The CSV download. */
export function tableCsv(data: ReportTableData, table: ReportTable): string {
  return toCsv(tableRows(data.rows, table), TABLE_COLUMNS[table]);
}

/** The JSON download: the range it covers, then the rows. */
export function tableJson(data: ReportTableData, table: ReportTable): Record<string, unknown> {
  const { range } = data;
  return {
    table,
    from: range.from,
    to: range.to,
    time_zone: range.timeZone,
    request_type: range.type,
    generated_at: data.generatedAt.toISOString(),
    rows: tableRows(data.rows, table),
  };
}
