// The SLA policy file: per request type targets and the calendars they are measured in. Validation is
// strict and reports every problem at once, because the file is edited by hand and read only at boot.
import { parseDuration } from '../config/duration.js';
import { ALWAYS, businessHours, parseClock, parseLocalDate, WEEKDAYS } from './calendar.js';
import type { Calendar, Weekday } from './calendar.js';
import type { SlaTargets } from './sla-clock.js';
import { isValidTimeZone } from '../config/time-zone.js';

/** Targets per request type; the types are the caller's (the ticket's vocabulary), so this file stays pure. */
export interface SlaPolicy<T extends string = string> {
  targetsFor(type: T): SlaTargets;
  describe(): Record<T, { firstResponse: string; decision: string; warnAt: number; calendar: string }>;
}

export class SlaPolicyError extends Error {
  /** Each problem reads `<source>: <field.path>: <reason>`. */
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SlaPolicyError';
  }
}

/** The same content as config/sla-policy.json, for tests and for deployments without the file. */
export const DEFAULT_SLA_POLICY_JSON = {
  $comment: [
    'Service-level targets for recovery tickets, read at startup; any mistake stops the app with the field at fault.',
    'default: applies to every request type not listed under request_types.',
    '  first_response: working time until a moderator first responds (measured once per ticket, not again on reopen).',
    '  decision: working time until the ticket is decided, counted again from each reopen.',
    '  warn_at: share of each budget after which the ticket is flagged as at risk (between 0 and 1).',
    '  calendar: "24x7", or the name of a calendar under calendars; only its working time counts.',
    '  Durations are written like 90s, 15m, 72h or 14d. Time spent waiting on the requester never counts.',
    'request_types: per type (forgot_password, lost_2fa, lost_recovery_codes, lost_email_access, compromised),',
    '  any of first_response, decision, warn_at, calendar; the rest comes from default.',
    'calendars: named working hours. days: mon..sun; hours: local "HH:MM-HH:MM" (end may be 24:00);',
    '  time_zone: an IANA zone such as Europe/Berlin (DST is followed); holidays: local dates "YYYY-MM-DD".',
    'Unknown keys are errors, so a typo cannot silently fall back to a default. "$comment" keys are ignored.',
  ],
  default: { first_response: '72h', decision: '14d', warn_at: 0.75, calendar: '24x7' },
  request_types: {
    compromised: {
      $comment: 'A compromised account can be used to publish malicious releases: tighter targets.',
      first_response: '24h',
      decision: '7d',
    },
  },
  calendars: {
    business: {
      $comment: 'An example, unused by default: set "calendar": "business" on a type or on default to use it.',
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      hours: '09:00-17:00',
      time_zone: 'UTC',
      holidays: [],
    },
  },
} as const;

const ROUND_THE_CLOCK = '24x7';
/** Allowed in any object so the shipped file can explain itself; JSON has no comments. */
const COMMENT = '$comment';
const TOP_KEYS = ['default', 'request_types', 'calendars'];
const TARGET_KEYS = ['first_response', 'decision', 'warn_at', 'calendar'];
const CALENDAR_KEYS = ['days', 'hours', 'time_zone', 'holidays'];
const DURATION_REASON = 'a duration such as 90s, 72h or 14d';
const WEEKDAY_LIST = WEEKDAYS.slice(1).concat(WEEKDAYS[0]).join(', ');

/** Applies when neither the type nor `default` sets a field. */
const BUILT_IN: TargetFields = {
  firstResponse: { text: '72h', ms: 72 * 3_600_000 },
  decision: { text: '14d', ms: 14 * 86_400_000 },
  warnAt: 0.75,
  calendar: ROUND_THE_CLOCK,
};

interface TargetFields {
  firstResponse: { text: string; ms: number };
  decision: { text: string; ms: number };
  warnAt: number;
  calendar: string;
}

type Json = Record<string, unknown>;

/** Collects problems as `<source>: <path>: <reason>` lines. */
class Problems {
  readonly lines: string[] = [];
  constructor(private readonly source: string) {}
  add(path: string, reason: string): void {
    this.lines.push(`${this.source}: ${path || '(top level)'}: ${reason}`);
  }
}

/** `path` is '' for the top level. */
const child = (path: string, key: string) => (path ? `${path}.${key}` : key);

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The object at `path`, or null (with a problem) when it is something else. */
function objectAt(value: unknown, path: string, allowed: readonly string[] | null, problems: Problems): Json | null {
  if (!isObject(value)) {
    problems.add(path, 'an object');
    return null;
  }
  if (COMMENT in value) checkComment(value[COMMENT], child(path, COMMENT), problems);
  if (allowed) {
    for (const key of Object.keys(value)) {
      if (key !== COMMENT && !allowed.includes(key)) {
        problems.add(child(path, key), `unknown key (expected one of ${allowed.join(', ')})`);
      }
    }
  }
  return value;
}

function checkComment(value: unknown, path: string, problems: Problems): void {
  const ok = typeof value === 'string' || (Array.isArray(value) && value.every((line) => typeof line === 'string'));
  if (!ok) problems.add(path, 'a string or a list of strings');
}

const entries = (json: Json) => Object.entries(json).filter(([key]) => key !== COMMENT);

function durationAt(value: unknown, path: string, problems: Problems): { text: string; ms: number } | undefined {
  const ms = typeof value === 'string' ? parseDuration(value) : null;
  if (ms === null) problems.add(path, DURATION_REASON);
  else if (ms <= 0) problems.add(path, `must be longer than zero (${DURATION_REASON})`);
  else return { text: (value as string).trim(), ms };
  return undefined;
}

function warnAtAt(value: unknown, path: string, problems: Problems): number | undefined {
  if (typeof value === 'number' && value > 0 && value < 1) return value;
  problems.add(path, 'a number between 0 and 1 (exclusive), such as 0.75');
  return undefined;
}

function calendarNameAt(value: unknown, path: string, known: ReadonlySet<string>, problems: Problems): string | undefined {
  if (typeof value === 'string' && (value === ROUND_THE_CLOCK || known.has(value))) return value;
  const names = [ROUND_THE_CLOCK, ...known].map((n) => `"${n}"`).join(', ');
  problems.add(path, `one of ${names} (the names under calendars)`);
  return undefined;
}

/** The fields set at `path`, each validated; missing or invalid fields are left out. */
function targetFieldsAt(value: unknown, path: string, calendars: ReadonlySet<string>, problems: Problems): Partial<TargetFields> {
  const json = objectAt(value, path, TARGET_KEYS, problems);
  if (!json) return {};
  const fields: Partial<TargetFields> = {};
  if ('first_response' in json) fields.firstResponse = durationAt(json.first_response, `${path}.first_response`, problems);
  if ('decision' in json) fields.decision = durationAt(json.decision, `${path}.decision`, problems);
  if ('warn_at' in json) fields.warnAt = warnAtAt(json.warn_at, `${path}.warn_at`, problems);
  if ('calendar' in json) fields.calendar = calendarNameAt(json.calendar, `${path}.calendar`, calendars, problems);
  // An invalid field is already reported; leaving it out keeps it from overriding a default with undefined.
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

function daysAt(value: unknown, path: string, problems: Problems): Weekday[] | undefined {
  if (!Array.isArray(value)) {
    problems.add(path, `a list of weekdays such as ["mon", "tue"] (${WEEKDAY_LIST})`);
    return undefined;
  }
  if (value.length === 0) problems.add(path, `at least one of ${WEEKDAY_LIST}`);
  const seen = new Set<string>();
  value.forEach((day, i) => {
    if (typeof day !== 'string' || !WEEKDAYS.includes(day as Weekday)) problems.add(`${path}[${i}]`, `one of ${WEEKDAY_LIST}`);
    else if (seen.has(day)) problems.add(`${path}[${i}]`, `"${day}" is listed twice`);
    seen.add(String(day));
  });
  return value as Weekday[];
}

function hoursAt(value: unknown, path: string, problems: Problems): [string, string] | undefined {
  const match = typeof value === 'string' ? /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(value) : null;
  const start = match ? parseClock(match[1]) : null;
  const end = match ? parseClock(match[2]) : null;
  if (match && start !== null && end !== null && start < end) return [match[1], match[2]];
  problems.add(path, 'local hours "HH:MM-HH:MM" with the start before the end, such as "09:00-17:00"');
  return undefined;
}

function timeZoneAt(value: unknown, path: string, problems: Problems): string | undefined {
  if (typeof value === 'string' && isValidTimeZone(value)) return value;
  problems.add(path, 'an IANA time zone such as "Europe/Berlin" or "UTC"');
  return undefined;
}

function holidaysAt(value: unknown, path: string, problems: Problems): string[] | undefined {
  if (!Array.isArray(value)) {
    problems.add(path, 'a list of dates written "YYYY-MM-DD"');
    return undefined;
  }
  value.forEach((day, i) => {
    if (typeof day !== 'string' || parseLocalDate(day) === null) problems.add(`${path}[${i}]`, 'a valid date written "YYYY-MM-DD"');
  });
  return value as string[];
}

function calendarAt(value: unknown, path: string, problems: Problems): Calendar | undefined {
  const json = objectAt(value, path, CALENDAR_KEYS, problems);
  if (!json) return undefined;
  const before = problems.lines.length;
  for (const key of ['days', 'hours', 'time_zone']) {
    if (!(key in json)) problems.add(`${path}.${key}`, 'required');
  }
  const days = 'days' in json ? daysAt(json.days, `${path}.days`, problems) : undefined;
  const hours = 'hours' in json ? hoursAt(json.hours, `${path}.hours`, problems) : undefined;
  const timeZone = 'time_zone' in json ? timeZoneAt(json.time_zone, `${path}.time_zone`, problems) : undefined;
  const holidays = 'holidays' in json ? holidaysAt(json.holidays, `${path}.holidays`, problems) : [];
  if (problems.lines.length > before || !days || !hours || !timeZone || !holidays) return undefined;
  try {
    return businessHours({ days, start: hours[0], end: hours[1], timeZone, holidays });
  } catch (error) {
    problems.add(path, (error as Error).message);
    return undefined;
  }
}

function calendarsAt(value: unknown, problems: Problems): Map<string, Calendar | undefined> {
  const calendars = new Map<string, Calendar | undefined>();
  const json = value === undefined ? {} : objectAt(value, 'calendars', null, problems);
  for (const [name, spec] of entries(json ?? {})) {
    if (name === ROUND_THE_CLOCK) problems.add(`calendars.${name}`, `"${ROUND_THE_CLOCK}" is built in and cannot be redefined`);
    // Known even when invalid, so references to it are not reported a second time.
    calendars.set(name, calendarAt(spec, `calendars.${name}`, problems));
  }
  return calendars;
}

function overridesAt<T extends string>(
  value: unknown,
  calendars: ReadonlySet<string>,
  problems: Problems,
  requestTypes: readonly T[],
): Map<T, Partial<TargetFields>> {
  const overrides = new Map<T, Partial<TargetFields>>();
  const json = value === undefined ? {} : objectAt(value, 'request_types', null, problems);
  for (const [type, spec] of entries(json ?? {})) {
    if (!(requestTypes as readonly string[]).includes(type)) {
      problems.add(`request_types.${type}`, `unknown request type (expected one of ${requestTypes.join(', ')})`);
      continue;
    }
    overrides.set(type as T, targetFieldsAt(spec, `request_types.${type}`, calendars, problems));
  }
  return overrides;
}

/** Validates the whole policy, collecting every problem, and throws SlaPolicyError if there is any. */
export function parseSlaPolicy<T extends string>(json: unknown, source: string, requestTypes: readonly T[]): SlaPolicy<T> {
  const problems = new Problems(source);
  const root = objectAt(json, '', TOP_KEYS, problems) ?? {};
  const calendars = calendarsAt(root.calendars, problems);
  const names = new Set(calendars.keys());
  const defaults = { ...BUILT_IN, ...(root.default === undefined ? {} : targetFieldsAt(root.default, 'default', names, problems)) };
  const overrides = overridesAt(root.request_types, names, problems, requestTypes);
  if (problems.lines.length > 0) throw new SlaPolicyError(problems.lines);

  const fields = new Map(requestTypes.map((type) => [type, { ...defaults, ...overrides.get(type) }]));
  const targets = new Map(
    requestTypes.map((type) => {
      const f = fields.get(type)!;
      const calendar = f.calendar === ROUND_THE_CLOCK ? ALWAYS : calendars.get(f.calendar)!;
      const t: SlaTargets = { firstResponseMs: f.firstResponse.ms, decisionMs: f.decision.ms, warnAt: f.warnAt, calendar };
      return [type, Object.freeze(t)];
    }),
  );
  return {
    targetsFor: (type) => {
      const t = targets.get(type);
      if (!t) throw new Error(`unknown request type: ${String(type)}`);
      return t;
    },
    describe: () =>
      Object.fromEntries(
        requestTypes.map((type) => {
          const f = fields.get(type)!;
          return [type, { firstResponse: f.firstResponse.text, decision: f.decision.text, warnAt: f.warnAt, calendar: f.calendar }];
        }),
      ) as ReturnType<SlaPolicy<T>['describe']>,
  };
}
