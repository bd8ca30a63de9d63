import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { bearerTokenMatches } from './bearer-token.js';
import { MetricsRegistry } from './metrics.registry.js';

/**
 * Prometheus's scrape target. Open unless METRICS_TOKEN is set; then the token is its guard (the
 * numbers are operational, not personal, but they tell an outsider how busy and how late the desk is).
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async scrape(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    reply.header('Cache-Control', 'no-store');
    if (this.config.metrics.token !== null && !bearerTokenMatches(request.headers.authorization, this.config.metrics.token)) {
      await reply.status(401).header('WWW-Authenticate', 'Bearer realm="metrics"').send({
        statusCode: 401,
        error: 'unauthorized',
        message: 'A valid metrics token is required (Authorization: Bearer …).',
      });
      return;
    }
    const body = await this.metrics.scrape();
    await reply.header('Content-Type', this.metrics.contentType).send(body);
  }
}
