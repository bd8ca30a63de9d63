import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditEntry } from '../src/audit/audit-entry.entity.js';
import { Moderator } from '../src/auth/moderator.entity.js';
import { verifyPassword } from '../src/auth/passwords.js';
import { loadConfig } from '../src/config/app-config.js';
import { disposeEnv, isolatedEnv } from './support/test-app.js';
import { appDataSourceOptions } from '../src/entities.js';

const CLI = join(process.cwd(), 'dist/cli/main.js');

describe('npm run cli -- create-moderator', () => {
  const env = isolatedEnv();
  const cli = (args: string[], input?: string) =>
    spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', input: input ?? '' });
  let ds: DataSource;

  afterAll(async () => {
    await ds?.destroy();
    await disposeEnv(env);
  });

  const moderatorNamed = async (name: string) => {
    ds ??= await new DataSource(appDataSourceOptions(loadConfig(env).database)).initialize();
    return ds.getRepository(Moderator).findOneByOrFail({ name });
  };

  it('creates a moderator with a one-time initial password, stored only as an argon2id hash, and audits it', async () => {
    const result = cli(['create-moderator', 'ann', '--role', 'senior']);
    expect(result.status).toBe(0);
    const password = /initial password \(shown once; changed at first sign-in\): (\S+)/.exec(result.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const ann = await moderatorNamed('ann');
    expect(ann).toMatchObject({ role: 'senior', mustChangePassword: true, totpSecret: null });
    expect(ann.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(ann.passwordHash).not.toContain(password);
    expect(await verifyPassword(ann.passwordHash, password!)).toBe(true);
    const audit = await ds.getRepository(AuditEntry).findOneByOrFail({ action: 'moderator_created' });
    expect(audit).toMatchObject({ actor: 'cli', data: { moderator: 'ann', role: 'senior' } });
  });

  it('takes the password from stdin with --password-stdin, and prints none', async () => {
    const result = cli(['create-moderator', 'bob', '--role', 'admin', '--password-stdin'], 'a long enough passphrase\n');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('Created admin "bob".\n');
    expect(await verifyPassword((await moderatorNamed('bob')).passwordHash, 'a long enough passphrase')).toBe(true);
  });

  it.each([
    [['create-moderator', 'ann', '--role', 'moderator'], '', 'a moderator named "ann" already exists'],
    [['create-moderator', 'cy', '--role', 'boss'], '', '--role must be one of moderator, senior, ops, admin'],
    [['create-moderator', 'Cy Smith', '--role', 'ops'], '', 'NAME must be 1-50 lower-case letters'],
    [['create-moderator', 'cy', '--role', 'ops', '--password-stdin'], 'short\n', 'a password needs at least 12 characters'],
    [['create-moderator', '--role', 'ops'], '', 'usage: npm run cli -- create-moderator NAME'],
  ])('refuses %j with a clear message', (args, input, message) => {
    const result = cli(args, input);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
  });
});
