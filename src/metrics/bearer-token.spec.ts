import { bearerTokenMatches } from './bearer-token.js';

const TOKEN = 'metrics-token-for-the-unit-test-0123456789';

describe('bearerTokenMatches', () => {
  it('accepts exactly the configured token after "Bearer " (the scheme in any case, as RFC 9110 allows)', () => {
    expect(bearerTokenMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerTokenMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['the token without a scheme', TOKEN],
    ['another scheme', `Basic ${TOKEN}`],
    ['a token one character short', `Bearer ${TOKEN.slice(0, -1)}`],
    ['a token one character long', `Bearer ${TOKEN}x`],
    ['a token differing in its last character', `Bearer ${TOKEN.slice(0, -1)}8`],
    ['a token in another case', `Bearer ${TOKEN.toUpperCase()}`],
    ['two spaces before the token', `Bearer  ${TOKEN}`],
    ['text after the token', `Bearer ${TOKEN} extra`],
    ['an empty token', 'Bearer '],
  ])('refuses %s', (_what, header) => {
    expect(bearerTokenMatches(header, TOKEN)).toBe(false);
  });
});
