/**
 * The scoring section of `npm run bench`: `node dist/cli/score.js` on N tickets against a directory of
 * M accounts, beside the bare script that does the same I/O without scoring (bare-score.ts).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pick, seededRandom } from '../common/random.js';
import { generateDirectory } from '../directory/demo-directory.js';
import type { BenchRow } from './report.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const RUNS = 3;

interface DirectoryAccount {
  username: string;
  joined_at: string;
  emails: { address: string }[];
  projects: { name: string }[];
  two_factor: { totp: boolean; webauthn_keys: number; recovery_codes_unused: number };
}

/** Requests in the intake API's JSON plus `ref`: owners who remember part, and some who guess. */
export function ticketLines(accounts: readonly DirectoryAccount[], count: number, seed = 5): string {
  const random = seededRandom(seed);
  const some = <T>(items: readonly T[]) => items.filter(() => random() < 0.5);
  const answer = (truth: boolean) => (random() < 0.3 ? 'unknown' : random() < 0.85 ? truth : !truth);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = pick(random, accounts);
    const has2fa = a.two_factor.totp || a.two_factor.webauthn_keys > 0;
    lines.push(
      JSON.stringify({
        ref: `b-${i + 1}`,
        username: random() < 0.05 ? `${a.username}-nobody` : a.username,
        contact_email: random() < 0.3 ? a.emails[0].address : `requester${i}@mail.example`,
        request_type: has2fa && random() < 0.5 ? 'lost_2fa' : pick(random, ['lost_email_access', 'forgot_password', 'compromised']),
        previous_emails: some(a.emails.map((e) => e.address)),
        projects: some(a.projects.map((p) => p.name)),
        joined_approx: a.joined_at.slice(0, 7),
        has_2fa: answer(has2fa),
        has_recovery_codes: answer(a.two_factor.recovery_codes_unused > 0),
        details: 'I lost access and would like my account back.',
        coc_accepted: true,
        delay_acknowledged: true,
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

interface Run {
  wallSeconds: number;
  stderr: string;
}

function runNode(script: string, args: string[]): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, ...args], { maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${script} failed: ${stderr || error.message}`));
      else resolve({ wallSeconds: (performance.now() - started) / 1000, stderr });
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Seconds from the CLI's summary line (`… in 0.54 s`), or NaN. */
function summarySeconds(stderr: string, pattern: RegExp): number {
  const match = pattern.exec(stderr);
  return match ? Number(match[1]) : Number.NaN;
}

export async function benchScoring(dir: string, tickets: number, accounts: number, log: (line: string) => void): Promise<BenchRow> {
  const directory = generateDirectory(accounts, 9);
  const directoryFile = join(dir, 'score-directory.json');
  const ticketsFile = join(dir, 'score-tickets.jsonl');
  writeFileSync(directoryFile, JSON.stringify(directory));
  writeFileSync(ticketsFile, ticketLines(directory.accounts as unknown as DirectoryAccount[], tickets));
  const cli = join(HERE, '..', 'cli', 'score.js');
  const bare = join(HERE, 'bare-score.js');
  const args = ['--directory', directoryFile, '--tickets', ticketsFile, '--now', '2026-11-25T12:00:00Z'];
  const scores: Run[] = [];
  const bares: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    log(`  scoring: run ${i + 1} of ${RUNS}…`);
    bares.push(await runNode(bare, [directoryFile, ticketsFile]));
    scores.push(await runNode(cli, args));
  }
  const scoringOnly = median(scores.map((r) => summarySeconds(r.stderr, /scored \d+ tickets in ([\d.]+) s/)));
  const loading = median(scores.map((r) => summarySeconds(r.stderr, /accounts from .* in ([\d.]+) s/)));
  const n = tickets.toLocaleString('en-US');
  return {
    what: `npm run score: ${n} tickets against ${accounts.toLocaleString('en-US')} accounts, wall time (median of ${RUNS})`,
    figure: median(scores.map((r) => r.wallSeconds)),
    baseline: median(bares.map((r) => r.wallSeconds)),
    baselineName: 'bare node reading, parsing and echoing the same files',
    unit: 's',
    higherIsBetter: false,
    extra:
      `scoring alone ${scoringOnly.toFixed(2)} s (${Math.round(tickets / scoringOnly).toLocaleString('en-US')} tickets/s), ` +
      `loading and checking the directory ${loading.toFixed(2)} s (aim: 10,000 tickets in under 5 s)`,
  };
}
