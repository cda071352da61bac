import path from 'node:path';
import { gzipSync } from 'node:zlib';
import SQLite from 'better-sqlite3';
import { hashSecret, newToken, sha256 } from '../server/auth/secrets.js';
import { defaultPolicy } from '../server/core/policy.js';
import type { GateCheckRecord } from '../server/core/sync.js';
import { uuidv7 } from '../server/core/uuid.js';
import { openSqlite } from '../server/db/database.js';
import { createDeps } from '../server/deps.js';
import { insertChunked } from '../server/demo/district.js';
import { chineseName } from '../server/demo/names.js';
import { Random } from '../server/demo/random.js';
import { issueMissingPasses } from '../server/passes/service.js';
import { buildRoster } from '../server/roster/service.js';
import { bundled, fmt, freshDatabase, median, spawnServer, table } from './lib.js';

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

export async function bigCompound() {
  const fresh = await freshDatabase('sync');
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
function rawInsertRate(file: string, rows: Record<string, unknown>[]): number {
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
  const start = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) insertMany(rows.slice(i, i + BATCH));
  const seconds = (performance.now() - start) / 1000;
  conn.close();
  return rows.length / seconds;
}

/**
 * Start the server in its own process on the bench database; resolves with its URL, its pid and a stop
 * function. `args` go to serve-file.ts after the file.
 */
export async function serverProcess(file: string, args: string[] = []): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const entry = await bundled(path.join(import.meta.dirname, 'serve-file.ts'));
  return spawnServer(entry, [file, ...args], { nodeArgs: process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [] });
}

async function queueLength(file: string): Promise<number> {
  const conn = new SQLite(file, { readonly: true });
  const n = (conn.prepare('select count(*) as n from analysis_queue').get() as { n: number }).n;
  conn.close();
  return n;
}

export async function run() {
  console.log(`Setting up a compound of ${fmt(RESIDENTS)} residents with passes and tests…`);
  const env = await bigCompound();
  const file = env.database.file!;
  await env.database.close();
  const server = await serverProcess(file);

  const acked: number[] = [];
  const analysed: number[] = [];
  const raw: number[] = [];
  for (let runNo = 0; runNo < RUNS; runNo++) {
    const batches = Array.from({ length: BATCHES }, (_, b) => records(env, runNo * BATCHES + b, BATCH));
    const bodies = batches.map((records) => JSON.stringify({ sentAt: new Date().toISOString(), records }));
    const start = performance.now();
    for (const body of bodies) {
      const res = await fetch(`${server.url}/api/device/sync`, { method: 'POST', headers: { authorization: `Bearer ${env.token}`, 'content-type': 'application/json' }, body });
      const out = (await res.json()) as { results: { status: string }[] };
      if (out.results.some((r) => r.status !== 'accepted')) throw new Error('a record was not accepted');
    }
    const ackSeconds = (performance.now() - start) / 1000;
    acked.push((BATCH * BATCHES) / ackSeconds);
    while ((await queueLength(file)) > 0) await new Promise((r) => setTimeout(r, 5));
    analysed.push((BATCH * BATCHES) / ((performance.now() - start) / 1000));

    // The baseline: the very rows the endpoint stored in this run, inserted again (new ids) into the same
    // table (same indexes, same foreign keys, same pragmas) with one prepared statement per row.
    const conn = new SQLite(file, { readonly: true });
    const ids = batches.flat().map((r) => r.id);
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      rows.push(...(conn.prepare(`select * from gate_check where id in (${chunk.map(() => '?').join(',')})`).all(...chunk) as Record<string, unknown>[]));
    }
    conn.close();
    raw.push(rawInsertRate(file, rows.map((r) => ({ ...r, id: uuidv7() }))));
  }

  const [a, f, r] = [median(acked), median(analysed), median(raw)];
  console.log(`\nSync ingest, ${BATCHES} batches × ${BATCH} gate checks per run (server in its own process), median of ${RUNS} runs:`);
  table([
    ['path', 'rows/s (median)', 'ratio to raw', 'runs'],
    ['HTTP POST /api/device/sync, acknowledged', Math.round(a), fmt(a / r, 2), acked.map((x) => Math.round(x)).join(' ')],
    ['… and the server re-ran every rule (queue drained)', Math.round(f), fmt(f / r, 2), analysed.map((x) => Math.round(x)).join(' ')],
    ['raw better-sqlite3 insert of the same rows', Math.round(r), '1.00', raw.map((x) => Math.round(x)).join(' ')],
  ]);
  console.log(`ratio acknowledged / raw = ${fmt(a / r, 2)}  (aim ≥ 0.5)`);
  await server.stop();

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
