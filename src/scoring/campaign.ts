/**
 * Takeover campaigns: many requests, for different accounts, that share how they were made (docs/evidence.md,
 * "Coordinated requests"). Pure: the caller reads the recent requests and the contact domain's history
 * and passes them in, with the time.
 *
 * A request is reduced to a signature that keeps no more than the comparison needs: the contact domain
 * (not the address), the local part's template (the target's username and digits replaced), a sketch of
 * the free text (MinHash of word pairs, from which the text cannot be read back) and whether the target
 * has many dependents.
 */
import { emailDomain, projectKey, usernameKey } from '../common/normalize.js';
import type { CampaignConfig } from './campaign.config.js';
import type { AccountRecord } from './account-record.js';

export const CLUSTER_KINDS = ['contact_domain', 'local_part_template', 'details_template'] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];

export interface RequestSignature {
  ticketId: string;
  reference: string;
  usernameKey: string;
  createdAt: Date;
  contactDomain: string;
  /** `recover.{u}`, `pkg-admin{n}`; null when the local part is no template. */
  localTemplate: string | null;
  /** Words in the normalised free text. */
  detailsWords: number;
  /** MinHash of the free text's word pairs; null when it is shorter than `detailsMinWords`. */
  detailsSketch: number[] | null;
  /** The target owns or maintains widely used projects (many dependents). */
  manyDependents: boolean;
}

/** What the desk has seen of a contact domain before (read by the caller). */
export interface DomainHistory {
  /** The earliest request from the domain, this one included. */
  firstSeenAt: Date | null;
  /** Requests from it before the window began (the caller may stop counting at `rareDomainMaxPrior`). */
  priorRequests: number;
}

export interface CampaignCluster {
  kind: ClusterKind;
  /** Stable for contact patterns (`mailbox.example`, `recover.{u}@mailbox.example`); empty for free text. */
  key: string;
  /** The new request's fellow members in the window (the new request not included). */
  others: RequestSignature[];
  accounts: number;
  requests: number;
  /** Requests whose free text matches the new request's. */
  sameText: number;
  manyDependents: number;
  /** One line for moderators: what the requests share. */
  shared: string;
}

const SKETCH_SIZE = 32;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

// --------------------------------------------------------------------------------------------- signature

/** FNV-1a, 32 bits, with a seed mixed in: one of the sketch's hash functions. */
function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ Math.imul(seed + 1, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // A final avalanche so that nearby seeds give independent orders.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}

/** Separators a username may contain, dropped when looking for it in a local part. */
const bare = (s: string) => s.replace(/[._-]+/g, '');

/**
 * The local part as a template: lower-cased, a `+tag` dropped, the username (with or without its
 * separators) replaced by `{u}`, digit runs by `{n}`. Null unless it has a slot and at least
 * `minTemplateLetters` fixed letters: a name alone (`alice.smith`) or the username alone is what owners use.
 */
export function localPartTemplate(address: string, username: string, config: Pick<CampaignConfig, 'minTemplateLetters'>): string | null {
  const at = address.lastIndexOf('@');
  let local = (at < 0 ? address : address.slice(0, at)).trim().toLowerCase();
  local = local.replace(/\+.*$/, '');
  const user = usernameKey(username);
  const variants = [...new Set([user, bare(user)])].filter((v) => v.length >= 3).sort((a, b) => b.length - a.length);
  for (const v of variants) local = local.split(v).join('\u0001');
  local = local.replace(/[0-9]+/g, '\u0002');
  if (!/[\u0001\u0002]/.test(local)) return null;
  const letters = local.replace(/[^a-z]/g, '').length;
  if (letters < config.minTemplateLetters) return null;
  return local.replace(/\u0001/g, '{u}').replace(/\u0002/g, '{n}');
}

/** The free text's words with what differs from one target to the next replaced: names, addresses, links, numbers. */
export function detailsWords(details: string, username: string, projects: readonly string[]): string[] {
  let text = ` ${details.toLowerCase()} `;
  text = text.replace(/https?:\/\/\S+/g, ' {url} ').replace(/\S+@\S+/g, ' {email} ');
  const names = [usernameKey(username), ...projects.map((p) => p.toLowerCase()), ...projects.map(projectKey)].filter((n) => n.length >= 2);
  for (const name of [...new Set(names)].sort((a, b) => b.length - a.length)) text = text.split(name).join(' {name} ');
  text = text.replace(/[0-9]+/g, ' {n} ');
  return text
    .replace(/[^a-z{}\s]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** MinHash of the word pairs (of the words, for a one-word text). */
export function sketchOf(words: readonly string[]): number[] {
  const shingles = words.length < 2 ? [...words] : words.slice(1).map((w, i) => `${words[i]} ${w}`);
  const sketch = new Array<number>(SKETCH_SIZE).fill(0xffffffff);
  for (const s of new Set(shingles)) {
    for (let i = 0; i < SKETCH_SIZE; i++) {
      const h = hash32(s, i);
      if (h < sketch[i]) sketch[i] = h;
    }
  }
  return sketch;
}

/** Estimated Jaccard similarity of two texts' word pairs. */
export function sketchSimilarity(a: readonly number[], b: readonly number[]): number {
  let same = 0;
  for (let i = 0; i < SKETCH_SIZE; i++) if (a[i] === b[i]) same++;
  return same / SKETCH_SIZE;
}

/** The sketch as 256 hex characters, for a text column; and back. */
export function encodeSketch(sketch: readonly number[]): string {
  return sketch.map((h) => h.toString(16).padStart(8, '0')).join('');
}
export function decodeSketch(text: string | null): number[] | null {
  if (!text || text.length !== SKETCH_SIZE * 8) return null;
  return Array.from({ length: SKETCH_SIZE }, (_, i) => parseInt(text.slice(i * 8, i * 8 + 8), 16));
}

/**
 * Many dependents: owner or maintainer of a high-value project (the scorer's `highValueMonthlyDownloads`
 * and roles), or of `manyProjects` projects or more.
 */
export function hasManyDependents(
  account: Pick<AccountRecord, 'projects'> | null,
  scoring: { highValueMonthlyDownloads: number; highValueRoles: readonly string[] },
  config: Pick<CampaignConfig, 'manyProjects'>,
): boolean {
  if (!account) return false;
  const held = account.projects.filter((p) => scoring.highValueRoles.includes(p.role));
  return held.length >= config.manyProjects || held.some((p) => p.monthlyDownloads >= scoring.highValueMonthlyDownloads);
}

export interface SignatureInput {
  ticketId: string;
  reference: string;
  username: string;
  createdAt: Date;
  contactEmail: string;
  details: string;
  projects: readonly string[];
  manyDependents: boolean;
}

export function signatureOf(input: SignatureInput, config: CampaignConfig): RequestSignature {
  const words = detailsWords(input.details, input.username, input.projects);
  return {
    ticketId: input.ticketId,
    reference: input.reference,
    usernameKey: usernameKey(input.username),
    createdAt: input.createdAt,
    contactDomain: emailDomain(input.contactEmail.trim()),
    localTemplate: localPartTemplate(input.contactEmail, input.username, config),
    detailsWords: words.length,
    detailsSketch: words.length >= config.detailsMinWords ? sketchOf(words) : null,
    manyDependents: input.manyDependents,
  };
}

// --------------------------------------------------------------------------------------------- detection

export function isCommonProvider(domain: string, config: Pick<CampaignConfig, 'commonProviders'>): boolean {
  return config.commonProviders.some((p) => domain === p || domain.endsWith(`.${p}`));
}

/** How the domain looks to the desk: `new this week`, `rare`, or null (established or a common provider). */
export function domainNovelty(domain: string, history: DomainHistory, now: Date, config: CampaignConfig): 'new' | 'rare' | null {
  if (isCommonProvider(domain, config)) return null;
  if (history.firstSeenAt === null || history.firstSeenAt.getTime() >= now.getTime() - config.newDomainDays * DAY_MS) return 'new';
  if (history.priorRequests < config.rareDomainMaxPrior) return 'rare';
  return null;
}

const textsMatch = (a: RequestSignature, b: RequestSignature, config: CampaignConfig) =>
  a.detailsSketch !== null && b.detailsSketch !== null && sketchSimilarity(a.detailsSketch, b.detailsSketch) >= config.detailsSimilarity;

function span(ms: number): string {
  if (ms < HOUR_MS) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  return `${Math.round(ms / HOUR_MS)} h`;
}

function measure(
  kind: ClusterKind,
  key: string,
  request: RequestSignature,
  others: RequestSignature[],
  config: CampaignConfig,
): Omit<CampaignCluster, 'shared'> & { corroborated: boolean; spanMs: number } {
  const all = [request, ...others];
  const accounts = new Set(all.map((s) => s.usernameKey)).size;
  const sameText = 1 + others.filter((o) => textsMatch(request, o, config)).length;
  const manyDependents = all.filter((s) => s.manyDependents).length;
  const times = all.map((s) => s.createdAt.getTime());
  const corroborated = (request.detailsSketch !== null && sameText * 2 >= all.length) || manyDependents * 2 >= all.length;
  return { kind, key, others, accounts, requests: all.length, sameText, manyDependents, corroborated, spanMs: Math.max(...times) - Math.min(...times) };
}

function describe(head: string, m: ReturnType<typeof measure>, kind: ClusterKind): string {
  const parts = [head, `${m.requests} requests for ${m.accounts} different accounts in ${span(m.spanMs)}`];
  if (kind !== 'details_template' && m.sameText >= 2) parts.push(`${m.sameText} with the same free-text template`);
  if (m.manyDependents > 0) parts.push(`${m.manyDependents} for accounts with many dependents`);
  return parts.join(', ');
}

/**
 * The clusters a new request belongs to, given the requests of the window before it (any order; the
 * request itself left out) and its contact domain's history. A contact domain forms a cluster when it
 * is new or rare; a template local part when the requests share it on one domain; free text alone when
 * a paragraph is copied with only the names changed. Each needs `minAccounts` different accounts; a new
 * or rare domain needs only `minAccountsCorroborated` when the text matches too or the targets have
 * many dependents.
 */
export function detectCampaigns(
  request: RequestSignature,
  window: readonly RequestSignature[],
  domain: DomainHistory,
  now: Date,
  config: CampaignConfig,
): CampaignCluster[] {
  const from = request.createdAt.getTime() - config.windowMs;
  const recent = window.filter((s) => s.ticketId !== request.ticketId && s.createdAt.getTime() >= from && s.createdAt <= request.createdAt);
  const clusters: CampaignCluster[] = [];
  const qualifies = (m: ReturnType<typeof measure>) => m.accounts >= (m.corroborated ? config.minAccountsCorroborated : config.minAccounts);

  const novelty = domainNovelty(request.contactDomain, domain, now, config);
  const sameDomain = recent.filter((s) => s.contactDomain === request.contactDomain);
  let domainCluster = false;
  if (novelty) {
    const m = measure('contact_domain', request.contactDomain, request, sameDomain, config);
    if (qualifies(m)) {
      domainCluster = true;
      const age =
        novelty === 'new' ? (domain.firstSeenAt ? `new this week (first seen ${span(now.getTime() - domain.firstSeenAt.getTime())} ago)` : 'new') : 'rare';
      clusters.push({ ...strip(m), shared: describe(`contact domain ${request.contactDomain}, ${age}`, m, 'contact_domain') });
    }
  }
  // On a new or rare domain that already forms a cluster, the template adds nothing but a second list.
  if (request.localTemplate && !domainCluster) {
    const key = `${request.localTemplate}@${request.contactDomain}`;
    const m = measure(
      'local_part_template',
      key,
      request,
      sameDomain.filter((s) => s.localTemplate === request.localTemplate),
      config,
    );
    // A template on a shared provider is weaker than a fresh domain (people with one first name add
    // digits alike): it never gets the corroborated threshold.
    if (m.accounts >= config.minAccounts) clusters.push({ ...strip(m), shared: describe(`contact addresses of the form ${key}`, m, 'local_part_template') });
  }
  if (request.detailsSketch && request.detailsWords >= config.detailsClusterMinWords) {
    const alike = recent.filter((s) => s.detailsWords >= config.detailsClusterMinWords && textsMatch(request, s, config));
    const m = measure('details_template', '', request, alike, config);
    // Text alone is the weakest sign: it never gets the corroborated threshold from itself.
    if (m.accounts >= config.minAccounts)
      clusters.push({ ...strip(m), shared: describe('the same free-text template (names changed)', m, 'details_template') });
  }
  return clusters;
}

function strip(m: ReturnType<typeof measure>): Omit<CampaignCluster, 'shared'> {
  const { kind, key, others, accounts, requests, sameText, manyDependents } = m;
  return { kind, key, others, accounts, requests, sameText, manyDependents };
}
