import { MODERATOR_ROLES, isModeratorRole, type ModeratorRole } from './moderator-roles.js';

/**
 * The rules of staff administration (docs/security.md #32), as functions of plain facts: the admin page
 * and the CLI read the facts under one lock and ask here before they change anything.
 */

/** What an admin (or the CLI) can do to a member of staff. */
export const STAFF_ACTIONS = ['disable', 'enable', 'change_role', 'reset_second_factor', 'end_sessions'] as const;
export type StaffAction = (typeof STAFF_ACTIONS)[number];

/** What the rules need to know of the person acted on. */
export interface StaffFacts {
  id: string;
  name: string;
  role: ModeratorRole;
  disabled: boolean;
}

export interface StaffActionRequest {
  action: StaffAction;
  /** The admin acting, by moderator id; null for the command line (someone with shell and database access). */
  actorId: string | null;
  target: StaffFacts;
  /** For change_role: what was asked for, unchecked. */
  newRole?: string;
  /** Admins that are not disabled, the target included if it is one. */
  activeAdmins: number;
}

export type StaffRefusalReason = 'self' | 'last_admin' | 'unchanged' | 'bad_role';

export interface StaffRefusal {
  reason: StaffRefusalReason;
  message: string;
}

/** An admin who can still sign in (a lock runs out by itself, and a new admin's first sign-in is still to come, so both count). */
export function isActiveAdmin(person: Pick<StaffFacts, 'role' | 'disabled'>): boolean {
  return person.role === 'admin' && !person.disabled;
}

/**
 * Why the action is refused, or null when it may go ahead:
 * - nobody disables or demotes themselves (someone else must agree that they should lose access);
 * - nothing leaves the desk without an active admin: the last one cannot be disabled or demoted,
 *   from the page or from the command line;
 * - an action that would change nothing is refused, so the audit log records only changes;
 * - a role must be one of MODERATOR_ROLES.
 * Resetting the second factor and ending sessions are allowed on oneself: both only make the person sign
 * in again.
 */
export function staffActionRefusal(request: StaffActionRequest): StaffRefusal | null {
  const { action, actorId, target, activeAdmins } = request;
  const self = actorId !== null && actorId === target.id;
  const lastAdmin = isActiveAdmin(target) && activeAdmins <= 1;
  const lastAdminMessage = `"${target.name}" is the last active admin: make someone else admin first, so that somebody can still run the desk.`;
  switch (action) {
    case 'disable':
      if (target.disabled) return { reason: 'unchanged', message: `"${target.name}" is disabled already.` };
      if (self) return { reason: 'self', message: 'You cannot disable your own account: ask another admin.' };
      if (lastAdmin) return { reason: 'last_admin', message: lastAdminMessage };
      return null;
    case 'enable':
      return target.disabled ? null : { reason: 'unchanged', message: `"${target.name}" is not disabled.` };
    case 'change_role': {
      const role = request.newRole ?? '';
      if (!isModeratorRole(role)) return { reason: 'bad_role', message: `role must be one of ${MODERATOR_ROLES.join(', ')}` };
      if (role === target.role) return { reason: 'unchanged', message: `"${target.name}" is ${role} already.` };
      // Admin is the top role, so an admin changing their own role can only demote themselves.
      if (self) return { reason: 'self', message: 'You cannot change your own role: ask another admin.' };
      if (lastAdmin) return { reason: 'last_admin', message: lastAdminMessage };
      return null;
    }
    case 'reset_second_factor':
    case 'end_sessions':
      return null;
  }
}

/** How a person's account stands, for the staff list (docs/moderation.md, "Staff administration"). */
export type StaffState = 'disabled' | 'locked' | 'must_change_password' | 'second_factor_to_enrol';

export const STAFF_STATE_LABELS: Record<StaffState | 'active', string> = {
  active: 'active',
  disabled: 'disabled',
  locked: 'locked',
  must_change_password: 'must change password',
  second_factor_to_enrol: 'second factor to enrol',
};

/** Every state that applies at `now`, most serious first; an empty list means active. */
export function staffStates(
  person: { disabledAt: Date | null; lockedUntil: Date | null; mustChangePassword: boolean; totpEnrolled: boolean },
  now: Date,
): StaffState[] {
  const states: StaffState[] = [];
  if (person.disabledAt) states.push('disabled');
  if (person.lockedUntil && person.lockedUntil.getTime() > now.getTime()) states.push('locked');
  if (person.mustChangePassword) states.push('must_change_password');
  if (!person.totpEnrolled) states.push('second_factor_to_enrol');
  return states;
}
