/** The score CLI's arguments and usage text (`npm run --silent score -- --help`). */
import { parseArgs } from 'node:util';
import { isISO8601 } from 'class-validator';

export const SCORE_USAGE = `Score account-recovery tickets against a directory file, without a server or a database.

Usage: npm run --silent score -- --directory DIR.json --tickets TICKETS.jsonl [--now ISO] [--calibration FILE]

  -d, --directory FILE  The account directory in the import format (README, "The account directory").
  -t, --tickets FILE    One ticket per line: the JSON that POST /api/v1/tickets takes, plus "ref"
                        (required: a non-empty string of at most 100 characters, unique in the file).
      --now ISO         The time to score at and to submit the tickets at; default: the current time.
                        A UTC date or a date-time with a zone: 2026-11-25, 2026-11-25T12:00:00Z,
                        2026-11-25T13:00:00+01:00.
      --calibration FILE
                        The desk's P(owner) curve: the report download /reports/calibration.json
                        (its row for the rules this CLI scores with); default: the prior.
  -h, --help            Show this text.

Each ticket is scored on its own, as the account's only open ticket and with no challenge passed (so
the recommendation is never "approve"). stdout gets one JSON line per scored ticket, in file order:
  {"ref","score","band","recommendation","risk_flags","signals","rule_version","shares_version","p_owner"}
p_owner is P(owner) of the score: under the desk's calibration with --calibration, otherwise under
the prior (docs/evidence.md, "Calibrated odds"): sigmoid((score - neutral) / points per nat), as the
CLI has no decided tickets of its own.
A bad line is reported on stderr as TICKETS.jsonl:LINE: field: reason and skipped; blank lines are
ignored. A summary ("scored N tickets in X s") goes to stderr at the end.

Scoring uses the server's configuration: the documented weights (src/evidence/scoring.config.ts) with
HIGH_VALUE_MONTHLY_DOWNLOADS, HIGH_VALUE_ROLES and EXPIRED_DOMAINS from the environment (.env.example);
no other variable is read.

Exit status: 0 every line scored; 1 a bad line, or a directory, tickets or calibration file that
cannot be read or is refused; 2 a usage error or an invalid scoring variable.
`;

export type ScoreArgs =
  | { kind: 'help' }
  | { kind: 'usage_error'; message: string }
  | { kind: 'run'; directory: string; tickets: string; now: Date | null; calibration: string | null };

const NOW_PATTERN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** `--now`: a date (UTC midnight) or a date-time with an explicit zone, so the result never depends on TZ. */
export function parseNow(text: string): Date | null {
  if (!NOW_PATTERN.test(text) || !isISO8601(text, { strict: true, strictSeparator: true })) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function parseScoreArgs(argv: readonly string[]): ScoreArgs {
  let values: { directory?: string; tickets?: string; now?: string; calibration?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        directory: { type: 'string', short: 'd' },
        tickets: { type: 'string', short: 't' },
        now: { type: 'string' },
        calibration: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { kind: 'usage_error', message: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };
  const missing = (['directory', 'tickets'] as const).filter((name) => !values[name]);
  if (missing.length) return { kind: 'usage_error', message: missing.map((name) => `--${name} is required`).join('; ') };
  let now: Date | null = null;
  if (values.now !== undefined) {
    now = parseNow(values.now);
    if (!now) return { kind: 'usage_error', message: `--now "${values.now}" is not an ISO 8601 date or a date-time with a zone, such as 2026-11-25T12:00:00Z` };
  }
  return { kind: 'run', directory: values.directory!, tickets: values.tickets!, now, calibration: values.calibration ?? null };
}
