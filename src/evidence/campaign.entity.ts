import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateTimeColumn } from '../database/columns.js';
import type { ClusterKind } from '../scoring/campaign.js';

/**
 * What the campaign detector keeps of a request (scoring/campaign.ts): the contact domain, not the
 * address; the local part's template; a sketch of the free text, from which the text cannot be read
 * back. Written when the ticket is first assessed.
 */
@Entity('campaign_signatures')
@Index('ix_campaign_signatures_created', ['createdAt'])
@Index('ix_campaign_signatures_domain_created', ['contactDomain', 'createdAt'])
export class CampaignSignature {
  @PrimaryColumn({ name: 'ticket_id', type: 'varchar', length: 36 })
  ticketId: string;

  @Column({ type: 'varchar', length: 12 })
  reference: string;

  @Column({ name: 'username_key', type: 'varchar', length: 50 })
  usernameKey: string;

  @DateTimeColumn({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'contact_domain', type: 'varchar', length: 253 })
  contactDomain: string;

  @Column({ name: 'local_template', type: 'varchar', length: 120, nullable: true })
  localTemplate: string | null;

  @Column({ name: 'details_words', type: 'integer', default: 0 })
  detailsWords: number;

  /** 256 hex characters (scoring/campaign.ts, encodeSketch), or null for a short text. */
  @Column({ name: 'details_sketch', type: 'varchar', length: 256, nullable: true })
  detailsSketch: string | null;

  @Column({ name: 'many_dependents', type: 'boolean', default: false })
  manyDependents: boolean;
}

/** A ticket's membership of a cluster: which cluster, what its members share (as it stood when the ticket joined). */
@Entity('campaign_members')
@Index('ix_campaign_members_ticket', ['ticketId'])
export class CampaignMember {
  @PrimaryColumn({ name: 'cluster_id', type: 'varchar', length: 36 })
  clusterId: string;

  @PrimaryColumn({ name: 'ticket_id', type: 'varchar', length: 36 })
  ticketId: string;

  @Column({ type: 'varchar', length: 32 })
  kind: ClusterKind;

  /** The contact pattern (`mailbox.example`, `recover.{u}@mailbox.example`); empty for free text. */
  @Column({ name: 'cluster_key', type: 'varchar', length: 400 })
  clusterKey: string;

  @Column({ type: 'varchar', length: 600 })
  shared: string;

  @DateTimeColumn({ name: 'created_at' })
  createdAt: Date;
}
