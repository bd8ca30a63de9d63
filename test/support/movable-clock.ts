import { Clock } from '../../src/common/clock.js';

/** The wall clock plus an offset a test moves forward (the app's one Clock, swapped at the edge). */
export class MovableClock extends Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves "now" forward. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Back to the wall clock (sign-ins check TOTP codes made from the wall clock). */
  reset(): void {
    this.offsetMs = 0;
  }
}
