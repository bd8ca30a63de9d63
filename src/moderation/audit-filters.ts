import { singleParam } from '../common/query-params.js';
import { REFERENCE_PATTERN } from '../common/tokens.js';

/** Entries per page of the audit page. */
export const AUDIT_PAGE_SIZE = 50;

/** The audit page's filters, as the query string gave them (validated). */
export interface AuditFilters {
  /** As the log writes it: `moderator:<name>`, `system`, `requester`, `cli`, `anonymous`. */
  actor?: string;
  action?: string;
  /** A ticket reference, upper case; the page resolves it to the ticket's id. */
  ticket?: string;
  /** UTC dates (YYYY-MM-DD), both days included. */
  from?: string;
  to?: string;
  /** Keyset cursor: only entries with a smaller id (the next page of a newest-first list). */
  before?: number;
  /** Walk the whole chain too (only when asked: it reads every entry). */
  verify: boolean;
}

export type ParsedAuditFilters = { ok: true; filters: AuditFilters } | { ok: false; parameter: string; message: string };

const ACTOR = /^[a-z][a-z0-9._:-]{0,59}$/;
const ACTION = /^[a-z][a-z0-9_]{0,39}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Reads the query string; the first bad value is named (the page answers 400). Unknown parameters are ignored. */
export function parseAuditFilters(query: Record<string, unknown> | undefined): ParsedAuditFilters {
  const bad = (parameter: string, message: string): ParsedAuditFilters => ({ ok: false, parameter, message });
  const one = (name: string) => singleParam(query, name);
  const filters: AuditFilters = { verify: false };

  const actor = one('actor');
  if (actor !== undefined) {
    if (actor === null || !ACTOR.test(actor.toLowerCase()))
      return bad('actor', 'actor must be written as the log names it: moderator:<name>, system, requester, cli or anonymous');
    filters.actor = actor.toLowerCase();
  }
  const action = one('action');
  if (action !== undefined) {
    if (action === null || !ACTION.test(action)) return bad('action', 'action must be one action name (lower case letters, digits and _, such as signed_in)');
    filters.action = action;
  }
  const ticket = one('ticket');
  if (ticket !== undefined) {
    if (ticket === null || !REFERENCE_PATTERN.test(ticket)) return bad('ticket', 'ticket must be a ticket reference such as RD-7KQ2MX');
    filters.ticket = ticket.toUpperCase();
  }
  for (const name of ['from', 'to'] as const) {
    const value = one(name);
    if (value === undefined) continue;
    if (value === null || utcDayStart(value) === null) return bad(name, `${name} must be a date written YYYY-MM-DD (UTC)`);
    filters[name] = value;
  }
  if (filters.from && filters.to && filters.to < filters.from) return bad('to', 'to must not be before from');
  const before = one('before');
  if (before !== undefined) {
    if (before === null || !/^[1-9]\d{0,14}$/.test(before)) return bad('before', 'before is not a position in the log (follow the "Older entries" link)');
    filters.before = Number(before);
  }
  const verify = one('verify');
  if (verify !== undefined) {
    if (verify !== '1') return bad('verify', 'verify must be 1 (or left out)');
    filters.verify = true;
  }
  return { ok: true, filters };
}

/** The start (00:00 UTC) of a YYYY-MM-DD date, or null when the text is not a real date. */
export function utcDayStart(text: string): Date | null {
  const match = DATE.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const at = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2026-02-30 over into March: such a date is refused.
  return at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === day ? at : null;
}

/** The instants the date filters select: from 00:00 UTC of `from` up to (not including) the day after `to`. */
export function auditTimeRange(filters: Pick<AuditFilters, 'from' | 'to'>): { from?: Date; until?: Date } {
  const from = filters.from ? (utcDayStart(filters.from) ?? undefined) : undefined;
  const to = filters.to ? utcDayStart(filters.to) : null;
  return { from, until: to ? new Date(to.getTime() + DAY_MS) : undefined };
}

/** The query string for a link to this list with the same filters (optionally a cursor, or asking for the chain check). */
export function auditQuery(f: AuditFilters, extra: { before?: number; verify?: boolean } = {}): string {
  const params = new URLSearchParams();
  if (f.actor) params.set('actor', f.actor);
  if (f.action) params.set('action', f.action);
  if (f.ticket) params.set('ticket', f.ticket);
  if (f.from) params.set('from', f.from);
  if (f.to) params.set('to', f.to);
  if (extra.before) params.set('before', String(extra.before));
  if (extra.verify) params.set('verify', '1');
  const s = params.toString();
  return s ? `?${s}` : '';
}
