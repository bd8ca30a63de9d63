import type {} from '@fastify/session'; // adds request.session to Fastify's types
import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/app-config.js';
import type { ModeratorRole } from './moderator-roles.js';

/** Who is signed in: set only after both factors, right after the session id was regenerated. */
export interface StaffIdentity {
  id: string;
  name: string;
  role: ModeratorRole;
  /** Epoch milliseconds of the sign-in: the absolute lifetime (SESSION_TTL) and re-authentication windows run from here. */
  signedInAt: number;
  /** Epoch milliseconds of the last request to a staff page (set by the role guard): the idle timeout runs from here. */
  lastSeenAt?: number;
  /**
   * The moderator row's `session_generation` when the sign-in began: the role guard ends the session
   * once the row's moved on (an admin ended this person's sessions). Absent in sessions older than it: 0.
   */
  generation?: number;
}

/** Why a session is over: too long without a staff request, too long since the sign-in, or ended by an admin. */
export type SessionEnd = 'idle' | 'lifetime' | 'revoked';

/** Whether an admin ended the person's sessions since this one was signed in (docs/security.md #18). */
export function sessionRevoked(staff: Pick<StaffIdentity, 'generation'>, rowGeneration: number): boolean {
  return (staff.generation ?? 0) !== rowGeneration;
}

/**
 * Whether a signed-in session has ended at `now` (docs/security.md #18): after `idleMs` without a staff
 * request or `ttlMs` after the sign-in, whichever comes first; each limit is reached at its exact end.
 */
export function sessionEnded(staff: StaffIdentity, now: number, limits: { idleMs: number; ttlMs: number }): Exclude<SessionEnd, 'revoked'> | null {
  const idleEnds = (staff.lastSeenAt ?? staff.signedInAt) + limits.idleMs;
  const lifetimeEnds = staff.signedInAt + limits.ttlMs;
  if (now < idleEnds && now < lifetimeEnds) return null;
  return lifetimeEnds <= idleEnds ? 'lifetime' : 'idle';
}

/**
 * How long Redis keeps a session after its last request: only a backstop for sessions nobody comes back
 * to (the role guard enforces the limits against the Clock). An hour longer than the idle timeout, so
 * a moderator who returns later still finds the session and is told why it ended.
 */
export function sessionStoreTtlMs(limits: { idleMs: number }): number {
  return limits.idleMs + 3_600_000;
}

/** How the second factor was proven at a sign-in (the audit entry says which). */
export type SecondFactor = 'totp' | 'passkey' | 'recovery_code' | 'enrolment';

/**
 * Half-way through signing in: the password was right, the second factor (or a forced password
 * change, or enrolment) is still to come. It opens nothing but the next sign-in step.
 */
export interface PendingSignIn {
  moderatorId: string;
  /** Epoch milliseconds of the password check: the rest must follow within PENDING_SIGN_IN_MS. */
  startedAt: number;
  /** The second factor was checked in this sign-in (for an enrolled moderator, before a password change). */
  totpPassed: boolean;
  /** How it was checked, once it was. */
  factor?: SecondFactor;
  /** While enrolling: the new TOTP secret, sealed (SealedBox 'totp'), so a reload shows the same one. */
  enrolSecret?: string;
  /** The moderator row's `session_generation` at the password step: ending their sessions ends this sign-in too. */
  generation?: number;
}

declare module 'fastify' {
  interface Session {
    staff?: StaffIdentity;
    pending?: PendingSignIn;
    /** New recovery codes, sealed (SealedBox 'recovery-codes'), until the page that shows them once is opened. */
    freshRecoveryCodes?: string;
    /** @fastify/csrf-protection's per-session secret. */
    _csrf?: string;
  }
}

/** Time allowed between the password and the last step of a sign-in. */
export const PENDING_SIGN_IN_MS = 10 * 60_000;

/**
 * The cookie is Secure wherever the site is served over https or runs in production; there it also takes
 * the `__Host-` prefix (docs/security.md #18: the browser then refuses it unless Secure, path /, no Domain).
 * Plain http in development and tests cannot carry a Secure cookie, hence the switch.
 */
export function staffCookie(config: AppConfig): { name: string; secure: boolean } {
  const secure = config.publicBaseUrl.startsWith('https:') || config.nodeEnv === 'production';
  return { name: secure ? '__Host-rd_staff' : 'rd_staff', secure };
}

/** The cookie-signing secret, derived from SECRET_KEY for this one purpose (no separate variable to manage). */
export function sessionSecret(config: AppConfig): string {
  return createHmac('sha256', config.secretKey).update('recovery-desk staff session cookie v1').digest('base64url');
}

/** The signed-in moderator of a request, if any (never the half-signed-in state). */
export function staffOf(request: FastifyRequest): StaffIdentity | null {
  return request.session?.staff ?? null;
}
