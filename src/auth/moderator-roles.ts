/** Staff roles, least to most trusted (docs/moderation.md, "Roles"): every dashboard route names the roles it admits. */
export const MODERATOR_ROLES = ['moderator', 'senior', 'ops', 'admin'] as const;
export type ModeratorRole = (typeof MODERATOR_ROLES)[number];

/** Sign-in names: what the timeline shows after `moderator:`. */
export const MODERATOR_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,49}$/;

export function isModeratorRole(value: string): value is ModeratorRole {
  return (MODERATOR_ROLES as readonly string[]).includes(value);
}
