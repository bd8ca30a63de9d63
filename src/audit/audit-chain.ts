import { createHash } from 'node:crypto';

/** What an entry says; the chain adds its position and hashes. */
export interface AuditFacts {
  at: Date;
  /** `moderator:<name>`, `system`, `requester`, or `cli`. */
  actor: string;
  action: string;
  ticketId: string | null;
  data: Record<string, unknown>;
}

export interface ChainedEntry extends AuditFacts {
  id: number;
  prevHash: string;
  hash: string;
}

/** The hash before the first entry. */
export const GENESIS = '0'.repeat(64);

/** JSON with object keys sorted at every depth, so a hash never depends on key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * SHA-256 over the previous entry's hash and this entry's facts (its position included, so an entry
 * cannot be moved, and the time at millisecond precision, which both databases keep).
 */
export function entryHash(prevHash: string, id: number, facts: AuditFacts): string {
  const body = canonicalJson({ id, at: facts.at.toISOString(), actor: facts.actor, action: facts.action, ticketId: facts.ticketId, data: facts.data });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export type ChainCheck = { ok: true; checked: number; lastHash: string } | { ok: false; checked: number; brokenId: number; reason: string };

/**
 * Walks entries in id order from `prevHash` (GENESIS, or where the previous page ended): the first
 * entry whose link or hash does not hold is named. Pure, so a caller can stream the log page by page.
 */
export function verifyChain(entries: readonly ChainedEntry[], prevHash = GENESIS, checkedBefore = 0): ChainCheck {
  let prev = prevHash;
  let checked = checkedBefore;
  for (const entry of entries) {
    if (entry.prevHash !== prev)
      return { ok: false, checked, brokenId: entry.id, reason: 'its link to the entry before does not match (an entry was removed, inserted or changed)' };
    if (entryHash(entry.prevHash, entry.id, entry) !== entry.hash)
      return { ok: false, checked, brokenId: entry.id, reason: 'its content does not match its hash (the entry was changed)' };
    prev = entry.hash;
    checked++;
  }
  return { ok: true, checked, lastHash: prev };
}
