import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { DomainError } from '../common/domain.exception.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { REDIS } from '../redis/redis.module.js';

// INCR and arm the window's expiry atomically; returns the count and the milliseconds left in the window.
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Fixed-window limits on intake, per client address and per target username (SECURITY.md #2).
 * Keys hold hashes, not addresses or names. Without Redis the limit is skipped (logged): a requester
 * must still be able to file while Redis is away.
 */
@Injectable()
export class IntakeRateLimiter {
  private readonly logger = new Logger(IntakeRateLimiter.name);

  constructor(@Inject(REDIS) private readonly redis: Redis, @Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async consume(clientAddress: string, usernameKey: string): Promise<void> {
    const { ratePerHourPerClient, ratePerDayPerUsername } = this.config.intake;
    const retryAfter = Math.max(
      await this.hit('ip', clientAddress, ratePerHourPerClient, HOUR),
      await this.hit('user', usernameKey, ratePerDayPerUsername, DAY),
    );
    if (retryAfter > 0) throw DomainError.rateLimited(retryAfter);
  }

  /** Seconds to wait when over the limit, else 0. */
  private async hit(kind: string, subject: string, limit: number, windowMs: number): Promise<number> {
    if (limit === 0) return 0;
    const key = `${this.config.redis.prefix}:rl:intake:${kind}:${createHash('sha256').update(subject).digest('hex').slice(0, 32)}`;
    try {
      const [count, ttl] = (await this.redis.eval(HIT_SCRIPT, 1, key, String(windowMs))) as [number, number];
      return count > limit ? Math.max(1, Math.ceil(ttl / 1000)) : 0;
    } catch (error) {
      this.logger.warn(`intake rate limit skipped, Redis unavailable: ${(error as Error).message}`);
      return 0;
    }
  }
}
