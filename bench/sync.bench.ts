import path from 'node:path';
import { gzipSync } from 'node:zlib';
import SQLite from 'better-sqlite3';
import { hashSecret, newToken, sha256 } from '../server/auth/secrets.js';
import { defaultPolicy } from '../server/core/policy.js';
import type { GateCheckRecord } from '../server/core/sync.js';
import { uuidv7 } from '../server/core/uuid.js';
import { type Database, openSqlite } from '../server/db/database.js';
import { migrateToLatest } from '../server/db/migrate.js';
import { openPostgres } from '../server/db/postgres.js';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { createDeps } from '../server/deps.js';
import { insertChunked } from '../server/demo/district.js';
import { chineseName } from '../server/demo/names.js';
import { Random } from '../server/demo/random.js';
import { issueMissingPasses } from '../server/passes/service.js';
import { buildRoster } from '../server/roster/service.js';
import { bundled, cpuMs, fmt, freshDatabase, median, spawnServer, table } from './lib.js';

/**
 * Sync ingest through the real HTTP endpoint (batches of 500 gate checks, each re-decided by the server,
 * conflicts checked, one transaction per batch, synchronous=FULL) beside the raw better-sqlite3 insert
 * rate of the same rows into the same table with the same pragmas; and the roster snapshot for a
 * compound of 20,000 residents.
 */
const RESIDENTS = 20_000;
const BATCH = 500;
const BATCHES = 12;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const config = { timezone: 'Asia/Shanghai', sessionIdleMinutes: 480, trustProxy: false, secureCookies: false, logRequests: false, dataDir: '', shiftIdleHours: 12 };

export async function bigCompound(on?: { database: Database; cleanup: () => Promise<void> }) {
  const fresh = on ?? (await freshDatabase('sync'));
  const db = fresh.database.db;
  const rng = new Random(7);
  const at = new Date(Date.now() - 3 * 86_400_000).toISOString();
  const stamp = { createdAt: at, updatedAt: at };
  const cid = (await db.insertInto('compound').values({ name: '基准小区', timezone: 'Asia/Shanghai', ...stamp }).returning('id').executeTakeFirstOrThrow()).id;
  const gateIds = await insertChunked(db, 'gate', ['东门', '西门', '南门', '北门'].map((name) => ({ compoundId: cid, name, ...stamp })));
  const buildingIds = await insertChunked(db, 'building', Array.from({ length: 200 }, (_, i) => ({ compoundId: cid, name: `${i + 1}号楼`, unitCount: 3, floorCount: 18, elevatorCount: 3, ...stamp })));
  const households = buildingIds.flatMap((b) => Array.from({ length: 30 }, (_, i) => ({ compoundId: cid, buildingId: b, unit: String((i % 3) + 1), room: `${Math.floor(i / 3) + 1}0${(i % 2) + 1}`, quarantineUntil: null, quarantineNote: null, ...stamp })));
  const householdIds = await insertChunked(db, 'household', households);
  const residents = Array.from({ length: RESIDENTS }, (_, i) => ({ compoundId: cid, householdId: householdIds[i % householdIds.length]!, name: chineseName(rng), phone: `139${String(i).padStart(8, '0')}`, note: null, deletedAt: null, ...stamp }));
  const residentIds = await insertChunked(db, 'resident', residents);
  const sampled = new Date(Date.now() - 10 * 3_600_000).toISOString();
  for (let i = 0; i < residentIds.length; i += 500) {
    await db.insertInto('testResult').values(residentIds.slice(i, i + 500).map((residentId) => ({ compoundId: cid, residentId, sampledAt: sampled, result: 'negative' as const, source: 'import' as const, roundId: null, recordedBy: null, deviceId: null, recordId: null, createdAt: at, rv: 1 }))).execute();
  }
  const volunteer = (await db.insertInto('user').values({ username: null, phone: '13800000001', displayName: '志愿者', role: 'volunteer', passwordHash: null, pinHash: await hashSecret('123456', 10), ...stamp }).returning('id').executeTakeFirstOrThrow()).id;
  await db.insertInto('userCompound').values({ userId: volunteer, compoundId: cid }).execute();
  const token = newToken('gpd_');
  const deviceId = (await db.insertInto('device').values({ compoundId: cid, name: '东门平板', tokenHash: sha256(token), enrolledAt: at, createdAt: at }).returning('id').executeTakeFirstOrThrow()).id;
  const deps = createDeps(fresh.database, config, { log: () => {} });
  // Traffic here is a crowd, not a lockdown week: up to 4 exits per household a day keeps conflicts rare.
  const rules = { ...defaultPolicy('2026-01-01'), exitQuota: { exits: 4, days: 1, anchorDate: '2026-01-01' } };
  await db.insertInto('policy').values({ compoundId: cid, version: 1, rules: JSON.stringify(rules), note: null, createdAt: at, createdBy: null }).execute();
  await issueMissingPasses(deps, null, cid, undefined, 'bench');
  const passes = await db.selectFrom('pass').select(['code', 'residentId']).where('compoundId', '=', cid).orderBy('id').execute();
  return { ...fresh, deps, cid, gateIds, volunteer, token, deviceId, passes };
}

export function records(env: Awaited<ReturnType<typeof bigCompound>>, run: number, n: number): GateCheckRecord[] {
  const base = Date.now() - 2 * 3_600_000 + run * 60_000;
  return Array.from({ length: n }, (_, i) => {
    const k = run * n + i;
    const pass = env.passes[k % env.passes.length]!;
    // Each resident goes out, then comes back in the next round, and so on.
    const direction = Math.floor(k / env.passes.length) % 2 ? 'in' : 'out';
    const t = base + i * 7;
    return {
      kind: 'gate_check',
      id: uuidv7(t),
      at: new Date(t).toISOString(),
      gateId: env.gateIds[i % env.gateIds.length]!,
      shiftId: null,
      volunteerId: env.volunteer,
      direction,
      subject: 'code',
      code: pass.code,
      residentId: null,
      visitor: null,
      verdict: 'allow',
      reasons: [],
      testStatus: { result: 'negative', sampledAt: t - 10 * 3_600_000, ageHours: 10 },
      override: null,
      passed: true,
      policyVersion: 1,
      rosterVersion: 1,
    };
  });
}

/** The same rows as the endpoint stores, inserted with one prepared statement, 500 to a transaction. */
function rawInsertRate(file: string, rows: Record<string, unknown>[]): { rate: number; cpuMs: number } {
  const conn = new SQLite(file);
  conn.pragma('busy_timeout = 5000');
  conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = FULL');
  conn.pragma('foreign_keys = ON');
  const cols = Object.keys(rows[0]!);
  const snake = cols.map((c) => c.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`));
  const stmt = conn.prepare(`insert into gate_check (${snake.join(',')}) values (${cols.map((c) => `@${c}`).join(',')})`);
  const insertMany = conn.transaction((batch: Record<string, unknown>[]) => {
    for (const r of batch) stmt.run(r);
  });
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) insertMany(rows.slice(i, i + BATCH));
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  conn.close();
  return { rate: rows.length / seconds, cpuMs: (used.user + used.system) / 1000 / (rows.length / BATCH) };
}

/** The same rows through node-postgres, one multi-row insert of 500 per transaction: PostgreSQL's raw rate. */
async function rawPgInsertRate(url: string, rows: Record<string, unknown>[]): Promise<{ rate: number; cpuMs: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const cols = Object.keys(rows[0]!);
  const snake = cols.map((c) => c.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`));
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) {
    const chunk = rows.slice(i, i + BATCH);
    const params: unknown[] = [];
    const tuples = chunk.map((r) => `(${cols.map((c) => `$${params.push(r[c])}`).join(',')})`);
    await client.query('begin');
    await client.query(`insert into gate_check (${snake.join(',')}) values ${tuples.join(',')}`, params);
    await client.query('commit');
  }
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  await client.end();
  return { rate: rows.length / seconds, cpuMs: (used.user + used.system) / 1000 / (rows.length / BATCH) };
}

/**
 * Start the server in its own process on the bench database (a file, or a postgres:// URL); resolves with
 * its URL, its pid and a stop function. `args` go to serve-file.ts after the database.
 */
export async function serverProcess(file: string, args: string[] = []): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const entry = await bundled(path.join(import.meta.dirname, 'serve-file.ts'));
  return spawnServer(entry, [file, ...args], { nodeArgs: process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [] });
}

/** One side of the comparison: where the server's data lives, how to read it back, how fast raw inserts go there. */
interface Store {
  name: string;
  /** What serve-file.ts opens. */
  target: string;
  queueLength(): Promise<number>;
  rowsOf(ids: string[]): Promise<Record<string, unknown>[]>;
  raw(rows: Record<string, unknown>[]): Promise<{ rate: number; cpuMs: number }>;
}

function sqliteStore(file: string): Store {
  const read = <T>(f: (c: SQLite.Database) => T): T => {
    const conn = new SQLite(file, { readonly: true });
    try {
      return f(conn);
    } finally {
      conn.close();
    }
  };
  return {
    name: 'SQLite (better-sqlite3, WAL, synchronous=FULL)',
    target: file,
    queueLength: async () => read((c) => (c.prepare('select count(*) as n from analysis_queue').get() as { n: number }).n),
    rowsOf: async (ids) => read((c) => c.prepare('select * from gate_check where id in (select value from json_each(?))').all(JSON.stringify(ids)) as Record<string, unknown>[]),
    raw: async (rows) => rawInsertRate(file, rows),
  };
}

function pgStore(url: string): Store {
  const q = async <T>(text: string, params: unknown[] = []): Promise<T[]> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(text, params)).rows as T[];
    } finally {
      await c.end();
    }
  };
  return {
    name: 'PostgreSQL (node-postgres)',
    target: url,
    queueLength: async () => Number((await q<{ n: string }>('select count(*) as n from analysis_queue'))[0]!.n),
    rowsOf: (ids) => q<Record<string, unknown>>('select * from gate_check where id = any($1)', [ids]),
    raw: (rows) => rawPgInsertRate(url, rows),
  };
}

/** Runs of 12 batches of 500 through the endpoint, each beside the raw insert of the same rows. */
async function measure(env: Awaited<ReturnType<typeof bigCompound>>, store: Store) {
  const server = await serverProcess(store.target);
  const acked: number[] = [];
  const analysed: number[] = [];
  const raw: number[] = [];
  const serverCpu: number[] = [];
  const rawCpu: number[] = [];
  try {
    for (let runNo = 0; runNo < RUNS; runNo++) {
      const batches = Array.from({ length: BATCHES }, (_, b) => records(env, runNo * BATCHES + b, BATCH));
      const bodies = batches.map((records) => JSON.stringify({ sentAt: new Date().toISOString(), records }));
      const cpu0 = cpuMs(server.pid);
      const start = performance.now();
      for (const body of bodies) {
        const res = await fetch(`${server.url}/api/device/sync`, { method: 'POST', headers: { authorization: `Bearer ${env.token}`, 'content-type': 'application/json' }, body });
        const out = (await res.json()) as { results: { status: string }[] };
        if (out.results.some((r) => r.status !== 'accepted')) throw new Error('a record was not accepted');
      }
      const ackSeconds = (performance.now() - start) / 1000;
      serverCpu.push((cpuMs(server.pid) - cpu0) / BATCHES);
      acked.push((BATCH * BATCHES) / ackSeconds);
      while ((await store.queueLength()) > 0) await new Promise((r) => setTimeout(r, 5));
      analysed.push((BATCH * BATCHES) / ((performance.now() - start) / 1000));

      // The baseline: the very rows the endpoint stored in this run, inserted again (new ids) into the same
      // table (same indexes, same foreign keys, same durability settings).
      const rows = await store.rowsOf(batches.flat().map((r) => r.id));
      const r = await store.raw(rows.map((row) => ({ ...row, id: uuidv7() })));
      raw.push(r.rate);
      rawCpu.push(r.cpuMs);
    }
  } finally {
    await server.stop();
  }
  const [a, f, r, sc, rc] = [median(acked), median(analysed), median(raw), median(serverCpu), median(rawCpu)];
  console.log(`\nSync ingest on ${store.name}, ${BATCHES} batches × ${BATCH} gate checks per run (server in its own process), median of ${RUNS} runs:`);
  table([
    ['path', 'rows/s (median)', 'ratio to raw', 'CPU ms per batch', 'runs'],
    ['HTTP POST /api/device/sync, acknowledged', Math.round(a), fmt(a / r, 2), fmt(sc, 1), acked.map((x) => Math.round(x)).join(' ')],
    ['… and the server re-ran every rule (queue drained)', Math.round(f), fmt(f / r, 2), '', analysed.map((x) => Math.round(x)).join(' ')],
    ['raw insert of the same rows, same table and settings', Math.round(r), '1.00', fmt(rc, 1), raw.map((x) => Math.round(x)).join(' ')],
  ]);
  console.log(`ratio acknowledged / raw = ${fmt(a / r, 2)}  (aim ≥ 0.5)  [server CPU per batch ${fmt(sc, 1)} ms (HTTP, JSON, validation, look-ups, insert) against the raw insert's ${fmt(rc, 1)} ms]`);
  return { ratio: a / r, acked: a, raw: r };
}

/** A PostgreSQL database of its own for the run, on BENCH_DATABASE_URL / TEST_DATABASE_URL's server; null without one. */
async function freshPostgresBench(): Promise<{ database: Database; url: string; cleanup: () => Promise<void> } | null> {
  const base = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `gp_bench_${randomBytes(5).toString('hex')}`;
  const admin = async (text: string) => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    try {
      await c.query(text);
    } finally {
      await c.end();
    }
  };
  try {
    await admin(`create database ${name}`);
  } catch (err) {
    console.log(`\nSync ingest on PostgreSQL: skipped (no server at ${base}: ${(err as Error).message}; set BENCH_DATABASE_URL).`);
    return null;
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = openPostgres(url.toString());
  await migrateToLatest(database);
  return {
    database,
    url: url.toString(),
    cleanup: async () => {
      await database.close().catch(() => {});
      for (let tries = 0; tries < 50; tries++) {
        try {
          return await admin(`drop database ${name}`);
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
}

export async function run() {
  console.log(`Setting up a compound of ${fmt(RESIDENTS)} residents with passes and tests…`);
  const env = await bigCompound();
  const file = env.database.file!;
  await env.database.close();
  await measure(env, sqliteStore(file));

  if (process.env.BENCH_PG !== '0') {
    const fresh = await freshPostgresBench();
    if (fresh) {
      try {
        console.log(`Setting up the same compound on PostgreSQL…`);
        const pgEnv = await bigCompound(fresh);
        await measure(pgEnv, pgStore(fresh.url));
      } finally {
        await fresh.cleanup();
      }
    }
  }

  // The roster snapshot a tablet downloads first.
  const database = openSqlite(file);
  const deps = createDeps(database, config, { log: () => {} });
  const times: number[] = [];
  let json = '';
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    json = JSON.stringify(await buildRoster(deps, env.cid, null));
    times.push(performance.now() - start);
  }
  const gz = gzipSync(json).length;
  console.log(`\nRoster snapshot for ${fmt(RESIDENTS)} residents: ${fmt(json.length / 1024 / 1024, 2)} MB JSON, ${fmt(gz / 1024, 0)} KB gzipped (aim ≤ 1 MB); built in ${fmt(median(times), 0)} ms (median of ${RUNS}).`);
  await database.close();
  await env.cleanup().catch(() => {});
}
