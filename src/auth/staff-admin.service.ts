import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { appendAudit } from '../audit/audit-log.service.js';
import { Transactions } from '../database/transactions.js';
import { Moderator } from './moderator.entity.js';
import type { ModeratorRole } from './moderator-roles.js';
import { isActiveAdmin, type StaffAction, staffActionRefusal, type StaffRefusalReason, type StaffState, staffStates } from './staff-admin-rules.js';
import { Passkey } from './passkey.entity.js';
import { StaffRecoveryCode } from './staff-recovery-code.entity.js';

// Any fixed number: names the PostgreSQL lock every staff change takes, so two admins acting at once
// (say, each disabling the other) cannot both count two active admins and leave none.
const STAFF_ADMIN_LOCK = 731_004_119;

/** A member of staff as the list shows them (docs/moderation.md, "Staff administration"). */
export interface StaffRow {
  id: string;
  name: string;
  role: ModeratorRole;
  lastSignedInAt: Date | null;
  totpEnrolledAt: Date | null;
  unusedRecoveryCodes: number;
  /** Registered passkeys, or null while the database has no `passkeys` table. */
  passkeys: number | null;
  states: StaffState[];
}

/** Who acts: an admin signed in to the page (by id and name), or the command line. */
export type StaffActor = { kind: 'moderator'; id: string; name: string } | { kind: 'cli' };

export type StaffAdminErrorKind = 'not_found' | StaffRefusalReason;

/** A refused staff action: the message names the person or the field and says why. */
export class StaffAdminError extends Error {
  constructor(
    readonly kind: StaffAdminErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** What each action writes to the audit log. */
const AUDIT_ACTIONS: Record<StaffAction, string> = {
  disable: 'staff_disabled',
  enable: 'staff_enabled',
  change_role: 'staff_role_changed',
  reset_second_factor: 'staff_second_factor_reset',
  end_sessions: 'staff_sessions_ended',
};

/**
 * Staff administration for the admin page and the command line (docs/security.md #32): the list, and
 * the five actions, each checked by staffActionRefusal against facts read under one lock, written with
 * its audit entry in one transaction.
 */
@Injectable()
export class StaffAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
  ) {}

  async list(now: Date): Promise<StaffRow[]> {
    const moderators = await this.dataSource.getRepository(Moderator).find({ order: { name: 'ASC' } });
    const codes = await this.countsBy(
      this.dataSource
        .getRepository(StaffRecoveryCode)
        .createQueryBuilder('c')
        .select('c.moderator_id', 'moderator_id')
        .addSelect('COUNT(*)', 'n')
        .where('c.used_at IS NULL')
        .groupBy('c.moderator_id')
        .getRawMany(),
    );
    const passkeys = await this.passkeyCounts();
    return moderators.map((m) => ({
      id: m.id,
      name: m.name,
      role: m.role,
      lastSignedInAt: m.lastSignedInAt,
      totpEnrolledAt: m.totpEnrolledAt,
      unusedRecoveryCodes: codes.get(m.id) ?? 0,
      passkeys: passkeys && (passkeys.get(m.id) ?? 0),
      states: staffStates({ ...m, totpEnrolled: m.totpSecret !== null }, now),
    }));
  }

  /**
   * Does `action` to the person named `name`, or throws StaffAdminError. Disabling, resetting the second
   * factor and ending sessions bump the row's session generation, which ends every session of the
   * person at its next request (the role guard compares it), on every web process, without Redis.
   * Returns what the audit entry records.
   */
  async act(action: StaffAction, name: string, actor: StaffActor, now: Date, newRole?: string): Promise<Record<string, unknown>> {
    return this.transactions.run(async (em) => {
      if (em.connection.options.type === 'postgres') await em.query('SELECT pg_advisory_xact_lock($1)', [STAFF_ADMIN_LOCK]);
      const repo = em.getRepository(Moderator);
      const target = await repo.findOneBy({ name: name.trim().toLowerCase() });
      if (!target) throw new StaffAdminError('not_found', `there is no member of staff named "${name}"`);
      const activeAdmins = await repo.countBy({ role: 'admin', disabledAt: IsNull() });
      const refusal = staffActionRefusal({
        action,
        actorId: actor.kind === 'moderator' ? actor.id : null,
        target: { id: target.id, name: target.name, role: target.role, disabled: target.disabledAt !== null },
        activeAdmins,
        newRole,
      });
      if (refusal) throw new StaffAdminError(refusal.reason, refusal.message);
      const data = await this.apply(em, action, target, now, newRole as ModeratorRole);
      const facts = { moderator: target.name, ...data };
      await appendAudit(em, {
        at: now,
        actor: actor.kind === 'cli' ? 'cli' : `moderator:${actor.name}`,
        action: AUDIT_ACTIONS[action],
        ticketId: null,
        data: facts,
      });
      return facts;
    });
  }

  /** Active admins (not disabled): the CLI's list says how many there are. */
  async activeAdmins(): Promise<number> {
    const all = await this.dataSource.getRepository(Moderator).find({ select: { role: true, disabledAt: true } });
    return all.filter((m) => isActiveAdmin({ role: m.role, disabled: m.disabledAt !== null })).length;
  }

  private async apply(em: EntityManager, action: StaffAction, target: Moderator, now: Date, newRole: ModeratorRole): Promise<Record<string, unknown>> {
    const update = (set: QueryDeepPartialEntity<Moderator>) =>
      em.createQueryBuilder().update(Moderator).set(set).where('id = :id', { id: target.id }).execute();
    const endSessions = () => 'session_generation + 1';
    switch (action) {
      case 'disable':
        await update({ disabledAt: now, sessionGeneration: endSessions });
        return {};
      case 'enable':
        await update({ disabledAt: null });
        return {};
      case 'change_role':
        await update({ role: newRole });
        return { from: target.role, to: newRole };
      case 'reset_second_factor': {
        // Re-enrolment comes at the next sign-in (nextSignInStep: no secret → enrol), with new recovery codes.
        // Every second factor goes: the app's secret, the recovery codes and the passkeys.
        await update({ totpSecret: null, totpEnrolledAt: null, totpLastStep: null, sessionGeneration: endSessions });
        const removed = await em.getRepository(StaffRecoveryCode).delete({ moderatorId: target.id });
        const passkeys = await em.getRepository(Passkey).delete({ moderatorId: target.id });
        return { recovery_codes_removed: removed.affected ?? 0, passkeys_removed: passkeys.affected ?? 0 };
      }
      case 'end_sessions':
        await update({ sessionGeneration: endSessions });
        return {};
    }
  }

  private async countsBy(rows: Promise<Array<{ moderator_id: string; n: string | number }>>): Promise<Map<string, number>> {
    return new Map((await rows).map((r) => [r.moderator_id, Number(r.n)]));
  }

  /**
   * Passkeys per person when the database has a `passkeys` table with a `moderator_id` column (they are
   * added by their own migration); null otherwise, and the list leaves the column out.
   */
  private async passkeyCounts(): Promise<Map<string, number> | null> {
    const runner = this.dataSource.createQueryRunner();
    try {
      if (!(await runner.hasTable('passkeys')) || !(await runner.hasColumn('passkeys', 'moderator_id'))) return null;
    } finally {
      await runner.release();
    }
    return this.countsBy(
      this.dataSource.createQueryBuilder().select('moderator_id').addSelect('COUNT(*)', 'n').from('passkeys', 'p').groupBy('moderator_id').getRawMany(),
    );
  }
}
