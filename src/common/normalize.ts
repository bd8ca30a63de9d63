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

/**
 * An https (or http) URL of a repository: host, then a namespace and a name, optionally ending in `.git`
 * or `/`. GitLab nests groups (`https://gitlab.com/group/subgroup/name`), so up to 20 namespace segments
 * are allowed; `parseRepository` says which hosts may have more than one (not github.com).
 */
export const REPOSITORY_URL_PATTERN = /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9_.-]{1,100}){2,21}(\.git)?\/?$/;

/** GitHub has one owner level and no nested groups: a longer path is a page inside a repository, not one. */
const SINGLE_OWNER_HOSTS = new Set(['github.com']);

export interface RepositoryRef {
  host: string;
  /** The owner, or on GitLab the group path (`group/subgroup`). */
  owner: string;
  name: string;
  /** `host/owner/name`, lower case: how repositories are compared and stored. */
  key: string;
}

/**
 * A repository named by a URL (`https://github.com/owner/name`, `.git` and a trailing slash allowed) or
 * by `host/owner/name`; null when it is neither. On hosts other than github.com the owner may be a
 * path of nested groups, as on GitLab (`gitlab.com/group/subgroup/name`); a segment `-` (GitLab's
 * separator before a page such as `/-/tree/main`) or made of dots is refused. Hosts and names compare
 * case-insensitively, as on GitHub and GitLab.
 */
export function parseRepository(input: string): RepositoryRef | null {
  const trimmed = input
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '');
  const match = /^([A-Za-z0-9.-]+(?::\d+)?)((?:\/[A-Za-z0-9_.-]{1,100}){2,21})$/.exec(trimmed);
  if (!match) return null;
  const host = match[1].toLowerCase().replace(/^www\./, '');
  const segments = match[2].slice(1).split('/');
  if (segments.some((s) => /^\.+$/.test(s) || s === '-')) return null;
  if (segments.length > 2 && SINGLE_OWNER_HOSTS.has(host)) return null;
  const name = segments.pop()!;
  const owner = segments.join('/');
  return { host, owner, name, key: `${host}/${owner}/${name}`.toLowerCase() };
}

/** `jane@example.org` → `j***@example.org`: reasons may end up in logs (docs/security.md #22). */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}
