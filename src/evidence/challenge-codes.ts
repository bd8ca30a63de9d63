import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** Digits in an e-mail code: 10⁸ codes against 5 tries is a 1-in-20-million guess. */
export const EMAIL_CODE_DIGITS = 8;

/** A one-time e-mail code: 8 random digits from the CSPRNG. */
export function newEmailCode(): string {
  return String(randomInt(0, 10 ** EMAIL_CODE_DIGITS)).padStart(EMAIL_CODE_DIGITS, '0');
}

/** `12345678` → `1234 5678`: easier to read out of a mail. */
export function formatEmailCode(code: string): string {
  return `${code.slice(0, 4)} ${code.slice(4)}`;
}

/** What a person typed, with the spaces and dashes people add removed; null unless it is 8 digits. */
export function normaliseCodeInput(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 40) return null;
  const digits = raw.replace(/[\s-]/g, '');
  return new RegExp(`^\\d{${EMAIL_CODE_DIGITS}}$`).test(digits) ? digits : null;
}

/**
 * What the database keeps of a code: an HMAC keyed with the app's secret and bound to the challenge,
 * so a copy of the database alone cannot test the 10⁸ candidates offline, and a code is useless on
 * another challenge.
 */
export function codeDigest(secret: Buffer, challengeId: string, code: string): string {
  return createHmac('sha256', secret).update(`email-challenge:${challengeId}:${code}`).digest('hex');
}

export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

const TOKEN_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/**
 * A repository challenge token, e.g. `rd-k3v9…` (20 characters after the prefix, 100 bits): safe in a
 * branch name and a file name on every forge.
 */
export function newRepositoryToken(): string {
  let out = '';
  for (const byte of randomBytes(20)) out += TOKEN_ALPHABET[byte & 31];
  return `rd-${out}`;
}

/** The branch (or file at the root of the default branch) the requester creates for a token. */
export function repositoryProofNames(token: string): { branch: string; file: string } {
  return { branch: `recovery-desk-${token}`, file: `recovery-desk-${token}.txt` };
}
