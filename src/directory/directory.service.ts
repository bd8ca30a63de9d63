import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In, MoreThan } from 'typeorm';
import { emailKey, projectKey, usernameKey } from '../common/normalize.js';
import { Transactions } from '../database/transactions.js';
import { Account, AccountEmail, AccountProject } from './account.entity.js';
import type { DirectoryAccountDto, DirectoryTrustedPublisherDto } from './dto/directory-file.dto.js';
import type { SecondFactorCounts, TrustedPublisherRecord } from '../scoring/account-record.js';

export interface ImportCounts {
  accounts: number;
  created: number;
  updated: number;
  unchanged: number;
  emails: number;
  projects: number;
}

const CHUNK = 400;

/** Only the fields given are kept, so an unchanged file stores the same JSON. */
function toTrustedPublisher(p: DirectoryTrustedPublisherDto): TrustedPublisherRecord {
  return {
    provider: p.provider,
    repository: p.repository,
    workflow: p.workflow,
    ...(p.environment ? { environment: p.environment } : {}),
    ...(p.repository_id ? { repositoryId: p.repository_id } : {}),
    ...(p.repository_owner_id ? { repositoryOwnerId: p.repository_owner_id } : {}),
  };
}

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

@Injectable()
export class DirectoryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
  ) {}

  /** How many accounts have a second factor, and of those unused recovery codes (for `checkGuessing`). */
  async secondFactorCounts(): Promise<SecondFactorCounts> {
    const accounts = this.dataSource.getRepository(Account);
    const [total, withSecondFactor, withRecoveryCodes] = await Promise.all([
      accounts.count(),
      accounts.count({ where: [{ totpEnabled: true }, { webauthnKeys: MoreThan(0) }] }),
      accounts.count({
        where: [
          { totpEnabled: true, recoveryCodesUnused: MoreThan(0) },
          { webauthnKeys: MoreThan(0), recoveryCodesUnused: MoreThan(0) },
        ],
      }),
    ]);
    return { accounts: total, withSecondFactor, withRecoveryCodes };
  }

  /**
   * Upserts validated accounts in one transaction: a failure leaves the directory as it was.
   * Accounts whose record has not changed since the last import are not touched.
   */
  async importAccounts(
    accounts: DirectoryAccountDto[],
    fingerprints: string[],
    onProgress: (done: number, total: number) => void = () => {},
  ): Promise<ImportCounts> {
    return this.transactions.run(async (em) => {
      const counts: ImportCounts = { accounts: accounts.length, created: 0, updated: 0, unchanged: 0, emails: 0, projects: 0 };
      const existing = new Map<string, { id: string; importHash: string | null }>();
      for (const part of chunks(accounts.map((a) => usernameKey(a.username)))) {
        const rows = await em.find(Account, { where: { usernameKey: In(part) }, select: { id: true, usernameKey: true, importHash: true } });
        for (const row of rows) existing.set(row.usernameKey, row);
      }
      const toWrite: { dto: DirectoryAccountDto; id: string; hash: string; isNew: boolean }[] = [];
      accounts.forEach((dto, i) => {
        const found = existing.get(usernameKey(dto.username));
        if (found?.importHash === fingerprints[i]) counts.unchanged++;
        else toWrite.push({ dto, id: found?.id ?? randomUUID(), hash: fingerprints[i], isNew: !found });
      });
      let done = counts.unchanged;
      for (const part of chunks(toWrite)) {
        await this.writeChunk(em, part);
        for (const item of part) {
          if (item.isNew) counts.created++;
          else counts.updated++;
          counts.emails += item.dto.emails.length;
          counts.projects += item.dto.projects.length;
        }
        done += part.length;
        onProgress(done, accounts.length);
      }
      return counts;
    });
  }

  private async writeChunk(em: EntityManager, part: { dto: DirectoryAccountDto; id: string; hash: string; isNew: boolean }[]): Promise<void> {
    const updatedIds = part.filter((p) => !p.isNew).map((p) => p.id);
    if (updatedIds.length) {
      await em.delete(AccountEmail, { accountId: In(updatedIds) });
      await em.delete(AccountProject, { accountId: In(updatedIds) });
    }
    // The password columns are left out, so a re-import never undoes a password set through a reset link
    // (upsert overwrites only the columns given).
    const accounts = part.map(({ dto, id, hash }): Omit<Account, 'passwordHash' | 'passwordChangedAt'> => ({
      id,
      username: dto.username,
      usernameKey: usernameKey(dto.username),
      name: dto.name,
      joinedAt: new Date(dto.joined_at),
      lastLoginAt: dto.last_login_at ? new Date(dto.last_login_at) : null,
      linkedGithub: dto.linked_github ?? null,
      linkedGithubId: dto.linked_github_id ?? null,
      totpEnabled: dto.two_factor.totp,
      webauthnKeys: dto.two_factor.webauthn_keys,
      recoveryCodesUnused: dto.two_factor.recovery_codes_unused,
      importHash: hash,
    }));
    await em.upsert(Account, accounts, { conflictPaths: ['id'], skipUpdateIfNoValuesChanged: false });
    const emails = part.flatMap(({ dto, id }) =>
      dto.emails.map((e): AccountEmail => ({
        id: randomUUID(),
        accountId: id,
        address: e.address,
        addressKey: emailKey(e.address),
        verified: e.verified,
        primary: e.primary,
        public: e.public,
        addedAt: new Date(e.added_at),
        removedAt: e.removed_at ? new Date(e.removed_at) : null,
      })),
    );
    const projects = part.flatMap(({ dto, id }) =>
      dto.projects.map((p): AccountProject => ({
        id: randomUUID(),
        accountId: id,
        name: p.name,
        nameKey: projectKey(p.name),
        role: p.role,
        monthlyDownloads: p.monthly_downloads,
        firstReleaseAt: p.first_release_at ? new Date(p.first_release_at) : null,
        repositoryUrl: p.repository ?? null,
        trustedPublishers: p.trusted_publishers?.length ? p.trusted_publishers.map(toTrustedPublisher) : null,
      })),
    );
    for (const rows of chunks(emails)) await em.insert(AccountEmail, rows);
    for (const rows of chunks(projects)) await em.insert(AccountProject, rows);
  }

  async countAccounts(): Promise<number> {
    return this.dataSource.getRepository(Account).count();
  }

  /** The account for a username, if any; callers must not let its absence show in what they answer. */
  async findAccountId(username: string, em: EntityManager = this.dataSource.manager): Promise<string | null> {
    const row = await em.findOne(Account, { where: { usernameKey: usernameKey(username) }, select: { id: true } });
    return row?.id ?? null;
  }
}
