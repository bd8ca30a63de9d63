import { describeShares, MIN_ACCOUNTS_FOR_SHARES, priorShares, sharesOf } from './directory-shares.js';

const prior = priorShares({ secondFactor: 0.68, recoveryCodesWithSecondFactor: 0.55 });

describe('directory shares', () => {
  it("are the directory's own, rounded to a tenth of a percent and named by a version the counts decide", () => {
    const shares = sharesOf({ accounts: 1000, withSecondFactor: 931, withRecoveryCodes: 605 }, prior);
    expect(shares).toEqual({ version: 'd1000-2fa931-rc605', accounts: 1000, secondFactor: 0.931, recoveryCodes: 0.605 });
    expect(sharesOf({ accounts: 1000, withSecondFactor: 931, withRecoveryCodes: 605 }, prior)).toEqual(shares);
    expect(describeShares(shares)).toBe('93.1% with 2FA, 60.5% with unused recovery codes (1,000 accounts)');
  });

  it('fall back to the prior for a directory too small to say', () => {
    expect(sharesOf({ accounts: MIN_ACCOUNTS_FOR_SHARES - 1, withSecondFactor: 0, withRecoveryCodes: 0 }, prior)).toBe(prior);
    expect(prior).toMatchObject({ version: 'prior', secondFactor: 0.68 });
    expect(prior.recoveryCodes).toBeCloseTo(0.374, 12);
    expect(describeShares(prior)).toBe('68.0% with 2FA, 37.4% with unused recovery codes (the configured prior)');
  });
});
