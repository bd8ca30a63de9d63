import { parseRepository, REPOSITORY_URL_PATTERN } from './normalize.js';

describe('parseRepository', () => {
  it.each([
    ['https://github.com/Owner/Repo', 'github.com/owner/repo'],
    ['https://www.github.com/owner/repo.git', 'github.com/owner/repo'],
    ['http://github.com/owner/repo/', 'github.com/owner/repo'],
    ['github.com/owner/my.repo', 'github.com/owner/my.repo'],
    ['https://git.example.org:8443/team/tool', 'git.example.org:8443/team/tool'],
    ['https://gitlab.com/Group/Sub/Tool.git', 'gitlab.com/group/sub/tool'],
    ['https://gitlab.example.org/a/b/c/d/', 'gitlab.example.org/a/b/c/d'],
  ])('reads %s as %s', (input, key) => {
    expect(parseRepository(input)?.key).toBe(key);
  });

  it('keeps the owner and name as written, for the forge API', () => {
    expect(parseRepository('https://github.com/Owner/Repo')).toEqual({ host: 'github.com', owner: 'Owner', name: 'Repo', key: 'github.com/owner/repo' });
  });

  it('keeps a GitLab group path as the owner, for the forge API', () => {
    expect(parseRepository('https://gitlab.com/Group/Sub/Tool')).toEqual({
      host: 'gitlab.com',
      owner: 'Group/Sub',
      name: 'Tool',
      key: 'gitlab.com/group/sub/tool',
    });
  });

  it.each([
    'not a url',
    'https://github.com/owner',
    'https://github.com/owner/repo/tree/main',
    'https://gitlab.com/group/tool/-/tree/main',
    'https://gitlab.com/group/../tool',
    `https://gitlab.com/${Array.from({ length: 21 }, (_, i) => `g${i}`).join('/')}/tool`,
    'https://github.com/../x',
    'ftp://github.com/a/b',
    '',
  ])('refuses %j', (input) => {
    expect(parseRepository(input)).toBeNull();
  });

  it('agrees with the directory file pattern on URLs', () => {
    expect(REPOSITORY_URL_PATTERN.test('https://github.com/owner/repo.git')).toBe(true);
    expect(REPOSITORY_URL_PATTERN.test('github.com/owner/repo')).toBe(false);
    expect(REPOSITORY_URL_PATTERN.test('https://gitlab.com/group/sub/repo')).toBe(true);
    expect(REPOSITORY_URL_PATTERN.test('https://gitlab.com/repo')).toBe(false);
  });
});
