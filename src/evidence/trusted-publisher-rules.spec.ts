import type { AccountRecord, TrustedPublisherRecord } from '../scoring/account-record.js';
import { checkPublisherClaims, matchAccountPublisher, normaliseTokenInput, parseWorkflowRef, workflowSnippet } from './trusted-publisher-rules.js';

const PUBLISHER: TrustedPublisherRecord = { provider: 'github', repository: 'Octo-Org/fancy-lib', workflow: 'release.yml' };

/** The claims GitHub Actions puts in a token for a job of release.yml on main. */
const claims = (over: Record<string, unknown> = {}) => ({
  repository: 'octo-org/fancy-lib',
  repository_id: '101',
  repository_owner_id: '202',
  workflow_ref: 'octo-org/fancy-lib/.github/workflows/release.yml@refs/heads/main',
  job_workflow_ref: 'octo-org/fancy-lib/.github/workflows/release.yml@refs/heads/main',
  ...over,
});

const account = (projects: AccountRecord['projects']): AccountRecord => ({
  username: 'alice',
  joinedAt: new Date('2017-01-01Z'),
  totp: true,
  webauthnKeys: 0,
  recoveryCodesUnused: 0,
  linkedGithub: null,
  emails: [],
  projects,
});
const project = (name: string, trustedPublishers: TrustedPublisherRecord[], firstReleaseAt: Date | null = new Date('2018-01-01Z')) => ({
  name,
  role: 'Owner' as const,
  monthlyDownloads: 10,
  firstReleaseAt,
  trustedPublishers,
});
const REQUEST = new Date('2026-12-01Z');

describe('normaliseTokenInput', () => {
  it('keeps a compact JWS, without the spaces and line breaks a copy adds', () => {
    expect(normaliseTokenInput('  eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ\n.c2ln ')).toBe('eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln');
  });

  it('refuses what is not a token: other types, two parts, characters outside base64url, too long', () => {
    for (const raw of [undefined, 42, '', 'abc', 'a.b', 'aa.bb.cc.dd', 'aa.b+b.cc', 'aa.bb.c=c', `aa.${'b'.repeat(20_000)}.cc`]) {
      expect(normaliseTokenInput(raw)).toBeNull();
    }
  });
});

describe('parseWorkflowRef', () => {
  it('reads the repository and the workflow file of a workflow ref', () => {
    expect(parseWorkflowRef('o/r/.github/workflows/release.yml@refs/tags/v1.0')).toEqual({ repository: 'o/r', workflow: 'release.yml' });
    expect(parseWorkflowRef('o/r/.github/workflows/sub/release.yml@refs/heads/main')).toBeNull();
    expect(parseWorkflowRef('o/r/release.yml@main')).toBeNull();
    expect(parseWorkflowRef(7)).toBeNull();
  });
});

describe('checkPublisherClaims', () => {
  it("passes a token from the publisher's repository (any case) and workflow file", () => {
    expect(checkPublisherClaims(PUBLISHER, claims())).toEqual({ ok: true });
  });

  it('refuses another repository, even with a workflow of the same name', () => {
    const check = checkPublisherClaims(PUBLISHER, claims({ repository: 'mallory/fancy-lib' }));
    expect(check).toEqual({ ok: false, reason: 'the token came from mallory/fancy-lib, not Octo-Org/fancy-lib' });
    expect(checkPublisherClaims(PUBLISHER, claims({ repository: undefined })).ok).toBe(false);
  });

  it('refuses another workflow file of the same repository, and compares the file name exactly', () => {
    const other = 'octo-org/fancy-lib/.github/workflows/ci.yml@refs/heads/main';
    const check = checkPublisherClaims(PUBLISHER, claims({ workflow_ref: other, job_workflow_ref: other }));
    expect(check).toEqual({ ok: false, reason: 'the token came from workflow octo-org/fancy-lib/ci.yml, not release.yml' });
    const upper = 'octo-org/fancy-lib/.github/workflows/Release.yml@refs/heads/main';
    expect(checkPublisherClaims(PUBLISHER, claims({ workflow_ref: upper, job_workflow_ref: upper })).ok).toBe(false);
  });

  it('accepts the registered workflow as the run (workflow_ref) or as the job (job_workflow_ref), never from another repository', () => {
    const elsewhere = 'octo-org/other/.github/workflows/release.yml@refs/heads/main';
    expect(checkPublisherClaims(PUBLISHER, claims({ job_workflow_ref: elsewhere })).ok).toBe(true);
    expect(checkPublisherClaims(PUBLISHER, claims({ workflow_ref: elsewhere })).ok).toBe(true);
    expect(checkPublisherClaims(PUBLISHER, claims({ workflow_ref: elsewhere, job_workflow_ref: elsewhere })).ok).toBe(false);
    expect(checkPublisherClaims(PUBLISHER, claims({ workflow_ref: undefined, job_workflow_ref: undefined }))).toEqual({
      ok: false,
      reason: 'the token came from workflow unknown, not release.yml',
    });
  });

  it('requires the registered environment (case-insensitively), and none when none is registered', () => {
    const withEnvironment = { ...PUBLISHER, environment: 'pypi' };
    expect(checkPublisherClaims(withEnvironment, claims({ environment: 'PyPI' })).ok).toBe(true);
    expect(checkPublisherClaims(withEnvironment, claims({ environment: 'staging' }))).toEqual({
      ok: false,
      reason: 'the job ran in environment staging, not pypi',
    });
    expect(checkPublisherClaims(withEnvironment, claims()).ok).toBe(false);
    expect(checkPublisherClaims(PUBLISHER, claims({ environment: 'anything' })).ok).toBe(true);
  });

  it('refuses a renamed or re-created repository when the numeric ids are registered', () => {
    const pinned = { ...PUBLISHER, repositoryId: '101', repositoryOwnerId: '202' };
    expect(checkPublisherClaims(pinned, claims()).ok).toBe(true);
    expect(checkPublisherClaims(pinned, claims({ repository_id: '999' })).ok).toBe(false);
    expect(checkPublisherClaims(pinned, claims({ repository_owner_id: '999' }))).toMatchObject({ ok: false, reason: expect.stringContaining('owner id 999') });
    expect(checkPublisherClaims(pinned, claims({ repository_id: undefined })).ok).toBe(false);
  });
});

describe('matchAccountPublisher', () => {
  it("finds the account's project whose publisher issued the token, one released before the request first", () => {
    const a = account([project('new-lib', [PUBLISHER], new Date('2026-12-05Z')), project('fancy-lib', [PUBLISHER]), project('plain', [])]);
    expect(matchAccountPublisher(a, claims(), REQUEST)).toEqual({ project: 'fancy-lib', publisher: PUBLISHER });
    expect(matchAccountPublisher(a, claims(), new Date('2027-01-01Z'))).toMatchObject({ project: 'new-lib' });
  });

  it('says why nothing matched: no account, no publishers, another repository, or the nearest miss', () => {
    expect(matchAccountPublisher(null, claims(), REQUEST)).toEqual({ project: null, reason: 'no account has this username' });
    expect(matchAccountPublisher(account([project('plain', [])]), claims(), REQUEST)).toEqual({
      project: null,
      reason: "none of the account's projects has a trusted publisher",
    });
    const a = account([project('fancy-lib', [{ ...PUBLISHER, environment: 'pypi' }])]);
    expect(matchAccountPublisher(a, claims({ repository: 'mallory/x' }), REQUEST)).toEqual({
      project: null,
      reason: "the token came from mallory/x, which is not a trusted publisher of the account's projects",
    });
    expect(matchAccountPublisher(a, claims(), REQUEST)).toEqual({
      project: null,
      reason: 'trusted publisher of fancy-lib: the job ran in environment (none), not pypi',
    });
  });

  it('reads a directory without trusted publishers as having none', () => {
    const old = account([{ name: 'fancy-lib', role: 'Owner', monthlyDownloads: 1, firstReleaseAt: null }]);
    expect(matchAccountPublisher(old, claims(), REQUEST).project).toBeNull();
  });
});

describe('workflowSnippet', () => {
  it('asks for an OIDC token with the nonce as its audience, and needs the id-token permission', () => {
    const snippet = workflowSnippet('n0nce_-x');
    expect(snippet).toContain('id-token: write');
    expect(snippet).toContain('"$ACTIONS_ID_TOKEN_REQUEST_URL&audience=n0nce_-x"');
    expect(snippet).toContain('$ACTIONS_ID_TOKEN_REQUEST_TOKEN');
  });
});
