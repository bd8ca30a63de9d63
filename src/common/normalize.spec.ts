import { parseRepository, REPOSITORY_URL_PATTERN } from './normalize.js';

describe('parseRepository', () => {
  it.each([
    ['https://github.com/Owner/Repo', 'github.com/owner/repo'],
    ['https://www.github.com/owner/repo.git', 'github.com/owner/repo'],
    ['http://github.com/owner/repo/', 'github.com/owner/repo'],
    ['github.com/owner/my.repo', 'github.com/owner/my.repo'],
    ['https://git.example.org:8443/team/tool', 'git.example.org:8443/team/tool'],
  ])('reads %s as %s', (input, key) => {
    expect(parseRepository(input)?.key).toBe(key);
  });

  it('keeps the owner and name as written, for the forge API', () => {
    expect(parseRepository('https://github.com/Owner/Repo')).toEqual({ host: 'github.com', owner: 'Owner', name: 'Repo', key: 'github.com/owner/repo' });
  });

  it.each(['not a url', 'https://github.com/owner', 'https://github.com/owner/repo/tree/main', 'https://github.com/../x', 'ftp://github.com/a/b', ''])(
    'refuses %j',
    (input) => {
      expect(parseRepository(input)).toBeNull();
    },
  );

  it('agrees with the directory file pattern on URLs', () => {
    expect(REPOSITORY_URL_PATTERN.test('https://github.com/owner/repo.git')).toBe(true);
    expect(REPOSITORY_URL_PATTERN.test('github.com/owner/repo')).toBe(false);
  });
});
