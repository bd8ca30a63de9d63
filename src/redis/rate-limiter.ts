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

// Takes one try from the window's allowance of ARGV[3], or refuses when it is spent: the check and the
// count are one step, so requests in parallel cannot all read "not spent yet" and all go ahead. The
// expiry is armed as in HIT_SCRIPT. Returns 1 (taken) or 0 (refused), the count and the milliseconds left.
const TAKE_SCRIPT = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local taken = 0
if n < tonumber(ARGV[3]) then
  n = redis.call('INCR', KEYS[1])
  taken = 1
  if n == 1 or n == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
end
local ttl = redis.call('PTTL', KEYS[1])
if n > 0 and ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return {taken, n, math.max(ttl, 0)}`;

// Gives back a try taken with TAKE_SCRIPT (never below zero; the window's expiry stays as it is).
const GIVE_BACK_SCRIPT = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

export interface WindowCount {
  count: number;
  /** Milliseconds until the window ends (0 when nothing was counted). */
  msLeft: number;
}

export interface TakenTry extends WindowCount {
  /** False: the allowance was already spent, and nothing was counted. */
  taken: boolean;
}

/**
 * The one rate limiter: fixed windows counted in Redis under the app's prefix (intake limits, sign-in
 * throttling). Keys are the caller's, and never hold an address or a name in clear. Null answers mean
 * Redis is away: each caller decides what that means for it.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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

  /**
   * Takes one try from `key`'s allowance of `limit` per window of `windowMs` before the work it guards
   * (a password hash, a code check), in one atomic step; `restartAt` as in hit(). Refused once spent.
   */
  async take(key: string, windowMs: number, limit: number, restartAt = 0): Promise<TakenTry | null> {
    try {
      const [taken, count, msLeft] = (await this.redis.eval(TAKE_SCRIPT, 1, this.key(key), String(windowMs), String(restartAt), String(limit))) as [
        number,
        number,
        number,
      ];
      return { taken: taken === 1, count, msLeft };
    } catch (error) {
      this.logger.warn(`rate limit ${key.split(':')[0]} not counted, Redis unavailable: ${(error as Error).message}`);
      return null;
    }
  }

  /** Gives back a try taken with take() whose work turned out right: only failures stay counted. */
  async giveBack(key: string): Promise<void> {
    try {
      await this.redis.eval(GIVE_BACK_SCRIPT, 1, this.key(key));
    } catch (error) {
      this.logger.warn(`rate limit ${key.split(':')[0]} not given back, Redis unavailable: ${(error as Error).message}`);
    }
  }

  private key(key: string): string {
    return `${this.config.redis.prefix}:rl:${key}`;
  }
}

/** Seconds to tell a client to wait: at least one. */
export const retryAfterSeconds = (msLeft: number): number => Math.max(1, Math.ceil(msLeft / 1000));
