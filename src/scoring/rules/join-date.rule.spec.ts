import { configuredShares, DEFAULT_SCORING_CONFIG as C } from '../scoring.config.js';
import { NOW, account, ticket } from '../scoring.fixtures.js';
import { joinDateRule } from './join-date.rule.js';

// The fixture account joined 2018-06.
const run = (joinedApprox: string | null) =>
  joinDateRule({ ticket: ticket({ claims: { joinedApprox } }), account: account(), config: C, now: NOW, shares: configuredShares(C) });

describe('joinDateRule', () => {
  it.each(['2018', '2018-06'])('counts an exact %s as public knowledge', (claim) => {
    expect(run(claim).signals).toEqual([expect.objectContaining({ kind: 'public', effect: C.weights.joinDateKnown })]);
  });

  it.each(['2018-04', '2019', '2017', '2019-05'])('is neutral on a near miss %s', (claim) => {
    expect(run(claim).signals).toEqual([expect.objectContaining({ kind: 'info', effect: 0 })]);
  });

  it.each(['2015', '2021-01', '2019-07'])('calls %s a contradiction', (claim) => {
    expect(run(claim).signals).toEqual([expect.objectContaining({ kind: 'contradiction', effect: -C.weights.contradiction })]);
  });

  it.each([null, '', 'last year', '2018-13'])('ignores a missing or malformed claim (%s)', (claim) => {
    expect(run(claim).signals).toEqual([]);
  });
});
