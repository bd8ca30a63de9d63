import { answerWeightsAt, blindGuessGains, configuredShares, DEFAULT_SCORING_CONFIG as C } from '../scoring.config.js';
import { sharesOf } from '../directory-shares.js';
import { NOW, account, ticket } from '../scoring.fixtures.js';
import { secondFactorRule } from './second-factor.rule.js';
import type { TriState } from '../../tickets/ticket.types.js';

const run = (has2fa: TriState, hasRecoveryCodes: TriState, a = account()) =>
  secondFactorRule({
    ticket: ticket({ requestType: 'forgot_password', claims: { has2fa, hasRecoveryCodes } }),
    account: a,
    config: C,
    now: NOW,
    shares: configuredShares(C),
  });
const { twoFactor: tfa, recoveryCodes: codes } = answerWeightsAt(C);

describe('secondFactorRule', () => {
  it('costs nothing when both are unknown', () => {
    expect(run('unknown', 'unknown').signals).toEqual([]);
  });

  it('gives a right 2FA answer the points of what it claimed (TOTP or WebAuthn count as 2FA)', () => {
    expect(run('yes', 'unknown').signals).toEqual([expect.objectContaining({ rule: 'two_factor_state', kind: 'private', effect: tfa.rightYes })]);
    const keysOnly = account({ totp: false, webauthnKeys: 2 });
    expect(run('yes', 'unknown', keysOnly).signals[0]).toMatchObject({ kind: 'private', effect: tfa.rightYes });
    expect(run('no', 'unknown', account({ totp: false })).signals[0]).toMatchObject({
      kind: 'private',
      effect: tfa.rightNo,
      reason: '2FA state "no": matches (a blind "no" is right for 32% of accounts)',
    });
    expect(run('yes', 'unknown').signals[0]).toMatchObject({ reason: '2FA state "yes": matches (a blind "yes" is right for 68% of accounts)' });
  });

  it('calls a wrong 2FA state a contradiction, costed by what it claimed', () => {
    expect(run('no', 'unknown').signals).toEqual([expect.objectContaining({ kind: 'contradiction', effect: -tfa.wrongNo })]);
    expect(run('yes', 'unknown', account({ totp: false })).signals).toEqual([expect.objectContaining({ kind: 'contradiction', effect: -tfa.wrongYes })]);
  });

  it('reads a request to recover a lost second factor as claiming one, unless the claim says otherwise', () => {
    const lost = (requestType: 'lost_2fa' | 'lost_recovery_codes' | 'forgot_password', a = account(), has2fa: TriState = 'unknown') =>
      secondFactorRule({ ticket: ticket({ requestType, claims: { has2fa } }), account: a, config: C, now: NOW, shares: configuredShares(C) }).signals;
    expect(lost('lost_2fa')).toEqual([expect.objectContaining({ kind: 'private', effect: tfa.rightYes, reason: expect.stringContaining('implies 2FA') })]);
    expect(lost('lost_recovery_codes', account({ totp: false }))).toEqual([expect.objectContaining({ kind: 'contradiction', effect: -tfa.wrongYes })]);
    expect(lost('forgot_password')).toEqual([]);
    expect(lost('lost_2fa', account({ totp: false }), 'no')).toEqual([
      expect.objectContaining({ kind: 'private', effect: tfa.rightNo, reason: expect.stringMatching(/^2FA state "no": matches/) }),
    ]);
  });

  it('checks the recovery-code state, costed by what it claimed', () => {
    expect(run('unknown', 'no').signals[0]).toMatchObject({ rule: 'recovery_code_state', kind: 'private', effect: codes.rightNo });
    expect(run('unknown', 'yes').signals[0]).toMatchObject({ kind: 'contradiction', effect: -codes.wrongYes });
    expect(run('unknown', 'yes', account({ recoveryCodesUnused: 3 })).signals[0]).toMatchObject({
      kind: 'private',
      effect: codes.rightYes,
      reason: 'recovery-code state "yes": matches (a blind "yes" is right for 37% of accounts)',
    });
    expect(run('unknown', 'no', account({ recoveryCodesUnused: 3 })).signals[0]).toMatchObject({ kind: 'contradiction', effect: -codes.wrongNo });
  });
});

describe('answer weights (the principles in scoring.config.ts)', () => {
  it('make every blind guess lose on average at the configured shares, "yes" or "no"', () => {
    for (const [guess, gain] of Object.entries(blindGuessGains(C))) {
      expect([guess, gain < 0]).toEqual([guess, true]);
    }
  });

  it('follow the directory\'s own shares: at 93% with 2FA a right "yes" is worth less and a right "no" more', () => {
    const pypiLike = sharesOf({ accounts: 1000, withSecondFactor: 930, withRecoveryCodes: 600 }, configuredShares(C));
    const there = answerWeightsAt(C, pypiLike).twoFactor;
    expect(there.rightYes).toBeLessThan(tfa.rightYes);
    expect(there.rightNo).toBeGreaterThan(tfa.rightNo);
    const signal = secondFactorRule({
      ticket: ticket({ requestType: 'forgot_password', claims: { has2fa: 'yes' } }),
      account: account(),
      config: C,
      now: NOW,
      shares: pypiLike,
    }).signals[0];
    expect(signal).toMatchObject({ effect: there.rightYes, reason: '2FA state "yes": matches (a blind "yes" is right for 93% of accounts)' });
  });

  it('make an owner who knows gain on average, even one who is wrong one time in ten', () => {
    const owner = (w: typeof tfa) => 0.9 * Math.min(w.rightYes, w.rightNo) - 0.1 * Math.max(w.wrongYes, w.wrongNo);
    expect(owner(tfa)).toBeGreaterThan(0);
    expect(owner(codes)).toBeGreaterThan(0);
  });

  it('pay a right answer more where a blind guess is seldom right', () => {
    // Most accounts have 2FA, so "no" is the rarer right answer; fewer than half have unused codes.
    expect(C.guessBaseRates.secondFactor).toBeGreaterThan(0.5);
    expect(tfa.rightNo).toBeGreaterThan(tfa.rightYes);
    expect(C.guessBaseRates.secondFactor * C.guessBaseRates.recoveryCodesWithSecondFactor).toBeLessThan(0.5);
    expect(codes.rightYes).toBeGreaterThan(codes.rightNo);
  });

  it('keep two private addresses that agree worth more than any one right answer', () => {
    const rights = [tfa.rightYes, tfa.rightNo, codes.rightYes, codes.rightNo];
    expect(2 * C.weights.privateEmailKnown + C.weights.corroboratedEmails).toBeGreaterThan(Math.max(...rights));
  });
});
