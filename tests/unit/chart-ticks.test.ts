import { describe, expect, it } from 'vitest';
import { countTicks } from '../../web/src/office/ticks.js';

describe("the dashboard chart's y axis: whole, evenly spaced ticks (issue 12)", () => {
  it.each([
    [0, [0, 1]],
    [1, [0, 1]],
    [3, [0, 1, 2, 3]],
    [4, [0, 1, 2, 3, 4]],
    [5, [0, 1, 2, 3, 4, 5]],
    [6, [0, 2, 4, 6]],
    [7, [0, 2, 4, 6, 8]],
    [12, [0, 5, 10, 15]],
    [38, [0, 10, 20, 30, 40]],
    [130, [0, 50, 100, 150]],
    [2.4, [0, 1, 2, 3]],
  ])('largest %d → %j', (largest, ticks) => expect(countTicks(largest)).toEqual(ticks));

  it('every tick is a whole number, equally spaced, the top at or above the largest value', () => {
    for (let n = 0; n <= 5000; n += 7) {
      const ticks = countTicks(n);
      const step = ticks[1]! - ticks[0]!;
      expect(ticks.every((v, i) => Number.isInteger(v) && v === i * step)).toBe(true);
      expect(ticks[ticks.length - 1]!).toBeGreaterThanOrEqual(n);
      expect(ticks.length).toBeLessThanOrEqual(6);
    }
  });
});
