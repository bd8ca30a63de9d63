import { parseNow, parseScoreArgs } from './score-args.js';

describe('parseScoreArgs', () => {
  it('takes the two files, long or short', () => {
    expect(parseScoreArgs(['--directory', 'd.json', '--tickets', 't.jsonl'])).toEqual({
      kind: 'run',
      directory: 'd.json',
      tickets: 't.jsonl',
      now: null,
      calibration: null,
    });
    expect(parseScoreArgs(['-t', 't.jsonl', '-d', 'd.json', '--calibration', 'c.json'])).toEqual({
      kind: 'run',
      directory: 'd.json',
      tickets: 't.jsonl',
      now: null,
      calibration: 'c.json',
    });
    expect(parseScoreArgs(['--directory=d.json', '--tickets=t.jsonl'])).toMatchObject({ kind: 'run', directory: 'd.json' });
  });

  it('takes --now', () => {
    expect(parseScoreArgs(['-d', 'd', '-t', 't', '--now', '2026-11-25T12:00:00Z'])).toMatchObject({ now: new Date('2026-11-25T12:00:00Z') });
  });

  it('answers help before anything else', () => {
    expect(parseScoreArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseScoreArgs(['-d', 'd', '-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [[], /--directory is required; --tickets is required/],
    [['-d', 'd.json'], /^--tickets is required$/],
    [['-d', 'd', '-t', 't', '--verbose'], /--verbose/],
    [['-d', 'd', '-t', 't', 'extra'], /extra/],
    [['-d', 'd', '-t'], /-t/],
    [['-d', 'd', '-t', 't', '--now', 'yesterday'], /--now "yesterday" is not/],
  ])('calls %j a usage error', (argv, message) => {
    expect(parseScoreArgs(argv)).toEqual({ kind: 'usage_error', message: expect.stringMatching(message) });
  });
});

describe('parseNow', () => {
  it.each([
    ['2026-11-25', '2026-11-25T00:00:00.000Z'],
    ['2026-11-25T12:00Z', '2026-11-25T12:00:00.000Z'],
    ['2026-11-25T12:00:00Z', '2026-11-25T12:00:00.000Z'],
    ['2026-11-25T12:00:00.250Z', '2026-11-25T12:00:00.250Z'],
    ['2026-11-25T13:00:00+01:00', '2026-11-25T12:00:00.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseNow(text)?.toISOString()).toBe(iso);
  });

  it.each(['', 'now', '2026-11-25T12:00:00', '2026-02-30', '2026-13-01', '2026-11-25 12:00:00Z', '25/11/2026', '2026-11-25T25:00:00Z'])(
    'refuses %j (no zone, no such day, not ISO 8601)',
    (text) => {
      expect(parseNow(text)).toBeNull();
    },
  );
});
