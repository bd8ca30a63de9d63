import { newRecoveryCode, normalizeRecoveryCode, recoveryCodeDigest } from './recovery-codes.js';

describe('staff recovery codes', () => {
  const key = Buffer.from('a test secret key that is long enough', 'utf8');

  it('makes 60-bit codes in three groups of Crockford base32, never the same twice', () => {
    const codes = new Set(Array.from({ length: 200 }, newRecoveryCode));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
  });

  it('forgives case, spaces, dashes and the letters read as digits; refuses anything else', () => {
    expect(normalizeRecoveryCode('ab12-cd34-ef56')).toBe('ab12cd34ef56');
    expect(normalizeRecoveryCode(' AB12 CD34 EF56 ')).toBe('ab12cd34ef56');
    expect(normalizeRecoveryCode('abO1-cdI4-efL6')).toBe('ab01cd14ef16');
    for (const junk of [undefined, 123, ['ab12cd34ef56'], '', 'ab12-cd34-ef5', 'ab12-cd34-ef567', 'ab12-cd34-ef5u', 'x'.repeat(100)]) {
      expect(normalizeRecoveryCode(junk)).toBeNull();
    }
  });

  it('keeps a keyed digest bound to the person: not the code, not the same for another person or key', () => {
    const digest = recoveryCodeDigest(key, 'm1', 'ab12cd34ef56');
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).not.toContain('ab12cd34ef56');
    expect(recoveryCodeDigest(key, 'm1', 'ab12cd34ef56')).toBe(digest);
    expect(recoveryCodeDigest(key, 'm2', 'ab12cd34ef56')).not.toBe(digest);
    expect(recoveryCodeDigest(Buffer.from('another key entirely, also long', 'utf8'), 'm1', 'ab12cd34ef56')).not.toBe(digest);
  });
});
