/**
 * The queue page's pure parts: formatting (age, time left, SLA badge), the filters read from the query
 * string, and the keyset cursor. No I/O, so they are unit-tested on their own (queue-format.spec.ts).
 */
import { MODERATOR_NAME_PATTERN } from '../auth/moderator-roles.js';
import { OPEN_STATES, type TicketState } from '../tickets/ticket-state.js';
import { REQUEST_TYPES, type RequestType, type SlaLevel } from '../tickets/ticket.types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const SLA_LEVELS: readonly SlaLevel[] = ['on_time', 'warning', 'breached'];
export const SORTS = ['oldest', 'newest', 'sla'] as const;
export type QueueSort = (typeof SORTS)[number];
export const PAGE_SIZE = 50;

/** "3 d 4 h", "4 h 5 min", "5 min" (never negative). */
export function formatAge(ms: number): string {
  const t = Math.max(0, ms);
  if (t >= DAY) return `${Math.floor(t / DAY)} d ${Math.floor((t % DAY) / HOUR)} h`;
  if (t >= HOUR) return `${Math.floor(t / HOUR)} h ${Math.floor((t % HOUR) / MINUTE)} min`;
  return `${Math.floor(t / MINUTE)} min`;
}

/** The largest whole unit: "2 d", "5 h", "12 min". */
function coarse(ms: number): string {
  if (ms >= DAY) return `${Math.floor(ms / DAY)} d`;
  if (ms >= HOUR) return `${Math.floor(ms / HOUR)} h`;
  return `${Math.floor(ms / MINUTE)} min`;
}

/** Time to a deadline: "2 d left", or past it, "5 h over". */
export function formatTimeLeft(deadline: Date, now: Date): string {
  const diff = deadline.getTime() - now.getTime();
  return diff >= 0 ? `${coarse(diff)} left` : `${coarse(-diff)} over`;
}

export interface SlaFields {
  slaLevel: SlaLevel;
  firstRespondedAt: Date | null;
  responseDueAt: Date | null;
  decisionDueAt: Date | null;
}

/** The running deadline: the first response while none was given, else the decision. */
export function runningDeadline(t: SlaFields): { kind: 'response' | 'decision'; at: Date } | null {
  if (!t.firstRespondedAt && t.responseDueAt) return { kind: 'response', at: t.responseDueAt };
  return t.decisionDueAt ? { kind: 'decision', at: t.decisionDueAt } : null;
}

export interface SlaBadge {
  level: SlaLevel;
  label: string;
  timeLeft: string | null;
  deadline: 'response' | 'decision' | null;
}

export function slaBadge(t: SlaFields, now: Date): SlaBadge {
  const deadline = runningDeadline(t);
  return {
    level: t.slaLevel,
    label: t.slaLevel.replace('_', ' '),
    timeLeft: deadline ? formatTimeLeft(deadline.at, now) : null,
    deadline: deadline?.kind ?? null,
  };
}

/** `moderator:ann` → `ann`; null when nobody holds the ticket. */
export function holderName(claimedBy: string | null): string | null {
  return claimedBy ? claimedBy.replace(/^moderator:/, '') : null;
}

/** ` a b ` → ['a', 'b']. */
export function riskFlagList(riskFlags: string | null): string[] {
  return (riskFlags ?? '').split(' ').filter(Boolean);
}

export interface QueueFilters {
  state?: TicketState;
  sla?: SlaLevel;
  risk?: string;
  type?: RequestType;
  /** A moderator name, or 'none' for tickets nobody holds. */
  holder?: string;
  sort: QueueSort;
  after?: QueueCursor;
}

export type ParsedFilters = { ok: true; filters: QueueFilters } | { ok: false; parameter: string; message: string };

const FLAG = /^[a-z0-9_]{1,40}$/;

/** Reads the query string; the first bad value is named (the page answers 400). Unknown parameters are ignored. */
export function parseFilters(query: Record<string, unknown> | undefined): ParsedFilters {
  const q = query ?? {};
  const bad = (parameter: string, message: string): ParsedFilters => ({ ok: false, parameter, message });
  const one = (name: string): string | undefined | null => {
    const v = q[name];
    if (v === undefined || v === '') return undefined;
    return typeof v === 'string' ? v : null; // repeated parameter: refused
  };
  const filters: QueueFilters = { sort: 'oldest' };

  const state = one('state');
  if (state !== undefined) {
    if (state === null || !(OPEN_STATES as readonly string[]).includes(state)) return bad('state', `state must be one of: ${OPEN_STATES.join(', ')}`);
    filters.state = state as TicketState;
  }
  const sla = one('sla');
  if (sla !== undefined) {
    if (sla === null || !(SLA_LEVELS as readonly string[]).includes(sla)) return bad('sla', `sla must be one of: ${SLA_LEVELS.join(', ')}`);
    filters.sla = sla as SlaLevel;
  }
  const risk = one('risk');
  if (risk !== undefined) {
    if (risk === null || !FLAG.test(risk)) return bad('risk', 'risk must be one flag name (lower case letters, digits, _)');
    filters.risk = risk;
  }
  const type = one('type');
  if (type !== undefined) {
    if (type === null || !(REQUEST_TYPES as readonly string[]).includes(type)) return bad('type', `type must be one of: ${REQUEST_TYPES.join(', ')}`);
    filters.type = type as RequestType;
  }
  const holder = one('holder');
  if (holder !== undefined) {
    if (holder === null || !(holder === 'none' || MODERATOR_NAME_PATTERN.test(holder))) return bad('holder', 'holder must be a moderator name or none');
    filters.holder = holder;
  }
  const sort = one('sort');
  if (sort !== undefined) {
    if (sort === null || !(SORTS as readonly string[]).includes(sort)) return bad('sort', `sort must be one of: ${SORTS.join(', ')}`);
    filters.sort = sort as QueueSort;
  }
  const after = one('after');
  if (after !== undefined) {
    const cursor = after === null ? null : decodeCursor(after, filters.sort);
    if (!cursor) return bad('after', 'after is not a cursor of this list (follow the "Next page" link)');
    filters.after = cursor;
  }
  return { ok: true, filters };
}

/** The SLA sort's first key: breached first, then warning, then on time. */
export function slaRank(level: SlaLevel): number {
  return level === 'breached' ? 0 : level === 'warning' ? 1 : 2;
}

/** The last row's sort key and id: where the next page starts. */
export interface QueueCursor {
  sort: QueueSort;
  /** Only for the SLA sort. */
  rank?: number;
  createdAt: Date;
  id: string;
}

export function encodeCursor(c: QueueCursor): string {
  const key = c.sort === 'sla' ? [c.sort, c.rank, c.createdAt.toISOString(), c.id] : [c.sort, c.createdAt.toISOString(), c.id];
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

const ID = /^[0-9a-f-]{1,36}$/i;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The cursor, or null when it is not one made by encodeCursor for this sort. */
export function decodeCursor(raw: string, sort: QueueSort): QueueCursor | null {
  if (raw.length > 200 || !/^[A-Za-z0-9_-]+$/.test(raw)) return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(key) || key[0] !== sort) return null;
  const parts = key as unknown[];
  const rest = sort === 'sla' ? parts.slice(2) : parts.slice(1);
  if (parts.length !== (sort === 'sla' ? 4 : 3)) return null;
  const [at, id] = rest;
  if (typeof at !== 'string' || !ISO.test(at) || typeof id !== 'string' || !ID.test(id)) return null;
  const createdAt = new Date(at);
  if (Number.isNaN(createdAt.getTime())) return null;
  if (sort === 'sla') {
    const rank = parts[1];
    if (rank !== 0 && rank !== 1 && rank !== 2) return null;
    return { sort, rank, createdAt, id };
  }
  return { sort, createdAt, id };
}

/** The query string for a link to this list with the same filters (and optionally a cursor). */
export function queueQuery(f: QueueFilters, after?: string): string {
  const params = new URLSearchParams();
  if (f.state) params.set('state', f.state);
  if (f.sla) params.set('sla', f.sla);
  if (f.risk) params.set('risk', f.risk);
  if (f.type) params.set('type', f.type);
  if (f.holder) params.set('holder', f.holder);
  if (f.sort !== 'oldest') params.set('sort', f.sort);
  if (after) params.set('after', after);
  const s = params.toString();
  return s ? `?${s}` : '';
}
