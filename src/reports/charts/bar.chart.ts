import type { ChartOptions, CountBucket } from './chart.types.js';
import { PALETTE, type ChartKind, bandCentre, categoryAxis, emptyBody, openSvg, plotArea, yAxis } from './chart-frame.util.js';
import { attrs, cleanCount, escapeXml, formatValue, tooltip } from './svg.util.js';

// Above this many bars the count labels over them would collide; tooltips still give each value.
const MAX_VALUE_LABELS = 24;
const BAR_SHARE = 0.7;

function describeBuckets(buckets: ReadonlyArray<{ label: string; count: number }>): string {
  if (buckets.length === 0) return 'No data in this range.';
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  const parts = buckets.map((b) => `${b.label} ${formatValue(b.count)}`).join(', ');
  const plural = buckets.length === 1 ? 'bucket' : 'buckets';
  let text = `Total ${formatValue(total)} across ${buckets.length} ${plural}: ${parts}.`;
  const largest = buckets.reduce((best, b) => (b.count > best.count ? b : best));
  if (largest.count > 0) text += ` Largest: ${largest.label} with ${formatValue(largest.count)}.`;
  return text;
}

function bucketBars(input: readonly CountBucket[], opts: ChartOptions, kind: ChartKind, colour: string): string {
  const buckets = input.map((b) => ({ label: String(b.label), count: cleanCount(b.count) }));
  const plot = plotArea(opts, false);
  const head = openSvg(opts, plot, kind, describeBuckets(buckets));
  if (buckets.length === 0) return `${head}${emptyBody(plot)}</svg>`;

  const scale = yAxis(
    plot,
    buckets.reduce((max, b) => Math.max(max, b.count), 0),
  );
  const band = (plot.right - plot.left) / buckets.length;
  const barWidth = band * BAR_SHARE;
  let bars = '';
  let values = '';
  buckets.forEach((b, i) => {
    const centre = bandCentre(plot, buckets.length, i);
    const y = scale.y(b.count);
    bars +=
      `<rect${attrs({ x: centre - barWidth / 2, y, width: barWidth, height: plot.bottom - y })}>` + `${tooltip(`${b.label}: ${formatValue(b.count)}`)}</rect>`;
    if (buckets.length <= MAX_VALUE_LABELS) {
      values += `<text${attrs({ x: centre, y: y - 4 })}>${escapeXml(formatValue(b.count))}</text>`;
    }
  });
  return (
    head +
    scale.markup +
    `<g${attrs({ class: 'chart-bars', fill: colour })}>${bars}</g>` +
    (values ? `<g${attrs({ class: 'chart-value', 'text-anchor': 'middle' })}>${values}</g>` : '') +
    categoryAxis(
      plot,
      buckets.map((b) => b.label),
    ) +
    '</svg>'
  );
}

/** Bars of a distribution, e.g. time to decision in buckets the caller names ("<1 d", "1–3 d", …). */
export function histogramChart(buckets: readonly CountBucket[], opts: ChartOptions): string {
  return bucketBars(buckets, opts, 'histogram', PALETTE.blue);
}

/** Bars of the open backlog by age bucket. */
export function backlogAgeChart(buckets: readonly CountBucket[], opts: ChartOptions): string {
  return bucketBars(buckets, opts, 'backlog', PALETTE.bluishGreen);
}
