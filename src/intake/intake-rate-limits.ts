import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DomainError } from '../common/domain.exception.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { RateLimiter, retryAfterSeconds } from '../redis/rate-limiter.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The intake's limits (docs/security.md #2): INTAKE_RATE_LIMIT valid requests per client address per
 * hour, and INTAKE_USERNAME_RATE_LIMIT per target username per day, across addresses (0: no limit).
 * Keys hold hashes, not addresses or names. Without Redis the limit is skipped: a requester must still
 * be able to file while Redis is away.
 */
@Injectable()
export class IntakeRateLimiter {
  constructor(
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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
    const counted = await this.limiter.hit(`intake:${kind}:${createHash('sha256').update(subject).digest('hex').slice(0, 32)}`, windowMs);
    return counted && counted.count > limit ? retryAfterSeconds(counted.msLeft) : 0;
  }
}
