import { MAX_SEED_TICKETS, parseSeedArgs } from './seed-args.js';

describe('parseSeedArgs', () => {
  it('reads N and the defaults', () => {
    expect(parseSeedArgs(['2000'])).toEqual({ kind: 'run', count: 2000, seed: 1, days: 365, now: null, databaseUrl: null });
  });

  it('reads every option, with a space or an equals sign', () => {
    expect(parseSeedArgs(['--seed', '42', '500', '--days=30', '--now', '2026-11-30T12:00:00Z', '--database-url', 'sqlite:/tmp/x.sqlite'])).toEqual({
      kind: 'run',
      count: 500,
      seed: 42,
      days: 30,
      now: new Date('2026-11-30T12:00:00Z'),
      databaseUrl: 'sqlite:/tmp/x.sqlite',
    });
  });

  it('asks for help', () => {
    expect(parseSeedArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseSeedArgs(['100', '-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [[], 'N is missing'],
    [['0'], 'N must be a whole number from 1 to 5,000,000, not "0"'],
    [['-5'], 'N must be a whole number'],
    [['1.5'], 'N must be a whole number'],
    [['1e6'], 'N must be a whole number'],
    [['lots'], 'N must be a whole number'],
    [[String(MAX_SEED_TICKETS + 1)], 'N must be a whole number from 1 to 5,000,000'],
    [['10', '20'], 'one N only'],
    [['10', '--seed', 'x'], '--seed must be a whole number'],
    [['10', '--days', '0'], '--days must be a whole number from 1 to 3650'],
    [['10', '--days', '4000'], '--days must be a whole number from 1 to 3650'],
    [['10', '--now', 'yesterday'], '--now must be an ISO instant'],
    [['10', '--now', '2026-13-40T00:00:00Z'], '--now must be an ISO instant'],
    [['10', '--seed'], '--seed needs a value'],
    [['10', '--seed', '1', '--seed', '2'], '--seed is given twice'],
    [['10', '--sed', '1'], 'unknown option --sed'],
  ])('refuses %j', (argv, message) => {
    const parsed = parseSeedArgs(argv);
    expect(parsed.kind).toBe('bad');
    expect(parsed.kind === 'bad' && parsed.message).toContain(message);
  });

  it('takes the largest N allowed', () => {
    expect(parseSeedArgs([String(MAX_SEED_TICKETS)])).toMatchObject({ kind: 'run', count: MAX_SEED_TICKETS });
  });
});
