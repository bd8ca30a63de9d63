import { Logger } from '@nestjs/common';
import { Shutdown } from './shutdown.js';

/** A close that never finishes: what BullMQ's close does while Redis is away. */
const never = () => new Promise<void>(() => undefined);

/** A forced close that records its calls. */
function forceSpy(): (() => void) & { calls: number } {
  const spy = Object.assign(
    () => {
      spy.calls += 1;
    },
    { calls: 0 },
  );
  return spy;
}

describe('Shutdown', () => {
  // Its warnings are the point of a missed close, not of this file's output.
  beforeAll(() => Logger.overrideLogger(false));

  it('reports a close that finished in time as closed, and nothing open or forced', async () => {
    const shutdown = new Shutdown(1000);
    const force = forceSpy();
    expect(await shutdown.drain('worker mail', async () => undefined, force)).toBe(true);
    expect(await shutdown.release('queue mail', async () => undefined, force)).toBe(true);
    expect(force.calls).toBe(0);
    expect(shutdown.stillOpen()).toEqual([]);
    expect(shutdown.missed()).toEqual([]);
  });

  it('forces a close that misses its deadline, goes on, and names it as forced and still open', async () => {
    const shutdown = new Shutdown(1000);
    const force = forceSpy();
    expect(await shutdown.release('queue mail', never, force)).toBe(false);
    expect(force.calls).toBe(1);
    expect(await shutdown.drain('worker mail', never)).toBe(false);
    expect(shutdown.missed()).toEqual(['queue mail', 'worker mail']);
    expect(shutdown.stillOpen()).toEqual(['queue mail', 'worker mail']);
  });

  it('goes on when the forced close hangs too', async () => {
    const shutdown = new Shutdown(1000);
    expect(await shutdown.release('Redis client', never, never)).toBe(false);
    expect(shutdown.missed()).toEqual(['Redis client']);
  });

  it('counts a name open twice', async () => {
    const shutdown = new Shutdown(1000);
    await Promise.all([shutdown.release('queue x', never), shutdown.release('queue x', never)]);
    expect(shutdown.stillOpen()).toEqual(['queue x (×2)']);
  });

  it('fails the caller of a close that failed in time, and does not count it open', async () => {
    const shutdown = new Shutdown(1000);
    await expect(
      shutdown.release('database', async () => {
        throw new Error('pool already ended');
      }),
    ).rejects.toThrow('pool already ended');
    expect(shutdown.stillOpen()).toEqual([]);
    expect(shutdown.missed()).toEqual([]);
  });

  it('runs one deadline from the first close or begin(), never restarted', () => {
    let now = 0;
    const shutdown = new Shutdown(10_000, () => now);
    shutdown.begin();
    now = 4000;
    shutdown.begin();
    expect(shutdown.msLeft()).toBe(6000);
    now = 12_000;
    expect(shutdown.msLeft()).toBe(0);
  });

  it('keeps a quarter of the timeout after the drains for the connections', async () => {
    let now = 0;
    const shutdown = new Shutdown(10_000, () => now);
    shutdown.begin();
    now = 7600; // the drains' deadline (7.5 s) is past: a drain still running is forced at once
    const force = forceSpy();
    expect(await shutdown.drain('worker mail', never, force)).toBe(false);
    expect(force.calls).toBe(1);
  });
});
