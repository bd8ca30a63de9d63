import { codeDigest, digestsEqual, formatEmailCode, newEmailCode, newRepositoryToken, normaliseCodeInput, repositoryProofNames } from './challenge-codes.js';

describe('e-mail codes', () => {
  it('are 8 digits and vary', () => {
    const codes = new Set(Array.from({ length: 200 }, () => newEmailCode()));
    for (const code of codes) expect(code).toMatch(/^\d{8}$/);
    expect(codes.size).toBeGreaterThan(195);
  });

  it('are read back with spaces and dashes removed, and refused otherwise', () => {
    expect(normaliseCodeInput(' 1234 5678 ')).toBe('12345678');
    expect(normaliseCodeInput('1234-5678')).toBe('12345678');
    expect(normaliseCodeInput('1234567')).toBeNull();
    expect(normaliseCodeInput('123456789')).toBeNull();
    expect(normaliseCodeInput('abcd efgh')).toBeNull();
    expect(normaliseCodeInput(12345678)).toBeNull();
    expect(normaliseCodeInput(`${'1'.repeat(8)}${' '.repeat(40)}`)).toBeNull();
    expect(formatEmailCode('12345678')).toBe('1234 5678');
  });

  it('are stored as a keyed digest bound to the challenge', () => {
    const key = Buffer.from('k'.repeat(32));
    const digest = codeDigest(key, 'c1', '12345678');
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).not.toContain('12345678');
    expect(digestsEqual(digest, codeDigest(key, 'c1', '12345678'))).toBe(true);
    expect(digestsEqual(digest, codeDigest(key, 'c2', '12345678'))).toBe(false);
    expect(digestsEqual(digest, codeDigest(Buffer.from('x'.repeat(32)), 'c1', '12345678'))).toBe(false);
    expect(digestsEqual(digest, codeDigest(key, 'c1', '12345679'))).toBe(false);
    expect(digestsEqual(digest, '')).toBe(false);
  });
});

describe('repository tokens', () => {
  it('carry 100 random bits in characters safe for branch and file names', () => {
    const token = newRepositoryToken();
    expect(token).toMatch(/^rd-[a-z2-9]{20}$/);
    expect(newRepositoryToken()).not.toBe(token);
    expect(repositoryProofNames(token)).toEqual({ branch: `recovery-desk-${token}`, file: `recovery-desk-${token}.txt` });
  });
});
