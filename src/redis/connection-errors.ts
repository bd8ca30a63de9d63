import type { Logger } from '@nestjs/common';

/**
 * BullMQ queues and workers emit `error` on every failed reconnect, and print it to the console when
 * nothing listens. Log the first error of an outage as a warning, and stay quiet until it ends.
 */
export function logConnectionErrors(emitter: { on(event: string, listener: (...args: unknown[]) => void): unknown }, logger: Logger, name: string): void {
  let failing = false;
  emitter.on('error', (error: unknown) => {
    if (!failing) logger.warn(`${name}: Redis unavailable (${(error as Error)?.message ?? String(error)}); retrying`);
    failing = true;
  });
  emitter.on('ready', () => {
    failing = false;
  });
}
