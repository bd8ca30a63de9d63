import type { DayCounts } from './chart.types.js';
import { lineChart, receivedVsDecidedChart } from './line.chart.js';

const DAY_MS = 86_400_000;
const dayAfter = (start: string, offset: number): string => new Date(Date.parse(`${start}T00:00:00Z`) + offset * DAY_MS).toISOString().slice(0, 10);

const makeDays = (count: number, overrides: { start?: string; received?: (i: number) => number; decided?: (i: number) => number } = {}): DayCounts[] =>
  Array.from({ length: count }, (_, i) => ({
    day: dayAfter(overrides.start ?? '2026-11-01', i),
    received: overrides.received?.(i) ?? 4,
    decided: overrides.decided?.(i) ?? 3,
  }));

const hitTitles = (svg: string): string[] =>
  [...(/<g class="chart-hits"[^>]*>(.*)<\/g>/.exec(svg)?.[1] ?? '').matchAll(/<title>(.*?)<\/title>/g)].map((m) => m[1]);

const axisLabels = (svg: string): string[] =>
  [...(/<g class="chart-axis" text-anchor="middle"[^>]*>(.*?)<\/g>/.exec(svg)?.[1] ?? '').matchAll(/<text [^>]*>(.*?)<\/text>/g)].map((m) => m[1]);

describe('receivedVsDecidedChart', () => {
  const days = makeDays(30, {
    received: (i) => (i === 2 ? 9 : 4),
    decided: (i) => (i === 4 ? 7 : i < 28 ? 3 : 4),
  });

  it('describes totals, range and peaks in words', () => {
    const svg = receivedVsDecidedChart(days, { id: 'rvd', title: 'Received and decided' });
    expect(svg).toContain(
      '<desc id="rvd-desc">Received 125, decided 96 over 30 days (2026-11-01 to 2026-11-30); ' +
        'peak received 9 on 2026-11-03; peak decided 7 on 2026-11-05.</desc>',
    );
    expect(svg).toContain('role="img" aria-labelledby="rvd-title rvd-desc"');
  });

  it('gives every day a tooltip with both exact values', () => {
    const titles = hitTitles(receivedVsDecidedChart(days, { id: 'rvd' }));
    expect(titles).toHaveLength(30);
    expect(titles[2]).toBe('2026-11-03: received 9, decided 3');
    expect(titles[4]).toBe('2026-11-05: received 4, decided 7');
  });

  it('tells the series apart by dash, marker shape and legend as well as colour', () => {
    const svg = receivedVsDecidedChart(days, { id: 'rvd' });
    const received = /<g class="chart-series chart-series-received">.*?<\/g><\/g>/.exec(svg)?.[0] ?? '';
    const decided = /<g class="chart-series chart-series-decided">.*?<\/g><\/g>/.exec(svg)?.[0] ?? '';
    expect(received).not.toContain('stroke-dasharray');
    expect(decided).toContain('stroke-dasharray="6 4"');
    expect(received.match(/<circle /g)).toHaveLength(30);
    expect(decided.match(/<rect /g)).toHaveLength(30);
    expect(/stroke="([^"]+)"/.exec(received)?.[1]).not.toBe(/stroke="([^"]+)"/.exec(decided)?.[1]);
    expect(svg).toMatch(/<g class="chart-legend">.*>Received<\/text>.*>Decided<\/text>/);
  });

  it('labels the day axis with at most 12 days and the year under the first', () => {
    const labels = axisLabels(receivedVsDecidedChart(makeDays(365, { start: '2026-07-01' }), { id: 'year' }));
    expect(labels.length).toBeLessThanOrEqual(12);
    expect(labels[0]).toMatch(/^1 Jul<tspan x="[\d.]+" dy="14">2026<\/tspan>$/);
    expect(labels.filter((l) => l.includes('2027'))).toHaveLength(1);
  });

  it('keeps a 365-day chart under 60 KB and drops markers it could not show apart', () => {
    const svg = receivedVsDecidedChart(makeDays(365, { received: (i) => 10_000 + ((i * 7919) % 5000), decided: (i) => 9_000 + ((i * 104729) % 5000) }), {
      id: 'year',
      title: 'Received and decided, last 365 days',
    });
    expect(Buffer.byteLength(svg)).toBeLessThan(60_000);
    expect(/<g class="chart-series[^>]*>.*<circle/.test(svg)).toBe(false);
    expect(hitTitles(svg)).toHaveLength(365);
  });

  it('has a default id and title', () => {
    const svg = receivedVsDecidedChart(makeDays(3));
    expect(svg).toContain('<title id="received-vs-decided-title">Tickets received and decided per day</title>');
  });

  it('says so when the range holds no days, and names no peak when nothing happened', () => {
    expect(receivedVsDecidedChart([], { id: 'e' })).toContain('>No data in this range</text>');
    expect(receivedVsDecidedChart(makeDays(1, { received: () => 0, decided: () => 0 }), { id: 'z' })).toContain(
      '<desc id="z-desc">Received 0, decided 0 over 1 day (2026-11-01).</desc>',
    );
  });
});

describe('lineChart', () => {
  const queue = [12, 9, 4, 15, 25, 18].map((value, i) => ({ day: dayAfter('2026-11-01', i), value }));
  const opts = { id: 'queue', title: 'Queue length', valueLabel: 'Open tickets' };

  it('describes start, end, lowest and highest in words', () => {
    expect(lineChart(queue, opts)).toContain(
      '<desc id="queue-desc">Open tickets over 6 days (2026-11-01 to 2026-11-06): 12 at the start, 18 at the end; ' +
        'lowest 4 on 2026-11-03, highest 25 on 2026-11-05.</desc>',
    );
  });

  it('gives every point a tooltip with its exact value, and draws one line without a legend', () => {
    const svg = lineChart(queue, opts);
    expect(hitTitles(svg)).toEqual(queue.map((p) => `${p.day}: Open tickets ${p.value}`));
    expect(svg.match(/<path [^>]*stroke-width="2"/g)).toHaveLength(1);
    expect(svg).not.toContain('chart-legend');
  });

  it('draws a lone point as a marker', () => {
    const svg = lineChart([{ day: '2026-11-01', value: 3 }], opts);
    expect(svg).toContain('<desc id="queue-desc">Open tickets over 1 day (2026-11-01): 3.</desc>');
    expect(svg.match(/<circle /g)).toHaveLength(1);
  });

  it('calls the value "Value" unless told otherwise', () => {
    expect(hitTitles(lineChart(queue.slice(0, 1), { id: 'q', title: 'Q' }))).toEqual(['2026-11-01: Value 12']);
  });

  it('says so when the range holds no days', () => {
    const svg = lineChart([], opts);
    expect(svg).toContain('>No data in this range</text>');
    expect(svg).toContain('<desc id="queue-desc">No data in this range.</desc>');
  });
});
