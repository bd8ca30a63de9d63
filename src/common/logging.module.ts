import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { redactText, redactValue } from './redact.js';

/** JSON logs through pino; addresses, tokens and cookies never reach them (SECURITY.md #22). */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
          serializers: {
            req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          formatters: { log: (object: Record<string, unknown>) => redactValue(object) as Record<string, unknown> },
          hooks: {
            logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
              method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg)));
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
