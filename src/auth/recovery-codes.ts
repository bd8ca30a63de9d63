import { createHmac, randomBytes } from 'node:crypto';

/** How many one-time recovery codes a moderator gets at enrolment and at each renewal (docs/security.md #32). */
export const RECOVERY_CODE_COUNT = 10;

/**
 * Crockford's base32: no i, l, o or u, so a code read off paper cannot be mistyped into another one.
 * 32 symbols, so each takes exactly 5 bits of a random byte (no bias).
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_LENGTH = 12; // 60 random bits

/**
 * A new code, `xxxx-xxxx-xxxx`. 60 bits: an online guess meets the sign-in's try limit (5 per 15
 * minutes) long before it could matter, and offline the digest is keyed with SECRET_KEY, so a fast
 * keyed hash is enough where a password needs argon2 (docs/security.md #17).
 */
export function newRecoveryCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  let code = '';
  for (const byte of bytes) code += ALPHABET[byte & 31];
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}

/**
 * What a person typed, as the twelve symbols the digest is taken of, or null when it cannot be a code.
 * Case, spaces and dashes are forgiven, and so are the letters Crockford reads as digits (o → 0, i/l → 1).
 */
export function normalizeRecoveryCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const symbols = input.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
  return symbols.length === CODE_LENGTH && [...symbols].every((s) => ALPHABET.includes(s)) ? symbols : null;
}

/**
 * What the database keeps of a code: HMAC-SHA256 under a key derived from SECRET_KEY, over the
 * moderator's id and the normalised code (a code is good for its own person only).
 */
export function recoveryCodeDigest(secretKey: Buffer, moderatorId: string, normalizedCode: string): string {
  const key = createHmac('sha256', secretKey).update('recovery-desk staff recovery code v1').digest();
  return createHmac('sha256', key).update(`${moderatorId}\0${normalizedCode}`).digest('hex');
}
