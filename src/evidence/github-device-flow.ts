/**
 * The GitHub OAuth device flow, as far as the linked-identity check needs it: what GitHub's answers
 * mean, without any I/O (the HTTP client is github-device-flow.client.ts). GitHub's documentation:
 * "Authorizing OAuth apps", device flow (`/login/device/code`, `/login/oauth/access_token`, then
 * `GET /user`).
 */

/** What `POST /login/device/code` gives: the requester types `userCode` at `verificationUri`. */
export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  expiresInSeconds: number;
  intervalSeconds: number;
}

/** One poll of `POST /login/oauth/access_token`, read. */
export type TokenStep =
  | { step: 'token'; accessToken: string }
  | { step: 'pending' }
  | { step: 'slow_down'; intervalSeconds: number }
  | { step: 'expired' }
  | { step: 'denied' }
  | { step: 'unavailable'; reason: string };

/** GitHub's own minimum polling interval; an answer below it is not trusted. */
export const MIN_INTERVAL_SECONDS = 5;
/** GitHub device codes live 15 minutes; a longer lifetime in an answer is not trusted. */
export const MAX_FLOW_SECONDS = 900;
/** What GitHub adds to the interval on every `slow_down`. */
const SLOW_DOWN_STEP_SECONDS = 5;

const str = (value: unknown, max: number): string | null => (typeof value === 'string' && value.length > 0 && value.length <= max ? value : null);

/**
 * The device-code answer, checked: the verification address must be on github.com or on the configured
 * GITHUB_OAUTH_URL's origin, so an odd answer can never send the requester elsewhere.
 */
export function readDeviceCode(body: unknown, oauthUrl: string): DeviceCode | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  const deviceCode = str(b.device_code, 200);
  const userCode = str(b.user_code, 40);
  const verificationUri = str(b.verification_uri, 300);
  if (!deviceCode || !userCode || !/^[A-Z0-9-]+$/i.test(userCode) || !verificationUri) return null;
  let origin: string;
  try {
    origin = new URL(verificationUri).origin;
  } catch {
    return null;
  }
  if (origin !== new URL(oauthUrl).origin && origin !== 'https://github.com') return null;
  const expires = typeof b.expires_in === 'number' && Number.isFinite(b.expires_in) ? Math.floor(b.expires_in) : MAX_FLOW_SECONDS;
  const interval = typeof b.interval === 'number' && Number.isFinite(b.interval) ? Math.ceil(b.interval) : MIN_INTERVAL_SECONDS;
  return {
    deviceCode,
    userCode,
    verificationUri,
    expiresInSeconds: Math.min(Math.max(expires, 1), MAX_FLOW_SECONDS),
    intervalSeconds: Math.min(Math.max(interval, MIN_INTERVAL_SECONDS), 60),
  };
}

/**
 * One poll's answer. GitHub answers 200 with either `access_token` or `error`: `authorization_pending`
 * (not yet), `slow_down` (poll less often: the new interval is in the answer, else 5 s more),
 * `expired_token` (the code ran out), `access_denied` (the requester said no). Anything else
 * (`incorrect_client_credentials`, `device_flow_disabled`, `incorrect_device_code`, a 5xx) is the desk's
 * or GitHub's problem, not the requester's: "try again later".
 */
export function readTokenStep(status: number, body: unknown, currentIntervalSeconds: number): TokenStep {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (status === 200 && str(b.access_token, 2000)) return { step: 'token', accessToken: b.access_token as string };
  switch (b.error) {
    case 'authorization_pending':
      return { step: 'pending' };
    case 'slow_down': {
      const given = typeof b.interval === 'number' && Number.isFinite(b.interval) ? Math.ceil(b.interval) : 0;
      return { step: 'slow_down', intervalSeconds: Math.min(Math.max(given, currentIntervalSeconds + SLOW_DOWN_STEP_SECONDS), 120) };
    }
    case 'expired_token':
      return { step: 'expired' };
    case 'access_denied':
      return { step: 'denied' };
  }
  const what = typeof b.error === 'string' ? b.error.slice(0, 60) : `HTTP ${status}`;
  return { step: 'unavailable', reason: `GitHub answered ${what}` };
}

/** `GET /user`: the numeric id (what counts) and the login (what the moderator reads). */
export function readGithubUser(body: unknown): { id: number; login: string } | null {
  if (typeof body !== 'object' || body === null) return null;
  const { id, login } = body as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) return null;
  return { id, login: typeof login === 'string' ? login.slice(0, 100) : '' };
}

/** The challenge's target while the flow runs, and once GitHub said who signed in. */
export const PENDING_GITHUB_TARGET = 'github.com';
export function githubTarget(id: number): string {
  return `github:${id}`;
}

/** The GitHub user id a finished linked-identity challenge recorded; null for any other challenge. */
export function githubIdOf(challenge: { kind: string; target: string } | undefined): number | null {
  if (challenge?.kind !== 'github_identity') return null;
  const match = /^github:(\d{1,15})$/.exec(challenge.target);
  return match ? Number(match[1]) : null;
}

/** Whether GitHub's user is the account's linked one: by numeric id only, never by login. */
export function isLinkedGithubAccount(linkedGithubId: number | null | undefined, signedIn: { id: number }): boolean {
  return typeof linkedGithubId === 'number' && linkedGithubId > 0 && linkedGithubId === signedIn.id;
}
