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
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-');
}

/** The domain part of an address, lower-cased. */
export function emailDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** An https (or http) URL of a repository: host, owner and name, optionally ending in `.git` or `/`. */
export const REPOSITORY_URL_PATTERN = /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}(\.git)?\/?$/;

export interface RepositoryRef {
  host: string;
  owner: string;
  name: string;
  /** `host/owner/name`, lower case: how repositories are compared and stored. */
  key: string;
}

/**
 * A repository named by a URL (`https://github.com/owner/name`, `.git` and a trailing slash allowed) or
 * by `host/owner/name`; null when it is neither. Hosts and names compare case-insensitively, as on GitHub.
 */
export function parseRepository(input: string): RepositoryRef | null {
  const trimmed = input
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '');
  const match = /^([A-Za-z0-9.-]+(?::\d+)?)\/([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})$/.exec(trimmed);
  if (!match || /^\.+$/.test(match[2]) || /^\.+$/.test(match[3])) return null;
  const host = match[1].toLowerCase().replace(/^www\./, '');
  return { host, owner: match[2], name: match[3], key: `${host}/${match[2]}/${match[3]}`.toLowerCase() };
}

/** `jane@example.org` → `j***@example.org`: reasons may end up in logs (docs/security.md #22). */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}
