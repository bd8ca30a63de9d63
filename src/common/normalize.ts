/** PyPI usernames: letters, digits, `.`, `_`, `-`; starting and ending with a letter or digit; ≤ 50. */
export const USERNAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,48}[A-Za-z0-9])?$/;

/** PEP 508 project names. */
export const PROJECT_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,198}[A-Za-z0-9])?$/;

/** Usernames compare case-insensitively. */
export function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}

/** Addresses compare trimmed and lower-cased (in practice no mail host treats case as meaningful). */
export function emailKey(address: string): string {
  return address.trim().toLowerCase();
}

/** PEP 503 normalised project name. */
export function projectKey(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
}

/** The domain part of an address, lower-cased. */
export function emailDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
