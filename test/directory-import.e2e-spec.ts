import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config.js';
import { Account, AccountEmail, AccountProject } from '../src/directory/account.entity.js';
import { makeAccount } from './support/factories.js';
import { disposeEnv, isolatedEnv } from './support/test-app.js';
import { appDataSourceOptions } from '../src/entities.js';
import { toAccountRecord } from '../src/directory/account.repository.js';

const CLI = join(process.cwd(), 'dist/cli/main.js');

/** The built CLI in its own process, as a user runs it, with the environment of one isolated database. */
const cliIn =
  (env: NodeJS.ProcessEnv) =>
  (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });

/** `npm run cli -- import-directory FILE`. */
describe('npm run cli -- import-directory', () => {
  const env = isolatedEnv();
  let dataSource: DataSource;
  const cli = cliIn(env);
  const file = (name: string, content: unknown) => {
    const path = join(env.TEST_DIR, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };

  beforeAll(async () => {
    expect(cli('migrate').status).toBe(0);
    dataSource = await new DataSource(appDataSourceOptions(loadConfig(env).database)).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await disposeEnv(env);
  });

  const accounts = [
    makeAccount({
      username: 'alice',
      emails: [
        { address: 'alice@example.org', verified: true, primary: true, public: false, added_at: '2016-03-14T10:00:00Z', removed_at: null },
        { address: 'alice@old.example', verified: true, primary: false, public: true, added_at: '2016-03-14T10:00:00Z', removed_at: '2020-01-01T00:00:00Z' },
      ],
    }),
    makeAccount({ username: 'Bob.Builder', projects: [] }),
    makeAccount({ username: 'carol' }),
  ];

  it('imports a directory file and reports the counts', async () => {
    const result = cli('import-directory', file('good.json', { accounts }));
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/3 accounts \(3 created, 0 updated, 0 unchanged\), 4 e-mail addresses and 2 projects written/);
    // Three accounts are too few for shares of their own: the answers are weighed against the prior.
    expect(result.stdout).toContain(
      'Directory: 3 accounts, too few for shares of its own: the answers are weighed against 68.0% with 2FA, 37.4% with unused recovery codes (the configured prior).',
    );
    const alice = await dataSource.getRepository(Account).findOneOrFail({ where: { usernameKey: 'alice' }, relations: { emails: true, projects: true } });
    expect(alice.emails?.map((e) => [e.address, e.public, e.removedAt?.toISOString() ?? null]).sort()).toEqual([
      ['alice@example.org', false, null],
      ['alice@old.example', true, '2020-01-01T00:00:00.000Z'],
    ]);
    expect(await dataSource.getRepository(Account).findOneByOrFail({ usernameKey: 'bob.builder' })).toMatchObject({
      username: 'Bob.Builder',
      totpEnabled: true,
    });
  });

  it('is idempotent: the same file again changes nothing, a changed account is updated in place', async () => {
    const again = cli('import-directory', file('good-again.json', { accounts }));
    expect(again.stdout).toMatch(/\(0 created, 0 updated, 3 unchanged\)/);
    const ids = (await dataSource.getRepository(Account).find()).map((a) => a.id).sort();
    const changed = [{ ...accounts[0], name: 'Alice L.', projects: [] }, accounts[1], accounts[2]];
    const update = cli('import-directory', file('changed.json', { accounts: changed }));
    expect(update.stdout).toMatch(/\(0 created, 1 updated, 2 unchanged\)/);
    expect((await dataSource.getRepository(Account).find()).map((a) => a.id).sort()).toEqual(ids);
    const alice = await dataSource.getRepository(Account).findOneOrFail({ where: { usernameKey: 'alice' }, relations: { projects: true, emails: true } });
    expect(alice.name).toBe('Alice L.');
    expect(alice.projects).toEqual([]);
    expect(alice.emails).toHaveLength(2);
    expect(await dataSource.getRepository(AccountEmail).count()).toBe(4);
  });

  it("weighs the answers against the directory's own shares, where even a guess that is always right earns nothing", async () => {
    // Every account with 2FA and unused codes (as where 2FA is required of everyone): "yes" is a safe
    // guess, so a "yes" is worth nothing there.
    const everyone = Array.from({ length: 60 }, (_, i) =>
      makeAccount({ username: `user${i}`, emails: [], projects: [], two_factor: { totp: true, webauthn_keys: 1, recovery_codes_unused: 8 } }),
    );
    const isolated = isolatedEnv();
    try {
      const run = cliIn(isolated);
      const path = join(isolated.TEST_DIR, 'all-2fa.json');
      writeFileSync(path, JSON.stringify({ accounts: everyone }));
      const result = run('import-directory', path);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/60 accounts \(60 created/);
      expect(result.stdout).toContain(
        'Directory: 100.0% with 2FA, 100.0% with unused recovery codes (60 accounts); the yes/no answers are weighed against these shares (version d60-2fa1000-rc1000).',
      );
      expect(result.stdout).toContain('At these shares every blind yes/no guess loses points on average');
      expect(result.stderr).not.toMatch(/Warning/);
    } finally {
      await disposeEnv(isolated);
    }
  });

  it('refuses a bad file whole, naming the line and the reason of each problem', async () => {
    const before = await Promise.all([dataSource.getRepository(Account).count(), dataSource.getRepository(AccountProject).count()]);
    const bad = [
      makeAccount({ username: 'dave' }),
      {
        ...makeAccount({ username: 'erin' }),
        emails: [{ address: 'not-an-address', verified: true, primary: true, public: false, added_at: '2016-03-14T10:00:00Z', removed_at: null }],
      },
      makeAccount({ username: 'frank', shoe_size: 43 }),
    ];
    const path = file('bad.json', { accounts: bad });
    const text = JSON.stringify({ accounts: bad }, null, 2).split('\n');
    const erinLine = text.findIndex((line) => line.includes('"erin"')); // the line of "username": "erin"; its object starts one line above
    const result = cli('import-directory', path);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('nothing was imported');
    expect(result.stderr).toContain(`${path}:${erinLine}: accounts[1].emails.0.address: address must be an e-mail address`);
    expect(result.stderr).toMatch(/accounts\[2\]\.shoe_size: is not an accepted field/);
    const after = await Promise.all([dataSource.getRepository(Account).count(), dataSource.getRepository(AccountProject).count()]);
    expect(after).toEqual(before);
    expect(await dataSource.getRepository(Account).countBy({ usernameKey: 'dave' })).toBe(0);
  });

  it('keeps trusted publishers of projects that name them, reads projects without them as having none, and refuses a bad one by field', async () => {
    const publisher = { provider: 'github', repository: 'octo-org/pub-lib', workflow: 'release.yml', environment: 'pypi', repository_owner_id: '202' };
    const withPublishers = [
      makeAccount({
        username: 'publisher-owner',
        projects: [
          { name: 'pub-lib', role: 'Owner', monthly_downloads: 10, first_release_at: '2019-01-01T00:00:00Z', trusted_publishers: [publisher] },
          { name: 'old-lib', role: 'Owner', monthly_downloads: 10, first_release_at: '2019-01-01T00:00:00Z' },
        ],
      }),
    ];
    const result = cli('import-directory', file('publishers.json', { accounts: withPublishers }));
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    const owner = await dataSource
      .getRepository(Account)
      .findOneOrFail({ where: { usernameKey: 'publisher-owner' }, relations: { emails: true, projects: true } });
    const byName = Object.fromEntries(owner.projects!.map((p) => [p.name, p.trustedPublishers]));
    expect(byName).toEqual({
      'pub-lib': [{ provider: 'github', repository: 'octo-org/pub-lib', workflow: 'release.yml', environment: 'pypi', repositoryOwnerId: '202' }],
      'old-lib': null,
    });
    // What the scorer and the challenge read: the same publishers, and none for the older project.
    expect(toAccountRecord(owner).projects.map((p) => [p.name, p.trustedPublishers?.length])).toEqual(
      expect.arrayContaining([
        ['pub-lib', 1],
        ['old-lib', 0],
      ]),
    );

    const bad = [
      makeAccount({
        username: 'bad-publisher',
        projects: [
          {
            name: 'x-lib',
            role: 'Owner',
            monthly_downloads: 1,
            first_release_at: null,
            trusted_publishers: [{ provider: 'gitlab', repository: 'https://github.com/o/r', workflow: '../release.yml', environment: ' pypi' }],
          },
        ],
      }),
    ];
    const refused = cli('import-directory', file('bad-publishers.json', { accounts: bad }));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('accounts[0].projects.0.trusted_publishers.0.provider: provider must be github');
    expect(refused.stderr).toContain('trusted_publishers.0.repository: repository must be owner/name, such as octo-org/fancy-lib');
    expect(refused.stderr).toContain('trusted_publishers.0.workflow: workflow must be the file name of a workflow in .github/workflows, such as release.yml');
    expect(refused.stderr).toContain('trusted_publishers.0.environment: environment must be a GitHub environment name');
    expect(await dataSource.getRepository(Account).countBy({ usernameKey: 'bad-publisher' })).toBe(0);
  });

  it('reports broken JSON with its line', () => {
    const result = cli('import-directory', file('broken.json', '{\n  "accounts": [\n    {"username": "x",,}\n  ]\n}\n'));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/broken\.json:3: not valid JSON/);
  });

  it('says what went wrong for a missing file and an unknown command, and shows help', () => {
    const missing = cli('import-directory', join(env.TEST_DIR, 'nope.json'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json/);
    const unknown = cli('frobnicate');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const help = cli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('import-directory FILE');
  });

  it('refuses to run with a bad environment, one line per bad variable', () => {
    const result = spawnSync(process.execPath, [CLI, 'migrate'], {
      env: { ...process.env, ...env, DATABASE_URL: 'mysql://x', REDIS_URL: 'nope' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid environment: DATABASE_URL="mysql://x" (expected sqlite:<file path> or postgres://user@host:port/database)');
    expect(result.stderr).toContain('Invalid environment: REDIS_URL="nope"');
  });
});
