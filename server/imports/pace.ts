import { breathe } from '../db/breathe.js';

/**
 * Turns of the event loop for long loops over a file's rows, so that other requests are answered while a
 * large file is read or checked: `if (pace.due()) await pace.turn()` each row gives one after `rows` rows
 * or `ms` milliseconds, whichever comes first (a thousand rows are a few milliseconds once the code is
 * optimised, many more before; the clock is read every 50 rows).
 */
export function eventLoopPace(rows = 1_000, ms = 10) {
  let count = 0;
  let since = performance.now();
  return {
    due: () => ++count % rows === 0 || (count % 50 === 0 && performance.now() - since > ms),
    turn: async () => {
      await breathe();
      since = performance.now();
    },
  };
}
