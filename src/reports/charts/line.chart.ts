import type { ChartOptions, DayCounts, DayValue, LineChartOptions } from './chart.types.js';
import { PALETTE, type ChartKind, type Plot, bandCentre, dayAxis, dayRange, emptyBody, openSvg, plotArea, yAxis } from './chart-frame.util.js';
import { attrs, cleanCount, escapeXml, formatValue, num, tooltip } from './svg.util.js';

// Beyond this many days markers merge into a smear; the line and the per-day tooltips remain.
const MAX_MARKED_POINTS = 62;
// A received circle wider than a decided square still shows round its corners where they overlap.
const CIRCLE_RADIUS = 4;
const SQUARE_SIZE = 5;

interface Series {
  name: string;
  key: string;
  colour: string;
  dash: string | undefined;
  marker: 'circle' | 'square';
  values: number[];
}

function marker(shape: Series['marker'], x: number, y: number): string {
  return shape === 'circle'
    ? `<circle${attrs({ cx: x, cy: y, r: CIRCLE_RADIUS })}/>`
    : `<rect${attrs({ x: x - SQUARE_SIZE / 2, y: y - SQUARE_SIZE / 2, width: SQUARE_SIZE, height: SQUARE_SIZE })}/>`;
}

function stroke(s: Series): Record<string, string | number | undefined> {
  return { fill: 'none', stroke: s.colour, 'stroke-width': 2, 'stroke-dasharray': s.dash, 'stroke-linejoin': 'round' };
}

/** A line sample with the series' dash and marker beside its name, so colour is never the only cue. */
function legend(series: readonly Series[], plot: Plot): string {
  let x = plot.left;
  const y = 40;
  let items = '';
  for (const s of series) {
    items +=
      `<g${attrs({ class: `chart-legend-${s.key}` })}>` +
      `<path${attrs({ d: `M${num(x)} ${num(y)}h28`, ...stroke(s) })}/>` +
      `<g${attrs({ fill: s.colour })}>${marker(s.marker, x + 14, y)}</g>` +
      `<text${attrs({ x: x + 36, y, dy: '0.32em' })}>${escapeXml(s.name)}</text></g>`;
    x += 36 + s.name.length * 7 + 24;
  }
  return `<g class="chart-legend">${items}</g>`;
}

function daySeriesChart(
  days: readonly string[],
  series: readonly Series[],
  opts: ChartOptions,
  kind: ChartKind,
  description: string,
  dayTooltip: (i: number) => string,
): string {
  const plot = plotArea(opts, series.length > 1);
  const head = openSvg(opts, plot, kind, description) + (series.length > 1 ? legend(series, plot) : '');
  if (days.length === 0) return `${head}${emptyBody(plot)}</svg>`;

  const scale = yAxis(
    plot,
    series.reduce((max, s) => s.values.reduce((m, v) => Math.max(m, v), max), 0),
  );
  const xs = days.map((_, i) => bandCentre(plot, days.length, i));
  let lines = '';
  for (const s of series) {
    const points = s.values.map((v, i) => `${num(xs[i] ?? 0)} ${num(scale.y(v))}`);
    const d = `M${points[0] ?? ''}${points.length > 1 ? `L${points.slice(1).join(' ')}` : ''}`;
    const markers = days.length <= MAX_MARKED_POINTS ? s.values.map((v, i) => marker(s.marker, xs[i] ?? 0, scale.y(v))).join('') : '';
    lines +=
      `<g${attrs({ class: `chart-series chart-series-${s.key}` })}>` +
      `<path${attrs({ d, ...stroke(s) })}/>` +
      (markers ? `<g${attrs({ fill: s.colour })}>${markers}</g>` : '') +
      '</g>';
  }
  // One invisible column per day carries the exact values as a tooltip, however thin the line.
  const band = (plot.right - plot.left) / days.length;
  let hits = '';
  days.forEach((_, i) => {
    hits += `<rect${attrs({ x: plot.left + i * band, y: plot.top, width: band, height: plot.bottom - plot.top })}>${tooltip(dayTooltip(i))}</rect>`;
  });
  return head + scale.markup + dayAxis(plot, days) + lines + `<g${attrs({ class: 'chart-hits', fill: '#fff', 'fill-opacity': 0 })}>${hits}</g>` + '</svg>';
}

function peak(days: readonly string[], values: readonly number[], pick: (a: number, b: number) => boolean): { day: string; value: number } {
  let best = 0;
  values.forEach((v, i) => {
    if (pick(v, values[best] ?? 0)) best = i;
  });
  return { day: days[best] ?? '', value: values[best] ?? 0 };
}

const higher = (a: number, b: number): boolean => a > b;
const lower = (a: number, b: number): boolean => a < b;

/** Tickets received and decided per day, as two lines told apart by colour, dash, marker and legend. */
export function receivedVsDecidedChart(days: readonly DayCounts[], opts: Partial<ChartOptions> = {}): string {
  const options: ChartOptions = {
    ...opts,
    id: opts.id ?? 'received-vs-decided',
    title: opts.title ?? 'Tickets received and decided per day',
  };
  const labels = days.map((d) => String(d.day));
  const received = days.map((d) => cleanCount(d.received));
  const decided = days.map((d) => cleanCount(d.decided));
  let description = 'No data in this range.';
  if (days.length > 0) {
    const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
    description = `Received ${formatValue(sum(received))}, decided ${formatValue(sum(decided))} ${dayRange(labels)}`;
    for (const [name, values] of [
      ['received', received],
      ['decided', decided],
    ] as const) {
      const top = peak(labels, values, higher);
      if (top.value > 0) description += `; peak ${name} ${formatValue(top.value)} on ${top.day}`;
    }
    description += '.';
  }
  return daySeriesChart(
    labels,
    [
      { name: 'Received', key: 'received', colour: PALETTE.blue, dash: undefined, marker: 'circle', values: received },
      { name: 'Decided', key: 'decided', colour: PALETTE.vermillion, dash: '6 4', marker: 'square', values: decided },
    ],
    options,
    'received-decided',
    description,
    (i) => `${labels[i] ?? ''}: received ${formatValue(received[i] ?? 0)}, decided ${formatValue(decided[i] ?? 0)}`,
  );
}

/** One value per day, e.g. the queue length over time. */
export function lineChart(points: readonly DayValue[], opts: LineChartOptions): string {
  const valueLabel = opts.valueLabel ?? 'Value';
  const labels = points.map((p) => String(p.day));
  const values = points.map((p) => cleanCount(p.value));
  let description = 'No data in this range.';
  if (points.length === 1) {
    description = `${valueLabel} ${dayRange(labels)}: ${formatValue(values[0] ?? 0)}.`;
  } else if (points.length > 1) {
    const low = peak(labels, values, lower);
    const high = peak(labels, values, higher);
    description =
      `${valueLabel} ${dayRange(labels)}: ${formatValue(values[0] ?? 0)} at the start, ${formatValue(values.at(-1) ?? 0)} at the end; ` +
      `lowest ${formatValue(low.value)} on ${low.day}, highest ${formatValue(high.value)} on ${high.day}.`;
  }
  return daySeriesChart(
    labels,
    [{ name: valueLabel, key: 'value', colour: PALETTE.blue, dash: undefined, marker: 'circle', values }],
    opts,
    'line',
    description,
    (i) => `${labels[i] ?? ''}: ${valueLabel} ${formatValue(values[i] ?? 0)}`,
  );
}
