import { attrs, cleanCount, escapeXml, formatCompact, formatValue, num, tooltip } from './svg.util.js';

describe('escapeXml', () => {
  it('escapes the five XML special characters', () => {
    expect(escapeXml(`<script>alert("x" & 'y')</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &apos;y&apos;)&lt;/script&gt;');
  });

  it('escapes an existing entity again rather than trusting it', () => {
    expect(escapeXml('&amp;')).toBe('&amp;amp;');
  });

  it('drops control characters XML cannot carry, keeps tabs, newlines and other text', () => {
    expect(escapeXml('a\u0000b\u0008c\td\ne–f ✓')).toBe('abc\td\ne–f ✓');
  });
});

describe('num', () => {
  it.each([
    [1, '1'],
    [1.005, '1'],
    [1.239, '1.24'],
    [-0.001, '0'],
    [123456.789, '123456.79'],
    [Number.NaN, '0'],
    [Infinity, '0'],
  ])('%p → %p', (value, expected) => {
    expect(num(value)).toBe(expected);
  });
});

describe('cleanCount', () => {
  it('draws negative, NaN and infinite counts as 0', () => {
    expect([5, 0, -2, Number.NaN, Infinity, -Infinity].map(cleanCount)).toEqual([5, 0, 0, 0, 0, 0]);
  });

  it('caps counts at 2^53 − 1 so that sums of them stay finite', () => {
    expect(cleanCount(Number.MAX_VALUE)).toBe(Number.MAX_SAFE_INTEGER);
    expect(cleanCount(1e12)).toBe(1e12);
  });
});

describe('formatValue and formatCompact', () => {
  it('groups thousands and keeps at most 2 decimals', () => {
    expect(formatValue(1234567)).toBe('1,234,567');
    expect(formatValue(2.5)).toBe('2.5');
    expect(formatValue(0.125)).toBe('0.13');
    expect(formatValue(Number.NaN)).toBe('0');
    expect(formatValue(Number.MAX_VALUE)).toBe('1.7976931348623157e+308');
  });

  it('shortens large axis labels', () => {
    expect(formatCompact(950)).toBe('950');
    expect(formatCompact(9500)).toBe('9.5k');
    expect(formatCompact(1200)).toBe('1.2k');
    expect(formatCompact(95_000)).toBe('95k');
    expect(formatCompact(2_500_000)).toBe('2.5M');
    expect(formatCompact(3e9)).toBe('3B');
    expect(formatCompact(4e15)).toBe('4e15');
    expect(formatCompact(1.5e300)).toBe('1.5e300');
    expect(formatCompact(Infinity)).toBe('0');
  });
});

describe('attrs and tooltip', () => {
  it('rounds numbers, escapes strings and leaves out undefined values', () => {
    expect(attrs({ x: 1.23456, class: 'a"b', dash: undefined })).toBe(' x="1.23" class="a&quot;b"');
  });

  it('escapes tooltip text', () => {
    expect(tooltip('<b> & "c"')).toBe('<title>&lt;b&gt; &amp; &quot;c&quot;</title>');
  });
});
