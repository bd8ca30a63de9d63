import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateTimeColumn, JsonColumn } from '../database/columns.js';

/**
 * One line of the append-only audit log. Ids are given in order by the writer (under a lock), so the
 * chain has no gaps; the database refuses updates and deletes (triggers, see the audit migration).
 */
@Entity('audit_log')
@Index('ix_audit_log_ticket', ['ticketId', 'id'])
@Index('ix_audit_log_actor', ['actor', 'id'])
export class AuditEntry {
  @PrimaryColumn({ type: 'integer' })
  id: number;

  @DateTimeColumn()
  at: Date;

  @Column({ type: 'varchar', length: 60 })
  actor: string;

  @Column({ type: 'varchar', length: 40 })
  action: string;

  @Column({ name: 'ticket_id', type: 'varchar', length: 36, nullable: true })
  ticketId: string | null;

  @JsonColumn({ default: '{}' })
  data: Record<string, unknown>;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash: string;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}
