import { Logger } from '@nestjs/common';

/**
 * The shutdown's one deadline (SHUTDOWN_TIMEOUT), and a deadline for every close under it, so that a
 * close that waits on an absent Redis (BullMQ and ioredis retry for ever) cannot hold the process.
 *
 * Two kinds of close:
 * - a drain waits for work in flight (HTTP requests, running jobs, a relay or reconciler pass), until a
 *   quarter of the timeout is left: that quarter is kept for closing connections;
 * - a release closes a connection (a queue, a Redis client, the database), for a tenth of the timeout.
 * A close that misses its deadline is forced (its `force`, itself given a tenth), counted as missed, and
 * the shutdown goes on. main.ts exits 1 when one was missed, or at the deadline with what is still open.
 */
export class Shutdown {
  private readonly logger = new Logger(Shutdown.name);
  private endsAt: number | null = null;
  private readonly open = new Map<string, number>();
  private readonly missedNames: string[] = [];

  constructor(
    readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts the clock (once; the first close starts it if no signal did). */
  begin(): void {
    this.endsAt ??= this.now() + this.timeoutMs;
  }

  /** Milliseconds left before the shutdown's deadline. */
  msLeft(): number {
    this.begin();
    return Math.max(0, this.endsAt! - this.now());
  }

  /** Waits for work in flight until the drains' deadline, then forces. True when it closed in time. */
  drain(name: string, close: () => Promise<unknown>, force?: () => unknown): Promise<boolean> {
    return this.within(name, this.msLeft() - this.timeoutMs / 4, close, force);
  }

  /** Closes a connection within a tenth of the timeout, then forces. True when it closed in time. */
  release(name: string, close: () => Promise<unknown>, force?: () => unknown): Promise<boolean> {
    return this.within(name, this.timeoutMs / 10, close, force);
  }

  /** The closes that have not finished yet, by name (one name may be open several times: counted). */
  stillOpen(): string[] {
    return [...this.open].map(([name, n]) => (n > 1 ? `${name} (×${n})` : name));
  }

  /** The closes that missed their deadline and were forced. */
  missed(): string[] {
    return [...this.missedNames];
  }

  private async within(name: string, ms: number, close: () => Promise<unknown>, force?: () => unknown): Promise<boolean> {
    this.opened(name);
    const closing = Promise.resolve()
      .then(close)
      .finally(() => this.closed(name));
    const deadlineMs = Math.max(0, Math.round(Math.min(ms, this.msLeft())));
    if (await settlesWithin(closing, deadlineMs)) {
      await closing; // a close that failed in time fails its caller, as it would without a deadline
      return true;
    }
    this.missedNames.push(name);
    this.logger.warn(`${name} did not close within ${deadlineMs} ms: ${force ? 'forcing it' : 'going on without it'}`);
    // A forced close may hang too (a Redis client waiting for its server): it gets its own deadline.
    if (force) await settlesWithin(Promise.resolve().then(force), Math.min(this.timeoutMs / 10, this.msLeft()));
    return false;
  }

  private opened(name: string): void {
    this.open.set(name, (this.open.get(name) ?? 0) + 1);
  }

  private closed(name: string): void {
    const n = (this.open.get(name) ?? 1) - 1;
    if (n > 0) this.open.set(name, n);
    else this.open.delete(name);
  }
}

/** True when the promise settles, either way, within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
