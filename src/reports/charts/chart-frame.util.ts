import type { ChartOptions } from './chart.types.js';
import { dayLabel, labelIndexes } from './day-labels.util.js';
import { niceTicks } from './nice-ticks.util.js';
import { attrs, escapeXml, formatCompact, num } from './svg.util.js';

// Okabe–Ito colours: told apart under the common colour-vision deficiencies, ≥3:1 against white.
export const PALETTE = {
  blue: '#0072B2',
  vermillion: '#D55E00',
  bluishGreen: '#009E73',
  text: '#1b1f24',
  muted: '#57606a',
  grid: '#d0d7de',
} as const;

export const NO_DATA_TEXT = 'No data in this range';

const DEFAULT_WIDTH = 720;
const DEFAULT_HEIGHT = 300;
const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;
const MAX_X_LABELS = 12;
const Y_TICK_COUNT = 5;

export interface Plot {
  width: number;
  height: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export type ChartKind = 'received-decided' | 'histogram' | 'backlog' | 'line';

function size(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 200 && value <= 4000 ? value : fallback;
}

/** Plot area inside the viewBox; a legend row pushes the plot down. */
export function plotArea(opts: ChartOptions, withLegend: boolean): Plot {
  const width = size(opts.width, DEFAULT_WIDTH);
  const height = size(opts.height, DEFAULT_HEIGHT);
  return { width, height, left: 56, top: withLegend ? 60 : 40, right: width - 16, bottom: height - 44 };
}

/** Root element, accessible name and description, and the visible title. */
export function openSvg(opts: ChartOptions, plot: Plot, kind: ChartKind, description: string): string {
  // A programming error, not bad data: an id with spaces or quotes would break aria-labelledby.
  if (!ID_PATTERN.test(opts.id)) throw new Error(`Chart id "${opts.id}" must match ${String(ID_PATTERN)}`);
  const titleId = `${opts.id}-title`;
  const descId = `${opts.id}-desc`;
  return (
    `<svg${attrs({
      xmlns: 'http://www.w3.org/2000/svg',
      viewBox: `0 0 ${num(plot.width)} ${num(plot.height)}`,
      width: plot.width,
      height: plot.height,
      class: `chart chart-${kind}`,
      role: 'img',
      'aria-labelledby': `${titleId} ${descId}`,
      'font-family': 'system-ui, sans-serif',
      'font-size': 12,
      fill: PALETTE.text,
    })}>` +
    `<title id="${titleId}">${escapeXml(opts.title)}</title>` +
    `<desc id="${descId}">${escapeXml(description)}</desc>` +
    `<text${attrs({ class: 'chart-title', x: 0, y: 18, 'font-size': 15, 'font-weight': 600 })}>${escapeXml(opts.title)}</text>`
  );
}

/** The plot's outline and a "No data" message, for an empty range. */
export function emptyBody(plot: Plot): string {
  return (
    `<rect${attrs({ class: 'chart-frame', x: plot.left, y: plot.top, width: plot.right - plot.left, height: plot.bottom - plot.top, fill: 'none', stroke: PALETTE.grid })}/>` +
    `<text${attrs({ class: 'chart-empty', x: (plot.left + plot.right) / 2, y: (plot.top + plot.bottom) / 2, 'text-anchor': 'middle', fill: PALETTE.muted })}>${NO_DATA_TEXT}</text>`
  );
}

export interface YScale {
  /** y coordinate of a value, clamped to the plot. */
  y(value: number): number;
  markup: string;
}

/** Horizontal grid lines with count labels from 0 to a nice top ≥ max. */
export function yAxis(plot: Plot, max: number): YScale {
  const ticks = niceTicks(max, Y_TICK_COUNT, 1);
  const top = ticks.at(-1) ?? 1;
  const span = plot.bottom - plot.top;
  const yOf = (value: number): number => plot.bottom - Math.min(1, Math.max(0, value / top)) * span;
  let grid = '';
  let labels = '';
  for (const tick of ticks) {
    const y = num(yOf(tick));
    grid += `M${num(plot.left)} ${y}H${num(plot.right)}`;
    labels += `<text${attrs({ x: plot.left - 6, y: yOf(tick), dy: '0.32em' })}>${escapeXml(formatCompact(tick))}</text>`;
  }
  return {
    y: yOf,
    markup:
      `<path${attrs({ class: 'chart-grid', d: grid, stroke: PALETTE.grid, fill: 'none' })}/>` +
      `<g${attrs({ class: 'chart-axis', 'text-anchor': 'end', fill: PALETTE.muted })}>${labels}</g>`,
  };
}

/** Centre of category i when `count` categories share the plot's width equally. */
export function bandCentre(plot: Plot, count: number, i: number): number {
  return plot.left + ((i + 0.5) * (plot.right - plot.left)) / count;
}

/** Baseline, tick marks and up to 12 labels under the plot; `text` gives each label's lines. */
function xAxis(plot: Plot, count: number, text: (i: number) => { main: string; sub?: string }): string {
  let ticks = `M${num(plot.left)} ${num(plot.bottom)}H${num(plot.right)}`;
  let labels = '';
  for (const i of labelIndexes(count, MAX_X_LABELS)) {
    const x = bandCentre(plot, count, i);
    const { main, sub } = text(i);
    ticks += `M${num(x)} ${num(plot.bottom)}v4`;
    const second = sub === undefined ? '' : `<tspan${attrs({ x, dy: 14 })}>${escapeXml(sub)}</tspan>`;
    labels += `<text${attrs({ x, y: plot.bottom + 18 })}>${escapeXml(main)}${second}</text>`;
  }
  return (
    `<path${attrs({ class: 'chart-axis-line', d: ticks, stroke: PALETTE.muted, fill: 'none' })}/>` +
    `<g${attrs({ class: 'chart-axis', 'text-anchor': 'middle', fill: PALETTE.muted })}>${labels}</g>`
  );
}

/** Category axis: the labels as given. */
export function categoryAxis(plot: Plot, labels: readonly string[]): string {
  return xAxis(plot, labels.length, (i) => ({ main: labels[i] ?? '' }));
}

/** Day axis: "3 Nov", with the year under the first label and wherever the year changes. */
export function dayAxis(plot: Plot, days: readonly string[]): string {
  let lastYear: string | undefined;
  const shown = new Map<number, { main: string; sub?: string }>();
  for (const i of labelIndexes(days.length, MAX_X_LABELS)) {
    const { dayMonth, year } = dayLabel(days[i] ?? '');
    shown.set(i, year !== undefined && year !== lastYear ? { main: dayMonth, sub: year } : { main: dayMonth });
    lastYear = year;
  }
  return xAxis(plot, days.length, (i) => shown.get(i) ?? { main: '' });
}

/** "over 30 days (2026-11-01 to 2026-11-30)" */
export function dayRange(days: readonly string[]): string {
  const first = days[0] ?? '';
  const last = days.at(-1) ?? '';
  return days.length === 1 ? `over 1 day (${first})` : `over ${days.length} days (${first} to ${last})`;
}
