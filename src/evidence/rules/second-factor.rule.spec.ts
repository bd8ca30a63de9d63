import { DEFAULT_SCORING_CONFIG as C } from '../scoring.config.js';
import type { TriState } from '../../tickets/ticket.entity.js';
import { NOW, account, ticket } from '../evidence.fixtures.js';
import { secondFactorRule } from './second-factor.rule.js';

const run = (has2fa: TriState, hasRecoveryCodes: TriState, a = account()) =>
  secondFactorRule({ ticket: ticket({ claims: { has2fa, hasRecoveryCodes } }), account: a, config: C, now: NOW });

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
    expect(run('no', 'unknown').signals).toEqual([expect.objectContaining({ kind: 'contradiction', effect: -C.weights.contradiction })]);
  });

  it('checks the recovery-code state', () => {
    expect(run('unknown', 'no').signals[0]).toMatchObject({ rule: 'recovery_code_state', kind: 'private', effect: C.weights.recoveryCodeStateKnown });
    expect(run('unknown', 'yes').signals[0]).toMatchObject({ kind: 'contradiction' });
    expect(run('unknown', 'yes', account({ recoveryCodesUnused: 3 })).signals[0]).toMatchObject({ kind: 'private' });
  });

  it('keeps each match worth less than knowing a private address', () => {
    expect(C.weights.twoFactorStateKnown + C.weights.recoveryCodeStateKnown).toBeLessThan(C.weights.privateEmailKnown);
  });
});
