/** Staff roles, least to most trusted (docs/moderation.md, "Roles"): every dashboard route names the roles it admits. */
export const MODERATOR_ROLES = ['moderator', 'senior', 'ops', 'admin'] as const;
export type ModeratorRole = (typeof MODERATOR_ROLES)[number];

/**
 * The roles that work tickets: take the next one, hold, release and decide. Ops watch the queue and the
 * reports; a ticket they took would sit held (and count as answered) with nobody able to act on it.
 */
export const DECIDING_ROLES = ['moderator', 'senior', 'admin'] as const satisfies readonly ModeratorRole[];

export function decides(role: ModeratorRole): boolean {
  return (DECIDING_ROLES as readonly string[]).includes(role);
}

/** Sign-in names: what the timeline shows after `moderator:`. */
export const MODERATOR_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,49}$/;

export function isModeratorRole(value: string): value is ModeratorRole {
  return (MODERATOR_ROLES as readonly string[]).includes(value);
}
