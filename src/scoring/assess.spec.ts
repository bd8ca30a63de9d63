import fc from 'fast-check';
import { assess, bandFor, contradictionEscalation } from './assess.js';
import { NOW, account, email, project, ticket } from './scoring.fixtures.js';
import type { TicketOverrides } from './scoring.fixtures.js';
import type { TicketEvidence } from './scoring.types.js';
import { answerWeightsAt, DEFAULT_SCORING_CONFIG as C } from './scoring.config.js';
import type { ScoringConfig } from './scoring.config.js';
import type { AccountRecord } from './account-record.js';

const W = answerWeightsAt(C);

const PRIVATE = 'alice.private@mail.example';

describe('assess', () => {
  it('denies, with score 0, a ticket for no such account', () => {
    const a = assess(ticket({ competingRequests: true }), null, NOW);
    expect(a).toMatchObject({ score: 0, band: 'insufficient', recommendation: 'deny', nistAal2Satisfied: false, ruleVersion: C.ruleVersion });
    expect(a.riskFlags).toEqual(['competing_requests', 'no_such_account']);
  });

  it('keeps the rule version of the config', () => {
    expect(assess(ticket(), account(), NOW, { ...C, ruleVersion: 'test.1' }).ruleVersion).toBe('test.1');
  });

  it('asks for more when nothing is known, at the neutral score, shown as a signal', () => {
    const a = assess(ticket({ requestType: 'forgot_password' }), account(), NOW);
    expect(a).toMatchObject({ score: C.neutralScore, band: 'insufficient', recommendation: 'request_info' });
    expect(a.signals[0]).toMatchObject({ rule: 'baseline', effect: C.neutralScore, kind: 'info' });
  });

  it('scores a ticket with wrong claims below one that says nothing', () => {
    const wrong = assess(ticket({ requestType: 'forgot_password', claims: { projects: ['nope'] } }), account(), NOW);
    expect(wrong.score).toBe(C.neutralScore - C.weights.contradiction);
    expect(wrong.score).toBeLessThan(assess(ticket({ requestType: 'forgot_password' }), account(), NOW).score);
  });

  it('gives public facts, however complete, nothing', () => {
    const a = assess(
      ticket({
        requestType: 'forgot_password',
        claims: { previousEmails: ['alice@public.example'], projects: ['fancy-lib', 'other-tool'], joinedApprox: '2018-06', details: 'my GitHub is alice-gh' },
      }),
      account(),
      NOW,
    );
    expect(a.score).toBe(C.neutralScore);
    expect(a.signals.filter((s) => s.kind === 'public')).toHaveLength(5);
  });

  it('approves a genuine owner who passed the e-mail challenge and knows another non-public fact', () => {
    const a = assess(
      ticket({
        contactEmail: PRIVATE,
        emailChallengePassed: { address: PRIVATE },
        claims: { has2fa: 'yes', previousEmails: ['old-alice@work.example'] },
      }),
      account(),
      NOW,
    );
    expect(a.recommendation).toBe('approve');
    expect(a.band).toBe('strong');
    expect(a.score).toBe(Math.round(C.neutralScore + C.weights.emailChallengePassed + C.weights.removedEmailKnown + W.twoFactor.rightYes));
    expect(a.nistAal2Satisfied).toBe(false);
  });

  it('does not approve on an e-mail code alone: knowing the address it went to is not a second fact', () => {
    const a = assess(ticket({ contactEmail: PRIVATE, emailChallengePassed: { address: PRIVATE }, claims: { previousEmails: [PRIVATE] } }), account(), NOW);
    // lost_2fa implies a second factor, which Alice has
    expect(a.score).toBe(Math.round(C.neutralScore + C.weights.emailChallengePassed + W.twoFactor.rightYes));
    expect(a.recommendation).toBe('request_info');
  });

  it('does not approve on a challenge passed at a public address with nothing else', () => {
    const a = assess(ticket({ emailChallengePassed: { address: 'alice@public.example' } }), account(), NOW);
    expect(a.recommendation).toBe('request_info');
  });

  it('does not count a challenge passed at an address not on file', () => {
    const a = assess(ticket({ emailChallengePassed: { address: 'me@evil.example' }, claims: { previousEmails: [PRIVATE] } }), account(), NOW);
    expect(a.recommendation).not.toBe('approve');
    expect(a.score).toBe(Math.round(C.neutralScore + C.weights.privateEmailKnown + W.twoFactor.rightYes));
  });

  it('caps knowledge without proof below the approval threshold, and says so', () => {
    const a = assess(
      ticket({
        contactEmail: PRIVATE,
        claims: {
          previousEmails: ['old-alice@work.example', 'alice@public.example', 'second@mail.example', 'third@mail.example'],
          projects: ['fancy-lib', 'other-tool'],
          joinedApprox: '2018-06',
          has2fa: 'yes',
          hasRecoveryCodes: 'no',
        },
      }),
      account({ emails: [...account().emails, email('second@mail.example'), email('third@mail.example')] }),
      NOW,
      {
        ...C,
        weights: { ...C.weights, privateEmailCap: 200 },
      },
    );
    expect(a.score).toBe(C.recommendation.knowledgeOnlyCap);
    expect(a.score).toBeLessThan(C.recommendation.approveAt);
    expect(a.recommendation).toBe('request_info');
    expect(a.signals.at(-1)).toMatchObject({ rule: 'knowledge_cap' });
  });

  it('keeps the cap below approval even if the config sets it higher', () => {
    const config: ScoringConfig = {
      ...C,
      weights: { ...C.weights, contactOnFile: 500 },
      recommendation: { ...C.recommendation, knowledgeOnlyCap: 150 },
    };
    const a = assess(ticket({ contactEmail: PRIVATE }), account(), NOW, config);
    expect(a.score).toBe(C.recommendation.approveAt - 1);
    expect(a.recommendation).not.toBe('approve');
  });

  it('makes many wrong claims cost more than proportionally, and denies', () => {
    expect(contradictionEscalation(1)).toBe(0);
    const wrong = (n: number) => ticket({ claims: { projects: Array.from({ length: n }, (_, i) => `nope-${i}`) } });
    const against = (n: number) =>
      assess(wrong(n), account(), NOW)
        .signals.filter((s) => s.effect < 0)
        .reduce((s, x) => s + x.effect, 0);
    expect(against(4)).toBeLessThan(2 * against(2));
    expect(against(2)).toBe(-(2 * C.weights.contradiction + contradictionEscalation(2)));
    expect(assess(wrong(3), account(), NOW).recommendation).toBe('deny');
    expect(assess(wrong(3), account(), NOW).signals.at(-1)).toMatchObject({ rule: 'contradictions' });
  });

  it('does not deny a genuine owner for one slip among correct private facts', () => {
    const a = assess(ticket({ contactEmail: PRIVATE, claims: { projects: ['typo-lib'] } }), account(), NOW);
    expect(a.recommendation).toBe('request_info');
  });

  it('never denies outright when control is proven, however confused the claims', () => {
    const a = assess(ticket({ emailChallengePassed: { address: PRIVATE }, claims: { projects: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] } }), account(), NOW);
    expect(a.score).toBe(0);
    expect(a.recommendation).toBe('request_info');
  });

  it('clamps to 100', () => {
    const a = assess(
      ticket({ contactEmail: PRIVATE, emailChallengePassed: { address: PRIVATE }, repoChallengePassed: { project: 'fancy-lib' } }),
      account(),
      NOW,
    );
    expect(a.score).toBe(100);
  });

  describe('NIST AAL2 (docs/security.md #5)', () => {
    const both = { emailChallengePassed: { address: PRIVATE }, repoChallengePassed: { project: 'Fancy_Lib' } };
    it('is satisfied by e-mail control of a verified address plus a repository proof', () => {
      expect(assess(ticket(both), account(), NOW).nistAal2Satisfied).toBe(true);
    });
    it.each<[string, TicketOverrides, AccountRecord, ScoringConfig]>([
      ['e-mail only', { emailChallengePassed: { address: PRIVATE } }, account(), C],
      ['repository only', { repoChallengePassed: { project: 'fancy-lib' } }, account(), C],
      ['e-mail at a removed address', { ...both, emailChallengePassed: { address: 'old-alice@work.example' } }, account(), C],
      ['e-mail at an unverified address', both, account({ emails: [email(PRIVATE, { verified: false })] }), C],
      ['e-mail on an expired domain', both, account(), { ...C, expiredDomains: ['mail.example'] }],
      ['repository of another project', { ...both, repoChallengePassed: { project: 'requests' } }, account(), C],
    ])('is not satisfied by %s', (_, t, a, config) => {
      expect(assess(ticket(t), a, NOW, config).nistAal2Satisfied).toBe(false);
    });
  });

  it('asks for a second moderator on a high-value account, still approving with proof', () => {
    const a = assess(
      ticket({ contactEmail: PRIVATE, emailChallengePassed: { address: PRIVATE }, claims: { previousEmails: ['old-alice@work.example'] } }),
      account({ projects: [project('huge', { monthlyDownloads: 50_000_000 })] }),
      NOW,
    );
    expect(a.recommendation).toBe('approve');
    expect(a.riskFlags).toEqual(['high_value_account', 'second_moderator_required']);
  });

  it('asks for a second moderator on competing requests', () => {
    expect(assess(ticket({ competingRequests: true }), account(), NOW).riskFlags).toEqual(['competing_requests', 'second_moderator_required']);
  });

  it('excludes an address on an expired domain from the evidence and flags it', () => {
    const config = { ...C, expiredDomains: ['mail.example'] };
    const a = assess(ticket({ requestType: 'forgot_password', contactEmail: PRIVATE, emailChallengePassed: { address: PRIVATE } }), account(), NOW, config);
    expect(a.score).toBe(C.neutralScore);
    expect(a.recommendation).not.toBe('approve');
    expect(a.riskFlags).toContain('expired_domain');
  });

  it('is pure: same output for the same input, inputs untouched', () => {
    const t = ticket({ contactEmail: PRIVATE, claims: { projects: ['x'] } });
    const acc = account();
    const before = JSON.stringify([t, acc]);
    expect(assess(t, acc, NOW)).toEqual(assess(t, acc, NOW));
    expect(JSON.stringify([t, acc])).toBe(before);
  });

  it('puts each score in the right band', () => {
    expect([0, 29, 30, 49, 50, 74, 75, 100].map((s) => bandFor(s))).toEqual([
      'insufficient',
      'insufficient',
      'weak',
      'weak',
      'moderate',
      'moderate',
      'strong',
      'strong',
    ]);
  });
});

// ---- properties ---------------------------------------------------------------------------------

const DOMAINS = ['mail.example', 'work.example', 'public.example', 'mailinator.com'];
const local = fc.stringMatching(/^[a-z][a-z0-9.]{0,8}$/);
const addressArb = fc.tuple(local, fc.constantFrom(...DOMAINS)).map(([l, d]) => `${l}@${d}`);
const dateArb = fc.date({ min: new Date('2005-01-01Z'), max: new Date('2026-11-24Z'), noInvalidDate: true });
const projectNameArb = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}[a-z0-9]$/);

const accountArb: fc.Arbitrary<AccountRecord> = fc.record({
  username: fc.constant('someone'),
  joinedAt: dateArb,
  totp: fc.boolean(),
  webauthnKeys: fc.nat(3),
  recoveryCodesUnused: fc.nat(10),
  linkedGithub: fc.option(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/)),
  linkedGithubId: fc.option(fc.integer({ min: 1, max: 300_000_000 })),
  emails: fc.array(
    fc.record({
      address: addressArb,
      verified: fc.boolean(),
      primary: fc.boolean(),
      public: fc.boolean(),
      addedAt: dateArb,
      removedAt: fc.option(dateArb),
    }),
    { maxLength: 6 },
  ),
  projects: fc.array(
    fc.record({
      name: projectNameArb,
      role: fc.constantFrom('Owner' as const, 'Maintainer' as const),
      monthlyDownloads: fc.nat(5_000_000),
      firstReleaseAt: fc.option(dateArb),
    }),
    { maxLength: 6 },
  ),
});

const triArb = fc.constantFrom('yes' as const, 'no' as const, 'unknown' as const);

/** Anything the requester may know or guess, but no passed challenge. */
function knowledgeOnlyTicket(acc: AccountRecord): fc.Arbitrary<TicketEvidence> {
  const known = acc.emails.map((e) => e.address);
  const anyAddress = known.length ? fc.oneof(fc.constantFrom(...known), addressArb) : addressArb;
  const anyProject = acc.projects.length ? fc.oneof(fc.constantFrom(...acc.projects.map((p) => p.name)), projectNameArb) : projectNameArb;
  return fc.record({
    contactEmail: anyAddress,
    requestType: fc.constantFrom('forgot_password' as const, 'lost_2fa' as const, 'lost_email_access' as const),
    competingRequests: fc.boolean(),
    claims: fc.record({
      previousEmails: fc.array(anyAddress, { maxLength: 8 }),
      projects: fc.array(anyProject, { maxLength: 8 }),
      joinedApprox: fc.option(
        fc.oneof(
          fc.integer({ min: 2005, max: 2026 }).map(String),
          dateArb.map((d) => d.toISOString().slice(0, 7)),
        ),
      ),
      has2fa: triArb,
      hasRecoveryCodes: triArb,
      details: fc.string({ maxLength: 40 }),
    }),
  });
}

const weightsArb = fc.record({
  projectKnown: fc.nat(30),
  projectKnownCap: fc.nat(60),
  joinDateKnown: fc.nat(30),
  linkedIdentityKnown: fc.nat(30),
  publicEmailKnown: fc.nat(30),
  publicEmailCap: fc.nat(60),
  privateEmailKnown: fc.nat(80),
  removedEmailKnown: fc.nat(80),
  unverifiedEmailKnown: fc.nat(80),
  privateEmailCap: fc.nat(200),
  emailChallengePassed: fc.nat(100),
  repoChallengePassed: fc.nat(100),
  linkedGithubProven: fc.nat(100),
  contradiction: fc.nat(20),
  contradictionEscalation: fc.nat(10),
  corroboratedEmails: fc.nat(40),
  disposableContact: fc.nat(40),
  contactOnFile: fc.nat(60),
});
const configArb: fc.Arbitrary<ScoringConfig> = fc.oneof(
  fc.constant(C),
  fc
    .tuple(
      weightsArb,
      fc.nat(40),
      fc.integer({ min: 1, max: 40 }),
      fc.double({ min: 0.5, max: 0.99, noNaN: true }),
      fc.double({ min: 0.5, max: 0.99, noNaN: true }),
    )
    .map(([weights, neutralScore, pointsPerNat, secondFactor, recoveryCodes]) => ({
      ...C,
      weights,
      neutralScore,
      pointsPerNat,
      ownerAnswerPriors: { secondFactor, recoveryCodes },
    })),
);

describe('assess properties', () => {
  it('never approves, nor reaches the approval threshold, on knowledge-only evidence (docs/security.md #4)', () => {
    fc.assert(
      fc.property(
        accountArb.chain((acc) => fc.tuple(fc.constant(acc), knowledgeOnlyTicket(acc))),
        configArb,
        ([acc, t], config) => {
          const a = assess(t, acc, NOW, config);
          expect(a.recommendation).not.toBe('approve');
          expect(a.score).toBeLessThan(config.recommendation.approveAt);
          expect(a.nistAal2Satisfied).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("never approves on challenges that do not prove control (address or project not the account's)", () => {
    fc.assert(
      fc.property(
        accountArb.chain((acc) => fc.tuple(fc.constant(acc), knowledgeOnlyTicket(acc))),
        fc.emailAddress(),
        projectNameArb,
        ([acc, t], foreign, repo) => {
          fc.pre(!acc.emails.some((e) => e.address.toLowerCase() === foreign.toLowerCase()));
          fc.pre(!acc.projects.some((p) => p.name.replace(/[-_.]+/g, '-') === repo.replace(/[-_.]+/g, '-')));
          const a = assess({ ...t, emailChallengePassed: { address: foreign }, repoChallengePassed: { project: repo } }, acc, NOW);
          expect(a.recommendation).not.toBe('approve');
          // A GitHub sign-in to any account but the linked id (or to any account, where none is linked) is no proof either.
          const githubId = (acc.linkedGithubId ?? 0) + 1 + (acc.username.length % 7);
          const b = assess({ ...t, emailChallengePassed: { address: foreign }, linkedGithubProven: { githubId } }, acc, NOW);
          expect(b.recommendation).not.toBe('approve');
          expect(b.signals.filter((s) => s.kind === 'proof' && s.effect > 0)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps an impostor who claims exactly the public facts in the weak or insufficient band', () => {
    fc.assert(
      fc.property(accountArb, fc.boolean(), fc.boolean(), (acc, monthPrecision, contactPublic) => {
        const publicAddresses = acc.emails.filter((e) => e.public).map((e) => e.address);
        const t: TicketEvidence = {
          contactEmail: contactPublic && publicAddresses.length ? publicAddresses[0] : 'impostor@attacker.example',
          requestType: 'lost_2fa',
          competingRequests: false,
          claims: {
            previousEmails: publicAddresses,
            projects: acc.projects.map((p) => p.name),
            joinedApprox: acc.joinedAt.toISOString().slice(0, monthPrecision ? 7 : 4),
            has2fa: 'unknown',
            hasRecoveryCodes: 'unknown',
            details: `I am ${acc.username}; my GitHub is ${acc.linkedGithub ?? 'none'}`,
          },
        };
        const a = assess(t, acc, NOW);
        expect(['weak', 'insufficient']).toContain(a.band);
        expect(a.recommendation).not.toBe('approve');
      }),
      { numRuns: 500 },
    );
  });

  it('always gives an integer score in 0–100 whose band matches', () => {
    fc.assert(
      fc.property(
        accountArb.chain((acc) => fc.tuple(fc.constant(acc), knowledgeOnlyTicket(acc))),
        fc.boolean(),
        fc.boolean(),
        ([acc, t], withEmail, withRepo) => {
          const proofs = {
            ...(withEmail && acc.emails.length ? { emailChallengePassed: { address: acc.emails[0].address } } : {}),
            ...(withRepo && acc.projects.length ? { repoChallengePassed: { project: acc.projects[0].name } } : {}),
          };
          const a = assess({ ...t, ...proofs }, acc, NOW);
          expect(Number.isInteger(a.score)).toBe(true);
          expect(a.score).toBeGreaterThanOrEqual(0);
          expect(a.score).toBeLessThanOrEqual(100);
          expect(a.band).toBe(bandFor(a.score));
        },
      ),
      { numRuns: 300 },
    );
  });
});
