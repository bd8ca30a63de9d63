import { addressesStillRead, mayReceiveCode, projectForRepository } from './challenge-policy.js';
import { DEFAULT_SCORING_CONFIG } from '../scoring/scoring.config.js';
import { account, email } from '../scoring/scoring.fixtures.js';

describe('challenge policy', () => {
  const config = { ...DEFAULT_SCORING_CONFIG, expiredDomains: ['gone.example'] };

  it('sends codes only to verified, current addresses on file, not on expired domains', () => {
    const acc = account({
      emails: [
        email('current@home.example', { verified: true }),
        email('unverified@home.example', { verified: false }),
        email('removed@home.example', { verified: true, removedAt: new Date('2020-01-01') }),
        email('old@gone.example', { verified: true }),
      ],
    });
    expect(mayReceiveCode(acc, 'CURRENT@home.example', config)).toBe(true);
    expect(mayReceiveCode(acc, 'unverified@home.example', config)).toBe(false);
    expect(mayReceiveCode(acc, 'removed@home.example', config)).toBe(false);
    expect(mayReceiveCode(acc, 'old@gone.example', config)).toBe(false);
    expect(mayReceiveCode(acc, 'stranger@home.example', config)).toBe(false);
    expect(mayReceiveCode(null, 'current@home.example', config)).toBe(false);
  });

  it('lists the contact address first, then the others once each', () => {
    expect(addressesStillRead('Me@X.org', ['a@x.org', 'me@x.org', 'A@x.org'])).toEqual(['me@x.org', 'a@x.org']);
    expect(addressesStillRead('me@x.org')).toEqual(['me@x.org']);
  });

  it('finds the project a repository belongs to', () => {
    const acc = account({ projects: [{ name: 'alpha', role: 'Owner', monthlyDownloads: 1, firstReleaseAt: null, repositoryKey: 'github.com/al/alpha' }] });
    expect(projectForRepository(acc, 'github.com/al/alpha')).toBe('alpha');
    expect(projectForRepository(acc, 'github.com/al/beta')).toBeNull();
    expect(projectForRepository(null, 'github.com/al/alpha')).toBeNull();
  });
});
