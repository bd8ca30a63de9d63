import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { resolve } from 'node:path';
import { redisOptionsFromUrl } from './redis-options.js';

/** True when something answers PING at the URL's host and port within the timeout. */
export function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const { host, port } = redisOptionsFromUrl(url);
  return new Promise((done) => {
    const socket = createConnection({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    // +PONG, or -NOAUTH from a password-protected server: either way a Redis is there.
    socket.on('data', (data) => finish(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}

export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts a redis-server for this app alone, keeping its data under ./var/redis, with the settings
 * BullMQ needs (noeviction, append-only file). It stops when the app stops.
 */
export async function startPrivateRedis(url: string): Promise<ChildProcess> {
  const { host, port } = redisOptionsFromUrl(url);
  const dir = resolve('var/redis');
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    'redis-server',
    [
      '--bind',
      host === 'localhost' ? '127.0.0.1' : String(host),
      '--port',
      String(port),
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--save',
      '',
      '--logfile',
      resolve(dir, 'redis.log'),
      '--daemonize',
      'no',
    ],
    { stdio: 'ignore' },
  );
  const stop = () => child.exitCode === null && child.kill('SIGTERM');
  process.once('exit', stop); // a last resort: main.ts stops it properly on SIGTERM/SIGINT
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) break;
    if (await redisAnswers(url, 200)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  stop();
  throw new Error(`redis-server did not start on ${host}:${port}; see var/redis/redis.log`);
}

/** Stops a private redis-server and waits for it (it writes its append-only file on the way out). */
export async function stopPrivateRedis(child: ChildProcess, timeoutMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, timeoutMs))]);
}
