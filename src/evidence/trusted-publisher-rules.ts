// The trusted-publisher challenge's pure parts (docs/evidence.md, "Proving control"): what a pasted
// token must look like, whether a verified token's claims name a trusted publisher of the account's
// projects, and the workflow the requester runs. No I/O: the signature, issuer and times are checked by
// the verifier (oidc-token-verifier.ts), the nonce by the service.
import type { AccountRecord, TrustedPublisherRecord } from '../scoring/account-record.js';

/** A compact JWS: three base64url parts. GitHub's tokens are about 1,200 characters. */
const JWT_SHAPE = /^[A-Za-z0-9_-]{2,4000}\.[A-Za-z0-9_-]{2,8000}\.[A-Za-z0-9_-]{2,2000}$/;
export const MAX_TOKEN_LENGTH = 12_000;

/** The pasted token without the spaces and line breaks a copy adds; null unless it has a JWT's shape. */
export function normaliseTokenInput(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > MAX_TOKEN_LENGTH) return null;
  const token = raw.replace(/\s+/g, '');
  return JWT_SHAPE.test(token) ? token : null;
}

/** The claims of a GitHub Actions OIDC token this check reads (all strings when present). */
export interface PublisherClaims {
  repository?: unknown;
  repository_id?: unknown;
  repository_owner_id?: unknown;
  workflow_ref?: unknown;
  job_workflow_ref?: unknown;
  environment?: unknown;
}

export type PublisherCheck = { ok: true } | { ok: false; reason: string };

/** `owner/name/.github/workflows/release.yml@refs/heads/main` → its repository and workflow file. */
export function parseWorkflowRef(ref: unknown): { repository: string; workflow: string } | null {
  if (typeof ref !== 'string') return null;
  const match = /^([^/@]+\/[^/@]+)\/\.github\/workflows\/([^/@]+)@.+$/.exec(ref);
  return match ? { repository: match[1], workflow: match[2] } : null;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * Whether a verified token comes from this publisher. The repository compares case-insensitively (as
 * GitHub names do); the workflow file exactly. The workflow must be the registered file of the registered
 * repository, either as the run's workflow (`workflow_ref`) or as the job's (`job_workflow_ref`): a
 * reusable workflow called from elsewhere still has another `repository`. A registered environment must
 * be the job's (case-insensitively, as GitHub's). Registered numeric ids must match, so a repository
 * renamed and its old name registered by someone else is not the publisher.
 */
export function checkPublisherClaims(publisher: TrustedPublisherRecord, claims: PublisherClaims): PublisherCheck {
  const repository = text(claims.repository);
  if (repository.toLowerCase() !== publisher.repository.toLowerCase()) {
    return { ok: false, reason: `the token came from ${repository || 'no repository'}, not ${publisher.repository}` };
  }
  if (publisher.repositoryId && text(claims.repository_id) !== publisher.repositoryId) {
    return {
      ok: false,
      reason: `repository id ${text(claims.repository_id) || 'missing'} is not the registered ${publisher.repositoryId} (renamed or re-created?)`,
    };
  }
  if (publisher.repositoryOwnerId && text(claims.repository_owner_id) !== publisher.repositoryOwnerId) {
    return {
      ok: false,
      reason: `repository owner id ${text(claims.repository_owner_id) || 'missing'} is not the registered ${publisher.repositoryOwnerId} (the owner's name changed hands?)`,
    };
  }
  const refs = [parseWorkflowRef(claims.workflow_ref), parseWorkflowRef(claims.job_workflow_ref)];
  const fromWorkflow = refs.some((r) => r !== null && r.repository.toLowerCase() === publisher.repository.toLowerCase() && r.workflow === publisher.workflow);
  if (!fromWorkflow) {
    const ran = refs.find((r) => r !== null);
    return { ok: false, reason: `the token came from workflow ${ran ? `${ran.repository}/${ran.workflow}` : 'unknown'}, not ${publisher.workflow}` };
  }
  if (publisher.environment && text(claims.environment).toLowerCase() !== publisher.environment.toLowerCase()) {
    return { ok: false, reason: `the job ran in environment ${text(claims.environment) || '(none)'}, not ${publisher.environment}` };
  }
  return { ok: true };
}

export type PublisherMatch = { project: string; publisher: TrustedPublisherRecord } | { project: null; reason: string };

/**
 * The account's project whose trusted publisher issued this token. When several match, a project
 * released before `before` (the request) comes first: the scorer counts only those (repoChallengeRule).
 * When none does, the reason names the nearest miss: a publisher of the same repository, if any.
 */
export function matchAccountPublisher(account: AccountRecord | null, claims: PublisherClaims, before: Date): PublisherMatch {
  if (!account) return { project: null, reason: 'no account has this username' };
  const candidates = account.projects.flatMap((p) => (p.trustedPublishers ?? []).map((publisher) => ({ project: p, publisher })));
  if (candidates.length === 0) return { project: null, reason: "none of the account's projects has a trusted publisher" };
  const results = candidates.map((c) => ({ ...c, check: checkPublisherClaims(c.publisher, claims) }));
  const passed = results
    .filter((r) => r.check.ok)
    .sort((a, b) => releasedBefore(b.project.firstReleaseAt, before) - releasedBefore(a.project.firstReleaseAt, before));
  if (passed.length) return { project: passed[0].project.name, publisher: passed[0].publisher };
  const repository = text(claims.repository).toLowerCase();
  const nearest = results.find((r) => r.publisher.repository.toLowerCase() === repository);
  if (nearest && !nearest.check.ok) return { project: null, reason: `trusted publisher of ${nearest.project.name}: ${nearest.check.reason}` };
  return {
    project: null,
    reason: `the token came from ${text(claims.repository) || 'no repository'}, which is not a trusted publisher of the account's projects`,
  };
}

function releasedBefore(firstReleaseAt: Date | null, before: Date): number {
  return firstReleaseAt !== null && firstReleaseAt.getTime() < before.getTime() ? 1 : 0;
}

/**
 * The job the requester adds to the workflow file their trusted publisher names: it asks GitHub for an
 * OIDC token whose audience is the nonce and prints it. The same for every requester, so it never tells
 * whether the project or its publisher exists (docs/security.md #1).
 */
export function workflowSnippet(nonce: string): string {
  return [
    '  recovery-desk-proof:',
    '    runs-on: ubuntu-latest',
    '    # environment: pypi   # only if the trusted publisher names an environment: use that name',
    '    permissions:',
    '      id-token: write',
    '    steps:',
    '      - name: Ask GitHub for a token for Recovery Desk',
    '        run: |',
    '          curl -sSf -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \\',
    `            "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=${nonce}" | jq -r .value`,
  ].join('\n');
}
