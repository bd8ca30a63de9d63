/**
 * From the directory import format (as `parseDirectoryFile` returns it) to the scorer's AccountRecord,
 * without a database: the same fields the import writes and `toAccountRecord` reads back.
 */
import { parseRepository, usernameKey } from '../../common/normalize.js';
import type { DirectoryAccountDto } from '../../directory/dto/directory-file.dto.js';
import type { AccountRecord } from '../../scoring/account-record.js';

/** A validated directory record (fields only: the parser's class instances and plain objects both fit). */
export type DirectoryRecord = Pick<DirectoryAccountDto, 'username' | 'joined_at' | 'linked_github' | 'linked_github_id' | 'two_factor' | 'emails' | 'projects'>;

export function accountRecordOf(record: DirectoryRecord): AccountRecord {
  return {
    username: record.username,
    joinedAt: new Date(record.joined_at),
    totp: record.two_factor.totp,
    webauthnKeys: record.two_factor.webauthn_keys,
    recoveryCodesUnused: record.two_factor.recovery_codes_unused,
    linkedGithub: record.linked_github ?? null,
    linkedGithubId: record.linked_github_id ?? null,
    emails: record.emails.map((e) => ({
      address: e.address,
      verified: e.verified,
      primary: e.primary,
      public: e.public,
      addedAt: new Date(e.added_at),
      removedAt: e.removed_at ? new Date(e.removed_at) : null,
    })),
    projects: record.projects.map((p) => ({
      name: p.name,
      role: p.role,
      monthlyDownloads: p.monthly_downloads,
      firstReleaseAt: p.first_release_at ? new Date(p.first_release_at) : null,
      repositoryKey: p.repository ? (parseRepository(p.repository)?.key ?? null) : null,
    })),
  };
}

/** Accounts by username, compared as the directory compares them (case-insensitively). */
export class AccountIndex {
  private readonly byKey = new Map<string, AccountRecord>();

  constructor(records: Iterable<AccountRecord> = []) {
    for (const record of records) this.byKey.set(usernameKey(record.username), record);
  }

  static fromDirectory(records: Iterable<DirectoryRecord>): AccountIndex {
    const index = new AccountIndex();
    for (const record of records) index.byKey.set(usernameKey(record.username), accountRecordOf(record));
    return index;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Every account, for the directory's shares. */
  records(): IterableIterator<AccountRecord> {
    return this.byKey.values();
  }

  /** The account a ticket names, or null when there is none (the scorer then denies). */
  find(username: string): AccountRecord | null {
    return this.byKey.get(usernameKey(username)) ?? null;
  }
}
