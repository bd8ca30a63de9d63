// CSV as spreadsheets read it (RFC 4180, CRLF). A cell that a spreadsheet would run as a formula
// (starting with =, +, -, @, tab or CR) gets a leading apostrophe: ticket fields come from requesters
// (OWASP "CSV injection"). Numbers are written as numbers, so negative figures stay numeric.

/** One value of a CSV row. */
export type Cell = string | number | boolean | null;

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A header line of `columns`, then one line per row (no rows: the header alone). */
export function toCsv(rows: Array<Record<string, Cell>>, columns: readonly string[]): string {
  const lines = [columns.map((c) => cell(c)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c] ?? null)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
