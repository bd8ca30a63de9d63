// Beyond these the top tick (up to 10× the step) or 10^exponent would overflow to Infinity or 0.
const LARGEST_AXIS = 1e300;
const SMALLEST_AXIS = 1e-200;
const MOST_STEPS = 100;

/**
 * Tick values from 0 up to the first tick ≥ max, in steps of 1, 2 or 5 × 10^n, about `count` steps.
 * A max of 0 (or a non-finite max) gives the axis 0..1. `minStep` keeps count axes in whole numbers.
 */
export function niceTicks(max: number, count = 5, minStep = 0): number[] {
  const top = Number.isFinite(max) && max > 0 ? Math.min(Math.max(max, SMALLEST_AXIS), LARGEST_AXIS) : 1;
  const steps = Number.isFinite(count) && count >= 1 ? Math.min(Math.floor(count), MOST_STEPS) : 1;
  const exponent = Math.floor(Math.log10(top / steps));
  const residual = top / steps / 10 ** exponent;
  const mantissa = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10;
  // Dividing by an exact power of ten keeps 0.6 from becoming 0.6000000000000001.
  let tickAt = (i: number): number => (exponent >= 0 ? i * mantissa * 10 ** exponent : (i * mantissa) / 10 ** -exponent);
  let step = tickAt(1);
  if (Number.isFinite(minStep) && minStep > step) {
    step = minStep;
    tickAt = (i) => i * minStep;
  }
  // 1e-9 absorbs float noise such as 0.30000000000000004 / 0.1 = 3.0000000000000004.
  const intervals = Math.max(1, Math.ceil(top / step - 1e-9));
  return Array.from({ length: intervals + 1 }, (_, i) => tickAt(i));
}
