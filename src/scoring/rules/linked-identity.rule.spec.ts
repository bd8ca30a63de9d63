import { configuredShares, DEFAULT_SCORING_CONFIG as C } from '../scoring.config.js';
import { NOW, account, ticket } from '../scoring.fixtures.js';
import { linkedIdentityRule } from './linked-identity.rule.js';

const run = (details: string, a = account()) =>
  linkedIdentityRule({ ticket: ticket({ claims: { details } }), account: a, config: C, now: NOW, shares: configuredShares(C) });

describe('linkedIdentityRule', () => {
  it('notes a named linked identity as public knowledge worth nothing by default', () => {
    expect(run('my GitHub is Alice-GH, see there').signals).toEqual([expect.objectContaining({ kind: 'public', effect: 0 })]);
  });

  it('does not match a longer handle', () => {
    expect(run('I am alice-gh2').signals).toEqual([]);
  });

  it('says nothing without a linked identity', () => {
    expect(run('alice-gh', account({ linkedGithub: null })).signals).toEqual([]);
  });
});
