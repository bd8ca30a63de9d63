import type { Moderator } from './moderator.entity.js';
import type { PendingSignIn } from './staff-session.js';

export type SignInStep = 'totp' | 'password' | 'enrol' | 'done';

/**
 * What a half-signed-in moderator must do next. An enrolled moderator proves the second factor before
 * anything else, a forced password change included: a stolen password alone must not be enough to
 * replace the password. At first sign-in (nothing enrolled yet) the order is password change, then
 * enrolment.
 */
export function nextSignInStep(moderator: Pick<Moderator, 'totpSecret' | 'mustChangePassword'>, pending: Pick<PendingSignIn, 'totpPassed'>): SignInStep {
  if (moderator.totpSecret && !pending.totpPassed) return 'totp';
  if (moderator.mustChangePassword) return 'password';
  if (!moderator.totpSecret) return 'enrol';
  return 'done';
}

export const STEP_PATHS: Record<Exclude<SignInStep, 'done'>, string> = {
  totp: '/login/totp',
  password: '/login/password',
  enrol: '/login/enrol',
};
