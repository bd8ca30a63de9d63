import { generateDirectory } from '../directory/demo-directory.js';
import { parseDirectoryFile } from '../directory/directory-file.js';
import { checkGuessing, countSecondFactors } from './guess-check.js';
import { accountRecordOf } from '../cli/score/directory-record.js';
import { DEFAULT_SCORING_CONFIG as C } from './scoring.config.js';

describe('checkGuessing', () => {
  it("weighs the answers against the directory's own shares, at which no guess pays, and says so", () => {
    const check = checkGuessing({ accounts: 1000, withSecondFactor: 680, withRecoveryCodes: 374 }, C);
    expect(check.shares).toEqual({ version: 'd1000-2fa680-rc374', accounts: 1000, secondFactor: 0.68, recoveryCodes: 0.374 });
    expect(check.paying).toEqual([]);
    expect(check.lines).toEqual([
      'Directory: 68.0% with 2FA, 37.4% with unused recovery codes (1,000 accounts); the yes/no answers are weighed against these shares (version d1000-2fa680-rc374).',
      'At these shares every blind yes/no guess loses points on average, as the evidence rules intend.',
    ]);
  });

  it('finds no paying guess where nearly every account has 2FA and codes, nor where none has (the weights follow the shares)', () => {
    // An index that requires 2FA: a blind "yes" is right nearly always, and so is worth nearly nothing.
    for (const counts of [
      { accounts: 100, withSecondFactor: 98, withRecoveryCodes: 80 },
      { accounts: 100, withSecondFactor: 0, withRecoveryCodes: 0 },
      { accounts: 100, withSecondFactor: 100, withRecoveryCodes: 100 },
    ]) {
      expect(checkGuessing(counts, C).paying).toEqual([]);
    }
  });

  it('uses the prior for a directory too small for shares of its own, and says so', () => {
    const check = checkGuessing({ accounts: 0, withSecondFactor: 0, withRecoveryCodes: 0 }, C);
    expect(check.shares.version).toBe('prior');
    expect(check.lines[0]).toBe(
      'Directory: 0 accounts, too few for shares of its own: the answers are weighed against 68.0% with 2FA, 37.4% with unused recovery codes (the configured prior).',
    );
  });

  it.each([300, 10_000])('finds no paying guess on the demo directory npm start loads (%i accounts)', (count) => {
    const parsed = parseDirectoryFile(JSON.stringify(generateDirectory(count, 1)));
    if (!parsed.ok) throw new Error('the demo directory did not validate');
    const check = checkGuessing(countSecondFactors(parsed.accounts.map(accountRecordOf)), C);
    expect(check.shares.version).toMatch(/^d\d+-/);
    expect(check.paying).toEqual([]);
  });
});
