import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../config/app-config.js';

const HELP = `Recovery Desk command line.

Usage: npm run cli -- <command> [arguments]

Commands:
  import-directory FILE      Upsert the accounts of a directory file (JSON, see README) into the database.
                             The whole file is checked first: a bad file is refused with each problem's
                             line and reason, and nothing is imported. Re-importing is idempotent.
                             Then prints the directory's shares of 2FA and unused recovery codes, and warns
                             when the evidence rules' yes/no answer weights would let a blind guess pay.
  generate-directory N [OUT] Write a synthetic directory of N accounts (seed 1, or --seed S) to OUT or stdout.
  migrate                    Apply pending database migrations (the app also does this when it starts).
  create-moderator NAME --role ROLE [--password-stdin]
                             Create a staff account (ROLE: moderator, senior, ops or admin). Prints a
                             one-time initial password, or takes the password from stdin; either way it
                             is changed, and the second factor enrolled, at first sign-in.
  staff-list                 List staff: name, role, last sign-in, second factors (authenticator app,
                             unused recovery codes, passkeys where the database has them) and state.
  staff-disable NAME         Disable a person: they cannot sign in, and every session of theirs ends.
  staff-enable NAME          Enable a disabled person again (their old sessions stay ended).
  staff-role NAME ROLE       Change a role (ROLE: moderator, senior, ops or admin), from their next request.
  staff-reset-2fa NAME       Reset the second factor: removes the authenticator secret and the recovery
                             codes and ends their sessions; they set up an app again at the next sign-in.
  staff-end-sessions NAME    End every session of a person at once.
                             The staff commands are audited (actor "cli") and refuse to disable or demote
                             the last active admin.
  audit-verify               Check the audit log's hash chain from the first entry to the last: prints
                             "intact" and the count (exit 0), or names the first broken entry (exit 1).
  help                       Show this text.

The database is the one DATABASE_URL names (default sqlite:var/recovery-desk.sqlite).
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function withDataSource<T>(work: (ds: import('typeorm').DataSource) => Promise<T>): Promise<T> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  // Entities read DATABASE_URL when first imported: load them only after the config is known.
  const { DataSource } = await import('typeorm');
  const { appDataSourceOptions } = await import('../entities.js');
  const { runMigrations } = await import('../database/migrate.js');
  const { beginSqliteTransactionsImmediately } = await import('../database/transactions.js');
  const dataSource = await new DataSource(appDataSourceOptions(config.database)).initialize();
  beginSqliteTransactionsImmediately(dataSource);
  try {
    await runMigrations(dataSource);
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function importDirectory(file: string | undefined): Promise<void> {
  if (!file) fail('import-directory needs a FILE: npm run cli -- import-directory accounts.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    fail(`cannot read ${file}: ${(error as Error).message}`);
  }
  const { parseDirectoryFile } = await import('../directory/directory-file.js');
  const started = Date.now();
  const parsed = parseDirectoryFile(text);
  if (!parsed.ok) {
    const lines = parsed.problems.map((p) => `  ${file}:${p.line}: ${p.reason}`).join('\n');
    fail(`Refused ${file}: nothing was imported.\n${lines}`);
  }
  process.stderr.write(`checked ${parsed.accounts.length} accounts in ${Date.now() - started} ms\n`);
  const { Transactions } = await import('../database/transactions.js');
  const { DirectoryService } = await import('../directory/directory.service.js');
  const { checkGuessing } = await import('../scoring/guess-check.js');
  const { DEFAULT_SCORING_CONFIG } = await import('../scoring/scoring.config.js');
  const { counts, factors } = await withDataSource(async (ds) => {
    const service = new DirectoryService(ds, new Transactions(ds));
    let lastReport = 0;
    const imported = await service.importAccounts(parsed.accounts, parsed.fingerprints, (done, total) => {
      if (Date.now() - lastReport > 1000 || done === total) {
        lastReport = Date.now();
        process.stderr.write(`  ${done}/${total} accounts\n`);
      }
    });
    return { counts: imported, factors: await service.secondFactorCounts() };
  });
  process.stdout.write(
    `Imported ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts.accounts} accounts ` +
      `(${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged), ` +
      `${counts.emails} e-mail addresses and ${counts.projects} projects written.\n`,
  );
  // The whole directory, not only this file: the answer weights meet every account the desk scores.
  const check = checkGuessing(factors, DEFAULT_SCORING_CONFIG);
  process.stdout.write(`${check.lines[0]}\n`);
  (check.paying.length ? process.stderr : process.stdout).write(`${check.lines.slice(1).join('\n')}\n`);
}

async function generate(args: string[]): Promise<void> {
  const seedAt = args.indexOf('--seed');
  const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 1;
  const rest = seedAt >= 0 ? args.filter((_, i) => i !== seedAt && i !== seedAt + 1) : args;
  const count = Number(rest[0]);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) fail('generate-directory needs N, a whole number from 1 to 1000000');
  if (!Number.isInteger(seed)) fail('--seed takes a whole number');
  const { generateDirectory } = await import('../directory/demo-directory.js');
  const text = JSON.stringify(generateDirectory(count, seed), null, 1);
  if (rest[1]) writeFileSync(rest[1], text);
  else process.stdout.write(text);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function createModerator(args: string[]): Promise<void> {
  const usage = 'usage: npm run cli -- create-moderator NAME --role moderator|senior|ops|admin [--password-stdin]';
  const roleAt = args.indexOf('--role');
  const role = roleAt >= 0 ? args[roleAt + 1] : undefined;
  const fromStdin = args.includes('--password-stdin');
  const rest = args.filter((a, i) => a !== '--password-stdin' && i !== roleAt && i !== roleAt + 1);
  if (rest.length !== 1 || !role) fail(usage);
  const password = fromStdin ? await readStdin() : null;
  const { ModeratorsService, ModeratorInputError } = await import('../auth/moderators.service.js');
  try {
    const { moderator, initialPassword } = await withDataSource((ds) => new ModeratorsService(ds).create(rest[0], role, password, 'cli'));
    process.stdout.write(`Created ${moderator.role} "${moderator.name}".\n`);
    if (initialPassword) {
      process.stdout.write(`One-time initial password (shown once; changed at first sign-in): ${initialPassword}\n`);
    }
  } catch (error) {
    if (error instanceof ModeratorInputError) fail(`create-moderator: ${error.message}\n${usage}`);
    throw error;
  }
}

const STAFF_COMMANDS = {
  'staff-disable': {
    action: 'disable',
    usage: 'staff-disable NAME',
    done: (n: string) => `Disabled "${n}": they cannot sign in, and their sessions have ended.`,
  },
  'staff-enable': { action: 'enable', usage: 'staff-enable NAME', done: (n: string) => `Enabled "${n}": they can sign in again.` },
  'staff-role': { action: 'change_role', usage: 'staff-role NAME ROLE', done: (n: string) => `Changed the role of "${n}".` },
  'staff-reset-2fa': {
    action: 'reset_second_factor',
    usage: 'staff-reset-2fa NAME',
    done: (n: string) => `Reset the second factor of "${n}": their sessions have ended, and they set up an authenticator app at their next sign-in.`,
  },
  'staff-end-sessions': { action: 'end_sessions', usage: 'staff-end-sessions NAME', done: (n: string) => `Ended every session of "${n}".` },
} as const;

type StaffCommand = keyof typeof STAFF_COMMANDS;

async function staffAction(command: StaffCommand, args: string[]): Promise<void> {
  const { action, usage, done } = STAFF_COMMANDS[command];
  const wanted = action === 'change_role' ? 2 : 1;
  if (args.length !== wanted) fail(`usage: npm run cli -- ${usage}`);
  const { StaffAdminService, StaffAdminError } = await import('../auth/staff-admin.service.js');
  const { Transactions } = await import('../database/transactions.js');
  try {
    const facts = await withDataSource((ds) => new StaffAdminService(ds, new Transactions(ds)).act(action, args[0], { kind: 'cli' }, new Date(), args[1]));
    const detail = action === 'change_role' ? ` From ${String(facts.from)} to ${String(facts.to)}.` : '';
    process.stdout.write(`${done(String(facts.moderator))}${detail}\n`);
  } catch (error) {
    if (error instanceof StaffAdminError) fail(`${command}: ${error.message}`);
    throw error;
  }
}

async function staffList(): Promise<void> {
  const { StaffAdminService } = await import('../auth/staff-admin.service.js');
  const { STAFF_STATE_LABELS } = await import('../auth/staff-admin-rules.js');
  const { Transactions } = await import('../database/transactions.js');
  const { rows, admins } = await withDataSource(async (ds) => {
    const service = new StaffAdminService(ds, new Transactions(ds));
    return { rows: await service.list(new Date()), admins: await service.activeAdmins() };
  });
  const passkeys = rows.some((r) => r.passkeys !== null);
  const day = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace('T', ' ')}Z` : 'never');
  const table = [
    ['NAME', 'ROLE', 'LAST SIGN-IN', 'AUTHENTICATOR', 'RECOVERY CODES', ...(passkeys ? ['PASSKEYS'] : []), 'STATE'],
    ...rows.map((r) => [
      r.name,
      r.role,
      day(r.lastSignedInAt),
      r.totpEnrolledAt ? 'yes' : 'no',
      String(r.unusedRecoveryCodes),
      ...(passkeys ? [String(r.passkeys)] : []),
      (r.states.length ? r.states : (['active'] as const)).map((st) => STAFF_STATE_LABELS[st]).join(', '),
    ]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) process.stdout.write(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}\n`);
  process.stdout.write(`${rows.length} staff, ${admins} active admin${admins === 1 ? '' : 's'}.\n`);
}

async function auditVerify(): Promise<void> {
  const { AuditLog } = await import('../audit/audit-log.service.js');
  const started = Date.now();
  let lastReport = Date.now();
  const result = await withDataSource((ds) =>
    new AuditLog(ds).verify((checked) => {
      if (Date.now() - lastReport > 1000) {
        lastReport = Date.now();
        process.stderr.write(`  ${checked} entries checked\n`);
      }
    }),
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (!result.ok) fail(`The audit log is broken at entry ${result.brokenId}: ${result.reason}. ${result.checked} entries before it are intact (${seconds} s).`);
  process.stdout.write(`The audit log is intact: ${result.checked} entries, last hash ${result.lastHash} (${seconds} s).\n`);
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'import-directory':
      return importDirectory(args[0]);
    case 'generate-directory':
      return generate(args);
    case 'migrate': {
      await withDataSource(async () => undefined);
      process.stdout.write('The database is up to date.\n');
      return;
    }
    case 'audit-verify':
      return auditVerify();
    case 'create-moderator':
      return createModerator(args);
    case 'staff-list':
      return staffList();
    case 'staff-disable':
    case 'staff-enable':
    case 'staff-role':
    case 'staff-reset-2fa':
    case 'staff-end-sessions':
      return staffAction(command, args);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return;
    default:
      fail(`unknown command "${command}"\n\n${HELP}`);
  }
}

void main().catch((error: unknown) => fail(String((error as Error)?.stack ?? error)));
