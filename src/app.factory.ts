import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { join } from 'node:path';
import { AppModule, type AppOverrides } from './app.module.js';
import { registerStaffSessions } from './auth/staff-http.js';
import { VIEWS_DIR } from './common/paths.js';
import { createValidationPipe } from './common/validation.js';
import { createHandlebars, PARTIALS } from './common/views.js';
import type { AppConfig } from './config/app-config.js';
import { registerHttpMetrics } from './metrics/http-metrics.hook.js';
import { MetricsRegistry } from './metrics/metrics.registry.js';
import { registerQueueBoard } from './ops/queue-board.js';

export const BODY_LIMIT = 64 * 1024;

/** Builds the HTTP application (not yet listening): used by main, the CLI-free tests and the bench. */
export async function createApp(config: AppConfig, options: { bufferLogs?: boolean; overrides?: AppOverrides } = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    trustProxy: config.intake.trustProxy,
    logger: false,
    ...serverTimeouts(config.http),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.overrides), adapter, {
    bufferLogs: options.bufferLogs ?? true,
  });
  app.useLogger(app.get(Logger));
  // First, so every route and plugin registered below is timed.
  registerHttpMetrics(app.getHttpAdapter().getInstance(), app.get(MetricsRegistry));
  app.useGlobalPipes(createValidationPipe());
  app.useSecurityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'object-src': ["'none'"],
        'frame-ancestors': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: config.publicBaseUrl.startsWith('https:'),
  });
  // Cross-site form posts are refused (Sec-Fetch-Site / Origin); API clients send neither header.
  app.enableCsrfProtection();
  // Staff sessions and their CSRF tokens (the requester's pages and the API use neither).
  await registerStaffSessions(app, config);
  // After the sessions: its access hook reads them.
  await registerQueueBoard(app, config);
  app.useStaticAssets({ root: join(VIEWS_DIR, 'static'), prefix: '/static/', maxAge: config.nodeEnv === 'production' ? '1d' : 0 });
  app.setViewEngine({
    engine: { handlebars: createHandlebars() },
    root: VIEWS_DIR,
    layout: 'layouts/main.hbs',
    viewExt: 'hbs',
    options: { partials: PARTIALS },
    defaultContext: { productName: 'Recovery Desk' },
  });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Recovery Desk API')
      .setDescription('Ask for a package-index account back. Answers never reveal whether a username exists.')
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  return app;
}

/**
 * Fastify waits forever by default (request and connection timeouts of 0): a client sending a byte now
 * and then kept its socket, and enough of them would hold every connection the server can take.
 * `requestTimeout` bounds the whole request, headers included (Node answers 408 and closes);
 * `connectionTimeout` closes a socket silent both ways (a client that stopped reading its answer too);
 * `keepAliveTimeout` an idle kept-alive one. Node looks for overdue requests every
 * `connectionsCheckingInterval` (30 s by default): a quarter of the timeout keeps them at most that late.
 */
export function serverTimeouts(http: AppConfig['http']) {
  return {
    requestTimeout: http.requestTimeoutMs,
    connectionTimeout: http.connectionTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    http: {
      // Node checks headersTimeout <= requestTimeout when it builds the server: both given, both the same.
      requestTimeout: http.requestTimeoutMs,
      headersTimeout: http.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(250, Math.min(30_000, Math.round(http.requestTimeoutMs / 4))),
    },
  };
}
