import { REQUEST_TYPES } from '../tickets/ticket.types.js';
import { ALWAYS } from './calendar.js';
import { parseSlaPolicy as parseFor, SlaPolicyError } from './sla-policy.js';

const parseSlaPolicy = (json: unknown, source: string) => parseFor(json, source, REQUEST_TYPES);

const H = 3_600_000;
const SOURCE = 'config/sla-policy.json';

/** The problems of the SlaPolicyError that parsing `json` throws; fails the test if it does not throw one. */
function problemsOf(json: unknown): string[] {
  try {
    parseSlaPolicy(json, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(SlaPolicyError);
    return (error as SlaPolicyError).problems;
  }
  throw new Error('parseSlaPolicy did not throw');
}

const business = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: '09:00-17:00', time_zone: 'Europe/Berlin' };

describe('parseSlaPolicy', () => {
  it('falls back to the built-in defaults for an empty policy', () => {
    expect(parseSlaPolicy({}, SOURCE).describe().lost_2fa).toEqual({ firstResponse: '72h', decision: '14d', warnAt: 0.75, calendar: '24x7' });
  });

  it('applies an override field by field, over the default block', () => {
    const policy = parseSlaPolicy(
      {
        default: { decision: '10d', warn_at: 0.5 },
        request_types: { lost_2fa: { first_response: '8h', calendar: 'business' } },
        calendars: { business },
      },
      SOURCE,
    );
    expect(policy.describe().lost_2fa).toEqual({ firstResponse: '8h', decision: '10d', warnAt: 0.5, calendar: 'business' });
    expect(policy.describe().forgot_password).toEqual({ firstResponse: '72h', decision: '10d', warnAt: 0.5, calendar: '24x7' });
    const targets = policy.targetsFor('lost_2fa');
    expect(targets.calendar).not.toBe(ALWAYS);
    // Friday 16:00 in Berlin (CET) is 15:00Z; two working hours later it is Monday 10:00 CET.
    expect(targets.calendar.addWorking(new Date('2024-03-08T15:00:00Z'), 2 * H)).toEqual(new Date('2024-03-11T09:00:00Z'));
  });

  it('shares one calendar between the types that name it', () => {
    const policy = parseSlaPolicy({ default: { calendar: 'business' }, calendars: { business } }, SOURCE);
    expect(policy.targetsFor('lost_2fa').calendar).toBe(policy.targetsFor('compromised').calendar);
  });

  it.each<[string, unknown, string]>([
    [
      'a malformed duration',
      { request_types: { lost_2fa: { decision: '2 weeks' } } },
      'config/sla-policy.json: request_types.lost_2fa.decision: a duration such as 90s, 72h or 14d',
    ],
    [
      'a duration that is not a string',
      { default: { first_response: 72 } },
      'config/sla-policy.json: default.first_response: a duration such as 90s, 72h or 14d',
    ],
    [
      'a zero duration',
      { default: { decision: '0d' } },
      'config/sla-policy.json: default.decision: must be longer than zero (a duration such as 90s, 72h or 14d)',
    ],
    ['warn_at of 1', { default: { warn_at: 1 } }, 'config/sla-policy.json: default.warn_at: a number between 0 and 1 (exclusive), such as 0.75'],
    [
      'warn_at as a string',
      { request_types: { compromised: { warn_at: '0.5' } } },
      'config/sla-policy.json: request_types.compromised.warn_at: a number between 0 and 1 (exclusive), such as 0.75',
    ],
    [
      'an undefined calendar',
      { default: { calendar: 'office' }, calendars: { business } },
      'config/sla-policy.json: default.calendar: one of "24x7", "business" (the names under calendars)',
    ],
    [
      'an unknown request type',
      { request_types: { lost_2faa: { decision: '7d' } } },
      'config/sla-policy.json: request_types.lost_2faa: unknown request type (expected one of forgot_password, lost_2fa, lost_recovery_codes, lost_email_access, compromised)',
    ],
    ['an unknown key at the top', { defaults: {} }, 'config/sla-policy.json: defaults: unknown key (expected one of default, request_types, calendars)'],
    [
      'an unknown key in a type',
      { request_types: { lost_2fa: { first_respone: '8h' } } },
      'config/sla-policy.json: request_types.lost_2fa.first_respone: unknown key (expected one of first_response, decision, warn_at, calendar)',
    ],
    [
      'an unknown key in a calendar',
      { calendars: { business: { ...business, timezone: 'UTC' } } },
      'config/sla-policy.json: calendars.business.timezone: unknown key (expected one of days, hours, time_zone, holidays)',
    ],
    [
      'hours with the end first',
      { calendars: { business: { ...business, hours: '17:00-09:00' } } },
      'config/sla-policy.json: calendars.business.hours: local hours "HH:MM-HH:MM" with the start before the end, such as "09:00-17:00"',
    ],
    [
      'malformed hours',
      { calendars: { business: { ...business, hours: '9-17' } } },
      'config/sla-policy.json: calendars.business.hours: local hours "HH:MM-HH:MM" with the start before the end, such as "09:00-17:00"',
    ],
    [
      'an unknown time zone',
      { calendars: { business: { ...business, time_zone: 'Europe/Berlín' } } },
      'config/sla-policy.json: calendars.business.time_zone: an IANA time zone such as "Europe/Berlin" or "UTC"',
    ],
    [
      'an impossible holiday',
      { calendars: { business: { ...business, holidays: ['2024-12-25', '2024-02-30'] } } },
      'config/sla-policy.json: calendars.business.holidays[1]: a valid date written "YYYY-MM-DD"',
    ],
    [
      'no days',
      { calendars: { business: { ...business, days: [] } } },
      'config/sla-policy.json: calendars.business.days: at least one of mon, tue, wed, thu, fri, sat, sun',
    ],
    [
      'an unknown day',
      { calendars: { business: { ...business, days: ['mon', 'monday'] } } },
      'config/sla-policy.json: calendars.business.days[1]: one of mon, tue, wed, thu, fri, sat, sun',
    ],
    [
      'a repeated day',
      { calendars: { business: { ...business, days: ['mon', 'tue', 'mon'] } } },
      'config/sla-policy.json: calendars.business.days[2]: "mon" is listed twice',
    ],
    [
      'a calendar without hours',
      { calendars: { business: { days: ['mon'], time_zone: 'UTC' } } },
      'config/sla-policy.json: calendars.business.hours: required',
    ],
    ['a calendar named 24x7', { calendars: { '24x7': business } }, 'config/sla-policy.json: calendars.24x7: "24x7" is built in and cannot be redefined'],
    ['a type that is not an object', { request_types: { lost_2fa: '8h' } }, 'config/sla-policy.json: request_types.lost_2fa: an object'],
    ['a comment that is not text', { default: { $comment: 42 } }, 'config/sla-policy.json: default.$comment: a string or a list of strings'],
    ['a policy that is not an object', ['72h'], 'config/sla-policy.json: (top level): an object'],
  ])('reports %s with its field path and reason', (_name, json, problem) => {
    expect(problemsOf(json)).toEqual([problem]);
  });

  it('reports several problems together, one per line of the message', () => {
    const json = {
      default: { first_response: 'soon', warn_at: 2 },
      request_types: { lost_email_access: { calendar: 'weekend' } },
      calendars: { weekend: { days: ['sat', 'sun'], hours: '10:00-14:00', time_zone: 'Nowhere/Special' } },
    };
    const expected = [
      'config/sla-policy.json: calendars.weekend.time_zone: an IANA time zone such as "Europe/Berlin" or "UTC"',
      'config/sla-policy.json: default.first_response: a duration such as 90s, 72h or 14d',
      'config/sla-policy.json: default.warn_at: a number between 0 and 1 (exclusive), such as 0.75',
    ];
    // The invalid calendar is still a known name, so referring to it is not a second problem.
    expect(problemsOf(json)).toEqual(expected);
    expect(() => parseSlaPolicy(json, SOURCE)).toThrow(expected.join('\n'));
  });

  it('accepts $comment anywhere', () => {
    const policy = parseSlaPolicy(
      {
        $comment: 'top',
        default: { $comment: ['a', 'b'], decision: '5d' },
        request_types: { $comment: 'types', lost_2fa: { $comment: 'x' } },
        calendars: { $comment: 'calendars', business: { ...business, $comment: 'y' } },
      },
      SOURCE,
    );
    expect(policy.describe().lost_2fa.decision).toBe('5d');
  });
});
