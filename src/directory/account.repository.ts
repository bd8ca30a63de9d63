import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { parseRepository } from '../common/normalize.js';
import type { AccountRecord } from '../scoring/account-record.js';
import { Account } from './account.entity.js';

/**
 * The account with its `emails` and `projects` relations loaded, as a plain record. Missing relations
 * are an error, not an empty list: scoring without them would call every claimed address a contradiction.
 */
export function toAccountRecord(account: Account): AccountRecord {
  if (!account.emails || !account.projects) {
    throw new Error('toAccountRecord needs the emails and projects relations loaded');
  }
  return {
    username: account.username,
    joinedAt: account.joinedAt,
    totp: account.totpEnabled,
    webauthnKeys: account.webauthnKeys,
    recoveryCodesUnused: account.recoveryCodesUnused,
    linkedGithub: account.linkedGithub,
    linkedGithubId: account.linkedGithubId ?? null,
    emails: account.emails.map((e) => ({
      address: e.address,
      verified: e.verified,
      primary: e.primary,
      public: e.public,
      addedAt: e.addedAt,
      removedAt: e.removedAt,
    })),
    projects: account.projects.map((p) => ({
      name: p.name,
      role: p.role,
      monthlyDownloads: Number(p.monthlyDownloads),
      firstReleaseAt: p.firstReleaseAt,
      repositoryKey: p.repositoryUrl ? (parseRepository(p.repositoryUrl)?.key ?? null) : null,
      trustedPublishers: p.trustedPublishers ?? [],
    })),
  };
}

/** Reading accounts as plain records, in one place. */
@Injectable()
export class AccountRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The account behind a ticket, read through the caller's transaction; null when there is none. */
  async record(accountId: string | null, em: EntityManager = this.dataSource.manager): Promise<AccountRecord | null> {
    if (!accountId) return null;
    const account = await em.findOne(Account, { where: { id: accountId }, relations: { emails: true, projects: true } });
    return account ? toAccountRecord(account) : null;
  }
}
