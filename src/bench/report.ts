/** One measured figure beside the baseline measured in the same run. */
export interface BenchRow {
  what: string;
  figure: number;
  baseline: number;
  baselineName: string;
  unit: string;
  /** true when a higher figure is better (throughput), false for durations */
  higherIsBetter: boolean;
  extra?: string;
}

export function formatRows(rows: BenchRow[]): string {
  const lines = ['| what | figure | baseline (same run) | ratio | notes |', '| --- | ---: | ---: | ---: | --- |'];
  for (const row of rows) {
    const ratio = row.higherIsBetter ? row.figure / row.baseline : row.baseline / row.figure;
    lines.push(
      `| ${row.what} | ${fmt(row.figure)} ${row.unit} | ${fmt(row.baseline)} ${row.unit} (${row.baselineName}) | ${ratio.toFixed(2)}× | ${row.extra ?? ''} |`,
    );
  }
  return lines.join('\n');
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2);
}
