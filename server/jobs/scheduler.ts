import { randomUUID } from 'node:crypto';
import { addDays, zonedDate, zonedToUtc } from '../core/time.js';
import type { AppDeps } from '../deps.js';
import { lastRunOf, releaseLease, renewLease, takeLease } from './lease.js';

/**
 * Scheduled work inside the server, run once across every instance on the database (server/jobs/lease.ts).
 *
 *   const scheduler = startScheduler(deps, [
 *     { name: 'shift-sweep', every: { ms: 5 * 60_000 }, run: closeIdleShifts },
 *     { name: 'backup', every: { dailyAtHour: 3 }, run: (deps) => backupNow(deps) },
 *   ]);
 *   …
 *   await scheduler.stop(); // waits for a running job, releases the leases
 *
 * A job is due when it has never run, or when its last run (recorded in its lease row, on any instance)
 * is older than its period: `every.ms`, or the latest `dailyAtHour` o'clock in the time zone (the job's
 * `timezone`, else the configured one). So a server that starts after a missed time runs the job at start.
 * On each tick the scheduler takes a due job's lease (one conditional statement), reads the last run again
 * under it (another instance may just have finished), runs it, renews the lease while it runs, and
 * releases it with the run recorded. A job that throws is logged and tried again on the next tick after
 * `retryMs`; its last run is not recorded.
 */
export interface Job {
  name: string;
  every: { ms: number } | { dailyAtHour: number; timezone?: string };
  run(deps: AppDeps): Promise<unknown>;
}

export interface SchedulerOptions {
  /** This instance's name in the lease rows (default: a random id). */
  holder?: string;
  /** How often the scheduler looks for due jobs (default 30 s). */
  tickMs?: number;
  /** How long a lease lasts without renewal (default 2 min): an instance that died is taken over after it. */
  leaseMs?: number;
  /** Wait after a failed run (default 5 min). */
  retryMs?: number;
  /** No timers: only `tick()` runs jobs (tests, with their clock). */
  manual?: boolean;
}

export interface Scheduler {
  holder: string;
  /** Run every due job now (the timer calls it; tests call it with their clock). Returns the names that ran. */
  tick(): Promise<string[]>;
  /** Stop the timer, wait for a job that is running, release our leases. */
  stop(): Promise<void>;
}

/** The instant a job last became due at or before `now` (for `every.ms`: `now - ms`). */
export function dueSince(job: Job, now: Date, timezone: string): number {
  if ('ms' in job.every) return now.getTime() - job.every.ms;
  const tz = job.every.timezone ?? timezone;
  const today = zonedDate(now.getTime(), tz);
  const hh = String(job.every.dailyAtHour).padStart(2, '0');
  const at = zonedToUtc(today, tz, `${hh}:00`);
  return at <= now.getTime() ? at : zonedToUtc(addDays(today, -1), tz, `${hh}:00`);
}

/** Is the job due at `now`, given when it last ran? */
export function isDue(job: Job, lastRun: string | null, now: Date, timezone: string): boolean {
  if (!lastRun) return true;
  const since = dueSince(job, now, timezone);
  return 'ms' in job.every ? Date.parse(lastRun) <= since : Date.parse(lastRun) < since;
}

export function startScheduler(deps: AppDeps, jobs: Job[], opts: SchedulerOptions = {}): Scheduler {
  const holder = opts.holder ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
  const leaseMs = opts.leaseMs ?? 120_000;
  const retryMs = opts.retryMs ?? 300_000;
  const db = deps.database.db;
  const failedAt = new Map<string, number>();
  let running: Promise<string[]> | null = null;
  let stopped = false;

  async function runOne(job: Job): Promise<boolean> {
    const failed = failedAt.get(job.name);
    if (failed !== undefined && deps.now().getTime() - failed < retryMs) return false;
    if (!isDue(job, await lastRunOf(db, job.name), deps.now(), deps.config.timezone)) return false;
    if (!(await takeLease(db, job.name, holder, deps.now(), leaseMs))) return false;
    const renewal = setInterval(() => {
      renewLease(db, job.name, holder, deps.now(), leaseMs).catch((err) => deps.log(`ERROR lease ${job.name}: ${String(err)}`));
    }, Math.max(1000, leaseMs / 3));
    renewal.unref();
    try {
      // Under the lease: another instance may have run it between our look and our taking it.
      if (!isDue(job, await lastRunOf(db, job.name), deps.now(), deps.config.timezone)) {
        await releaseLease(db, job.name, holder);
        return false;
      }
      const started = deps.now();
      await job.run(deps);
      failedAt.delete(job.name);
      await releaseLease(db, job.name, holder, { ranAt: started });
      return true;
    } catch (err) {
      failedAt.set(job.name, deps.now().getTime());
      deps.log(`ERROR job ${job.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      await releaseLease(db, job.name, holder).catch(() => {});
      return false;
    } finally {
      clearInterval(renewal);
    }
  }

  async function tickOnce(): Promise<string[]> {
    const ran: string[] = [];
    for (const job of jobs) {
      if (stopped) break;
      try {
        if (await runOne(job)) ran.push(job.name);
      } catch (err) {
        deps.log(`ERROR scheduler ${job.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return ran;
  }

  // One tick at a time: a slow job is not started twice by this instance.
  const tick = () => {
    running ??= tickOnce().finally(() => {
      running = null;
    });
    return running;
  };

  const timer = opts.manual ? undefined : setInterval(() => void tick(), opts.tickMs ?? 30_000);
  timer?.unref();
  if (!opts.manual) {
    setImmediate(() => {
      if (!stopped) void tick(); // at start: whatever is overdue
    });
  }

  return {
    holder,
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => {});
      await db.updateTable('lease').set({ holder: null, expiresAt: '' }).where('holder', '=', holder).execute();
    },
  };
}
