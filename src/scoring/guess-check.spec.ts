import { generateDirectory } from '../directory/demo-directory.js';
import { parseDirectoryFile } from '../directory/directory-file.js';
import { checkGuessing, countSecondFactors } from './guess-check.js';
import { accountRecordOf } from '../cli/score/directory-record.js';
import { DEFAULT_SCORING_CONFIG as C } from './scoring.config.js';

describe('checkGuessing', () => {
  it('finds no paying guess at the shares the weights were set for, and says so', () => {
    const check = checkGuessing({ accounts: 1000, withSecondFactor: 680, withRecoveryCodes: 374 }, C);
    expect(check.shares).toEqual({ secondFactor: 0.68, recoveryCodesWithSecondFactor: 0.55 });
    expect(check.paying).toEqual([]);
    expect(check.lines).toEqual([
      'Directory: 68.0% of 1,000 accounts have 2FA (the evidence rules assume 68.0%); 55.0% of those have unused recovery codes (assumed 55.0%).',
      'At these shares every blind yes/no guess loses points on average, as the evidence rules intend.',
    ]);
  });

  it('warns, naming each guess that pays, where nearly every account has 2FA and codes', () => {
    // PyPI requires 2FA of nearly everyone: a blind "yes" is then right nearly always.
    const check = checkGuessing({ accounts: 100, withSecondFactor: 98, withRecoveryCodes: 80 }, C);
    expect(check.paying.map((p) => p.guess)).toEqual(expect.arrayContaining(['2FA "yes"', 'recovery codes "yes"']));
    expect(check.paying.every((p) => p.gain >= 0)).toBe(true);
    expect(check.lines[1]).toMatch(/^Warning: at these shares a blind guess earns points on average \(2FA "yes" \+\d+\.\d\d.*guessBaseRates/);
  });

  it('handles a directory without 2FA and an empty one', () => {
    expect(checkGuessing({ accounts: 10, withSecondFactor: 0, withRecoveryCodes: 0 }, C).shares).toEqual({ secondFactor: 0, recoveryCodesWithSecondFactor: 0 });
    expect(checkGuessing({ accounts: 0, withSecondFactor: 0, withRecoveryCodes: 0 }, C)).toMatchObject({ shares: null, paying: [] });
  });

  it.each([300, 10_000])('finds no paying guess on the demo directory npm start loads (%i accounts)', (count) => {
    const parsed = parseDirectoryFile(JSON.stringify(generateDirectory(count, 1)));
    if (!parsed.ok) throw new Error('the demo directory did not validate');
    const check = checkGuessing(countSecondFactors(parsed.accounts.map(accountRecordOf)), C);
    expect(check.shares).not.toBeNull();
    expect(check.paying).toEqual([]);
  });
});
