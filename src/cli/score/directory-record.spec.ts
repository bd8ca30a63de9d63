import { parseDirectoryFile } from '../../directory/directory-file.js';
import { AccountIndex, accountRecordOf, type DirectoryRecord } from './directory-record.js';

function record(over: Partial<DirectoryRecord> = {}): DirectoryRecord {
  return {
    username: 'Alice',
    joined_at: '2016-03-14T10:00:00Z',
    linked_github: 'alice-gh',
    emails: [
      { address: 'alice@example.org', verified: true, primary: true, public: false, added_at: '2016-03-14T10:00:00Z', removed_at: null },
      { address: 'old@uni.example.edu', verified: true, primary: false, public: true, added_at: '2016-03-14T10:00:00Z', removed_at: '2020-01-01T00:00:00Z' },
    ],
    two_factor: { totp: true, webauthn_keys: 2, recovery_codes_unused: 3 },
    projects: [
      {
        name: 'wonderland',
        role: 'Owner',
        monthly_downloads: 120_000,
        first_release_at: '2016-04-01T00:00:00Z',
        repository: 'https://GitHub.com/Alice/Wonderland.git',
      },
      { name: 'looking-glass', role: 'Maintainer', monthly_downloads: 0, first_release_at: null },
    ],
    ...over,
  };
}

describe('accountRecordOf', () => {
  it('maps every field the scorer reads, dates as Dates', () => {
    expect(accountRecordOf(record())).toEqual({
      username: 'Alice',
      joinedAt: new Date('2016-03-14T10:00:00Z'),
      totp: true,
      webauthnKeys: 2,
      recoveryCodesUnused: 3,
      linkedGithub: 'alice-gh',
      linkedGithubId: null,
      emails: [
        { address: 'alice@example.org', verified: true, primary: true, public: false, addedAt: new Date('2016-03-14T10:00:00Z'), removedAt: null },
        {
          address: 'old@uni.example.edu',
          verified: true,
          primary: false,
          public: true,
          addedAt: new Date('2016-03-14T10:00:00Z'),
          removedAt: new Date('2020-01-01T00:00:00Z'),
        },
      ],
      projects: [
        {
          name: 'wonderland',
          role: 'Owner',
          monthlyDownloads: 120_000,
          firstReleaseAt: new Date('2016-04-01T00:00:00Z'),
          repositoryKey: 'github.com/alice/wonderland',
        },
        { name: 'looking-glass', role: 'Maintainer', monthlyDownloads: 0, firstReleaseAt: null, repositoryKey: null },
      ],
    });
  });

  it('reads a missing linked identity as none', () => {
    const { linked_github: _, ...rest } = record();
    expect(accountRecordOf(rest as DirectoryRecord).linkedGithub).toBeNull();
    expect(accountRecordOf(record({ linked_github: null })).linkedGithub).toBeNull();
    expect(accountRecordOf(record()).linkedGithubId).toBeNull();
    expect(accountRecordOf(record({ linked_github_id: 583231 })).linkedGithubId).toBe(583231);
  });

  it('maps what parseDirectoryFile returns', () => {
    const parsed = parseDirectoryFile(JSON.stringify({ accounts: [{ ...record(), name: 'Alice L', last_login_at: null }] }));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(accountRecordOf(parsed.accounts[0])).toEqual(accountRecordOf(record()));
  });
});

describe('AccountIndex', () => {
  const index = AccountIndex.fromDirectory([record(), record({ username: 'bob.smith' })]);

  it('finds accounts by username, case-insensitively and trimmed', () => {
    expect(index.size).toBe(2);
    expect(index.find('alice')?.username).toBe('Alice');
    expect(index.find(' ALICE ')?.username).toBe('Alice');
    expect(index.find('Bob.Smith')?.username).toBe('bob.smith');
  });

  it('answers null for a username not in the directory', () => {
    expect(index.find('carol')).toBeNull();
    expect(new AccountIndex().find('alice')).toBeNull();
  });
});
