import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { openPostgres } from '../../server/db/postgres.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { analysisCatchUpJob, claimNext } from '../../server/gate/analysis.js';
import { ingestBatch } from '../../server/gate/ingest.js';
import { startScheduler } from '../../server/jobs/scheduler.js';
import { makeTestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet } from '../helpers/gate.js';
import { freshPostgres, PG_URL } from '../helpers/postgres.js';

// Issue 14: the analysis queue shared by several server instances on one PostgreSQL database. A server
// claims the oldest entry of a compound no other server is analysing; each compound's entries go one at a
// time, in the order they were stored.

describe.skipIf(!PG_URL)('the analysis queue, claimed by two servers on one PostgreSQL database', () => {
  let pg: Awaited<ReturnType<typeof freshPostgres>>;
  let other: Database;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    pg = await freshPostgres();
    await migrateToLatest(pg.database);
    other = openPostgres(pg.url);
    const at = '2026-11-28T08:00:00.000Z';
    const db = pg.database.db;
    const compound = async (name: string) => (await db.insertInto('compound').values({ name, timezone: 'Asia/Shanghai', createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow()).id;
    const a = await compound('甲');
    const b = await compound('乙');
    for (const [key, compoundId] of [['a1', a], ['a2', a], ['b1', b]] as const) {
      ids[key] = (await db.insertInto('analysisQueue').values({ compoundId, checkIds: '[]', voidedCheckIds: '[]', createdAt: at }).returning('id').executeTakeFirstOrThrow()).id;
    }
  });
  afterAll(async () => {
    await other?.close();
    await pg?.drop();
  });

  /** A transaction held open until `release()`: what a server holds while it analyses one step. */
  function hold(d: Database) {
    let release!: (deleteIt: boolean) => void;
    const released = new Promise<boolean>((r) => (release = r));
    let claimed!: (id: number | undefined) => void;
    const got = new Promise<number | undefined>((r) => (claimed = r));
    const done = d.db.transaction().execute(async (tx) => {
      const item = await claimNext(tx, 'postgres');
      claimed(item?.id);
      if (await released && item) await tx.deleteFrom('analysisQueue').where('id', '=', item.id).execute();
    });
    return { got, release, done };
  }

  it('a second server takes another compound, never the next entry of a compound being analysed; that one comes next, in order', async () => {
    const first = hold(pg.database);
    expect(await first.got).toBe(ids.a1);
    // 甲's second batch waits for its first: the other server takes 乙's.
    const second = hold(other);
    expect(await second.got).toBe(ids.b1);
    // Everything left belongs to a compound being analysed.
    const third = hold(other);
    expect(await third.got).toBeUndefined();
    third.release(false);
    await third.done;
    // The first server finishes its step: 甲's next entry is free, to whichever server asks.
    first.release(true);
    await first.done;
    const fourth = hold(other);
    expect(await fourth.got).toBe(ids.a2);
    fourth.release(true);
    second.release(true);
    await Promise.all([fourth.done, second.done]);
    expect(await pg.database.db.selectFrom('analysisQueue').select('id').execute()).toEqual([]);
  });
  // A server killed mid-step (SIGKILL, its transaction and locks gone with it): tests/api/city-scale.test.ts.
});

describe.skipIf(!PG_URL)('the analysis catch-up, on the scheduler of two instances', () => {
  it('runs once across both, and analyses the backlog a restart left, each check once', async () => {
    const pg = await freshPostgres();
    await migrateToLatest(pg.database);
    const second = openPostgres(pg.url);
    try {
      const a = await makeTestApp({ database: pg.database });
      const b = await makeTestApp({ database: second });
      b.deps.now = () => a.clock.now; // one clock for both
      const s = await buildScene(a);
      const { deviceId } = await enrollTablet(a, s.manager, s.compoundId);
      const device = { id: deviceId, compoundId: s.compoundId, name: '东门平板' };
      // Stored as a sync stores them, nobody scheduled to analyse them: the queue a crash leaves.
      const people = ['zhang', 'li', 'wang', 'zhao'] as const;
      let ids: string[] = [];
      for (let k = 0; k < 30; k++) {
        const records = Array.from({ length: 10 }, (_, i) => checkRecord(s, { person: people[(k + i) % 4], direction: (k + i) % 2 ? 'in' : 'out', atMs: s.now() - 3_600_000 + (k * 10 + i) * 1000 }));
        ids = [...ids, ...records.map((r) => r.id)];
        await ingestBatch(a.deps, device, { sentAt: a.clock.now.toISOString(), records });
      }
      const logs: string[] = [];
      a.deps.log = b.deps.log = (l) => logs.push(l);
      const sa = startScheduler(a.deps, [analysisCatchUpJob], { holder: 'A', manual: true });
      const sb = startScheduler(b.deps, [analysisCatchUpJob], { holder: 'B', manual: true });
      // Both start at once: one takes the lease and runs it, the other finds it held (or run already).
      expect((await Promise.all([sa.tick(), sb.tick()])).flat()).toEqual(['analysis-catch-up']);
      expect((await Promise.all([sa.tick(), sb.tick()])).flat()).toEqual([]); // and not again within the minute
      expect(await pg.database.db.selectFrom('analysisQueue').select('id').execute()).toEqual([]);
      const analysed = await pg.database.db.selectFrom('gateCheckAnalysis').select('gateCheckId').execute();
      expect(analysed.map((x) => x.gateCheckId).sort()).toEqual([...ids].sort());
      expect(logs.filter((l) => l.startsWith('ERROR'))).toEqual([]);
      await Promise.all([sa.stop(), sb.stop()]);
    } finally {
      await second.close();
      await pg.drop();
    }
  });
});
