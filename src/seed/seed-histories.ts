// What `npm run seed:bulk` generates, without writing it: the seeded references, identities and ids,
// the histories of a run (ticket-history.ts) in arrival order, and the rules read from the configuration.
// No entity imports here, so that a worker thread (history-worker.ts) can generate while the main
// thread writes.
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../common/paths.js';
import { seededRandom } from '../common/random.js';
import type { AppConfig } from '../config/app-config.js';
import { CODE_OF_CONDUCT } from '../intake/code-of-conduct.js';
import { DEFAULT_SCORING_CONFIG } from '../scoring/scoring.config.js';
import { loadSlaPolicyFile, workflowPolicy } from '../tickets/workflow-policy.provider.js';
import { arrivalTimes } from './arrivals.js';
import { type HistoryRules, type TicketHistory, type TicketIdentity, ticketHistory } from './ticket-history.js';

const DAY = 86_400_000;

const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 30^5: the references `RD-0xxxxx` can tell this many tickets apart. */
export const SEED_REFERENCES = REFERENCE_ALPHABET.length ** 5;
/**
 * Seeded references are `RD-0` and five characters of the app's alphabet: they match REFERENCE_PATTERN,
 * and the app's own generator (newReference) never writes a 0, so the two can never collide.
 */
export const SEED_REFERENCE_PREFIX = 'RD-0';

export function seedReference(serial: number): string {
  if (!Number.isInteger(serial) || serial < 0 || serial >= SEED_REFERENCES) throw new RangeError(`no seeded reference for serial ${serial}`);
  let n = serial;
  let code = '';
  for (let i = 0; i < 5; i++) {
    code = REFERENCE_ALPHABET[n % REFERENCE_ALPHABET.length] + code;
    n = Math.floor(n / REFERENCE_ALPHABET.length);
  }
  return SEED_REFERENCE_PREFIX + code;
}

/** The serial of a seeded reference, or null for any other reference. */
export function seedSerialOf(reference: string): number | null {
  if (!/^RD-0[2-9A-HJKMNP-TV-Z]{5}$/.test(reference)) return null;
  let n = 0;
  for (const c of reference.slice(SEED_REFERENCE_PREFIX.length)) n = n * REFERENCE_ALPHABET.length + REFERENCE_ALPHABET.indexOf(c);
  return n;
}

const USERNAME_STEMS = ['maintainer', 'pkgdev', 'pyhacker', 'datasci', 'webdev', 'ops', 'tooling', 'libauthor'];
const MAIL_DOMAINS = ['example.org', 'example.net', 'example.com'];

const hex = (n: number, digits: number) => (n >>> 0).toString(16).padStart(digits, '0').slice(-digits);

/**
 * A UUID of version 7 (RFC 9562: the arrival's Unix milliseconds first, then random bits from the ticket's
 * PRNG), its last eight digits the serial, so it is unique across runs. The app makes version 4 ids; ids
 * that grow with time let the bulk insert append to the id and timeline indexes instead of splitting
 * pages all over them (about 15 % less work on SQLite), and nothing reads meaning into an id.
 */
function seedId(random: () => number, serial: number, createdAt: number): string {
  const b = (random() * 2 ** 32) >>> 0;
  const c = (random() * 2 ** 32) >>> 0;
  return `${hex(Math.floor(createdAt / 0x10000), 8)}-${hex(createdAt % 0x10000, 4)}-7${hex(b, 3)}-${hex(0x8000 | ((c >>> 16) & 0x3fff), 4)}-${hex(c, 4)}${hex(serial, 8)}`;
}

/** A ticket's own PRNG: a function of the run's seed and the ticket's place in the run only. */
function ticketRandom(seed: number, index: number): () => number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return seededRandom((h ^ (h >>> 16)) >>> 0);
}

export function seedIdentity(random: () => number, serial: number, createdAt: number): TicketIdentity {
  const reference = seedReference(serial);
  const username = `${USERNAME_STEMS[Math.floor(random() * USERNAME_STEMS.length)]}-${reference.slice(3).toLowerCase()}`;
  return { id: seedId(random, serial, createdAt), reference, username, contactEmail: `${username}@${MAIL_DOMAINS[Math.floor(random() * MAIL_DOMAINS.length)]}` };
}

export interface BulkSeedOptions {
  count: number;
  seed: number;
  /** Arrivals spread over this many days, ending at `now`. */
  days: number;
  now: Date;
}

/**
 * The histories of a run, oldest arrival first. `firstSerial` is the first free seeded reference (a second
 * run into the same database continues after the first); the content depends on seed, count, days and now only.
 */
export function* bulkHistories(o: BulkSeedOptions, rules: HistoryRules, firstSerial = 0): Generator<TicketHistory> {
  const end = o.now.getTime();
  const arrivals = arrivalTimes(o.count, end - o.days * DAY, end, seededRandom(o.seed));
  let index = 0;
  for (const createdAt of arrivals) {
    const random = ticketRandom(o.seed, index);
    yield ticketHistory(random, seedIdentity(random, firstSerial + index, createdAt), createdAt, end, rules);
    index++;
  }
}

/** The rules of a run of `npm run seed:bulk`, with the SLA policy file they were read from. */
export type SeedRules = HistoryRules & { slaPolicyFile: string };

/**
 * What the app's configuration says about a ticket's life: the workflow policy the app boots with (the
 * SLA policy file, leases, reset links), the cooling-off periods and the closing of unanswered tickets.
 */
export function historyRulesFor(config: AppConfig): SeedRules {
  const slaPolicyFile = resolve(PROJECT_ROOT, config.sla.policyFile);
  const { targetsFor, ...policy } = workflowPolicy(config, loadSlaPolicyFile(slaPolicyFile));
  return {
    ...policy, targetsFor, slaPolicyFile,
    coolingOffMs: config.resets.coolingOffMs,
    coolingOffLongMs: config.resets.coolingOffLongMs,
    closeUnansweredMs: config.review.closeUnansweredMs,
    ruleVersion: DEFAULT_SCORING_CONFIG.ruleVersion,
    codeOfConductVersion: CODE_OF_CONDUCT.version,
  };
}

/** Rules that can cross to a worker thread: everything but the SLA targets, which come from the file again. */
export type PlainSeedRules = Omit<SeedRules, 'targetsFor'>;

export function plainRules({ targetsFor: _, ...plain }: SeedRules): PlainSeedRules {
  return plain;
}

export function rulesFromPlain(plain: PlainSeedRules): SeedRules {
  const sla = loadSlaPolicyFile(plain.slaPolicyFile);
  return { ...plain, targetsFor: (type) => sla.targetsFor(type) };
}

/** What the generating worker thread (history-worker.ts) is started with. */
export interface HistoryWorkerData {
  options: BulkSeedOptions;
  rules: PlainSeedRules;
  firstSerial: number;
  /** Histories per message. */
  batch: number;
}
