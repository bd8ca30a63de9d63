import { CAMPAIGN_AIMS, failedAims, runEvaluation } from './fixtures/eval-campaigns.js';

// The campaign detector's evaluation (npm run eval:campaigns) on two fixed seeds: a campaign hidden in
// two weeks and a day of ordinary requests, in three styles (test/fixtures/campaign-traffic.ts).
describe('campaign detector on generated traffic', () => {
  const results = runEvaluation([1, 2], 300, 14);

  it('meets its aims: the blatant and the subtle campaign caught, few ordinary requests flagged', () => {
    expect(results.flatMap(failedAims)).toEqual([]);
    expect(results.filter((r) => r.style === 'blatant').every((r) => r.catchRate >= CAMPAIGN_AIMS.minCatch.blatant)).toBe(true);
  });

  it('catches nothing of a campaign with nothing shared (the limit docs/evidence.md states)', () => {
    expect(results.filter((r) => r.style === 'dispersed').map((r) => r.caught)).toEqual([0, 0]);
  });
});
