import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApp } from '../server/app.js';
import { hashSecret } from '../server/auth/secrets.js';
import { addDays, zonedDate, zonedToUtc } from '../server/core/time.js';
import { uuidv7 } from '../server/core/uuid.js';
import type { Database } from '../server/db/database.js';
import { bulkInsert } from '../server/db/bulk.js';
import { migrateToLatest } from '../server/db/migrate.js';
import { openPostgres } from '../server/db/postgres.js';
import { createDeps } from '../server/deps.js';
import { seedDemo } from '../server/demo/seed.js';
import { buildRoster } from '../server/roster/service.js';
import { makeTestApp, PASSWORD } from '../tests/helpers/app.js';
import { nginxPath, request, startCluster } from '../tests/helpers/cluster.js';
import { buildScene, checkRecord, enrollTablet } from '../tests/helpers/gate.js';
import { freshDatabase, fmt, median, table } from './lib.js';

/**
 * City scale (issue 14). Two parts, both printed, never asserted:
 *
 * 1. Reads at city size beside the same reads on the demo district, on SQLite and on PostgreSQL: the
 *    compound dashboard, the district overview over 31 days, a shift's log, the shift list, the roster
 *    snapshot of the largest compound, one day's export of all compounds. The city is generated in bulk
 *    (not through HTTP): BENCH_CITY_COMPOUNDS (60), BENCH_CITY_RESIDENTS (200,000), BENCH_CITY_DAYS (30),
 *    two checks per resident a day (≈ 12 million at full size). Reads go through the real app (in-process
 *    requests, as a signed-in admin), median of BENCH_RUNS (5).
 * 2. Sync throughput through nginx with 1, 2 and 3 instances on one PostgreSQL database (records/s
 *    acknowledged), BENCH_SYNC_SECONDS (10) each.
 *
 * PostgreSQL parts need BENCH_DATABASE_URL or TEST_DATABASE_URL; part 2 also nginx. This machine is shared:
 * the figures are indicative; the ratios (measured in the same run) say more.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CITY = {
  compounds: Number(process.env.BENCH_CITY_COMPOUNDS ?? 60),
  residents: Number(process.env.BENCH_CITY_RESIDENTS ?? 200_000),
  days: Number(process.env.BENCH_CITY_DAYS ?? 30),
  checksPerResidentDay: 2,
};
const SYNC_SECONDS = Number(process.env.BENCH_SYNC_SECONDS ?? 10);
const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const TZ = 'Asia/Shanghai';
/** The benchmark's "now": a fixed instant, so every run builds the same district. */
const NOW = new Date('2026-11-28T08:00:00.000Z');
const TODAY = zonedDate(NOW.getTime(), TZ);

async function pgDatabase(name: string, o: { bulkLoad?: boolean } = {}): Promise<{ database: Database; url: string; drop: () => Promise<void> }> {
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(q).finally(() => c.end());
  };
  const db = `gp_bench_${name}_${Math.random().toString(36).slice(2, 8)}`;
  await admin(`create database ${db}`);
  const url = new URL(PG_URL!);
  url.pathname = `/${db}`;
  // Generating a city: its commits need not wait for the disk (reads are measured, not these writes).
  if (o.bulkLoad) url.searchParams.set('options', '-c synchronous_commit=off');
  const database = openPostgres(url.toString());
  await migrateToLatest(database);
  return {
    database,
    url: url.toString(),
    drop: async () => {
      await database.close();
      await admin(`drop database if exists ${db} with (force)`);
    },
  };
}

/** A deterministic pseudo-random sequence (the same city every run). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * The city, in bulk: compounds with two gates, a tablet and a volunteer each, buildings of 100 residents,
 * two residents a household, a pass and a test each, a shift per gate per day, and the gate checks of
 * `days` days (06:00–22:00 local; 3% turned back, 1% visitors). Returns the compound to read and a shift.
 */
export async function generateCity(database: Database, log: (s: string) => void) {
  const db = database.db;
  const at = new Date(zonedToUtc(addDays(TODAY, -CITY.days), TZ, '04:00')).toISOString();
  const hash = await hashSecret('bench-pin', 10);
  const random = rng(14);
  const perCompound = Math.floor(CITY.residents / CITY.compounds);
  const started = performance.now();
  let checks = 0;
  let firstCompound = 0;
  let aShift = '';
  for (let c = 0; c < CITY.compounds; c++) {
    const compoundId = (await db.insertInto('compound').values({ name: `城区小区${String(c + 1).padStart(2, '0')}`, timezone: TZ, createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow()).id;
    firstCompound ||= compoundId;
    const gates = [];
    for (const name of ['东门', '西门']) gates.push((await db.insertInto('gate').values({ compoundId, name, createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow()).id);
    const volunteerId = (await db.insertInto('user').values({ phone: `139${String(c).padStart(8, '0')}`, displayName: `志愿者${c + 1}`, role: 'volunteer', pinHash: hash, createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow()).id;
    await db.insertInto('userCompound').values({ userId: volunteerId, compoundId }).execute();
    const deviceId = (await db.insertInto('device').values({ compoundId, name: '东门平板', enrolledAt: at, lastSeenAt: NOW.toISOString(), createdAt: at }).returning('id').executeTakeFirstOrThrow()).id;

    const buildings = (await bulkInsert(db, 'building', Array.from({ length: Math.ceil(perCompound / 100) }, (_, b) => ({ compoundId, name: `${b + 1}号楼`, createdAt: at, updatedAt: at })), { returning: 'id' })) as number[];
    const households = (await bulkInsert(
      db,
      'household',
      Array.from({ length: Math.ceil(perCompound / 2) }, (_, h) => ({ compoundId, buildingId: buildings[Math.floor((h * 2) / 100)]!, unit: String((h % 4) + 1), room: String(101 + (h % 50)) + String(h), createdAt: at, updatedAt: at })),
      { returning: 'id' },
    )) as number[];
    const residents = (await bulkInsert(
      db,
      'resident',
      Array.from({ length: perCompound }, (_, r) => ({ compoundId, householdId: households[Math.floor(r / 2)]!, name: `居民${c}-${r}`, phone: `13${String(c).padStart(2, '0')}${String(r).padStart(7, '0')}`, createdAt: at, updatedAt: at })),
      { returning: 'id' },
    )) as number[];
    await bulkInsert(db, 'pass', residents.map((residentId) => ({ compoundId, residentId, code: `GP1.bench.${compoundId}.${residentId}`, status: 'active', issuedAt: at })));
    await bulkInsert(db, 'test_result', residents.map((residentId) => ({ compoundId, residentId, sampledAt: at, result: 'negative', source: 'import', createdAt: at })));

    for (let d = 0; d < CITY.days; d++) {
      const date = addDays(TODAY, d - CITY.days + 1);
      const dayStart = zonedToUtc(date, TZ, '06:00');
      const shifts = gates.map((gateId) => ({ id: uuidv7(dayStart), compoundId, deviceId, gateId, volunteerId, startedAt: new Date(dayStart).toISOString(), receivedAt: new Date(dayStart).toISOString(), endedAt: new Date(dayStart + 16 * 3_600_000).toISOString() }));
      await bulkInsert(db, 'shift', shifts);
      aShift ||= shifts[0]!.id;
      const n = perCompound * CITY.checksPerResidentDay;
      const rows: Record<string, unknown>[] = [];
      for (let i = 0; i < n; i++) {
        const t = dayStart + Math.floor((i / n) * 16 * 3_600_000);
        const g = i % 2;
        const r = Math.floor(random() * perCompound);
        const x = random();
        const visitor = x < 0.01;
        const denied = !visitor && x < 0.04;
        rows.push({
          id: uuidv7(t),
          compoundId,
          deviceId,
          gateId: gates[g]!,
          shiftId: shifts[g]!.id,
          volunteerId,
          direction: i % 4 < 2 ? 'out' : 'in',
          subject: visitor ? 'visitor' : 'code',
          code: visitor ? null : `GP1.bench.${compoundId}.${residents[r]}`,
          residentId: visitor ? null : residents[r],
          householdId: households[Math.floor(r / 2)],
          visitor: visitor ? JSON.stringify({ name: '快递员', phone: '13700000000', reason: '送件' }) : null,
          verdict: denied ? 'deny' : 'allow',
          reasons: denied ? '[{"code":"test_expired"}]' : '[]',
          passed: denied ? 0 : 1,
          policyVersion: 1,
          rosterVersion: 1,
          occurredAt: new Date(t).toISOString(),
          receivedAt: new Date(t + 60_000).toISOString(),
          personName: visitor ? '快递员' : `居民${c}-${r}`,
        });
      }
      await db.transaction().execute((tx) => bulkInsert(tx, 'gate_check', rows));
      checks += n;
    }
    if ((c + 1) % 10 === 0 || c === CITY.compounds - 1) log(`  ${c + 1}/${CITY.compounds} compounds, ${fmt(checks)} checks, ${fmt((performance.now() - started) / 1000, 1)} s`);
  }
  return { compoundId: firstCompound, shiftId: aShift, checks, seconds: (performance.now() - started) / 1000 };
}

/** The reads, through the app as a signed-in admin; median ms of RUNS each. */
async function measureReads(database: Database, target: { compoundId: number; shiftId: string }) {
  const deps = createDeps(database, { timezone: TZ, sessionIdleMinutes: 480, trustProxy: false, secureCookies: false, logRequests: false, dataDir: '', shiftIdleHours: 12 }, { now: () => NOW, log: () => {} });
  deps.passwordCost = 10;
  const app = createApp(deps);
  const origin = 'http://localhost';
  const setup = await app.request(`${origin}/api/auth/setup`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'benchadmin', password: PASSWORD, displayName: 'bench' }) });
  let cookie = /gp_session=[^;]+/.exec(setup.headers.get('set-cookie') ?? '')?.[0];
  if (!cookie) {
    await database.db.insertInto('user').values({ username: 'benchadmin', displayName: 'bench', role: 'admin', passwordHash: await hashSecret(PASSWORD, 10), createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() }).execute();
    const login = await app.request(`${origin}/api/auth/login`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'benchadmin', password: PASSWORD }) });
    cookie = /gp_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0];
  }
  if (!cookie) throw new Error('could not sign in');
  const get = async (p: string) => {
    const r = await app.request(`${origin}${p}`, { headers: { origin, cookie: cookie! } });
    const body = await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${p}: ${r.status} ${new TextDecoder().decode(body).slice(0, 200)}`);
    return body.byteLength;
  };
  const cid = target.compoundId;
  const reads: [string, () => Promise<unknown>][] = [
    ['dashboard', () => get(`/api/compounds/${cid}/dashboard?date=${TODAY}`)],
    ['district overview, 31 days', () => get(`/api/overview?from=${addDays(TODAY, -30)}&to=${TODAY}`)],
    ['shift log', () => get(`/api/compounds/${cid}/shifts/${target.shiftId}`)],
    ['shift list', () => get(`/api/compounds/${cid}/shifts`)],
    ['roster snapshot', async () => JSON.stringify(await buildRoster(deps, cid, null)).length],
    ["one day's export, all compounds", () => get(`/api/exports/gate-checks?from=${TODAY}&to=${TODAY}&format=csv`)],
  ];
  const out = new Map<string, number>();
  for (const [name, fn] of reads) {
    await fn(); // warm
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
    }
    out.set(name, median(times));
  }
  return out;
}

/** The demo district (server/demo), 7 days, and its largest compound. */
async function demoTarget(database: Database) {
  await seedDemo(database, { timezone: TZ, now: NOW, hash: (s) => hashSecret(s, 10), days: 7 });
  const largest = await database.db.selectFrom('resident').select(['compoundId', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('compoundId').orderBy('n', 'desc').executeTakeFirstOrThrow();
  const shift = await database.db.selectFrom('shift').select('id').where('compoundId', '=', largest.compoundId).orderBy('startedAt', 'desc').executeTakeFirstOrThrow();
  const checks = await database.db.selectFrom('gateCheck').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { compoundId: largest.compoundId, shiftId: shift.id, checks: Number(checks.n) };
}

async function readsOn(kind: 'sqlite' | 'postgres') {
  const open = async (name: string) => {
    if (kind === 'sqlite') {
      const f = await freshDatabase(`city-${name}`);
      return { database: f.database, drop: f.cleanup };
    }
    return pgDatabase(name, { bulkLoad: true });
  };
  const demo = await open('demo');
  const city = await open('city');
  try {
    const d = await demoTarget(demo.database);
    console.log(`${kind}: demo district, ${fmt(d.checks)} gate checks`);
    const demoReads = await measureReads(demo.database, d);
    console.log(`${kind}: generating the city (${CITY.compounds} compounds, ${fmt(CITY.residents)} residents, ${CITY.days} days) …`);
    const c = await generateCity(city.database, (s) => console.log(s));
    if (kind === 'postgres') await city.database.db.executeQuery({ sql: 'analyze', parameters: [], query: { kind: 'RawNode' } } as never);
    console.log(`${kind}: city generated: ${fmt(c.checks)} gate checks in ${fmt(c.seconds, 0)} s (${fmt(c.checks / c.seconds)} rows/s)`);
    const cityReads = await measureReads(city.database, c);
    const rows: (string | number)[][] = [['read', 'demo ms', 'city ms', 'city / demo']];
    for (const [name, ms] of cityReads) rows.push([name, fmt(demoReads.get(name)!, 1), fmt(ms, 1), `${fmt(ms / demoReads.get(name)!, 1)}×`]);
    table(rows);
    console.log(`(the city has ${fmt(c.checks / d.checks, 1)}× the demo's gate checks)`);
  } finally {
    await demo.drop();
    await city.drop();
  }
}

/** Records/s acknowledged through nginx by `instances` instances, 8 tablets sending batches of 50. */
async function syncThroughput(instances: number): Promise<number> {
  const db = await pgDatabase(`sync${instances}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatepost-bench-city-'));
  try {
    const setup = await makeTestApp({ database: db.database, now: NOW.toISOString() });
    const s = await buildScene(setup);
    const tokens: string[] = [];
    for (let k = 0; k < 8; k++) tokens.push((await enrollTablet(setup, s.manager, s.compoundId, `平板${k}`)).tablet.auth.bearer!);
    const cluster = await startCluster({ databaseUrl: db.url, count: instances, dir, startsAt: NOW.toISOString() });
    try {
      let acked = 0;
      const until = performance.now() + SYNC_SECONDS * 1000;
      const people = ['zhang', 'li', 'wang', 'zhao'] as const;
      let n = 0;
      const t0 = performance.now();
      await Promise.all(
        tokens.map(async (token) => {
          while (performance.now() < until) {
            const records = Array.from({ length: 50 }, () => {
              n++;
              return checkRecord(s, { person: people[n % 4], direction: n % 2 ? 'in' : 'out', atMs: NOW.getTime() - 3_600_000 + n * 10 });
            });
            const r = await request(`${cluster.url}/api/device/sync`, 'POST', { headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ sentAt: NOW.toISOString(), records }) });
            if (r.status === 200) acked += records.length;
          }
        }),
      );
      return acked / ((performance.now() - t0) / 1000);
    } finally {
      await cluster.stop();
    }
  } finally {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run() {
  console.log(`City: ${CITY.compounds} compounds, ${fmt(CITY.residents)} residents, ${CITY.days} days, ≈ ${fmt(CITY.residents * CITY.days * CITY.checksPerResidentDay)} gate checks; median of ${RUNS}.`);
  console.log('This machine is shared: absolute figures are indicative; compare the ratios, measured in the same run.\n');
  if (process.env.BENCH_CITY_SKIP_READS !== '1') {
    await readsOn('sqlite');
    if (PG_URL) await readsOn('postgres');
    else console.log('PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL.');
  }
  if (!PG_URL || !nginxPath()) {
    console.log('Sync throughput skipped: it needs PostgreSQL and nginx.');
    return;
  }
  const rows: (string | number)[][] = [['instances', 'records/s acknowledged', 'vs 1']];
  let one = 0;
  for (const k of [1, 2, 3]) {
    const rate = await syncThroughput(k);
    one ||= rate;
    rows.push([k, fmt(rate), `${fmt(rate / one, 2)}×`]);
  }
  console.log(`\nSync through nginx on one PostgreSQL, 8 tablets, batches of 50, ${SYNC_SECONDS} s each:`);
  table(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
