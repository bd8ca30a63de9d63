import { configuredShares, DEFAULT_SCORING_CONFIG as C } from '../scoring.config.js';
import { NOW, account, email, ticket } from '../scoring.fixtures.js';
import { emailChallengeCounts, emailChallengeRule } from './email-challenge.rule.js';

const input = (address: string, a = account(), config = C) => ({
  ticket: ticket({ emailChallengePassed: { address } }),
  account: a,
  config,
  now: NOW,
  shares: configuredShares(C),
});

describe('emailChallengeRule', () => {
  it('says nothing without a challenge', () => {
    expect(emailChallengeRule({ ticket: ticket(), account: account(), config: C, now: NOW, shares: configuredShares(C) }).signals).toEqual([]);
  });

  it('is proof for a current verified address on file (public or not)', () => {
    for (const address of ['Alice.Private@mail.example', 'alice@public.example']) {
      expect(emailChallengeCounts(input(address))).toBe(true);
      expect(emailChallengeRule(input(address)).signals).toEqual([expect.objectContaining({ kind: 'proof', effect: C.weights.emailChallengePassed })]);
    }
  });

  it.each([
    ['not on file', 'stranger@else.example', account()],
    ['removed from', 'old-alice@work.example', account()],
    ['not verified', 'u@x.example', account({ emails: [email('u@x.example', { verified: false })] })],
  ])('does not count an address that is %s', (why, address, a) => {
    expect(emailChallengeCounts(input(address, a))).toBe(false);
    const r = emailChallengeRule(input(address, a));
    expect(r.signals).toEqual([expect.objectContaining({ kind: 'info', effect: 0 })]);
    expect(r.signals[0].reason).toContain(why);
  });

  it('does not count, and flags, an address on an expired domain', () => {
    const config = { ...C, expiredDomains: ['mail.example'] };
    expect(emailChallengeCounts(input('alice.private@mail.example', account(), config))).toBe(false);
    expect(emailChallengeRule(input('alice.private@mail.example', account(), config)).riskFlags).toEqual(['expired_domain']);
  });
});
