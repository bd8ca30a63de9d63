// Characters XML 1.0 forbids outright; a stray one would make the whole inline SVG unparseable.
const FORBIDDEN_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for use in SVG element content and attribute values. */
export function escapeXml(text: string): string {
  return String(text)
    .replace(FORBIDDEN_XML_CHARS, '')
    .replace(/[&<>"']/g, (ch) => XML_ENTITIES[ch] ?? ch);
}

/** A number for an attribute: at most 2 decimals, no trailing zeros, never NaN or Infinity. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return '0';
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/**
 * Data values are counts: anything negative, NaN or infinite is drawn as 0, and anything above
 * 2^53 − 1 (no real count) as 2^53 − 1, so sums stay finite and exact enough to print.
 */
export function cleanCount(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.min(value, Number.MAX_SAFE_INTEGER) : 0;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Exact value for tooltips and descriptions: 12,345 or 2.5. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return '0';
  // Past 1e21 JavaScript prints an exponent anyway; below it ×100 cannot overflow.
  if (Math.abs(value) >= 1e21) return String(value);
  const rounded = Math.round(value * 100) / 100;
  const [int = '0', frac] = Math.abs(rounded).toString().split('.');
  return `${rounded < 0 ? '-' : ''}${groupThousands(int)}${frac ? `.${frac}` : ''}`;
}

const COMPACT_UNITS: ReadonlyArray<[number, string]> = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** Short axis label: 950, 9.5k, 95k, 9.5M, 2e15 (exact for nice ticks, whose steps are ≥ a fifth of the top). */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return '0';
  const abs = Math.abs(value);
  if (abs < 1e3) return formatValue(value);
  if (abs >= 1e15) return Number(value.toPrecision(3)).toExponential().replace('e+', 'e');
  for (const [size, unit] of COMPACT_UNITS) {
    if (abs >= size) return `${formatValue(Math.round((value / size) * 10) / 10)}${unit}`;
  }
  return formatValue(value);
}

export type AttrValue = string | number | undefined;

/** Serialises attributes in the given order; numbers go through num(), strings are escaped. */
export function attrs(values: Record<string, AttrValue>): string {
  let out = '';
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    out += ` ${name}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`;
  }
  return out;
}

/** `<title>` child: the exact value as a browser tooltip. */
export function tooltip(text: string): string {
  return `<title>${escapeXml(text)}</title>`;
}
