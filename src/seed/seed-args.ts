// The command line of `npm run seed:bulk`, read into one checked value. Pure: the CLI prints and exits.
// No entity imports here: the CLI reads its arguments before DATABASE_URL (the dialect) is settled.

/** The largest run (a run's histories are generated and written in batches, so memory stays flat). */
export const MAX_SEED_TICKETS = 5_000_000;

export const SEED_USAGE = 'usage: npm run seed:bulk -- N [--database-url URL] [--seed S] [--days D] [--now INSTANT]';

export const SEED_HELP = `${SEED_USAGE}

Generates N realistic tickets (1 to ${MAX_SEED_TICKETS.toLocaleString('en-US')}) with their timelines into a database, to try the
reports, the queue and the bench at scale. Not for a production database: the tickets are made up.

  N                   how many tickets
  --database-url URL  sqlite:<file> or postgres://…; default DATABASE_URL, else
                      sqlite:var/recovery-desk.sqlite (DATABASE_SCHEMA applies on PostgreSQL).
                      Pending migrations are applied first.
  --seed S            a whole number (default 1): the same N, --seed, --days and --now give the same tickets
  --days D            arrivals spread over the last D days (default 365, at most 3650), busier on
                      weekdays and in the afternoon (UTC), and growing slowly over the period
  --now INSTANT       where the history ends, e.g. 2026-11-30T12:00:00Z (default: the current time)

What is written, as the app itself would have written it: every step is a command decided by the app's
own ticket workflow (ticket-workflow.ts, the transition table in ticket-transitions.ts), at instants drawn
here, and applied to the rows as the app applies it:
  - tickets of every request type and state: most closed (approved and completed, denied, withdrawn, closed
    without an answer, a few cancelled from a stop link), the ones whose next step is still to come open
    (about 4 %, most of them recent: a backlog builds over the last weeks); some questioned and paused,
    answered or not, some escalated to a senior moderator, some reopened;
  - their SLA columns and report measures, computed by the app's own SLA clock (sla-clock.ts,
    sla-measures.ts) with the configured SLA policy file, warnings and breaches marked when the timers
    would have fired; the durations come from the configuration (SLA_POLICY_FILE, LEASE_DURATION,
    COOLING_OFF, COOLING_OFF_LONG, RESET_LINK_TTL, CLOSE_UNANSWERED_AFTER);
  - the timeline of each (ticket_events: submitted, assessed, routed, claimed, questions and answers,
    decisions, cooling-off, reset, SLA warnings and breaches; about 8 lines a ticket), and the earlier
    cycle of each reopened ticket (ticket_cycles). Moderators: alice, bruno, chen, dara, emeka, fatima, gus;
  - the recovery each approval starts (recoveries: second approvals, cooling-off, reset links, stop links),
    its tokens made up (seed-stop-…, seed-reset-…: only their hashes are stored, as the app stores them).
What is not: the audit log (its hash chain is not seeded: audit-verify checks what the app wrote),
directory accounts (account_id names an account the directory does not hold; 2 % of the requests name
none and are denied), assessment rows, status links, mail, and nothing in Redis (the app's reconciler
arms the open tickets' timers when it starts).

References are RD-0xxxxx (the app's own never contain a 0) and usernames <word>-0xxxxx: unique, and a
second run into the same database continues after the last seeded reference. Ids are UUIDv7 (in arrival
order, so the bulk insert appends to the indexes); the app's own are version 4.
Progress goes to stderr about every 5 %; the summary line to stdout. Exit status 2: bad arguments.
`;

export type SeedArgs =
  | { kind: 'help' }
  | { kind: 'bad'; message: string }
  | { kind: 'run'; count: number; seed: number; days: number; now: Date | null; databaseUrl: string | null };

const OPTIONS = ['--database-url', '--seed', '--days', '--now'] as const;

export function parseSeedArgs(argv: readonly string[]): SeedArgs {
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
  const bad = (message: string): SeedArgs => ({ kind: 'bad', message });
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
      if (!(OPTIONS as readonly string[]).includes(name)) return bad(`unknown option ${name}`);
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') return bad(`${name} needs a value`);
      if (values.has(name)) return bad(`${name} is given twice`);
      values.set(name, value);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length !== 1) return bad(positional.length === 0 ? 'N is missing: how many tickets?' : `one N only, not ${positional.join(' ')}`);
  const count = /^[0-9]+$/.test(positional[0]) ? Number(positional[0]) : NaN;
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SEED_TICKETS) {
    return bad(`N must be a whole number from 1 to ${MAX_SEED_TICKETS.toLocaleString('en-US')}, not "${positional[0]}"`);
  }
  const seedText = values.get('--seed') ?? '1';
  const seed = /^[0-9]{1,10}$/.test(seedText) ? Number(seedText) : NaN;
  if (!(seed <= 0xffffffff)) return bad(`--seed must be a whole number from 0 to 4294967295, not "${seedText}"`);
  const daysText = values.get('--days') ?? '365';
  const days = /^[0-9]+$/.test(daysText) ? Number(daysText) : NaN;
  if (!(days >= 1 && days <= 3650)) return bad(`--days must be a whole number from 1 to 3650, not "${daysText}"`);
  const nowText = values.get('--now');
  const now = nowText === undefined ? null : new Date(nowText);
  if (now !== null && (!/^\d{4}-\d{2}-\d{2}T/.test(nowText!) || Number.isNaN(now.getTime()))) {
    return bad(`--now must be an ISO instant such as 2026-11-30T12:00:00Z, not "${nowText}"`);
  }
  const databaseUrl = values.get('--database-url') ?? null;
  return { kind: 'run', count, seed, days, now, databaseUrl };
}
