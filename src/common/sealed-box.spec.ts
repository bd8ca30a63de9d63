import { SealedBox } from './sealed-box.js';

const SECRET = Buffer.from('a-test-secret-key-that-is-long-enough-1234', 'utf8');
const OTHER_SECRET = Buffer.from('another-secret-key-that-is-long-enough-99', 'utf8');

/** Flips one bit of a base64url part of a sealed value. */
function flip(sealed: string, part: 1 | 2 | 3): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part], 'base64url');
  bytes[0] ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('SealedBox', () => {
  const box = new SealedBox(SECRET, 'outbox');
  const plain = 'Your status link: https://desk.example/status/Xq3_9k-ZpL0aB7cD2eF4gH6iJ8kM1nO5qR7sT9uV1w — ünïcødé ✓';

  it('opens what it sealed', () => {
    expect(box.open(box.seal(plain))).toBe(plain);
  });

  it('opens with a new box made from the same secret and purpose', () => {
    expect(new SealedBox(Buffer.from(SECRET), 'outbox').open(box.seal(plain))).toBe(plain);
  });

  it('round-trips an empty string and a long one', () => {
    expect(box.open(box.seal(''))).toBe('');
    const long = 'x'.repeat(100_000);
    expect(box.open(box.seal(long))).toBe(long);
  });

  it('seals as v1.<iv>.<tag>.<body> with a 12-byte iv and a 16-byte tag', () => {
    const [version, iv, tag, body, ...rest] = box.seal('hello').split('.');
    expect(version).toBe('v1');
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
    expect(Buffer.from(body, 'base64url')).toHaveLength(5);
    expect(rest).toEqual([]);
  });

  it('does not show the plain text', () => {
    const sealed = box.seal(plain);
    expect(sealed).not.toContain('status');
    expect(sealed).not.toContain('Xq3_9k');
  });

  it('seals the same text differently each time', () => {
    const a = box.seal(plain);
    const b = box.seal(plain);
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
  });

  it.each([
    ['iv', 1],
    ['tag', 2],
    ['body', 3],
  ] as const)('refuses a value whose %s was changed', (_, part) => {
    const sealed = box.seal(plain);
    expect(() => box.open(flip(sealed, part))).toThrow();
  });

  it('refuses a value whose body was cut short', () => {
    const sealed = box.seal(plain);
    expect(() => box.open(sealed.slice(0, -4))).toThrow();
  });

  it('refuses a value sealed with another secret', () => {
    const sealed = new SealedBox(OTHER_SECRET, 'outbox').seal(plain);
    expect(() => box.open(sealed)).toThrow();
  });

  it('refuses a value sealed for another purpose', () => {
    const sealed = new SealedBox(SECRET, 'evidence').seal(plain);
    expect(() => box.open(sealed)).toThrow();
  });

  it.each([
    ['an empty string', ''],
    ['plain text', 'hello'],
    ['another version', 'v2.a.b.c'],
    ['a value with parts missing', 'v1.abc'],
    ['a value without a tag', 'v1.abc..def'],
  ])('refuses %s as not a sealed value', (_, value) => {
    expect(() => box.open(value)).toThrow('not a sealed value');
  });
});
