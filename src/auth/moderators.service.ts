import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { appendAudit } from '../audit/audit-log.service.js';
import { insertRows, isUniqueViolation, Transactions } from '../database/transactions.js';
import { Moderator } from './moderator.entity.js';
import { isModeratorRole, MODERATOR_NAME_PATTERN, MODERATOR_ROLES } from './moderator-roles.js';
import { hashPassword, newInitialPassword, passwordProblem } from './passwords.js';

export class ModeratorInputError extends Error {}

/** Staff accounts (the CLI today; the admin pages later). */
export class ModeratorsService {
  constructor(
    dataSource: DataSource,
    private readonly transactions = new Transactions(dataSource),
  ) {}

  /**
   * Creates a moderator with the given password, or a one-time initial one (returned, to be shown
   * once). Either way it must be changed, and the second factor enrolled, at first sign-in.
   */
  async create(
    name: string,
    role: string,
    password: string | null,
    actor: string,
    now = new Date(),
  ): Promise<{ moderator: Moderator; initialPassword: string | null }> {
    if (!MODERATOR_NAME_PATTERN.test(name))
      throw new ModeratorInputError('NAME must be 1-50 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit');
    if (!isModeratorRole(role)) throw new ModeratorInputError(`--role must be one of ${MODERATOR_ROLES.join(', ')}`);
    const problem = password === null ? null : passwordProblem(password);
    if (problem) throw new ModeratorInputError(problem);
    const initialPassword = password === null ? newInitialPassword() : null;
    const moderator: Moderator = {
      id: randomUUID(),
      name,
      role,
      passwordHash: await hashPassword(password ?? initialPassword!),
      totpSecret: null,
      totpEnrolledAt: null,
      totpLastStep: null,
      mustChangePassword: true,
      failedSignIns: 0,
      lockedUntil: null,
      createdAt: now,
      disabledAt: null,
      sessionGeneration: 0,
      lastSignedInAt: null,
    };
    try {
      await this.transactions.run(async (em) => {
        await insertRows(em, Moderator, moderator);
        await appendAudit(em, { at: now, actor, action: 'moderator_created', ticketId: null, data: { moderator: name, role } });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ModeratorInputError(`a moderator named "${name}" already exists`);
      throw error;
    }
    return { moderator, initialPassword };
  }
}
