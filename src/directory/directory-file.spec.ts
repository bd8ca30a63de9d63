import { parseDirectoryFile, type ParsedDirectory } from './directory-file.js';

type Account = Record<string, unknown>;

/** An account record in the directory file format (README); override any field. */
function makeAccount(overrides: Account = {}): Account {
  return {
    username: 'alice',
    name: 'Alice Smith',
    joined_at: '2016-03-14T10:00:00Z',
    last_login_at: '2026-01-02T08:00:00Z',
    linked_github: 'alice-gh',
    emails: [
      { address: 'alice@example.org', verified: true, primary: true, public: false, added_at: '2016-03-14T10:00:00Z', removed_at: null },
      { address: 'alice@old.example.com', verified: true, primary: false, public: true, added_at: '2016-03-14T10:00:00Z', removed_at: '2020-01-01T00:00:00Z' },
    ],
    two_factor: { totp: true, webauthn_keys: 1, recovery_codes_unused: 8 },
    projects: [
      { name: 'fast-json', role: 'Owner', monthly_downloads: 120_000, first_release_at: '2016-04-01T00:00:00Z' },
      { name: 'tiny.utils', role: 'Maintainer', monthly_downloads: 0, first_release_at: null },
    ],
    ...overrides,
  };
}

/** One account per line, starting on line 2: account i is on line i + 2. */
const onePerLine = (accounts: unknown[]) => `{"accounts": [\n${accounts.map((a) => JSON.stringify(a)).join(',\n')}\n]}\n`;

function problemsOf(parsed: ParsedDirectory) {
  if (parsed.ok) throw new Error('expected the file to be refused');
  return parsed.problems;
}

function okOf(parsed: ParsedDirectory) {
  if (!parsed.ok) throw new Error(`expected the file to be accepted: ${JSON.stringify(parsed.problems)}`);
  return parsed;
}

describe('parseDirectoryFile', () => {
  describe('a valid file', () => {
    const accounts = [makeAccount(), makeAccount({ username: 'Bob.Builder', linked_github: null, last_login_at: null, projects: [] })];
    const parsed = okOf(parseDirectoryFile(JSON.stringify({ accounts }, null, 2)));

    it('gives every account with its values', () => {
      expect(parsed.accounts).toHaveLength(2);
      expect({ ...parsed.accounts[0] }).toMatchObject({
        username: 'alice',
        name: 'Alice Smith',
        joined_at: '2016-03-14T10:00:00Z',
        linked_github: 'alice-gh',
      });
      expect(parsed.accounts[0].two_factor).toMatchObject({ totp: true, webauthn_keys: 1, recovery_codes_unused: 8 });
      expect(parsed.accounts[0].emails.map((e) => [e.address, e.removed_at])).toEqual([
        ['alice@example.org', null],
        ['alice@old.example.com', '2020-01-01T00:00:00Z'],
      ]);
      expect(parsed.accounts[0].projects.map((p) => [p.name, p.role, p.monthly_downloads, p.first_release_at])).toEqual([
        ['fast-json', 'Owner', 120_000, '2016-04-01T00:00:00Z'],
        ['tiny.utils', 'Maintainer', 0, null],
      ]);
      expect(parsed.accounts[1]).toMatchObject({ username: 'Bob.Builder', last_login_at: null, linked_github: null, projects: [] });
    });

    it('gives one 32-hex-digit fingerprint per account', () => {
      expect(parsed.fingerprints).toHaveLength(2);
      for (const fingerprint of parsed.fingerprints) expect(fingerprint).toMatch(/^[0-9a-f]{32}$/);
      expect(parsed.fingerprints[0]).not.toBe(parsed.fingerprints[1]);
    });

    it('accepts an empty accounts array', () => {
      expect(parseDirectoryFile('{"accounts": []}')).toEqual({ ok: true, accounts: [], fingerprints: [] });
    });

    it('accepts an account without linked_github', () => {
      const { linked_github: _, ...account } = makeAccount();
      expect(okOf(parseDirectoryFile(onePerLine([account]))).accounts).toHaveLength(1);
    });

    it('reads linked_github_id, the numeric GitHub user id, when given (null or absent in older files)', () => {
      const parsed = okOf(
        parseDirectoryFile(
          onePerLine([makeAccount({ linked_github_id: 583231 }), makeAccount({ username: 'bob', linked_github_id: null }), makeAccount({ username: 'carol' })]),
        ),
      );
      expect(parsed.accounts.map((a) => a.linked_github_id)).toEqual([583231, null, undefined]);
    });

    it('reads repositories on GitLab, nested groups included', () => {
      const projects = [{ name: 'deep', role: 'Owner', monthly_downloads: 1, first_release_at: null, repository: 'https://gitlab.com/group/sub/deep.git' }];
      expect(okOf(parseDirectoryFile(onePerLine([makeAccount({ projects })]))).accounts[0].projects[0].repository).toBe(
        'https://gitlab.com/group/sub/deep.git',
      );
    });
  });

  describe('fingerprints', () => {
    const fingerprintOf = (text: string) => okOf(parseDirectoryFile(text)).fingerprints[0];

    it('are the same for the same record with its keys in another order, at every level', () => {
      const account = makeAccount();
      const reordered = Object.fromEntries(
        Object.entries(account)
          .reverse()
          .map(([key, value]) => [
            key,
            Array.isArray(value)
              ? value.map((item: Account) => Object.fromEntries(Object.entries(item).reverse()))
              : value && typeof value === 'object'
                ? Object.fromEntries(Object.entries(value).reverse())
                : value,
          ]),
      );
      expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(account));
      expect(fingerprintOf(onePerLine([reordered]))).toBe(fingerprintOf(onePerLine([account])));
    });

    it('do not depend on whitespace or position in the file', () => {
      const account = makeAccount();
      const compact = fingerprintOf(JSON.stringify({ accounts: [account] }));
      const pretty = okOf(parseDirectoryFile(JSON.stringify({ accounts: [makeAccount({ username: 'zed' }), account] }, null, 4))).fingerprints[1];
      expect(pretty).toBe(compact);
    });

    it('change when any value changes, however deep', () => {
      const base = fingerprintOf(onePerLine([makeAccount()]));
      expect(fingerprintOf(onePerLine([makeAccount({ name: 'Alice S.' })]))).not.toBe(base);
      expect(fingerprintOf(onePerLine([makeAccount({ two_factor: { totp: true, webauthn_keys: 1, recovery_codes_unused: 7 } })]))).not.toBe(base);
      expect(fingerprintOf(onePerLine([makeAccount({ projects: [] })]))).not.toBe(base);
    });

    it('change when the order of a list changes', () => {
      const account = makeAccount();
      const swapped = makeAccount({ projects: [...(account.projects as unknown[])].reverse() });
      expect(fingerprintOf(onePerLine([swapped]))).not.toBe(fingerprintOf(onePerLine([account])));
    });
  });

  describe('invalid JSON', () => {
    it('reports the line of the error', () => {
      const text = '{\n  "accounts": [\n    {"username": "alice",}\n  ]\n}';
      const problems = problemsOf(parseDirectoryFile(text));
      expect(problems).toHaveLength(1);
      expect(problems[0].line).toBe(3);
      expect(problems[0].reason).toMatch(/^not valid JSON: /);
    });

    it('reports the line of a missing comma further down', () => {
      const text = '{\n  "accounts": [\n    {}\n    {}\n  ]\n}';
      expect(problemsOf(parseDirectoryFile(text))).toEqual([{ line: 4, reason: expect.stringMatching(/^not valid JSON: /) }]);
    });

    it('refuses an empty file', () => {
      expect(problemsOf(parseDirectoryFile(''))).toEqual([{ line: 1, reason: expect.stringMatching(/^not valid JSON: /) }]);
    });
  });

  describe('the file shape', () => {
    it.each([
      ['an array', '[]'],
      ['null', 'null'],
      ['a number', '42'],
      ['an object without accounts', '{"people": []}'],
      ['accounts that is not an array', '{"accounts": {}}'],
    ])('refuses %s at the top', (_, text) => {
      expect(problemsOf(parseDirectoryFile(text))).toEqual([{ line: 1, reason: 'the file must be an object with an "accounts" array' }]);
    });

    it('refuses unknown top-level keys', () => {
      expect(problemsOf(parseDirectoryFile('{"accounts": [], "version": 2, "notes": "x"}'))).toEqual([
        { line: 1, reason: 'unknown key "version"' },
        { line: 1, reason: 'unknown key "notes"' },
      ]);
    });

    it('refuses an element that is not an object, on its line', () => {
      expect(problemsOf(parseDirectoryFile(onePerLine([makeAccount(), 'bob', null, []])))).toEqual([
        { line: 3, reason: 'accounts[1] must be an object' },
        { line: 4, reason: 'accounts[2] must be an object' },
        { line: 5, reason: 'accounts[3] must be an object' },
      ]);
    });
  });

  describe('an invalid account', () => {
    it('is reported on its own line with the field and the reason', () => {
      const accounts = [makeAccount(), makeAccount({ username: 'bob' }), makeAccount({ username: 'carol', joined_at: 'last spring' })];
      expect(problemsOf(parseDirectoryFile(onePerLine(accounts)))).toEqual([
        { line: 4, reason: 'accounts[2].joined_at: joined_at must be an ISO 8601 date-time such as 2016-03-14T10:00:00Z' },
      ]);
    });

    it('is reported on the line where a multi-line record starts', () => {
      const accounts = [makeAccount(), makeAccount({ username: 'bob', name: 42 })];
      const text = JSON.stringify({ accounts }, null, 2);
      const line = text.split('\n').findIndex((row, i, rows) => row === '    {' && rows[i + 1].includes('"bob"')) + 1;
      expect(line).toBeGreaterThan(30);
      const problems = problemsOf(parseDirectoryFile(text));
      expect(problems).toHaveLength(1);
      expect(problems[0].line).toBe(line);
      expect(problems[0].reason).toMatch(/^accounts\[1\]\.name: .*name must be a string/);
    });

    it('names nested fields by their path', () => {
      const account = makeAccount({
        emails: [
          { address: 'alice@example.org', verified: true, primary: true, public: false, added_at: '2016-03-14T10:00:00Z', removed_at: null },
          { address: 'not-an-address', verified: 'yes', primary: false, public: false, added_at: '2016-03-14T10:00:00Z', removed_at: null },
        ],
        two_factor: { totp: true, webauthn_keys: -1, recovery_codes_unused: 0 },
        projects: [{ name: 'fast-json', role: 'Admin', monthly_downloads: 1, first_release_at: null }],
      });
      expect(problemsOf(parseDirectoryFile(onePerLine([account])))).toEqual([
        { line: 2, reason: 'accounts[0].emails.1.address: address must be an e-mail address' },
        { line: 2, reason: 'accounts[0].emails.1.verified: verified must be a boolean value' },
        { line: 2, reason: 'accounts[0].two_factor.webauthn_keys: webauthn_keys must not be less than 0' },
        { line: 2, reason: 'accounts[0].projects.0.role: role must be Owner or Maintainer' },
      ]);
    });

    it('refuses a linked_github_id that is not a GitHub user id', () => {
      const reason = 'accounts[0].linked_github_id: linked_github_id must be a GitHub user id (a positive whole number)';
      for (const bad of ['583231', 0, -4, 1.5, 2 ** 60, true]) {
        expect(problemsOf(parseDirectoryFile(onePerLine([makeAccount({ linked_github_id: bad })])))).toEqual([{ line: 2, reason }]);
      }
    });

    it('says which fields are missing', () => {
      const { name: _, ...account } = makeAccount();
      expect(problemsOf(parseDirectoryFile(onePerLine([account])))).toEqual([{ line: 2, reason: 'accounts[0].name: name is required' }]);
    });

    it('refuses a null two_factor', () => {
      expect(problemsOf(parseDirectoryFile(onePerLine([makeAccount({ two_factor: null })])))).toEqual([
        { line: 2, reason: 'accounts[0].two_factor: two_factor is required' },
      ]);
    });

    it.each([
      ['username', 'not valid!', 'username must be a PyPI username'],
      ['username', '-alice', 'username must be a PyPI username'],
      ['username', 'a'.repeat(51), 'username must be a PyPI username'],
      ['last_login_at', '2016-02-30T10:00:00Z', 'last_login_at must be an ISO 8601 date-time'],
      ['emails', 'alice@example.org', 'emails must be an array'],
    ])('refuses %s = %j', (field, value, reason) => {
      const problems = problemsOf(parseDirectoryFile(onePerLine([makeAccount({ [field]: value })])));
      expect(problems.map((p) => p.line)).toEqual(problems.map(() => 2));
      expect(problems.some((p) => p.reason.startsWith(`accounts[0].${field}: `) && p.reason.includes(reason))).toBe(true);
    });

    it('refuses unknown keys in an account and in nested records', () => {
      const account = makeAccount({
        nickname: 'al',
        two_factor: { totp: false, webauthn_keys: 0, recovery_codes_unused: 0, sms: true },
      });
      expect(problemsOf(parseDirectoryFile(onePerLine([account])))).toEqual([
        { line: 2, reason: 'accounts[0].nickname: is not an accepted field' },
        { line: 2, reason: 'accounts[0].two_factor.sms: is not an accepted field' },
      ]);
    });

    it('refuses an unknown key even when its value is null', () => {
      expect(problemsOf(parseDirectoryFile(onePerLine([makeAccount({ deleted_at: null })])))).toEqual([
        { line: 2, reason: 'accounts[0].deleted_at: is not an accepted field' },
      ]);
    });
  });

  describe('duplicate usernames', () => {
    it('are refused case-insensitively, naming the line of the first', () => {
      const accounts = [makeAccount(), makeAccount({ username: 'bob' }), makeAccount({ username: 'ALICE' })];
      expect(problemsOf(parseDirectoryFile(onePerLine(accounts)))).toEqual([
        { line: 4, reason: 'accounts[2].username: "ALICE" appears twice (first on line 2)' },
      ]);
    });

    it('are each reported', () => {
      const accounts = [makeAccount(), makeAccount({ username: 'Alice' }), makeAccount({ username: 'alice' })];
      expect(problemsOf(parseDirectoryFile(onePerLine(accounts))).map((p) => p.line)).toEqual([3, 4]);
    });
  });

  describe('a bad file', () => {
    it('is refused whole: no accounts come back when one of many is bad', () => {
      const accounts = [makeAccount(), makeAccount({ username: 'bob' }), makeAccount({ username: 'carol', projects: 'none' })];
      const parsed = parseDirectoryFile(onePerLine(accounts));
      expect(parsed.ok).toBe(false);
      expect(parsed).not.toHaveProperty('accounts');
      expect(parsed).not.toHaveProperty('fingerprints');
      expect(problemsOf(parsed).map((p) => p.line)).toEqual([4]);
    });

    it('reports every problem, each on its own line', () => {
      const accounts = [
        makeAccount({ username: 'ok' }),
        makeAccount({ username: 'bad one' }),
        makeAccount({ username: 'carol', joined_at: 'never' }),
        makeAccount({ username: 'dave', emails: [] }),
        makeAccount({ username: 'erin', two_factor: { totp: 'no', webauthn_keys: 0, recovery_codes_unused: 0 } }),
      ];
      expect(problemsOf(parseDirectoryFile(onePerLine(accounts)))).toEqual([
        { line: 3, reason: expect.stringMatching(/^accounts\[1\]\.username: /) },
        { line: 4, reason: expect.stringMatching(/^accounts\[2\]\.joined_at: /) },
        { line: 6, reason: 'accounts[4].two_factor.totp: totp must be a boolean value' },
      ]);
    });

    it('reports at most 20 problems', () => {
      const accounts = Array.from({ length: 30 }, (_, i) => makeAccount({ username: `user${i}`, joined_at: 'soon' }));
      const problems = problemsOf(parseDirectoryFile(onePerLine(accounts)));
      expect(problems).toHaveLength(20);
      expect(problems[0]).toEqual({ line: 2, reason: expect.stringMatching(/^accounts\[0\]\.joined_at: /) });
      expect(problems[19]).toEqual({ line: 21, reason: expect.stringMatching(/^accounts\[19\]\.joined_at: /) });
    });
  });
});

describe('parseDirectoryFile: regressions', () => {
  it('requires two_factor', () => {
    const { two_factor: _, ...withoutTwoFactor } = makeAccount();
    const result = parseDirectoryFile(JSON.stringify({ accounts: [withoutTwoFactor] }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0].reason).toBe('accounts[0].two_factor: two_factor is required');
  });

  it('names the line of a bad literal, which Node 20 reports without a position', () => {
    const result = parseDirectoryFile('{\n "accounts": [\n  {},\n  {"username": x}\n ]\n}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0].line).toBe(4);
  });

  it('reports problems against the last "accounts" array when the key repeats, as JSON.parse reads it', () => {
    const bad = JSON.stringify({ ...makeAccount(), username: '-bad-' });
    const result = parseDirectoryFile(`{"accounts": [\n{},\n{}\n],\n"accounts": [\n${bad}\n]}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0].line).toBe(6);
  });
});
