import { githubIdOf, githubTarget, isLinkedGithubAccount, readDeviceCode, readGithubUser, readTokenStep } from './github-device-flow.js';

describe('readDeviceCode', () => {
  const answer = {
    device_code: '3584d83530557fdd1f46af8289938c8ef79f9dc5',
    user_code: 'WDJB-MJHT',
    verification_uri: 'https://github.com/login/device',
    expires_in: 900,
    interval: 5,
  };

  it("reads GitHub's answer", () => {
    expect(readDeviceCode(answer, 'https://github.com')).toEqual({
      deviceCode: answer.device_code,
      userCode: 'WDJB-MJHT',
      verificationUri: 'https://github.com/login/device',
      expiresInSeconds: 900,
      intervalSeconds: 5,
    });
  });

  it('never sends the requester to a page off GitHub (or off the configured stand-in)', () => {
    expect(readDeviceCode({ ...answer, verification_uri: 'https://evil.example/login/device' }, 'https://github.com')).toBeNull();
    expect(readDeviceCode({ ...answer, verification_uri: 'javascript:alert(1)' }, 'https://github.com')).toBeNull();
    expect(readDeviceCode({ ...answer, verification_uri: 'http://127.0.0.1:4000/login/device' }, 'http://127.0.0.1:4000')?.verificationUri).toBe(
      'http://127.0.0.1:4000/login/device',
    );
  });

  it('keeps the interval at 5 s or more and the lifetime at 15 minutes or less; refuses answers without codes', () => {
    expect(readDeviceCode({ ...answer, interval: 1, expires_in: 86_400 }, 'https://github.com')).toMatchObject({ intervalSeconds: 5, expiresInSeconds: 900 });
    expect(readDeviceCode({ ...answer, interval: undefined, expires_in: undefined }, 'https://github.com')).toMatchObject({
      intervalSeconds: 5,
      expiresInSeconds: 900,
    });
    expect(readDeviceCode({ ...answer, user_code: '<b>' }, 'https://github.com')).toBeNull();
    expect(readDeviceCode({ ...answer, device_code: '' }, 'https://github.com')).toBeNull();
    expect(readDeviceCode(null, 'https://github.com')).toBeNull();
    expect(readDeviceCode('text', 'https://github.com')).toBeNull();
  });
});

describe('readTokenStep', () => {
  it('reads each answer of the device flow', () => {
    expect(readTokenStep(200, { access_token: 'gho_abc', token_type: 'bearer' }, 5)).toEqual({ step: 'token', accessToken: 'gho_abc' });
    expect(readTokenStep(200, { error: 'authorization_pending' }, 5)).toEqual({ step: 'pending' });
    expect(readTokenStep(200, { error: 'expired_token' }, 5)).toEqual({ step: 'expired' });
    expect(readTokenStep(200, { error: 'access_denied' }, 5)).toEqual({ step: 'denied' });
  });

  it('slows down by at least 5 seconds, or to the interval GitHub gives, whichever is longer', () => {
    expect(readTokenStep(200, { error: 'slow_down', interval: 10 }, 5)).toEqual({ step: 'slow_down', intervalSeconds: 10 });
    expect(readTokenStep(200, { error: 'slow_down' }, 10)).toEqual({ step: 'slow_down', intervalSeconds: 15 });
    expect(readTokenStep(200, { error: 'slow_down', interval: 6 }, 10)).toEqual({ step: 'slow_down', intervalSeconds: 15 });
  });

  it("treats the desk's own problems and GitHub's errors as unavailable, never as the requester's answer", () => {
    for (const error of ['incorrect_client_credentials', 'device_flow_disabled', 'incorrect_device_code', 'unsupported_grant_type']) {
      expect(readTokenStep(200, { error }, 5)).toEqual({ step: 'unavailable', reason: `GitHub answered ${error}` });
    }
    expect(readTokenStep(502, null, 5)).toEqual({ step: 'unavailable', reason: 'GitHub answered HTTP 502' });
    expect(readTokenStep(500, { access_token: 'gho_abc' }, 5)).toMatchObject({ step: 'unavailable' });
  });
});

describe('who signed in', () => {
  it('reads the numeric id and the login of GET /user', () => {
    expect(readGithubUser({ login: 'octocat', id: 583231, type: 'User' })).toEqual({ id: 583231, login: 'octocat' });
    expect(readGithubUser({ login: 'octocat', id: '583231' })).toBeNull();
    expect(readGithubUser({ login: 'octocat' })).toBeNull();
    expect(readGithubUser({ id: -1 })).toBeNull();
  });

  it('compares by numeric id only: a renamed login still matches, the same login under another id does not', () => {
    expect(isLinkedGithubAccount(583231, { id: 583231 })).toBe(true);
    expect(isLinkedGithubAccount(583231, { id: 583232 })).toBe(false);
    expect(isLinkedGithubAccount(null, { id: 583231 })).toBe(false);
    expect(isLinkedGithubAccount(undefined, { id: 583231 })).toBe(false);
  });

  it('reads back the id a finished check recorded, and nothing from other challenges', () => {
    expect(githubIdOf({ kind: 'github_identity', target: githubTarget(583231) })).toBe(583231);
    expect(githubIdOf({ kind: 'github_identity', target: 'github.com' })).toBeNull();
    expect(githubIdOf({ kind: 'repository', target: 'github:583231' })).toBeNull();
    expect(githubIdOf(undefined)).toBeNull();
  });
});
