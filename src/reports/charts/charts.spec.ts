import fc from 'fast-check';
import { backlogAgeChart, histogramChart, lineChart, receivedVsDecidedChart } from './index.js';

type Row = { label: string; value: number };

// Every chart, fed the same rows: labels become days or bucket labels, values become counts.
const CHARTS: Record<string, (rows: Row[], id: string) => string> = {
  receivedVsDecided: (rows, id) =>
    receivedVsDecidedChart(
      rows.map((r, i) => ({ day: r.label, received: r.value, decided: i % 2 ? r.value : r.value / 3 })),
      { id, title: 'Received and decided' },
    ),
  histogram: (rows, id) =>
    histogramChart(
      rows.map((r) => ({ label: r.label, count: r.value })),
      { id, title: 'Time to decision' },
    ),
  backlogAge: (rows, id) =>
    backlogAgeChart(
      rows.map((r) => ({ label: r.label, count: r.value })),
      { id, title: 'Backlog by age' },
    ),
  line: (rows, id) =>
    lineChart(
      rows.map((r) => ({ day: r.label, value: r.value })),
      { id, title: 'Queue length', valueLabel: 'Open' },
    ),
};

const makeRows = (count: number, value: (i: number) => number = (i) => i % 9): Row[] =>
  Array.from({ length: count }, (_, i) => ({
    label: `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
    value: value(i),
  }));

const EDGE_CASES: Record<string, Row[]> = {
  empty: [],
  'all zero': makeRows(10, () => 0),
  'one item': makeRows(1, () => 5),
  'one zero item': makeRows(1, () => 0),
  'huge values': makeRows(5, (i) => [1e12, Number.MAX_SAFE_INTEGER, 1e300, Number.MAX_VALUE, 3][i]),
  'tiny values': makeRows(4, (i) => [1e-9, 5e-324, 0.001, 0.3][i]),
  'not numbers': makeRows(6, (i) => [Number.NaN, Infinity, -Infinity, -5, 0, 2][i]),
  'markup in labels': [
    { label: '<script>alert("x")</script>', value: 3 },
    { label: `it's & "quoted"`, value: 1 },
  ],
  '365 days': makeRows(365),
};

const TAG = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g;
const ENTITY_SAFE = /^(?:[^&<>]|&(?:amp|lt|gt|quot|apos);)*$/s;

/** A small XML well-formedness check: tags nest, text and attribute values are escaped, one root. */
function expectWellFormedSvg(svg: string): void {
  const stack: string[] = [];
  let position = 0;
  let roots = 0;
  for (const match of svg.matchAll(TAG)) {
    const [whole, closing, name, attributes = ''] = match;
    expect(ENTITY_SAFE.test(svg.slice(position, match.index))).toBe(true);
    for (const [, value = ''] of attributes.matchAll(/="([^"]*)"/g)) expect(ENTITY_SAFE.test(value)).toBe(true);
    if (stack.length === 0) roots++;
    if (closing) expect(stack.pop()).toBe(name);
    else if (!match[4]) stack.push(name);
    position = match.index + whole.length;
  }
  expect(position).toBe(svg.length);
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="')).toBe(true);
}

/** What every chart promises whatever the data. */
function expectSafeChart(svg: string, id: string): void {
  expectWellFormedSvg(svg);
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  // The page's CSP (style-src 'self') would block both.
  expect(svg).not.toMatch(/\sstyle=|<style/);
  expect(svg).not.toMatch(/<script|\son\w+=/i);
  // At most 2 decimals in any attribute.
  for (const [, value = ''] of svg.matchAll(/\s[\w:-]+="([^"]*)"/g)) expect(value).not.toMatch(/\d\.\d{3}/);
  expect(svg).toContain(`role="img" aria-labelledby="${id}-title ${id}-desc"`);
  const ids = [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  expect(ids).toEqual([`${id}-title`, `${id}-desc`]);
  expect(svg).toContain(`<title id="${id}-title">`);
  expect(svg).toMatch(new RegExp(`<desc id="${id}-desc">[^<]+</desc>`));
}

describe.each(Object.entries(CHARTS))('%s chart', (_name, render) => {
  it.each(Object.entries(EDGE_CASES))('is safe with %s', (_case, rows) => {
    expectSafeChart(render(rows, 'c1'), 'c1');
  });

  it('says "No data in this range" only when there is none', () => {
    expect(render([], 'c1')).toContain('>No data in this range</text>');
    expect(
      render(
        makeRows(3, () => 0),
        'c1',
      ),
    ).not.toContain('>No data in this range</text>');
  });

  it('renders the same string for the same input, in any time zone', () => {
    const rows = makeRows(40);
    const first = render(rows, 'c1');
    expect(render(structuredClone(rows), 'c1')).toBe(first);
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'Pacific/Chatham';
      expect(render(rows, 'c1')).toBe(first);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('stays well formed, finite and escaped for any labels and values', () => {
    const row = fc.record({
      label: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('<script>"x"</script>', "'&'", '2026-02-29')),
      value: fc.oneof(fc.nat(), fc.double(), fc.constantFrom(Number.MAX_VALUE, -0, 1e21)),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 80 }), (rows) => {
        expectSafeChart(render(rows, 'p'), 'p');
      }),
      { numRuns: 150 },
    );
  });
});

describe('a 365-day chart', () => {
  it('stays under 60 KB for every chart over days', () => {
    const year = makeRows(365, (i) => 10_000 + ((i * 7919) % 90_000));
    for (const render of [CHARTS.receivedVsDecided, CHARTS.line]) {
      expect(Buffer.byteLength(render(year, 'year'))).toBeLessThan(60_000);
    }
  });
});
