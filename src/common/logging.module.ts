import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { redactText, redactValue } from './redact.js';

/** JSON logs through pino; addresses, tokens and cookies never reach them (docs/security.md #22). */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // nestjs-pino's default route, `{/*splat}`, matches nothing under the Fastify adapter here.
        forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
        pinoHttp: {
          level: config.logLevel,
          autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
          serializers: {
            req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          // Formatters see raw objects before serializers: req and res are left to their serializers above.
          formatters: { log: ({ req, res, ...rest }: Record<string, unknown>) => ({ ...(redactValue(rest) as object), req, res }) },
          hooks: {
            logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
              method.apply(
                this,
                args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg)),
              );
            },
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}

/** Status and reset links carry their secret in the path. */
export function redactUrl(url: string): string {
  return redactText(url.replace(/^\/(status|reset)\/[^/?#]+/, '/$1/[redacted]'));
}
