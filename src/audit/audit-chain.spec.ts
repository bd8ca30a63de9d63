import { canonicalJson, type ChainedEntry, entryHash, GENESIS, verifyChain } from './audit-chain.js';

function chain(n: number): ChainedEntry[] {
  const out: ChainedEntry[] = [];
  let prev = GENESIS;
  for (let i = 1; i <= n; i++) {
    const facts = {
      at: new Date(Date.UTC(2026, 10, 25, 9, 0, i)),
      actor: `moderator:m${i % 3}`,
      action: 'claimed',
      ticketId: `t-${i}`,
      data: { n: i, z: 'last', a: ['x', { b: 1, a: 2 }] },
    };
    const hash = entryHash(prev, i, facts);
    out.push({ id: i, ...facts, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe('audit chain', () => {
  it('writes JSON with sorted keys at every depth, dates as ISO text, undefined left out', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined }, at: new Date(0) })).toBe(
      '{"a":{"d":[2,{"e":0,"f":1}]},"at":"1970-01-01T00:00:00.000Z","b":1}',
    );
  });

  it('verifies an intact chain, also page by page', () => {
    const entries = chain(10);
    expect(verifyChain(entries)).toEqual({ ok: true, checked: 10, lastHash: entries[9].hash });
    const first = verifyChain(entries.slice(0, 4));
    expect(first.ok && verifyChain(entries.slice(4), first.lastHash, first.checked)).toEqual({ ok: true, checked: 10, lastHash: entries[9].hash });
    expect(verifyChain([])).toEqual({ ok: true, checked: 0, lastHash: GENESIS });
  });

  it('names the first entry whose content changed', () => {
    const entries = chain(6);
    entries[3] = { ...entries[3], data: { ...entries[3].data, n: 99 } };
    expect(verifyChain(entries)).toMatchObject({ ok: false, brokenId: 4, checked: 3, reason: expect.stringContaining('content') });
  });

  it('names the entry after a removed one, and a reordered one', () => {
    const entries = chain(6);
    expect(verifyChain([...entries.slice(0, 2), ...entries.slice(3)])).toMatchObject({ ok: false, brokenId: 4, reason: expect.stringContaining('link') });
    expect(verifyChain([entries[1], entries[0]])).toMatchObject({ ok: false, brokenId: 2 });
  });

  it('detects a changed time, actor or position even with the links rewritten', () => {
    const [entry] = chain(1);
    for (const forged of [
      { ...entry, at: new Date(entry.at.getTime() + 1) },
      { ...entry, actor: 'moderator:other' },
      { ...entry, id: 2 },
    ]) {
      expect(verifyChain([forged]).ok).toBe(false);
    }
  });
});
