import { nextSignInStep } from './sign-in-steps.js';

describe('the order of sign-in steps', () => {
  it('first sign-in: change the password, then enrol, then done', () => {
    expect(nextSignInStep({ totpSecret: null, mustChangePassword: true }, { totpPassed: false })).toBe('password');
    expect(nextSignInStep({ totpSecret: null, mustChangePassword: false }, { totpPassed: false })).toBe('enrol');
  });

  it('enrolled: the code comes before anything else, a forced password change included', () => {
    expect(nextSignInStep({ totpSecret: 'sealed', mustChangePassword: true }, { totpPassed: false })).toBe('totp');
    expect(nextSignInStep({ totpSecret: 'sealed', mustChangePassword: true }, { totpPassed: true })).toBe('password');
    expect(nextSignInStep({ totpSecret: 'sealed', mustChangePassword: false }, { totpPassed: false })).toBe('totp');
    expect(nextSignInStep({ totpSecret: 'sealed', mustChangePassword: false }, { totpPassed: true })).toBe('done');
  });
});
