import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../server/db/migrate.js';
import { openPostgres } from '../../server/db/postgres.js';
import { shiftSweepJob } from '../../server/gate/shift-sweep.js';
import { releaseLease, renewLease, takeLease } from '../../server/jobs/lease.js';
import { isDue, type Job, startScheduler } from '../../server/jobs/scheduler.js';
import { uuidv7 } from '../../server/core/uuid.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, sync } from '../helpers/gate.js';
import { freshPostgres, PG_URL } from '../helpers/postgres.js';

const M = 60_000;
const H = 60 * M;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A job that counts its runs and can be held open (to overlap two instances' ticks). */
function countingJob(name: string, every: Job['every']) {
  const runs: string[] = [];
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => {};
  return {
    runs,
    hold() {
      gate = new Promise((r) => (open = r));
    },
    letGo: () => open(),
    job: {
      name,
      every,
      async run(deps) {
        runs.push(deps.now().toISOString());
        await gate;
      },
    } satisfies Job,
  };
}

describe('the lease (SQLite)', () => {
  it('is taken when free or expired, renewed only by its holder, released for anyone', async () => {
    const t = await makeTestApp();
    cleanups.push(() => t.close());
    const db = t.database.db;
    const now = t.clock.now;
    expect(await takeLease(db, 'job', 'A', now, M)).toBe(true);
    expect(await takeLease(db, 'job', 'B', now, M)).toBe(false);
    expect(await takeLease(db, 'job', 'A', now, M)).toBe(true); // its own: renewed
    const later = new Date(now.getTime() + 59_000);
    expect(await renewLease(db, 'job', 'A', later, M)).toBe(true);
    expect(await renewLease(db, 'job', 'B', later, M)).toBe(false);
    // A stops renewing: a minute after its last renewal, B takes over and A cannot renew any more.
    const expired = new Date(later.getTime() + M);
    expect(await takeLease(db, 'job', 'B', expired, M)).toBe(true);
    expect(await renewLease(db, 'job', 'A', expired, M)).toBe(false);
    await releaseLease(db, 'job', 'A'); // not A's: nothing happens
    expect(await takeLease(db, 'job', 'C', expired, M)).toBe(false);
    await releaseLease(db, 'job', 'B');
    expect(await takeLease(db, 'job', 'C', expired, M)).toBe(true);
  });

  it('a daily job is due once the hour has passed in its time zone, and overdue at start', () => {
    const job: Job = { name: 'd', every: { dailyAtHour: 3, timezone: 'Asia/Shanghai' }, run: async () => {} };
    // 02:59 Shanghai = 18:59Z the day before: the last 03:00 was the previous day's.
    expect(isDue(job, '2026-11-27T19:00:00.000Z', new Date('2026-11-28T18:59:00Z'), 'UTC')).toBe(false);
    expect(isDue(job, '2026-11-27T19:00:00.000Z', new Date('2026-11-28T19:00:00Z'), 'UTC')).toBe(true);
    expect(isDue(job, null, new Date('2026-11-28T10:00:00Z'), 'UTC')).toBe(true);
    // A server switched off over the 03:00 runs it when it starts, at 09:00.
    expect(isDue(job, '2026-11-26T19:00:00.000Z', new Date('2026-11-28T01:00:00Z'), 'UTC')).toBe(true);
  });

  it('runs a due job at tick, not again within its period, and stop() releases the lease', async () => {
    const t = await makeTestApp();
    cleanups.push(() => t.close());
    const c = countingJob('every-5', { ms: 5 * M });
    const s = startScheduler(t.deps, [c.job], { holder: 'A', manual: true });
    expect(await s.tick()).toEqual(['every-5']);
    t.clock.advance(4 * M);
    expect(await s.tick()).toEqual([]);
    t.clock.advance(M);
    expect(await s.tick()).toEqual(['every-5']);
    expect(c.runs).toHaveLength(2);
    // Held while running; released (for anyone) when stopped.
    c.hold();
    t.clock.advance(5 * M);
    const running = s.tick();
    await new Promise((r) => setTimeout(r, 20));
    expect(await takeLease(t.database.db, 'every-5', 'B', t.clock.now, M)).toBe(false);
    c.letGo();
    await running;
    await s.stop();
    const row = await t.database.db.selectFrom('lease').selectAll().where('name', '=', 'every-5').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ holder: null, lastRunAt: t.clock.now.toISOString() });
  });

  it('a job that fails is logged, not recorded as run, and retried after retryMs', async () => {
    const t = await makeTestApp();
    cleanups.push(() => t.close());
    const logs: string[] = [];
    t.deps.log = (l) => logs.push(l);
    let n = 0;
    const job: Job = { name: 'flaky', every: { ms: H }, run: async () => { if (++n === 1) throw new Error('disk full'); } };
    const s = startScheduler(t.deps, [job], { manual: true, retryMs: 5 * M });
    expect(await s.tick()).toEqual([]);
    expect(logs.join('\n')).toContain('disk full');
    expect(await s.tick()).toEqual([]); // within retryMs
    t.clock.advance(5 * M);
    expect(await s.tick()).toEqual(['flaky']);
    await s.stop();
  });
});

describe.skipIf(!PG_URL)('two server instances on one PostgreSQL database', () => {
  async function twoInstances() {
    const pg = await freshPostgres();
    await migrateToLatest(pg.database);
    const a = await makeTestApp({ database: pg.database });
    const second = openPostgres(pg.url);
    const b = await makeTestApp({ database: second });
    b.deps.now = () => a.clock.now; // one clock for both
    cleanups.push(async () => {
      await second.close();
      await pg.drop();
    });
    return { a, b };
  }

  it('a job runs once across both, however their ticks overlap; the other takes over when the holder dies', async () => {
    const { a, b } = await twoInstances();
    const c = countingJob('purge', { ms: H });
    const sa = startScheduler(a.deps, [c.job], { holder: 'A', manual: true, leaseMs: 2 * M });
    const sb = startScheduler(b.deps, [c.job], { holder: 'B', manual: true, leaseMs: 2 * M });
    c.hold();
    const both = Promise.all([sa.tick(), sb.tick()]);
    await new Promise((r) => setTimeout(r, 100));
    c.letGo();
    expect((await both).flat()).toEqual(['purge']);
    expect((await Promise.all([sa.tick(), sb.tick()])).flat()).toEqual([]); // and not again right after
    expect(c.runs).toHaveLength(1);
    // Due again an hour later: still once.
    a.clock.advance(H);
    expect((await Promise.all([sa.tick(), sb.tick()])).flat()).toEqual(['purge']);
    expect(c.runs).toHaveLength(2);

    // A takes the next run's lease and dies in it (never renews, never releases): B waits for the lease
    // to expire, then runs the job itself.
    a.clock.advance(H);
    expect(await takeLease(a.database.db, 'purge', 'A', a.clock.now, 2 * M)).toBe(true);
    expect(await sb.tick()).toEqual([]);
    a.clock.advance(2 * M);
    expect(await sb.tick()).toEqual(['purge']);
    expect(c.runs).toHaveLength(3);
    await Promise.all([sa.stop(), sb.stop()]);
  });

  it('the idle-shift sweep, on the scheduler, closes a silent shift once', async () => {
    const { a, b } = await twoInstances();
    const s = await buildScene(a);
    const { tablet } = await enrollTablet(a, s.manager, s.compoundId);
    const t0 = s.now();
    const shiftId = uuidv7(t0);
    await sync(a, tablet, [
      { kind: 'shift_start', id: shiftId, at: new Date(t0).toISOString(), gateId: s.gateA, volunteerId: s.volunteerId },
      checkRecord(s, { atMs: t0 + M, shiftId }),
    ]);
    const logs: string[] = [];
    a.deps.log = b.deps.log = (l) => logs.push(l);
    const sa = startScheduler(a.deps, [shiftSweepJob], { manual: true });
    const sb = startScheduler(b.deps, [shiftSweepJob], { manual: true });
    await Promise.all([sa.tick(), sb.tick()]); // the start's sweep: nothing idle yet
    a.clock.advance(13 * H);
    const ran = (await Promise.all([sa.tick(), sb.tick()])).flat();
    expect(ran).toEqual(['shift-sweep']);
    expect(logs.filter((l) => l.includes('Closed 1 idle shift'))).toHaveLength(1);
    const shift = await a.database.db.selectFrom('shift').selectAll().where('id', '=', shiftId).executeTakeFirstOrThrow();
    expect(shift.endedAt).toBe(new Date(t0 + M).toISOString());
    await Promise.all([sa.stop(), sb.stop()]);
  });
});
