import { assess } from '../assess.js';
import { configuredShares, DEFAULT_SCORING_CONFIG as C } from '../scoring.config.js';
import { NOW, account, project, ticket } from '../scoring.fixtures.js';
import type { TicketEvidence } from '../scoring.types.js';
import { linkedIdentityProofRule, linkedIdentityProven } from './linked-identity-proof.rule.js';

const LINKED = 583231;
const input = (over: Partial<TicketEvidence> = {}, a = account({ linkedGithubId: LINKED })) => ({
  ticket: ticket(over),
  account: a,
  config: C,
  now: NOW,
  shares: configuredShares(C),
});

describe('linkedIdentityProofRule', () => {
  it('is proof, worth as much as a repository token, when the numeric id is the linked one', () => {
    const i = input({ linkedGithubProven: { githubId: LINKED } });
    expect(linkedIdentityProven(i)).toBe(true);
    expect(linkedIdentityProofRule(i).signals).toEqual([
      expect.objectContaining({ rule: 'linked_identity_proof', kind: 'proof', effect: C.weights.repoChallengePassed }),
    ]);
  });

  it('counts nothing for another id, nor where the directory links none (a login alone is never compared)', () => {
    const other = linkedIdentityProofRule(input({ linkedGithubProven: { githubId: LINKED + 1 } })).signals;
    expect(other).toEqual([expect.objectContaining({ kind: 'info', effect: 0, reason: expect.stringContaining('not the linked one') })]);
    const none = linkedIdentityProofRule(input({ linkedGithubProven: { githubId: LINKED } }, account({ linkedGithub: 'alice-gh', linkedGithubId: null })));
    expect(none.signals).toEqual([expect.objectContaining({ kind: 'info', effect: 0, reason: expect.stringContaining('names no linked GitHub id') })]);
    expect(linkedIdentityProven(input({ linkedGithubProven: { githubId: LINKED } }, account()))).toBe(false);
  });

  it('says nothing without a sign-in', () => {
    expect(linkedIdentityProofRule(input()).signals).toEqual([]);
  });

  it('does not add to a github.com repository proof: one GitHub account gives both', () => {
    const a = account({ linkedGithubId: LINKED, projects: [project('fancy-lib', { repositoryKey: 'github.com/alice-gh/fancy-lib' })] });
    const both = input({ linkedGithubProven: { githubId: LINKED }, repoChallengePassed: { project: 'fancy-lib' } }, a);
    expect(linkedIdentityProofRule(both).signals).toEqual([
      expect.objectContaining({ kind: 'info', effect: 0, reason: expect.stringContaining('same GitHub account') }),
    ]);
    // A repository elsewhere (GitLab) is another channel: both count.
    const gitlab = account({ linkedGithubId: LINKED, projects: [project('fancy-lib', { repositoryKey: 'gitlab.com/alice/fancy-lib' })] });
    expect(
      linkedIdentityProofRule(input({ linkedGithubProven: { githubId: LINKED }, repoChallengePassed: { project: 'fancy-lib' } }, gitlab)).signals[0],
    ).toMatchObject({
      kind: 'proof',
      effect: C.weights.linkedGithubProven,
    });
  });
});

describe('the linked GitHub identity in the assessment', () => {
  it('alone does not approve: a proof of control, but it needs more, as a repository token does', () => {
    const a = assess(ticket({ linkedGithubProven: { githubId: LINKED } }), account({ linkedGithubId: LINKED }), NOW);
    expect(a.signals.some((s) => s.rule === 'linked_identity_proof' && s.kind === 'proof')).toBe(true);
    expect(a.recommendation).not.toBe('approve');
    expect(a.nistAal2Satisfied).toBe(false);
  });

  it('with an e-mail code on file reaches approval; a github.com repository proof and the identity together do not', () => {
    const withCode = assess(
      ticket({ linkedGithubProven: { githubId: LINKED }, emailChallengePassed: { address: 'alice.private@mail.example' } }),
      account({ linkedGithubId: LINKED }),
      NOW,
    );
    expect(withCode.recommendation).toBe('approve');
    const a = account({ linkedGithubId: LINKED, projects: [project('fancy-lib', { repositoryKey: 'github.com/alice-gh/fancy-lib' })] });
    const githubOnly = assess(ticket({ linkedGithubProven: { githubId: LINKED }, repoChallengePassed: { project: 'fancy-lib' } }), a, NOW);
    expect(githubOnly.recommendation).not.toBe('approve');
  });
});
