import { backlogAgeChart, histogramChart } from './bar.chart.js';
import type { CountBucket } from './chart.types.js';

const makeBuckets = (overrides: Partial<Record<string, number>> = {}): CountBucket[] =>
  Object.entries({ '<1 d': 40, '1–3 d': 100, '3–7 d': 60, '7–14 d': 12, '>14 d': 0, ...overrides }).map(([label, count]) => ({
    label,
    count: count ?? 0,
  }));

const OPTS = { id: 'time-to-decision', title: 'Time to decision' };

const barTitles = (svg: string): string[] =>
  [...(/<g class="chart-bars"[^>]*>(.*?)<\/g>/.exec(svg)?.[1] ?? '').matchAll(/<rect [^>]*><title>(.*?)<\/title><\/rect>/g)].map((m) => m[1]);

describe('histogramChart', () => {
  it('is an accessible image named by its title and described by its desc', () => {
    const svg = histogramChart(makeBuckets(), OPTS);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 720 300" /);
    expect(svg).toContain('role="img" aria-labelledby="time-to-decision-title time-to-decision-desc"');
    expect(svg).toContain('<title id="time-to-decision-title">Time to decision</title>');
    expect(svg).toContain(
      '<desc id="time-to-decision-desc">Total 212 across 5 buckets: &lt;1 d 40, 1–3 d 100, 3–7 d 60, 7–14 d 12, &gt;14 d 0. ' +
        'Largest: 1–3 d with 100.</desc>',
    );
    expect(svg.endsWith('</svg>')).toBe(true);
  });

  it('gives every bar a tooltip with its exact value', () => {
    const svg = histogramChart(makeBuckets({ '1–3 d': 12_345 }), OPTS);
    expect(barTitles(svg)).toEqual(['&lt;1 d: 40', '1–3 d: 12,345', '3–7 d: 60', '7–14 d: 12', '&gt;14 d: 0']);
  });

  it('prints each count above its bar and each label under it', () => {
    const svg = histogramChart(makeBuckets(), OPTS);
    const valueLabels = [...(/<g class="chart-value"[^>]*>(.*?)<\/g>/.exec(svg)?.[1] ?? '').matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(valueLabels).toEqual(['40', '100', '60', '12', '0']);
    for (const label of ['&lt;1 d', '1–3 d', '&gt;14 d']) expect(svg).toContain(`>${label}</text>`);
  });

  it('draws taller bars for larger counts, on a round axis with whole-number ticks', () => {
    const svg = histogramChart(
      [
        { label: 'a', count: 1 },
        { label: 'b', count: 3 },
      ],
      OPTS,
    );
    const heights = [...svg.matchAll(/<rect [^>]*height="([\d.]+)"><title>/g)].map((m) => Number(m[1]));
    expect(heights[1]).toBeCloseTo(heights[0] * 3, 1);
    const ticks = [...(/<g class="chart-axis" text-anchor="end"[^>]*>(.*?)<\/g>/.exec(svg)?.[1] ?? '').matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(ticks).toEqual(['0', '1', '2', '3']);
  });

  it('escapes labels and titles that carry markup', () => {
    const svg = histogramChart([{ label: '<script>alert("x")</script>', count: 2 }], { id: 'h', title: `Ann's "chart" <b>` });
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('"x"');
    expect(svg).toContain('<title id="h-title">Ann&apos;s &quot;chart&quot; &lt;b&gt;</title>');
    expect(svg).toContain('<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;: 2</title>');
  });

  it('renders a frame saying there is no data for an empty range', () => {
    const svg = histogramChart([], OPTS);
    expect(svg).toContain('>No data in this range</text>');
    expect(svg).toContain('<desc id="time-to-decision-desc">No data in this range.</desc>');
    expect(svg).not.toContain('chart-bars');
  });

  it('does not name a largest bucket when every count is 0', () => {
    const svg = histogramChart([{ label: 'a', count: 0 }], OPTS);
    expect(svg).toContain('<desc id="time-to-decision-desc">Total 0 across 1 bucket: a 0.</desc>');
  });

  it('refuses an id that could not be referenced from aria-labelledby', () => {
    expect(() => histogramChart([], { id: 'two words', title: 't' })).toThrow('Chart id "two words"');
    expect(() => histogramChart([], { id: '"><x', title: 't' })).toThrow();
  });
});

describe('backlogAgeChart', () => {
  it('draws the same kind of bars under its own class and colour', () => {
    const backlog = backlogAgeChart(makeBuckets(), { id: 'backlog', title: 'Open backlog by age' });
    const histogram = histogramChart(makeBuckets(), { id: 'backlog', title: 'Open backlog by age' });
    expect(backlog).toContain('class="chart chart-backlog"');
    expect(histogram).toContain('class="chart chart-histogram"');
    const fill = (svg: string): string | undefined => /<g class="chart-bars" fill="([^"]+)"/.exec(svg)?.[1];
    expect(fill(backlog)).not.toBe(fill(histogram));
    expect(barTitles(backlog)).toEqual(barTitles(histogram));
  });
});
