import type { BrowserContext } from 'playwright-core';

/**
 * The instant every test starts at. Fixed, so no test depends on the day it runs; `GATEPOST_TEST_NOW`
 * runs the whole suite as if on another day (a year ahead, a leap day, just before local midnight):
 *
 *   GATEPOST_TEST_NOW=2028-02-29T15:59:00Z npm test
 */
export const TEST_START = process.env.GATEPOST_TEST_NOW ?? '2026-11-28T08:00:00.000Z';
if (Number.isNaN(Date.parse(TEST_START))) throw new Error(`GATEPOST_TEST_NOW is not an ISO date: ${TEST_START}`);

/**
 * One clock per test, shared by the fixtures, the server (deps.now) and, for browser tests, the page.
 * It stands still (in-process tests move it by hand) until `run()`: then it flows with real time from
 * where it stands, as a server and a tablet need when they talk over a real port.
 */
export class TestClock {
  private base: number;
  private runningSince: number | null = null;

  constructor(start: string = TEST_START) {
    this.base = Date.parse(start);
  }

  get now(): Date {
    return new Date(this.ms());
  }

  ms(): number {
    return this.runningSince === null ? this.base : this.base + (performance.now() - this.runningSince);
  }

  advance(ms: number): void {
    this.base += ms;
  }

  set(iso: string): void {
    this.base = Date.parse(iso) - (this.runningSince === null ? 0 : performance.now() - this.runningSince);
  }

  /** From now on, time passes as it does on the wall. */
  run(): this {
    if (this.runningSince === null) this.runningSince = performance.now();
    return this;
  }

  /**
   * Give a browser context the same clock (before its pages open): Date in the page reads this clock's
   * time and goes on flowing with it; timers run at their real pace.
   */
  async shareWith(context: BrowserContext): Promise<void> {
    await context.clock.install({ time: this.ms() });
  }
}
