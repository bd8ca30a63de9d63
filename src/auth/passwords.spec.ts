import { hashPassword, newInitialPassword, passwordProblem, verifyPassword } from './passwords.js';

describe('staff passwords', () => {
  it('hashes with argon2id at OWASP costs, and verifies only the right password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse battery stapler')).toBe(false);
    expect(await verifyPassword('not a hash', 'anything')).toBe(false);
    expect(await hashPassword('correct horse battery staple')).not.toBe(stored); // salted
  });

  it('makes initial passwords of 120 random bits that pass the rules', () => {
    const passwords = new Set(Array.from({ length: 50 }, newInitialPassword));
    expect(passwords.size).toBe(50);
    for (const p of passwords) {
      expect(p).toMatch(/^[A-Za-z0-9_-]{20}$/);
      expect(passwordProblem(p)).toBeNull();
    }
  });

  it('names what is wrong with a password', () => {
    expect(passwordProblem('short')).toBe('a password needs at least 12 characters');
    expect(passwordProblem('x'.repeat(201))).toBe('a password has at most 200 characters');
  });
});
