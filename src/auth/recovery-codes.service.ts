import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { insertRows } from '../database/transactions.js';
import { newRecoveryCode, normalizeRecoveryCode, RECOVERY_CODE_COUNT, recoveryCodeDigest } from './recovery-codes.js';
import { StaffRecoveryCode } from './staff-recovery-code.entity.js';

/**
 * A moderator's one-time recovery codes (docs/security.md #32): made at enrolment and on request from
 * the account page, each replacing the whole set; shown once, stored as keyed digests, used once.
 */
@Injectable()
export class RecoveryCodesService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'secretKey'>,
  ) {}

  /** A new set in the caller's transaction; every older code of the person stops working. Returns the codes, to be shown once. */
  async replace(em: EntityManager, moderatorId: string, now: Date): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await em.getRepository(StaffRecoveryCode).delete({ moderatorId });
    await insertRows(
      em,
      StaffRecoveryCode,
      codes.map((code) => ({ id: randomUUID(), moderatorId, codeHash: this.digest(moderatorId, normalizeRecoveryCode(code)!), createdAt: now, usedAt: null })),
    );
    return codes;
  }

  /**
   * Uses a code, in the caller's transaction: one conditional UPDATE marks it used only if it is the
   * person's and still unused, so of two requests with one code exactly one succeeds (the database
   * serialises the two updates of the row; the second finds `used_at` set and changes nothing).
   */
  async use(em: EntityManager, moderatorId: string, input: unknown, now: Date): Promise<boolean> {
    const code = normalizeRecoveryCode(input);
    if (code === null) return false;
    const result = await em
      .getRepository(StaffRecoveryCode)
      .createQueryBuilder()
      .update()
      .set({ usedAt: now })
      .where('moderator_id = :moderatorId AND code_hash = :codeHash AND used_at IS NULL', { moderatorId, codeHash: this.digest(moderatorId, code) })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  unusedCount(moderatorId: string): Promise<number> {
    return this.dataSource.getRepository(StaffRecoveryCode).countBy({ moderatorId, usedAt: IsNull() });
  }

  private digest(moderatorId: string, normalizedCode: string): string {
    return recoveryCodeDigest(this.config.secretKey, moderatorId, normalizedCode);
  }
}
