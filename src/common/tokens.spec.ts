import { createHash } from 'node:crypto';
import { hashToken, newReference, newSecretToken } from './tokens.js';

describe('newSecretToken', () => {
  it('is 43 base64url characters (32 bytes)', () => {
    const token = newSecretToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('is different every time', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newSecretToken()));
    expect(tokens.size).toBe(1000);
  });

  it('uses the whole alphabet: no character is fixed', () => {
    const tokens = Array.from({ length: 200 }, () => newSecretToken());
    for (let i = 0; i < 42; i++) expect(new Set(tokens.map((t) => t[i])).size).toBeGreaterThan(20);
    // The 43rd character carries only 4 bits of the 32 bytes (2 bits of padding).
    expect(new Set(tokens.map((t) => t[42])).size).toBeGreaterThan(8);
  });
});

describe('hashToken', () => {
  it('is the SHA-256 of the token in lower-case hex', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes the UTF-8 bytes', () => {
    expect(hashToken('é')).toBe(
      createHash('sha256')
        .update(Buffer.from([0xc3, 0xa9]))
        .digest('hex'),
    );
  });

  it('is 64 hex digits for a real token and differs from token to token', () => {
    const a = newSecretToken();
    const b = newSecretToken();
    expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(a)).toBe(hashToken(a));
    expect(hashToken(a)).not.toBe(hashToken(b));
    expect(hashToken(a)).not.toContain(a);
  });
});

describe('newReference', () => {
  const PATTERN = /^RD-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{6}$/;

  it('looks like RD- and six unambiguous characters', () => {
    for (let i = 0; i < 500; i++) expect(newReference()).toMatch(PATTERN);
  });

  it('never uses 0, O, 1, I, L or U', () => {
    const all = Array.from({ length: 2000 }, () => newReference().slice(3)).join('');
    expect(all).not.toMatch(/[01OILU]/);
  });

  it('is random: references rarely repeat and use most of the alphabet', () => {
    const refs = Array.from({ length: 2000 }, () => newReference());
    expect(new Set(refs).size).toBeGreaterThan(1995);
    expect(new Set(refs.map((r) => r.slice(3)).join('')).size).toBe(30);
  });
});
