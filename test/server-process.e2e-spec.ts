import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { redisAnswers } from '../src/redis/private-redis.js';
import { generateDirectory } from '../src/directory/demo-directory.js';
import { EVENTUALLY_MS, expectEventually, flushPrefix, isolatedEnv, readMails } from './support/test-app.js';

const MAIN = join(process.cwd(), 'dist/main.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `node dist/main.js`, as `npm start` runs it, in its own working directory. */
describe('the server process', () => {
  it('refuses a bad environment with one line per bad variable', () => {
    const env = isolatedEnv({ PORT: 'eighty', ROLE: 'boss', INTAKE_RATE_LIMIT: '-1' });
    const result = spawnSync(process.execPath, [MAIN], { env: { ...process.env, ...env }, encoding: 'utf8', cwd: env.TEST_DIR });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'Invalid environment: ROLE="boss" (expected one of all, web, worker)',
      'Invalid environment: PORT="eighty" (expected an integer from 0 to 65535)',
      'Invalid environment: INTAKE_RATE_LIMIT="-1" (expected an integer from 0 to 1000000)',
    ]);
  });

  it('prints its help', () => {
    const result = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('REDIS_URL');
  });

  describe('started with no Redis at REDIS_URL', () => {
    let child: ChildProcess;
    let out = '';
    let base = '';
    let redisUrl = '';
    let env: Record<string, string>;

    beforeAll(async () => {
      const [port, redisPort] = [await freePort(), await freePort()];
      redisUrl = `redis://127.0.0.1:${redisPort}`;
      env = isolatedEnv({ PORT: String(port), REDIS_URL: redisUrl, LOG_LEVEL: 'info', DEMO_DATA: 'true', PUBLIC_BASE_URL: `http://127.0.0.1:${port}` });
      base = `http://127.0.0.1:${port}`;
      child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, cwd: env.TEST_DIR });
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      await expectEventually(async () => expect((await fetch(`${base}/health/ready`)).status).toBe(200), EVENTUALLY_MS, 200);
    });
    afterAll(async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await flushPrefix(redisUrl, env.REDIS_PREFIX);
    });

    it('starts a private redis-server under ./var/redis and loads the demo directory', async () => {
      expect(out).toContain('starting a private redis-server under ./var/redis');
      expect(await redisAnswers(redisUrl)).toBe(true);
      await expectEventually(() => expect(out).toMatch(/loaded the demo directory: 300 accounts/));
    });

    it('writes JSON logs with no e-mail address, token or status link in them', async () => {
      const res = await fetch(`${base}/api/v1/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: 'alice',
          contact_email: 'secret.person@example.org',
          request_type: 'lost_2fa',
          coc_accepted: true,
          delay_acknowledged: true,
        }),
      });
      expect(res.status).toBe(201);
      const { status_url: statusUrl } = (await res.json()) as { status_url: string };
      const token = statusUrl.split('/').pop()!;
      expect((await fetch(statusUrl)).status).toBe(200);
      expect(
        (
          await fetch(`${base}/status/${token}/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'message=write+to+secret.person%40example.org',
            redirect: 'manual',
          })
        ).status,
      ).toBe(303);
      await expectEventually(() => expect(out).toMatch(/"url":"\/status\/\[redacted\]"/));
      await expectEventually(() => expect(out).toMatch(/job done/)); // the acknowledgement went out
      const lines = out.split('\n').filter((line) => line.startsWith('{'));
      expect(lines.length).toBeGreaterThan(5);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      expect(out).not.toContain('secret.person');
      expect(out).not.toContain(token);
    });

    it('never logs a one-time code, right or wrong', async () => {
      // the demo directory is generated with a fixed seed: its first account with a verified, current address
      type DemoEmail = { address: string; verified: boolean; removed_at: string | null };
      const owner = generateDirectory(300).accounts.flatMap((a) =>
        (a.emails as DemoEmail[]).filter((e) => e.verified && e.removed_at === null).map((e) => ({ username: String(a.username), address: e.address })),
      )[0];
      const res = await fetch(`${base}/api/v1/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: owner.username,
          contact_email: owner.address,
          request_type: 'lost_2fa',
          coc_accepted: true,
          delay_acknowledged: true,
        }),
      });
      expect(res.status).toBe(201);
      const { status_url: statusUrl } = (await res.json()) as { status_url: string };
      const code = await expectEventually(
        () => {
          const mail = readMails(env.MAIL_DIR).find((m) => /one-time code/.test(m.subject) && m.to.includes(owner.address));
          if (!mail) throw new Error('no code mailed yet');
          return /Your one-time code: (\d{4}) (\d{4})/.exec(mail.text)!.slice(1).join('');
        },
        EVENTUALLY_MS,
        100,
      );
      const post = (value: string) =>
        fetch(`${statusUrl}/code`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `code=${value}`,
          redirect: 'manual',
        });
      const wrong = String((Number(code) + 1) % 100_000_000).padStart(8, '0');
      expect((await post(wrong)).status).toBe(400);
      expect((await post(code)).status).toBe(303);
      await expectEventually(() => expect(out.match(/ticket assessed/g)?.length ?? 0).toBeGreaterThanOrEqual(3));
      expect(out).not.toContain(code);
      expect(out).not.toContain(wrong);
      expect(out).not.toContain(`${code.slice(0, 4)} ${code.slice(4)}`);
    });

    it('stops its private Redis when it exits', async () => {
      child.kill('SIGTERM');
      const code = await new Promise((r) => child.once('exit', r));
      expect(code).toBe(0);
      await expectEventually(async () => expect(await redisAnswers(redisUrl, 200)).toBe(false), EVENTUALLY_MS, 100);
    });
  });
});
