import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { Ticket } from '../tickets/ticket.entity.js';
import { TicketRepository } from '../tickets/ticket.repository.js';
import { canonicalJson, type ChainCheck } from '../audit/audit-chain.js';
import { AUDIT_PAGE_SIZE, type AuditFilters, auditTimeRange } from './audit-filters.js';
import { AuditLog } from '../audit/audit-log.service.js';

export interface AuditRow {
  id: number;
  /** ISO 8601, UTC. */
  at: string;
  actor: string;
  action: string;
  /** The ticket's reference, when the entry is about one. */
  reference: string | null;
  ticketId: string | null;
  ip: string | null;
  /** The rest of the entry's data as canonical JSON (the views escape it). */
  data: string;
}

export interface AuditPage {
  rows: AuditRow[];
  /** The id the next (older) page starts below, when there is one. */
  next: number | null;
  /** The ticket filter names no ticket. */
  unknownTicket: boolean;
}

/** The admin audit page's reads: one page of the log with its tickets' references, and the chain check. */
@Injectable()
export class AuditViewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly auditLog: AuditLog,
    private readonly tickets: TicketRepository,
  ) {}

  async page(f: AuditFilters): Promise<AuditPage> {
    let ticketId: string | undefined;
    if (f.ticket) {
      const ticket = await this.tickets.findByReference(f.ticket);
      if (!ticket) return { rows: [], next: null, unknownTicket: true };
      ticketId = ticket.id;
    }
    const entries = await this.auditLog.recent({ ticketId, actor: f.actor, action: f.action, ...auditTimeRange(f) }, AUDIT_PAGE_SIZE + 1, f.before);
    const shown = entries.slice(0, AUDIT_PAGE_SIZE);
    const references = await this.references(shown.map((e) => e.ticketId).filter((id): id is string => id !== null));
    return {
      unknownTicket: false,
      next: entries.length > AUDIT_PAGE_SIZE ? shown[shown.length - 1].id : null,
      rows: shown.map((e) => {
        const { ip, ...rest } = e.data ?? {};
        return {
          id: e.id,
          at: e.at.toISOString(),
          actor: e.actor,
          action: e.action,
          reference: e.ticketId ? (references.get(e.ticketId) ?? null) : null,
          ticketId: e.ticketId,
          ip: typeof ip === 'string' ? ip : null,
          data: Object.keys(rest).length ? canonicalJson(rest) : '',
        };
      }),
    };
  }

  /** Walks the whole chain (every entry): only when an admin asks for it. */
  verify(): Promise<ChainCheck> {
    return this.auditLog.verify();
  }

  private async references(ticketIds: string[]): Promise<Map<string, string>> {
    const ids = [...new Set(ticketIds)];
    if (ids.length === 0) return new Map();
    const tickets = await this.dataSource.getRepository(Ticket).find({ select: { id: true, reference: true }, where: { id: In(ids) } });
    return new Map(tickets.map((t) => [t.id, t.reference]));
  }
}
