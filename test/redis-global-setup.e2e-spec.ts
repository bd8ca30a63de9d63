import { Redis } from 'ioredis';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { provideTestRedis, redisAnswers } from './support/redis.global-setup.mjs';
import { DisposableRedis } from './support/redis-server.js';

// The global setup's choice of Redis (jest.config.js), driven with a probe URL of the spec's own so
// that the Redis the rest of the run uses is never involved.
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A port nothing listens on: taken from the kernel, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const env = () => ({ PATH: process.env.PATH });

describe('the Redis the tests use', () => {
  it('starts a private redis-server when nothing answers, and stops it at the end', async () => {
    const probeUrl = `redis://127.0.0.1:${await closedPort()}`;
    const lines: string[] = [];
    const redis = await provideTestRedis({ env: env(), probeUrl, log: (line) => lines.push(line) });
    expect(redis.source).toBe('private');
    expect(redis.url).not.toBe(probeUrl);
    expect(lines).toEqual([expect.stringContaining(`private redis-server at ${redis.url}`)]);
    expect(await redisAnswers(redis.url)).toBe(true);
    const client = new Redis(redis.url);
    const dir = (await client.config('GET', 'dir')) as string[];
    expect(await client.config('GET', 'save')).toEqual(['save', '']);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    client.disconnect();
    expect(alive(redis.pid!)).toBe(true);

    await redis.stop();
    expect(alive(redis.pid!)).toBe(false);
    expect(await redisAnswers(redis.url)).toBe(false);
    expect(existsSync(dir[1])).toBe(false);
  });

  describe('with a Redis answering', () => {
    const running = new DisposableRedis();
    let client: Redis;
    beforeAll(async () => {
      await running.start();
      client = new Redis(running.url);
    });
    afterAll(async () => {
      client.disconnect();
      await running.stop();
    });

    const expectUntouched = async (key: string) => {
      expect(await client.get(key)).toBe('kept');
      expect(await client.dbsize()).toBe(1);
      expect(await redisAnswers(running.url)).toBe(true);
    };

    it('uses the Redis found at the probed URL, starts none, and leaves its keys and process alone', async () => {
      await client.set('someone-elses:key', 'kept');
      const redis = await provideTestRedis({
        env: env(),
        probeUrl: running.url,
        log: () => {
          throw new Error('nothing to say');
        },
      });
      expect(redis).toMatchObject({ url: running.url, source: 'running' });
      expect(redis.pid).toBeUndefined();

      await redis.stop();
      await expectUntouched('someone-elses:key');
      await client.del('someone-elses:key');
    });

    it('prefers TEST_REDIS_URL to the probed URL', async () => {
      await client.set('given:key', 'kept');
      const probeUrl = `redis://127.0.0.1:${await closedPort()}`;
      const redis = await provideTestRedis({ env: { ...env(), TEST_REDIS_URL: running.url }, probeUrl });
      expect(redis).toMatchObject({ url: running.url, source: 'TEST_REDIS_URL' });

      await redis.stop();
      await expectUntouched('given:key');
      await client.del('given:key');
    });
  });

  it('stops at once, saying how to install Redis, when nothing answers and redis-server is not on PATH', async () => {
    const probeUrl = `redis://127.0.0.1:${await closedPort()}`;
    await expect(provideTestRedis({ env: { PATH: '/nonexistent' }, probeUrl })).rejects.toThrow(
      `No Redis answers at ${probeUrl} and redis-server is not installed`,
    );
    await expect(provideTestRedis({ env: { PATH: '/nonexistent' }, probeUrl })).rejects.toThrow('sudo apt-get install -y redis-server');
  });

  it('refuses a TEST_REDIS_URL where nothing answers', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    await expect(provideTestRedis({ env: { ...env(), TEST_REDIS_URL: url } })).rejects.toThrow(`TEST_REDIS_URL=${url}: nothing answers PING there.`);
  });
});
