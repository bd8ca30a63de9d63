import { configuredShares, DEFAULT_SCORING_CONFIG as C } from '../scoring.config.js';
import { NOW, account, project, ticket } from '../scoring.fixtures.js';
import { repoChallengeCounts, repoChallengeRule } from './repo-challenge.rule.js';

const input = (name: string, a = account(), submittedAt?: Date) => ({
  ticket: ticket({ repoChallengePassed: { project: name }, ...(submittedAt ? { submittedAt } : {}) }),
  account: a,
  config: C,
  now: NOW,
  shares: configuredShares(C),
});

describe('repoChallengeRule', () => {
  it("is proof for one of the account's projects released before the request", () => {
    expect(repoChallengeCounts(input('fancy.lib'))).toBe(true);
    expect(repoChallengeRule(input('fancy.lib')).signals).toEqual([expect.objectContaining({ kind: 'proof', effect: C.weights.repoChallengePassed })]);
  });

  it("does not count a project that is not the account's", () => {
    expect(repoChallengeCounts(input('requests'))).toBe(false);
    expect(repoChallengeRule(input('requests')).signals[0]).toMatchObject({ kind: 'info', effect: 0 });
  });

  it('does not count a project never released, or released after the request', () => {
    const a = account({ projects: [project('fresh', { firstReleaseAt: new Date('2026-11-20Z') }), project('unreleased', { firstReleaseAt: null })] });
    expect(repoChallengeCounts(input('fresh', a))).toBe(true);
    expect(repoChallengeCounts(input('fresh', a, new Date('2026-11-10Z')))).toBe(false);
    expect(repoChallengeCounts(input('unreleased', a))).toBe(false);
    expect(repoChallengeRule(input('unreleased', a)).signals[0].reason).toContain('not released');
  });

  it('counts a passed trusted-publisher check as much as a repository challenge, and says which it was', () => {
    const viaPublisher = { ...input('fancy.lib'), ticket: ticket({ repoChallengePassed: { project: 'fancy.lib', via: 'trusted_publisher' } }) };
    expect(repoChallengeCounts(viaPublisher)).toBe(true);
    const [signal] = repoChallengeRule(viaPublisher).signals;
    expect(signal).toMatchObject({ kind: 'proof', effect: C.weights.repoChallengePassed });
    expect(signal.reason).toContain('trusted publisher of fancy-lib');
    const notOwned = { ...input('requests'), ticket: ticket({ repoChallengePassed: { project: 'requests', via: 'trusted_publisher' } }) };
    expect(repoChallengeRule(notOwned).signals[0]).toMatchObject({
      kind: 'info',
      effect: 0,
      reason: expect.stringContaining('trusted-publisher check on requests'),
    });
  });

  it('says nothing without a challenge', () => {
    expect(repoChallengeRule({ ticket: ticket(), account: account(), config: C, now: NOW, shares: configuredShares(C) }).signals).toEqual([]);
  });
});
