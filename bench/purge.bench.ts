import { uuidv7 } from '../server/core/uuid.js';
import { createDeps } from '../server/deps.js';
import { compactDatabase } from '../server/lifecycle/lockdown.js';
import { purgeCompound } from '../server/lifecycle/retention.js';
import { fmt, freshDatabase, table } from './lib.js';

/**
 * The retention purge on SQLite: how fast it deletes (folding into the aggregates), and how long the event
 * loop is held meanwhile (the longest gap between ticks of a 5 ms timer: what a tablet's sync would wait),
 * beside the same timer's gaps with the server idle. Then the VACUUM in its worker thread, the same way.
 */
const CHECKS = Number(process.env.BENCH_PURGE ?? 60_000);

async function longestGap(work: () => Promise<unknown>): Promise<{ ms: number; gap: number }> {
  let last = performance.now();
  let gap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
  }, 5);
  const start = performance.now();
  await work();
  const ms = performance.now() - start;
  clearInterval(timer);
  return { ms, gap: Math.max(gap, performance.now() - last) };
}

export async function run() {
  const fresh = await freshDatabase('purge');
  const db = fresh.database.db;
  const at = new Date(Date.now() - 60 * 86_400_000).toISOString();
  const cid = (await db.insertInto('compound').values({ name: '基准小区', timezone: 'Asia/Shanghai', createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow()).id;
  const gates: number[] = [];
  for (const name of ['东门', '西门']) gates.push((await db.insertInto('gate').values({ compoundId: cid, name, createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow()).id);
  console.log(`Inserting ${fmt(CHECKS)} gate checks 31–45 days old…`);
  const old = Date.now() - 45 * 86_400_000;
  for (let i = 0; i < CHECKS; i += 1_000) {
    await db
      .insertInto('gateCheck')
      .values(
        Array.from({ length: Math.min(1_000, CHECKS - i) }, (_, k) => {
          const t = old + Math.floor(((i + k) / CHECKS) * 14 * 86_400_000);
          return { id: uuidv7(t), compoundId: cid, deviceId: null, gateId: gates[k % 2]!, shiftId: null, volunteerId: null, direction: k % 2 ? 'in' : 'out', subject: 'code', code: `GP1.x.${i + k}`, passId: null, residentId: null, householdId: null, visitor: null, testStatus: null, verdict: k % 17 ? 'allow' : 'deny', reasons: k % 17 ? '[]' : '[{"code":"test_missing"}]', overrideReason: null, overrideBy: null, passed: k % 17 ? 1 : 0, policyVersion: 1, rosterVersion: 1, occurredAt: new Date(t).toISOString(), receivedAt: new Date(t).toISOString(), clockSkewMs: 0, personName: `居民${k}`, buildingName: '1号楼', unit: '1', room: '101', temperatureC: null, temperatureNormal: null } as const;
        }),
      )
      .execute();
  }
  const deps = createDeps(fresh.database, { timezone: 'Asia/Shanghai', sessionIdleMinutes: 480, trustProxy: false, secureCookies: false, logRequests: false, dataDir: fresh.dir, shiftIdleHours: 12 }, { log: () => {} });
  const idle = await longestGap(() => new Promise((r) => setTimeout(r, 1_000)));
  let removed = 0;
  const purge = await longestGap(async () => {
    removed = (await purgeCompound(deps, { id: cid, timezone: 'Asia/Shanghai' })).counts.gateChecks;
  });
  const vacuum = await longestGap(() => compactDatabase(deps));
  table([
    ['', 'took', 'rows/s', 'longest event-loop gap'],
    ['idle (1 s)', `${fmt(idle.ms)} ms`, '', `${fmt(idle.gap, 1)} ms`],
    [`purge of ${fmt(removed)} checks`, `${fmt(purge.ms)} ms`, fmt(removed / (purge.ms / 1000)), `${fmt(purge.gap, 1)} ms (${fmt(purge.gap / idle.gap, 1)}× idle)`],
    ['VACUUM (worker thread)', `${fmt(vacuum.ms)} ms`, '', `${fmt(vacuum.gap, 1)} ms (${fmt(vacuum.gap / idle.gap, 1)}× idle)`],
  ]);
  await fresh.cleanup();
}
