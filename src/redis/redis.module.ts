import { Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Shutdown } from '../common/shutdown.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { RateLimiter } from './rate-limiter.js';
import { REDIS } from './redis.constants.js';
import { redisOptionsFromUrl } from './redis-options.js';

/**
 * The app's own Redis client (rate limits, health). Commands fail at once while Redis is away
 * instead of queueing, so a request never hangs on Redis: callers decide what to do without it.
 */
async function createClient(config: AppConfig): Promise<Redis> {
  const logger = new Logger('Redis');
  const client = new Redis({
    ...redisOptionsFromUrl(config.redis.url),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) logger.warn(`Redis unavailable: ${error.message}`);
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.log('Redis reachable again');
    down = false;
  });
  // Without an offline queue, commands sent before the first connection fail: wait for it (briefly,
  // since the app must still start and take requests while Redis is away).
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3000);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return client;
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly shutdown: Shutdown,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.shutdown.release(
      'Redis client',
      () => this.redis.quit().catch(() => this.redis.disconnect()),
      () => this.redis.disconnect(),
    );
  }
}

/** The app's own Redis client; imported by what uses it (rate limits, sessions, health). */
@Module({
  providers: [{ provide: REDIS, inject: [APP_CONFIG], useFactory: createClient }, RedisCloser, RateLimiter],
  exports: [REDIS, RateLimiter],
})
export class RedisModule {}
