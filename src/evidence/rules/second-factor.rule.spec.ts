import { DEFAULT_SCORING_CONFIG as C } from '../scoring.config.js';
import type { TriState } from '../../tickets/ticket.entity.js';
import { NOW, account, ticket } from '../evidence.fixtures.js';
import { secondFactorRule } from './second-factor.rule.js';

const run = (has2fa: TriState, hasRecoveryCodes: TriState, a = account()) =>
  secondFactorRule({ ticket: ticket({ requestType: 'forgot_password', claims: { has2fa, hasRecoveryCodes } }), account: a, config: C, now: NOW });

describe('secondFactorRule', () => {
  it('costs nothing when both are unknown', () => {
    expect(run('unknown', 'unknown').signals).toEqual([]);
  });

  it('gives a little for a matching 2FA state (TOTP or WebAuthn)', () => {
    expect(run('yes', 'unknown').signals).toEqual([expect.objectContaining({ rule: 'two_factor_state', kind: 'private', effect: C.weights.twoFactorStateKnown })]);
    const keysOnly = account({ totp: false, webauthnKeys: 2 });
    expect(run('yes', 'unknown', keysOnly).signals[0]).toMatchObject({ kind: 'private' });
    expect(run('no', 'unknown', account({ totp: false })).signals[0]).toMatchObject({ kind: 'private' });
  });

  it('calls a wrong 2FA state a contradiction', () => {
    expect(run('no', 'unknown').signals).toEqual([expect.objectContaining({ kind: 'contradiction', effect: -C.weights.twoFactorStateWrong })]);
  });

  it('reads a request to recover a lost second factor as claiming one, unless the claim says otherwise', () => {
    const lost = (requestType: 'lost_2fa' | 'lost_recovery_codes' | 'forgot_password', a = account(), has2fa: TriState = 'unknown') =>
      secondFactorRule({ ticket: ticket({ requestType, claims: { has2fa } }), account: a, config: C, now: NOW }).signals;
    expect(lost('lost_2fa')).toEqual([expect.objectContaining({ kind: 'private', effect: C.weights.twoFactorStateKnown, reason: expect.stringContaining('implies 2FA') })]);
    expect(lost('lost_recovery_codes', account({ totp: false }))).toEqual([expect.objectContaining({ kind: 'contradiction', effect: -C.weights.twoFactorStateWrong })]);
    expect(lost('forgot_password')).toEqual([]);
    expect(lost('lost_2fa', account({ totp: false }), 'no')).toEqual([expect.objectContaining({ kind: 'private', reason: '2FA state "no": matches' })]);
  });

  it('makes a blind guess lose on average: a wrong answer costs over twice what a right one earns', () => {
    // An outsider guessing "yes" (most maintainers have 2FA) is right about two times in three.
    const guess = (known: number, wrong: number) => (2 / 3) * known - (1 / 3) * wrong;
    expect(guess(C.weights.twoFactorStateKnown, C.weights.twoFactorStateWrong)).toBeLessThan(0);
    expect(guess(C.weights.recoveryCodeStateKnown, C.weights.recoveryCodeStateWrong)).toBeLessThan(0);
  });

  it('checks the recovery-code state', () => {
    expect(run('unknown', 'no').signals[0]).toMatchObject({ rule: 'recovery_code_state', kind: 'private', effect: C.weights.recoveryCodeStateKnown });
    expect(run('unknown', 'yes').signals[0]).toMatchObject({ kind: 'contradiction', effect: -C.weights.recoveryCodeStateWrong });
    expect(run('unknown', 'yes', account({ recoveryCodesUnused: 3 })).signals[0]).toMatchObject({ kind: 'private' });
  });

  it('keeps each match worth less than knowing a private address', () => {
    expect(C.weights.twoFactorStateKnown + C.weights.recoveryCodeStateKnown).toBeLessThan(C.weights.privateEmailKnown);
  });
});
