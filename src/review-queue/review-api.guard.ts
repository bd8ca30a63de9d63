import { type CanActivate, type ExecutionContext, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../common/domain.exception.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

export const MODERATOR_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,49}$/;

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * The staff review API (for tools and the multi-process tests; people use the dashboard, behind
 * its sign-in): closed (404) unless REVIEW_API_TOKEN is set; then a Bearer token compared in constant
 * time, and the acting moderator named in `X-Moderator`.
 */
@Injectable()
export class ReviewApiGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = config.review.apiToken ? digest(config.review.apiToken) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) throw new NotFoundException();
    const request = context.switchToHttp().getRequest<FastifyRequest & { moderatorId?: string }>();
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    if (!match || !timingSafeEqual(digest(match[1]), this.expected)) {
      throw new UnauthorizedException('A valid staff token is required (Authorization: Bearer …).');
    }
    const moderator = request.headers['x-moderator'];
    if (typeof moderator !== 'string' || !MODERATOR_ID_PATTERN.test(moderator)) {
      throw DomainError.validation([
        { field: 'X-Moderator', reasons: ['X-Moderator must name the moderator: 1-50 lower-case letters, digits, dots, dashes or underscores'] },
      ]);
    }
    request.moderatorId = moderator;
    return true;
  }
}
