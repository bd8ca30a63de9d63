import { generateDirectory } from './demo-directory.js';
import { parseDirectoryFile } from './directory-file.js';

type Email = { address: string; primary: boolean; added_at: string; removed_at: string | null };
type Project = { first_release_at: string | null };

const NOW = Date.parse('2026-11-01T00:00:00Z');

describe('generateDirectory', () => {
  it('gives the same file for the same seed', () => {
    const first = generateDirectory(200, 5);
    const second = generateDirectory(200, 5);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it('gives a different file for another seed', () => {
    const a = generateDirectory(50, 5).accounts;
    const b = generateDirectory(50, 6).accounts;
    expect(JSON.stringify(b)).not.toBe(JSON.stringify(a));
    const shared = a.filter((account, i) => account.username === b[i].username);
    expect(shared.length).toBeLessThan(5);
  });

  it('uses seed 1 by default, whose first account is "alice"', () => {
    expect(JSON.stringify(generateDirectory(20))).toBe(JSON.stringify(generateDirectory(20, 1)));
    expect(generateDirectory(3).accounts[0].username).toBe('alice');
    expect(generateDirectory(3, 2).accounts[0].username).not.toBe('alice');
  });

  it.each([0, 1, 25, 333])('gives exactly %d accounts', (count) => {
    expect(generateDirectory(count, 3).accounts).toHaveLength(count);
  });

  it('gives a shorter file as the start of a longer one with the same seed', () => {
    expect(JSON.stringify(generateDirectory(40, 9).accounts)).toBe(JSON.stringify(generateDirectory(100, 9).accounts.slice(0, 40)));
  });

  it.each([1, 2, 3, 7])('gives unique usernames, ignoring case (seed %d)', (seed) => {
    const usernames = generateDirectory(2000, seed).accounts.map((a) => String(a.username).toLowerCase());
    expect(new Set(usernames).size).toBe(2000);
  });

  it.each([1, 2, 7, 1234])('passes parseDirectoryFile (seed %d)', (seed) => {
    const file = generateDirectory(300, seed);
    const parsed = parseDirectoryFile(JSON.stringify(file, null, 2));
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
    expect(parsed.ok && parsed.accounts.map((a) => a.username)).toEqual(file.accounts.map((a) => a.username));
  });

  it('gives every account exactly one primary address, current and its own', () => {
    for (const account of generateDirectory(300, 4).accounts) {
      const emails = account.emails as Email[];
      const primaries = emails.filter((e) => e.primary);
      expect(primaries).toHaveLength(1);
      expect(primaries[0].removed_at).toBeNull();
      expect(primaries[0].address.startsWith(`${String(account.username)}@`)).toBe(true);
    }
  });

  it('gives a mix of accounts: with and without 2FA, projects and removed addresses', () => {
    const accounts = generateDirectory(300, 4).accounts;
    const share = (test: (a: Record<string, unknown>) => boolean) => accounts.filter(test).length / accounts.length;
    expect(share((a) => (a.two_factor as { totp: boolean }).totp)).toBeGreaterThan(0.3);
    expect(share((a) => (a.two_factor as { totp: boolean }).totp)).toBeLessThan(0.8);
    expect(share((a) => (a.projects as Project[]).length === 0)).toBeGreaterThan(0.05);
    expect(share((a) => (a.emails as Email[]).some((e) => e.removed_at !== null))).toBeGreaterThan(0.2);
    expect(share((a) => a.last_login_at === null)).toBeGreaterThan(0);
  });

  it('dates everything between joining and "now", as UTC ISO 8601 date-times', () => {
    const isoUtc = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/;
    for (const account of generateDirectory(300, 8).accounts) {
      const joined = Date.parse(String(account.joined_at));
      expect(account.joined_at).toMatch(isoUtc);
      expect(joined).toBeLessThan(NOW);
      const later = [
        account.last_login_at,
        ...(account.emails as Email[]).flatMap((e) => [e.added_at, e.removed_at]),
        ...(account.projects as Project[]).map((p) => p.first_release_at),
      ].filter((d): d is string => typeof d === 'string');
      for (const date of later) {
        expect(date).toMatch(isoUtc);
        expect(Date.parse(date)).toBeGreaterThanOrEqual(joined);
        expect(Date.parse(date)).toBeLessThanOrEqual(NOW);
      }
    }
  });

  it('dates relative to the given "now"', () => {
    const shift = 365 * 86_400_000;
    const base = generateDirectory(5, 2, NOW).accounts;
    const later = generateDirectory(5, 2, NOW + shift).accounts;
    expect(later.map((a) => a.username)).toEqual(base.map((a) => a.username));
    expect(later.map((a) => Date.parse(String(a.joined_at)) - shift)).toEqual(base.map((a) => Date.parse(String(a.joined_at))));
  });
});

describe('generateDirectory: regressions', () => {
  it.each([
    [536, 18],
    [1000, 20],
    [1000, 23],
  ])('keeps usernames unique for %i accounts with seed %i', (count, seed) => {
    const file = generateDirectory(count, seed);
    expect(new Set(file.accounts.map((a) => String(a.username).toLowerCase())).size).toBe(count);
    expect(parseDirectoryFile(JSON.stringify(file)).ok).toBe(true);
  });
});
