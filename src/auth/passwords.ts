import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/**
 * argon2id with OWASP's first recommended set (Password Storage Cheat Sheet): 19 MiB of memory,
 * 2 iterations, 1 lane. @node-rs/argon2 defaults to argon2id (its const enum is left out on purpose,
 * see docs/architecture.md, stack notes), so only the costs are given.
 */
export const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Staff passwords: at least this long (NIST 800-63B allows 8; staff hold every account's keys). */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `a password has at most ${MAX_PASSWORD_LENGTH} characters`;
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** False for a wrong password and for a malformed hash alike (never throws on bad input). */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A one-time initial password: 120 random bits, shown once by the CLI and changed at first sign-in. */
export function newInitialPassword(): string {
  return randomBytes(15).toString('base64url');
}
