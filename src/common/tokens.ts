import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes as base64url (43 characters): for links sent to people (docs/security.md #7). */
export function newSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps of a secret token: its SHA-256, in hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ'; // no 0/O, 1/I/L, U: easy to read out and type back

/** A ticket reference like `RD-7K3F9Q`: short, unambiguous, and carrying no meaning. */
export function newReference(): string {
  let out = 'RD-';
  while (out.length < 9) {
    // Rejection sampling: bytes past the last whole multiple of 30 would favour the first letters.
    for (const byte of randomBytes(8)) {
      if (byte < 240 && out.length < 9) out += REFERENCE_ALPHABET[byte % REFERENCE_ALPHABET.length];
    }
  }
  return out;
}

/** What `newReference` makes (checked loosely: any letter or digit, so a mistyped one is a plain not-found). */
export const REFERENCE_PATTERN = /^RD-[A-Z0-9]{6}$/i;
