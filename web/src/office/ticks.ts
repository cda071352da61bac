/**
 * The y axis of a count: whole numbers, evenly spaced, a step of 1, 2 or 5 × 10ⁿ, at most 5 steps, up to
 * the first tick at or above the largest value (0–1 when there is nothing). Quarters of a round maximum
 * gave 0, 1, 3, 4, 5 for small counts.
 */
export function countTicks(largest: number): number[] {
  const n = Math.max(0, Math.ceil(largest));
  let step = 1;
  for (let p = 1; ; p *= 10) {
    const s = [1, 2, 5].map((m) => m * p).find((c) => Math.ceil(n / c) <= 5);
    if (s) {
      step = s;
      break;
    }
  }
  const steps = Math.max(1, Math.ceil(n / step));
  return Array.from({ length: steps + 1 }, (_, i) => i * step);
}
