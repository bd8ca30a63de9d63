/** One scrape, as `name{label="value",…}` (labels sorted by name) → value, so tests ask for exact series. */
export type Scrape = Map<string, number>;

const seriesKey = (name: string, labels: Record<string, string>) => {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`);
  return pairs.length ? `${name}{${pairs.join(',')}}` : name;
};

/** Parses Prometheus's text format (what prom-client writes: no timestamps, no escaped quotes in our labels). */
export function parseScrape(text: string): Scrape {
  const scrape: Scrape = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) labels[key] = value;
    scrape.set(seriesKey(match[1], labels), Number(match[3]));
  }
  return scrape;
}

/** The value of one series; undefined when the scrape does not have it. */
export function sample(scrape: Scrape, name: string, labels: Record<string, string> = {}): number | undefined {
  return scrape.get(seriesKey(name, labels));
}
