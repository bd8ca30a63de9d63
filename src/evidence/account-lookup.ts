import type { EntityManager } from 'typeorm';
import { Account } from '../directory/account.entity.js';
import { toAccountRecord } from './evidence.mapping.js';
import type { AccountRecord } from './evidence.types.js';

/** The scorer's view of a ticket's account, read through the caller's transaction; null when there is none. */
export async function loadAccountRecord(em: EntityManager, accountId: string | null): Promise<AccountRecord | null> {
  if (!accountId) return null;
  const account = await em.findOne(Account, { where: { id: accountId }, relations: { emails: true, projects: true } });
  return account ? toAccountRecord(account) : null;
}
