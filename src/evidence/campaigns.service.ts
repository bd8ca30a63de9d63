import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, In, LessThan } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { insertRows } from '../database/transactions.js';
import { Outbox } from '../jobs/outbox.service.js';
import type { AccountRecord } from '../scoring/account-record.js';
import {
  type CampaignCluster,
  type ClusterKind,
  decodeSketch,
  detectCampaigns,
  type DomainHistory,
  encodeSketch,
  hasManyDependents,
  isCommonProvider,
  type RequestSignature,
  signatureOf,
} from '../scoring/campaign.js';
import { type CampaignConfig, DEFAULT_CAMPAIGN_CONFIG } from '../scoring/campaign.config.js';
import type { ScoringConfig } from '../scoring/scoring.config.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import { CampaignMember, CampaignSignature } from './campaign.entity.js';
import { SCORING_CONFIG } from './scoring-config.provider.js';

/** A cluster as the ticket page shows it. */
export interface ClusterView {
  kind: ClusterKind;
  shared: string;
  /** The other tickets in it, newest first (at most `listedMembers`). */
  others: Array<{ reference: string; at: Date }>;
  total: number;
}

/** PostgreSQL advisory-lock classes ('CAMP', 'CAMQ'): per contact domain, and one for free text on any domain. */
const DOMAIN_LOCK = 0x43414d50;
const TEXT_LOCK = 0x43414d51;

const fromRow = (row: CampaignSignature): RequestSignature => ({
  ticketId: row.ticketId,
  reference: row.reference,
  usernameKey: row.usernameKey,
  createdAt: row.createdAt,
  contactDomain: row.contactDomain,
  localTemplate: row.localTemplate,
  detailsWords: row.detailsWords,
  detailsSketch: decodeSketch(row.detailsSketch),
  manyDependents: row.manyDependents,
});

/**
 * The I/O around the pure campaign detector (scoring/campaign.ts; docs/evidence.md, "Coordinated
 * requests"). When a ticket is first assessed its signature is stored and compared with the window
 * before it: two indexed reads of at most `maxWindowRequests` rows (the same contact domain; any
 * domain, for the free text) and two for the domain's history, so a flood costs each ticket the same.
 * A cluster that forms brings its earlier members in (each assessed again, once, to show the flag);
 * later members only add themselves.
 */
@Injectable()
export class CampaignsService {
  readonly config: CampaignConfig;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(SCORING_CONFIG) private readonly scoring: ScoringConfig,
    @Inject(APP_CONFIG) appConfig: AppConfig,
  ) {
    this.config = { ...DEFAULT_CAMPAIGN_CONFIG, windowMs: appConfig.evidence.campaignWindowMs };
  }

  /** Records the ticket's signature and its clusters (once per ticket: a second call finds the signature and stops). */
  async detect(em: EntityManager, ticket: Ticket, account: AccountRecord | null, now: Date): Promise<CampaignCluster[]> {
    if (await em.findOneBy(CampaignSignature, { ticketId: ticket.id })) return [];
    const request = signatureOf(
      {
        ticketId: ticket.id,
        reference: ticket.reference,
        username: ticket.username,
        createdAt: ticket.createdAt,
        contactEmail: ticket.contactEmail,
        details: ticket.claims.details ?? '',
        projects: ticket.claims.projects ?? [],
        manyDependents: hasManyDependents(account, this.scoring, this.config),
      },
      this.config,
    );
    await this.serialise(em, request);
    const windowStart = new Date(request.createdAt.getTime() - this.config.windowMs);
    const history = await this.domainHistory(em, request.contactDomain, windowStart);
    const window = await this.window(em, request, windowStart);
    await insertRows(em, CampaignSignature, {
      ticketId: request.ticketId,
      reference: request.reference,
      usernameKey: request.usernameKey,
      createdAt: request.createdAt,
      contactDomain: request.contactDomain,
      localTemplate: request.localTemplate,
      detailsWords: request.detailsWords,
      detailsSketch: request.detailsSketch ? encodeSketch(request.detailsSketch) : null,
      manyDependents: request.manyDependents,
    });
    const clusters = detectCampaigns(request, window, history, now, this.config);
    for (const cluster of clusters) await this.join(em, request, cluster, now);
    return clusters;
  }

  /** Whether the ticket is in any cluster (what the scorer's `coordinatedRequests` reads). */
  async isMember(em: EntityManager, ticketId: string): Promise<boolean> {
    return (await em.findOne(CampaignMember, { select: { clusterId: true, ticketId: true }, where: { ticketId } })) !== null;
  }

  /** The ticket's clusters for the ticket page: what they share (as of the latest member) and the other references. */
  async clustersOf(ticketId: string): Promise<ClusterView[]> {
    const members = this.dataSource.getRepository(CampaignMember);
    const own = await members.find({ where: { ticketId }, order: { createdAt: 'ASC' } });
    const views: ClusterView[] = [];
    for (const { clusterId, kind } of own) {
      const total = await members.count({ where: { clusterId } });
      const rows = await this.dataSource
        .createQueryBuilder()
        .select(['s.reference AS reference', 's.created_at AS at'])
        .from(CampaignMember, 'm')
        .innerJoin(CampaignSignature, 's', 's.ticket_id = m.ticket_id')
        .where('m.cluster_id = :clusterId AND m.ticket_id <> :ticketId', { clusterId, ticketId })
        .orderBy('m.created_at', 'DESC')
        .limit(this.config.listedMembers)
        .getRawMany<{ reference: string; at: Date | string }>();
      const latest = await members.findOne({ where: { clusterId }, order: { createdAt: 'DESC' } });
      views.push({ kind, shared: latest?.shared ?? '', others: rows.map((r) => ({ reference: r.reference, at: new Date(r.at) })), total });
    }
    return views;
  }

  /**
   * Two requests assessed at once must see each other, or each would miss the other and a campaign could
   * split into clusters of one. On PostgreSQL the detection of requests that can meet (the same domain;
   * long texts) takes turns under transaction-scoped advisory locks, always in this order (domain, then
   * text), so two never wait on each other. SQLite runs one write transaction at a time already.
   */
  private async serialise(em: EntityManager, request: RequestSignature): Promise<void> {
    if (em.connection.options.type !== 'postgres') return;
    await em.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [DOMAIN_LOCK, request.contactDomain]);
    if (request.detailsWords >= this.config.detailsClusterMinWords) await em.query('SELECT pg_advisory_xact_lock($1, 0)', [TEXT_LOCK]);
  }

  private async domainHistory(em: EntityManager, domain: string, windowStart: Date): Promise<DomainHistory> {
    // A common provider is never new or rare: nothing to read.
    if (isCommonProvider(domain, this.config)) return { firstSeenAt: null, priorRequests: Number.MAX_SAFE_INTEGER };
    const first = await em.findOne(CampaignSignature, {
      select: { ticketId: true, createdAt: true },
      where: { contactDomain: domain },
      order: { createdAt: 'ASC' },
    });
    // Counted up to the rarity bar only: an established domain costs as little as a rare one.
    const prior = await em.find(CampaignSignature, {
      select: { ticketId: true },
      where: { contactDomain: domain, createdAt: LessThan(windowStart) },
      take: this.config.rareDomainMaxPrior,
    });
    return { firstSeenAt: first?.createdAt ?? null, priorRequests: prior.length };
  }

  private async window(em: EntityManager, request: RequestSignature, windowStart: Date): Promise<RequestSignature[]> {
    const read = (where: string, params: Record<string, unknown>) =>
      em
        .getRepository(CampaignSignature)
        .createQueryBuilder('s')
        .where(`s.createdAt >= :from AND s.createdAt <= :to AND ${where}`, { from: windowStart, to: request.createdAt, ...params })
        .orderBy('s.createdAt', 'DESC')
        .limit(this.config.maxWindowRequests)
        .getMany();
    const sameDomain = await read('s.contactDomain = :domain', { domain: request.contactDomain });
    // The free text is compared with any domain, so only when it is long enough to be a template.
    const anyDomain =
      request.detailsWords >= this.config.detailsClusterMinWords ? await read('s.detailsWords >= :words', { words: this.config.detailsClusterMinWords }) : [];
    const seen = new Map<string, CampaignSignature>();
    for (const row of [...sameDomain, ...anyDomain]) seen.set(row.ticketId, row);
    return [...seen.values()].map(fromRow);
  }

  /**
   * The ticket joins the cluster its fellow members are already in (found through them), or a new one.
   * Members not yet in any cluster are brought in and assessed again, so their flag shows too.
   */
  private async join(em: EntityManager, request: RequestSignature, cluster: CampaignCluster, now: Date): Promise<void> {
    const otherIds = cluster.others.map((o) => o.ticketId);
    const existing = otherIds.length ? await em.find(CampaignMember, { where: { ticketId: In(otherIds), kind: cluster.kind } }) : [];
    const matching = existing.filter((m) => m.clusterKey === cluster.key);
    const clusterId = matching[0]?.clusterId ?? randomUUID();
    const inCluster = new Set(matching.filter((m) => m.clusterId === clusterId).map((m) => m.ticketId));
    const flagged = otherIds.length
      ? new Set((await em.find(CampaignMember, { select: { ticketId: true }, where: { ticketId: In(otherIds) } })).map((m) => m.ticketId))
      : new Set<string>();
    const joining = otherIds.filter((id) => !inCluster.has(id));
    await insertRows(
      em,
      CampaignMember,
      [request.ticketId, ...joining].map((ticketId) => ({
        clusterId,
        ticketId,
        kind: cluster.kind,
        clusterKey: cluster.key,
        shared: cluster.shared.slice(0, 600),
        createdAt: now,
      })),
    );
    for (const id of joining) if (!flagged.has(id)) await this.outbox.requestAssessment(em, id, 'coordinated_requests');
  }
}
