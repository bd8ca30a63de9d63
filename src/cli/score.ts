/**
 * `npm run --silent score -- --directory DIR.json --tickets TICKETS.jsonl [--now ISO]`: the evidence
 * scorer without a server. The tickets file is streamed line by line, and each result is written as
 * soon as it is scored, so a large file is never held in memory.
 */
import 'reflect-metadata';
import { once } from 'node:events';
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ScoringConfig } from '../scoring/scoring.config.js';
import { parseScoreArgs, SCORE_USAGE } from './score/score-args.js';

type Writable = NodeJS.WritableStream;

/** Joins output into 64 KiB writes and waits when the pipe is full: 10k small writes cost more than the scoring. */
function bufferedWriter(stream: Writable, limit = 1 << 16) {
  let buffer = '';
  const flush = async (): Promise<void> => {
    if (buffer === '') return;
    const ok = stream.write(buffer);
    buffer = '';
    if (!ok) await once(stream, 'drain');
  };
  return {
    /** A promise only when a flush happened, so the common case costs no await. */
    write(text: string): Promise<void> | null {
      buffer += text;
      return buffer.length >= limit ? flush() : null;
    },
    flush,
  };
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

function warn(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function main(): Promise<number> {
  const args = parseScoreArgs(process.argv.slice(2));
  if (args.kind === 'help') {
    process.stdout.write(SCORE_USAGE);
    return 0;
  }
  if (args.kind === 'usage_error') {
    warn(`${args.message}\n\n${SCORE_USAGE}`);
    return 2;
  }
  const now = args.now ?? new Date();

  // Loaded after the arguments are checked, so that --help and usage errors answer at once.
  const [
    { ConfigError },
    { parseDirectoryFile },
    { assess },
    { AccountIndex },
    { scoringConfigFromEnv },
    { parseTicketLine },
    { problemLines, scoreLine },
    { countSecondFactors },
    { describeShares, sharesOf },
    { configuredShares },
    { priorCurve },
    { readCalibrationFile },
  ] = await Promise.all([
    import('../config/app-config.js'),
    import('../directory/directory-file.js'),
    import('../scoring/assess.js'),
    import('./score/directory-record.js'),
    import('./score/scoring-env.js'),
    import('./score/ticket-line.js'),
    import('./score/score-output.js'),
    import('../scoring/guess-check.js'),
    import('../scoring/directory-shares.js'),
    import('../scoring/scoring.config.js'),
    import('../scoring/calibration.js'),
    import('./score/calibration-file.js'),
  ]);
  let config: ScoringConfig;
  try {
    config = scoringConfigFromEnv();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    warn(error.message);
    return 2;
  }

  let text: string;
  try {
    text = readFileSync(args.directory, 'utf8');
  } catch (error) {
    warn(`cannot read ${args.directory}: ${(error as Error).message}`);
    return 1;
  }
  const loading = performance.now();
  const parsed = parseDirectoryFile(text);
  if (!parsed.ok) {
    warn(`Refused ${args.directory}: no ticket was scored.`);
    for (const problem of parsed.problems) warn(`${args.directory}:${problem.line}: ${problem.reason}`);
    return 1;
  }
  const accounts = AccountIndex.fromDirectory(parsed.accounts);
  // The yes/no answers are weighed against this directory's own shares (docs/evidence.md).
  const shares = sharesOf(countSecondFactors([...accounts.records()]), configuredShares(config));
  warn(`loaded ${accounts.size} accounts from ${args.directory} in ${seconds(performance.now() - loading)} s: ${describeShares(shares)}`);

  // No outcomes here: P(owner) is the desk's curve when given, else the documented prior over the rules' own scale
  // (docs/evidence.md, "Calibrated odds").
  let curve = priorCurve(config);
  if (args.calibration !== null) {
    let calibrationText: string;
    try {
      calibrationText = readFileSync(args.calibration, 'utf8');
    } catch (error) {
      warn(`cannot read ${args.calibration}: ${(error as Error).message}`);
      return 1;
    }
    const read = readCalibrationFile(calibrationText, config.ruleVersion);
    if (!read.ok) {
      warn(`Refused ${args.calibration}: ${read.message}; no ticket was scored.`);
      return 1;
    }
    curve = read.curve;
    warn(`p_owner from ${read.description}`);
  } else {
    warn(`p_owner from the prior for rules ${config.ruleVersion}`);
  }

  const input = createReadStream(args.tickets, { encoding: 'utf8' });
  try {
    await once(input, 'open');
  } catch (error) {
    warn(`cannot read ${args.tickets}: ${(error as Error).message}`);
    return 1;
  }

  const out = bufferedWriter(process.stdout);
  const refs = new Map<string, number>();
  let lineNumber = 0;
  let scored = 0;
  let bad = 0;
  const started = performance.now();
  try {
    for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber++;
      const line = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (line.trim() === '') continue;
      const ticket = parseTicketLine(line, now);
      if (!ticket.ok) {
        bad++;
        for (const problem of problemLines(args.tickets, lineNumber, ticket.errors)) warn(problem);
        continue;
      }
      const first = refs.get(ticket.ref);
      if (first !== undefined) {
        bad++;
        warn(`${args.tickets}:${lineNumber}: ref: "${ticket.ref}" appears twice (first on line ${first})`);
        continue;
      }
      refs.set(ticket.ref, lineNumber);
      const assessment = assess(ticket.ticket, accounts.find(ticket.username), now, config, shares);
      const pending = out.write(`${scoreLine(ticket.ref, assessment, curve)}\n`);
      if (pending) await pending;
      scored++;
    }
  } catch (error) {
    await out.flush();
    warn(`cannot read ${args.tickets}: ${(error as Error).message}`);
    return 1;
  }
  await out.flush();
  warn(`scored ${scored} tickets in ${seconds(performance.now() - started)} s${bad ? `; ${bad} bad lines skipped` : ''}`);
  return bad ? 1 : 0;
}

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    warn(String((error as Error)?.stack ?? error));
    process.exitCode = 1;
  },
);
