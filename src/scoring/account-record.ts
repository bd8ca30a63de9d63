// An account as the scorer reads it: plain types, no TypeORM. The directory builds it from its entities
// (account.repository.ts); the approval policy and the notices read it too. It lives with the scorer,
// the lowest layer, so the pure rules depend on nothing above them (docs/architecture.md, "Layers and
// the rules that keep them").

export interface AccountEmailRecord {
  address: string;
  verified: boolean;
  primary: boolean;
  /** Shown on the public profile or in package metadata. */
  public: boolean;
  addedAt: Date;
  removedAt: Date | null;
}

/**
 * A CI workflow the index trusts to publish a project's releases (GitHub Actions OIDC, as PyPI's trusted
 * publishers). `repository` is `owner/name`; `workflow` the file name under `.github/workflows/`.
 * The numeric ids, when the index keeps them, guard against a repository renamed and its name taken
 * by someone else (docs/evidence.md, "Proving control").
 */
export interface TrustedPublisherRecord {
  provider: 'github';
  repository: string;
  workflow: string;
  environment?: string | null;
  repositoryId?: string | null;
  repositoryOwnerId?: string | null;
}

/** What an account is on a project: both can publish releases. */
export type ProjectRole = 'Owner' | 'Maintainer';

export interface AccountProjectRecord {
  name: string;
  role: ProjectRole;
  monthlyDownloads: number;
  firstReleaseAt: Date | null;
  /** `host/owner/name` of the project's repository, lower case (see `parseRepository`), if known. */
  repositoryKey?: string | null;
  /** The project's trusted publishers, if it has any (a directory without them reads as none). */
  trustedPublishers?: TrustedPublisherRecord[];
}

export interface AccountRecord {
  username: string;
  joinedAt: Date;
  totp: boolean;
  webauthnKeys: number;
  recoveryCodesUnused: number;
  linkedGithub: string | null;
  /** The linked GitHub account's numeric user id, when the directory names it (what the linked-identity proof compares). */
  linkedGithubId?: number | null;
  emails: AccountEmailRecord[];
  projects: AccountProjectRecord[];
}

/** What a directory holds of the facts the yes/no answers are about. */
export interface SecondFactorCounts {
  accounts: number;
  withSecondFactor: number;
  /** Accounts with a second factor and unused recovery codes. */
  withRecoveryCodes: number;
}
