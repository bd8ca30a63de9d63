import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { REDIS } from './redis.constants.js';

// INCR and arm the window's expiry atomically: on the first hit, and again on the hit that reaches
// ARGV[2] (a lock then lasts a full window from the hit that set it); a key left without an expiry is
// repaired. Returns the count and the milliseconds left in the window.
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 or n == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

export interface WindowCount {
  count: number;
  /** Milliseconds until the window ends (0 when nothing was counted). */
  msLeft: number;
}

/**
 * The one rate limiter: fixed windows counted in Redis under the app's prefix (intake limits, sign-in
 * throttling). Keys are the caller's, and never hold an address or a name in clear. Null answers mean
 * Redis is away: each caller decides what that means for it.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);

  constructor(@Inject(REDIS) private readonly redis: Redis, @Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Counts one hit in `key`'s window of `windowMs`; `restartAt`: the count that starts the window again. */
  async hit(key: string, windowMs: number, restartAt = 0): Promise<WindowCount | null> {
    try {
      const [count, msLeft] = (await this.redis.eval(HIT_SCRIPT, 1, this.key(key), String(windowMs), String(restartAt))) as [number, number];
      return { count, msLeft };
    } catch (error) {
      this.logger.warn(`rate limit ${key.split(':')[0]} not counted, Redis unavailable: ${(error as Error).message}`);
      return null;
    }
  }

  /** The window's count so far, without counting. */
  async peek(key: string): Promise<WindowCount | null> {
    try {
      const [n, msLeft] = await Promise.all([this.redis.get(this.key(key)), this.redis.pttl(this.key(key))]);
      return { count: Number(n ?? 0), msLeft: Math.max(0, msLeft) };
    } catch (error) {
      this.logger.warn(`rate limit ${key.split(':')[0]} not read, Redis unavailable: ${(error as Error).message}`);
      return null;
    }
  }

  private key(key: string): string {
    return `${this.config.redis.prefix}:rl:${key}`;
  }
}

/** Seconds to tell a client to wait: at least one. */
export const retryAfterSeconds = (msLeft: number): number => Math.max(1, Math.ceil(msLeft / 1000));
