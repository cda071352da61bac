import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { hashSecret } from '../server/auth/secrets.js';
import { addDays, zonedToUtc } from '../server/core/time.js';
import { uuidv7 } from '../server/core/uuid.js';
import type { Database } from '../server/db/database.js';
import { insertChunked } from '../server/demo/district.js';
import { chineseName, mobile } from '../server/demo/names.js';
import { Random } from '../server/demo/random.js';
import { bundled, fmt, freshDatabase, spawnServer, statusKb, stop, stopAll, table, track } from './lib.js';

/**
 * Exports of gate checks through the real endpoint (GET /api/exports/gate-checks, CSV and XLSX, streamed
 * over HTTP from a server in its own process, a fresh one per export so its peak RSS — the kernel's VmHWM —
 * belongs to that export alone) for 200,000 and 1,000,000 rows; and, for 200,000 rows, the streaming XLSX
 * beside the common in-memory exceljs Workbook of the same rows, also in its own process.
 */
const TZ = 'Asia/Shanghai';
const FIRST_DAY = '2026-03-01';
const DAYS = 25;
const PER_DAY = 40_000;
const TOTAL = DAYS * PER_DAY; // 1,000,000
const SMALL_DAYS = 5;
const SMALL = SMALL_DAYS * PER_DAY; // 200,000
const RESIDENTS = 20_000;
const ADMIN = { username: 'bench-admin', password: 'bench-export-pass' };
const AIMS = { csvPeakMb: 150, xlsxPeakMb: 400, flat: 1.1, vsInMemory: 0.5, csvRowsPerS: 100_000, xlsxRowsPerS: 30_000 };

const MB = 1024 * 1024;
const mb = (bytes: number) => bytes / MB;
const tick = (ok: boolean) => (ok ? '✓' : '✗ NOT MET');

// ---------------------------------------------------------------------------------------------------------
// The data: one compound of 20,000 residents and 1,000,000 gate checks, 40,000 a local day for 25 days.

export async function fill(database: Database): Promise<void> {
  const db = database.db;
  const raw = database.sqlite!;
  raw.pragma('synchronous = OFF'); // filling a throwaway file: no fsync per transaction
  const rng = new Random(11);
  const at = new Date(zonedToUtc(FIRST_DAY, TZ) - 30 * 86_400_000).toISOString();
  const stamp = { createdAt: at, updatedAt: at };

  const cid = (await db.insertInto('compound').values({ name: '阳光花园', timezone: TZ, ...stamp }).returning('id').executeTakeFirstOrThrow()).id;
  const gateIds = await insertChunked(db, 'gate', ['东门', '西门', '南门', '北门'].map((name) => ({ compoundId: cid, name, ...stamp })));
  const buildingIds = await insertChunked(db, 'building', Array.from({ length: 200 }, (_, i) => ({ compoundId: cid, name: `${i + 1}号楼`, unitCount: 3, floorCount: 18, elevatorCount: 3, ...stamp })));
  const households = buildingIds.flatMap((b) => Array.from({ length: 30 }, (_, i) => ({ compoundId: cid, buildingId: b, unit: String((i % 3) + 1), room: `${Math.floor(i / 3) + 1}0${(i % 2) + 1}`, quarantineUntil: null, quarantineNote: null, ...stamp })));
  const householdIds = await insertChunked(db, 'household', households);
  const residents = Array.from({ length: RESIDENTS }, (_, i) => ({ compoundId: cid, householdId: householdIds[i % householdIds.length]!, name: chineseName(rng), phone: mobile(rng), note: null, deletedAt: null, ...stamp }));
  const residentIds = await insertChunked(db, 'resident', residents);
  const volunteers = await insertChunked(db, 'user', Array.from({ length: 12 }, (_, i) => ({ username: null, phone: `1380000${String(i).padStart(4, '0')}`, displayName: chineseName(rng), role: 'volunteer', passwordHash: null, pinHash: null, ...stamp })));
  await db.insertInto('userCompound').values(volunteers.map((userId) => ({ userId, compoundId: cid }))).execute();
  // The office user who exports. Cost 10 (1 MiB scrypt) rather than the default 32 MiB, so that signing in
  // does not set the server's peak memory before the export does.
  await db.insertInto('user').values({ username: ADMIN.username, phone: null, displayName: '街道管理员', role: 'admin', passwordHash: await hashSecret(ADMIN.password, 10), pinHash: null, ...stamp }).execute();

  const insert = raw.prepare(
    `insert into gate_check (id, compound_id, device_id, gate_id, shift_id, volunteer_id, direction, subject, code, pass_id, resident_id, household_id, visitor, test_status, verdict, reasons, override_reason, override_by, passed, policy_version, roster_version, occurred_at, received_at, clock_skew_ms, rv)
     values (?, ?, null, ?, null, ?, ?, ?, ?, null, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?, ?)`,
  );
  const voidIt = raw.prepare('insert into gate_check_void (id, compound_id, gate_check_id, reason, user_id, device_id, created_at, received_at, rv) values (?, ?, ?, ?, ?, null, ?, ?, ?)');
  const VISIT = ['探亲', '送药', '维修水管', '送餐', '快递', '看望老人', '社区医生上门'];
  const OVERRIDE = ['就医', '送老人就医', '孕检', '社区工作人员', '保供人员'];
  const VOIDS = ['扫错人', '重复登记', '误操作'];
  let rv = 0;
  const day = raw.transaction((date: string) => {
    const dayStart = zonedToUtc(date, TZ);
    for (let i = 0; i < PER_DAY; i++) {
      const t = dayStart + Math.floor(((i + rng.next()) * 86_400_000) / PER_DAY);
      const id = uuidv7(t);
      const volunteer = rng.pick(volunteers);
      const s = rng.next();
      const subject = s < 0.88 ? 'code' : s < 0.95 ? 'manual' : 'visitor';
      const k = rng.int(0, RESIDENTS - 1);
      const residentId = subject === 'visitor' ? null : residentIds[k]!;
      const householdId = householdIds[k % householdIds.length]!;
      const visitor = subject === 'visitor' ? JSON.stringify({ name: chineseName(rng), phone: mobile(rng), reason: rng.pick(VISIT) }) : null;
      const sampledAt = t - rng.int(2, 70) * 3_600_000;
      const result = rng.chance(0.02) ? 'pending' : 'negative';
      const testStatus = subject === 'visitor' && rng.chance(0.5) ? null : JSON.stringify({ result, sampledAt, ageHours: Math.round((t - sampledAt) / 3_600_000) });
      const v = rng.next();
      let verdict = 'allow';
      let reasons: { code: string }[] = [];
      if (result === 'pending') [verdict, reasons] = ['review', [{ code: 'test_pending' }]];
      else if (v < 0.04) [verdict, reasons] = ['deny', [{ code: rng.pick(['test_expired', 'exit_quota_used', 'already_outside']) }]];
      const override = verdict === 'deny' && rng.chance(0.3) ? rng.pick(OVERRIDE) : null;
      const passed = verdict !== 'deny' || override ? 1 : 0;
      insert.run(
        id, cid, rng.pick(gateIds), volunteer, rng.chance(0.5) ? 'in' : 'out', subject,
        subject === 'code' ? `GP1.${residentId}.${(residentId! * 7919).toString(36)}` : null,
        residentId, householdId, visitor, testStatus, verdict, JSON.stringify(reasons), override, override ? volunteer : null, passed,
        new Date(t).toISOString(), new Date(t + rng.int(1_000, 600_000)).toISOString(), rng.int(-800, 800), ++rv,
      );
      if (rv % 10_000 === 0) {
        const when = new Date(t + 3_600_000).toISOString();
        voidIt.run(uuidv7(t + 3_600_000), cid, id, rng.pick(VOIDS), volunteer, when, when, rv);
      }
    }
  });
  for (let d = 0; d < DAYS; d++) day(addDays(FIRST_DAY, d));
  raw.pragma('wal_checkpoint(TRUNCATE)');
}

// ---------------------------------------------------------------------------------------------------------
// Processes: the server (bench/serve-file.ts), the in-memory baseline (bench/export-inmemory.ts) and the
// bare iterate (bench/export-bare.ts).

/** The bare better-sqlite3 iterate of the same query writing the same rows as CSV to /dev/null: rows/s. */
async function bareCsvRate(file: string, days: number): Promise<number> {
  const entry = await bundled(path.join(import.meta.dirname, 'export-bare.ts'));
  const startUtc = new Date(zonedToUtc(FIRST_DAY, TZ)).toISOString();
  const endUtc = new Date(zonedToUtc(addDays(FIRST_DAY, days), TZ)).toISOString();
  const child = track(spawn(process.execPath, [entry, file, startUtc, endUtc], { stdio: ['ignore', 'pipe', 'inherit'] }));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await once(child, 'exit');
  const m = /ROWS (\d+) SECONDS ([\d.]+)/.exec(out);
  if (!m) throw new Error(`bare iterate: ${out}`);
  return Number(m[1]) / Number(m[2]);
}

async function startServer(file: string) {
  return spawnServer(await bundled(path.join(import.meta.dirname, 'serve-file.ts')), [file]);
}

async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { origin: url, 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('gp_session='));
  if (!cookie) throw new Error('login: no gp_session cookie');
  return cookie.split(';')[0]!;
}

interface Measured {
  format: 'csv' | 'xlsx';
  rows: number;
  seconds: number;
  bytes: number;
  lines: number;
  idleMb: number;
  peakMb: number;
  /** Content-Encoding the server chose (fetch asks for gzip, as browsers do). */
  encoding: string;
  /** Slowest GET /healthz answered while the export ran (probed every 250 ms): is the server still serving? */
  stallMs: number;
  /** Probes whose connection the server reset. */
  resets: number;
  /** The server's RSS (sampled with each probe) at its highest in the first and in the last fifth of the export. */
  firstFifthMb: number;
  lastFifthMb: number;
}

/** One export through a fresh server: log in, download as a stream (counting bytes, and lines for CSV), read the server's VmHWM. */
async function measureExport(file: string, format: 'csv' | 'xlsx', days: number, saveTo?: string): Promise<Measured> {
  const server = await startServer(file);
  let probing = true;
  try {
    const cookie = await login(server.url);
    const idleMb = statusKb(server.pid, 'VmRSS') / 1024;
    const url = `${server.url}/api/exports/gate-checks?from=${FIRST_DAY}&to=${addDays(FIRST_DAY, days - 1)}&format=${format}`;
    const sink = saveTo ? fs.createWriteStream(saveTo) : null;
    let stallMs = 0;
    let resets = 0;
    const samples: { t: number; mb: number }[] = [];
    const probe = (async () => {
      while (probing) {
        const t = performance.now();
        samples.push({ t, mb: statusKb(server.pid, 'VmRSS') / 1024 });
        // A probe fails (ECONNRESET) when the server was held past its keep-alive timeout: count it, go on.
        await fetch(`${server.url}/healthz`).then((r) => r.arrayBuffer(), () => resets++);
        stallMs = Math.max(stallMs, performance.now() - t);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const start = performance.now();
    const res = await fetch(url, { headers: { cookie } });
    if (!res.ok || !res.body) throw new Error(`export: ${res.status} ${await res.text()}`);
    const reader = res.body.getReader();
    let bytes = 0;
    let lines = 0;
    let head: Uint8Array | null = null;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      head ??= value.slice(0, 4);
      bytes += value.length;
      if (format === 'csv') for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) lines++;
      if (sink && !sink.write(value)) await once(sink, 'drain');
    }
    const end = performance.now();
    const seconds = (end - start) / 1000;
    const peakMb = statusKb(server.pid, 'VmHWM') / 1024;
    // Flat within one run: the highest RSS early in the export against the highest late in it.
    const during = samples.filter((x) => x.t >= start && x.t <= end);
    const fifth = (end - start) / 5;
    const maxOf = (xs: typeof during) => Math.max(0, ...xs.map((x) => x.mb));
    const firstFifthMb = maxOf(during.filter((x) => x.t < start + fifth));
    const lastFifthMb = maxOf(during.filter((x) => x.t >= end - fifth));
    probing = false;
    await probe;
    if (sink) {
      sink.end();
      await once(sink, 'close');
    }
    const magic = format === 'csv' ? [0xef, 0xbb, 0xbf] : [0x50, 0x4b, 0x03, 0x04]; // BOM; "PK\3\4"
    if (!head || magic.some((b, i) => head![i] !== b)) throw new Error(`${format}: the file does not start as it should`);
    return { format, rows: days * PER_DAY, seconds, bytes, lines, idleMb, peakMb, encoding: res.headers.get('content-encoding') ?? 'identity', stallMs, resets, firstFifthMb, lastFifthMb };
  } finally {
    probing = false;
    await stop(server.child);
  }
}

async function measureInMemory(file: string, days: number, out: string) {
  const child = track(spawn(process.execPath, [await bundled(path.join(import.meta.dirname, 'export-inmemory.ts')), file, FIRST_DAY, addDays(FIRST_DAY, days - 1), out], { stdio: ['ignore', 'pipe', 'inherit'] }));
  let text = '';
  child.stdout!.on('data', (d: Buffer) => {
    text += d.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`in-memory export exited (${code})`);
  const r = JSON.parse(text.trim().split('\n').at(-1)!) as { rows: number; seconds: number; builtSeconds: number; bytes: number; idleKb: number; peakKb: number; heapLimitMb: number };
  return { ...r, idleMb: r.idleKb / 1024, peakMb: r.peakKb / 1024 };
}

/** Data rows of an XLSX file (read back with exceljs's streaming reader) and its first data row. */
async function readXlsx(file: string): Promise<{ rows: number; first: unknown[] }> {
  const wb = new ExcelJS.stream.xlsx.WorkbookReader(file, { sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' });
  let rows = 0;
  let first: unknown[] = [];
  for await (const ws of wb) {
    for await (const row of ws) {
      if (row.number === 2) first = (row.values as unknown[]).slice(1);
      if (row.number > 1) rows++;
    }
  }
  return { rows, first };
}

// ---------------------------------------------------------------------------------------------------------

export async function run() {
  const t0 = performance.now();
  console.log(`Filling a database: ${fmt(RESIDENTS)} residents, ${fmt(TOTAL)} gate checks over ${DAYS} days…`);
  const fresh = await freshDatabase('export');
  const file = fresh.database.file!;
  try {
    await fill(fresh.database);
    await fresh.database.close();
    console.log(`… ${fmt((performance.now() - t0) / 1000, 1)} s; database file ${fmt(mb(fs.statSync(file).size))} MB.`);

    const streamedXlsx = path.join(fresh.dir, 'streamed.xlsx');
    const inMemoryXlsx = path.join(fresh.dir, 'in-memory.xlsx');
    const csvSmall = await measureExport(file, 'csv', SMALL_DAYS);
    const csvBig = await measureExport(file, 'csv', DAYS);
    const xlsxSmall = await measureExport(file, 'xlsx', SMALL_DAYS, streamedXlsx);
    const inMemory = await measureInMemory(file, SMALL_DAYS, inMemoryXlsx);
    const xlsxBig = await measureExport(file, 'xlsx', DAYS);
    const bare = await bareCsvRate(file, DAYS);

    // Every CSV line is a row (and one header); the XLSX files of 200,000 rows are read back.
    for (const m of [csvSmall, csvBig]) if (m.lines !== m.rows + 1) throw new Error(`CSV of ${m.rows} rows came with ${m.lines - 1} rows`);
    const [backStreamed, backInMemory] = [await readXlsx(streamedXlsx), await readXlsx(inMemoryXlsx)];
    for (const [what, back] of [['streamed', backStreamed], ['in-memory', backInMemory]] as const) {
      if (back.rows !== SMALL) throw new Error(`${what} XLSX of ${SMALL} rows read back with ${back.rows}`);
    }
    if (inMemory.rows !== SMALL) throw new Error(`in-memory baseline added ${inMemory.rows} rows`);
    if (JSON.stringify(backStreamed.first) !== JSON.stringify(backInMemory.first)) throw new Error('streamed and in-memory XLSX differ in their first row');
    // The 1M XLSX is not read back (a minute more): its size per row must match the verified 200k file's.
    const perRow = (m: Measured) => m.bytes / m.rows;
    const sizeRatio = perRow(xlsxBig) / perRow(xlsxSmall);
    if (Math.abs(sizeRatio - 1) > 0.1) throw new Error(`XLSX 1M: ${fmt(perRow(xlsxBig), 1)} bytes a row against ${fmt(perRow(xlsxSmall), 1)} at 200k`);

    console.log('\nGET /api/exports/gate-checks over HTTP (server in its own process, a fresh one per export; peak = its VmHWM):');
    table([
      ['format', 'rows', 'time s', 'rows/s', 'file MB', 'on the wire', 'server idle MB', 'server peak MB', 'peak − idle MB', 'RSS 1st fifth → last fifth MB', 'slowest /healthz meanwhile ms'],
      ...[csvSmall, csvBig, xlsxSmall, xlsxBig].map((m) => [
        m.format.toUpperCase(),
        fmt(m.rows),
        fmt(m.seconds, 1),
        fmt(m.rows / m.seconds),
        fmt(mb(m.bytes), 1),
        m.encoding,
        fmt(m.idleMb),
        fmt(m.peakMb),
        fmt(m.peakMb - m.idleMb),
        `${fmt(m.firstFifthMb)} → ${fmt(m.lastFifthMb)}`,
        fmt(m.stallMs) + (m.resets ? ` (${m.resets} reset)` : ''),
      ]),
    ]);
    console.log(`Verified: CSV line counts = rows + header; both 200k XLSX files read back (${fmt(SMALL)} rows, same first row); XLSX 1M bytes/row = ${fmt(sizeRatio, 3)} × the 200k file's.`);

    console.log(`\nXLSX of ${fmt(SMALL)} rows: streaming endpoint beside the common in-memory exceljs Workbook (each in its own process):`);
    table([
      ['path', 'time s', 'peak MB', 'peak − idle MB', 'file MB'],
      ['streaming: GET …&format=xlsx over HTTP (WorkbookWriter)', fmt(xlsxSmall.seconds, 1), fmt(xlsxSmall.peakMb), fmt(xlsxSmall.peakMb - xlsxSmall.idleMb), fmt(mb(xlsxSmall.bytes), 1)],
      [`in-memory: new Workbook(), addRow × ${fmt(SMALL)}, xlsx.write(file)`, fmt(inMemory.seconds, 1), fmt(inMemory.peakMb), fmt(inMemory.peakMb - inMemory.idleMb), fmt(mb(inMemory.bytes), 1)],
    ]);
    console.log(`(in-memory: ${fmt(inMemory.builtSeconds, 1)} s to build the workbook, ${fmt(inMemory.seconds - inMemory.builtSeconds, 1)} s to write it; its V8 heap limit is ${fmt(inMemory.heapLimitMb)} MB)`);
    const memRatio = xlsxSmall.peakMb / inMemory.peakMb;
    const timeRatio = xlsxSmall.seconds / inMemory.seconds;
    console.log(`ratio streaming / in-memory: peak ${fmt(memRatio, 2)} (aim ≤ ${AIMS.vsInMemory}), time ${fmt(timeRatio, 2)} (aim ≤ 1)`);

    const csvFlat = csvBig.peakMb / csvSmall.peakMb;
    const xlsxFlat = xlsxBig.peakMb / xlsxSmall.peakMb;
    console.log(`\nSummary (flat: 5× the rows, peak at most ${Math.round((AIMS.flat - 1) * 100)}% higher):`);
    const line = (m: Measured, aim: number) => `${fmt(m.seconds, 1)} s, peak ${fmt(m.peakMb)} MB (aim ≤ ${aim} MB) ${tick(m.peakMb <= aim)}`;
    console.log(`  (the server idles at ${fmt(Math.min(...[csvSmall, csvBig, xlsxSmall, xlsxBig].map((m) => m.idleMb)))}–${fmt(Math.max(...[csvSmall, csvBig, xlsxSmall, xlsxBig].map((m) => m.idleMb)))} MB before any export: Node, the app's modules, SQLite)`);
    console.log(`  CSV 1M:  ${fmt(csvBig.rows / csvBig.seconds)} rows/s (aim ≥ ${fmt(AIMS.csvRowsPerS)}) ${tick(csvBig.rows / csvBig.seconds >= AIMS.csvRowsPerS)}; bare better-sqlite3 iterate of the same query to /dev/null ${fmt(bare)} rows/s (the ceiling): ratio ${fmt(csvBig.rows / csvBig.seconds / bare, 2)}`);
    console.log(`  XLSX 1M: ${fmt(xlsxBig.rows / xlsxBig.seconds)} rows/s (aim ≥ ${fmt(AIMS.xlsxRowsPerS)}) ${tick(xlsxBig.rows / xlsxBig.seconds >= AIMS.xlsxRowsPerS)}`);
    console.log(`  CSV 1M:  ${line(csvBig, AIMS.csvPeakMb)}`);
    console.log(`  XLSX 1M: ${line(xlsxBig, AIMS.xlsxPeakMb)}`);
    console.log(`  CSV flat:  peak ${fmt(csvSmall.peakMb)} MB at 200k → ${fmt(csvBig.peakMb)} MB at 1M, ×${fmt(csvFlat, 2)} (aim ≤ ×${AIMS.flat}) ${tick(csvFlat <= AIMS.flat)}`);
    console.log(`  XLSX flat: peak ${fmt(xlsxSmall.peakMb)} MB at 200k → ${fmt(xlsxBig.peakMb)} MB at 1M, ×${fmt(xlsxFlat, 2)} (aim ≤ ×${AIMS.flat}) ${tick(xlsxFlat <= AIMS.flat)}`);
    // Peaks of separate runs move by tens of MB with the garbage collector's timing; within one run, the
    // RSS late in a 1M-row export against early in it says whether memory grows with rows.
    for (const m of [csvBig, xlsxBig]) {
      const within = m.lastFifthMb / m.firstFifthMb;
      console.log(`  ${m.format.toUpperCase()} 1M flat within the run: RSS ${fmt(m.firstFifthMb)} MB in its first fifth → ${fmt(m.lastFifthMb)} MB in its last, ×${fmt(within, 2)} (aim ≤ ×${AIMS.flat}) ${tick(within <= AIMS.flat)}`);
    }
    console.log(`  XLSX 200k streaming vs in-memory: peak ${fmt(xlsxSmall.peakMb)} vs ${fmt(inMemory.peakMb)} MB, ×${fmt(memRatio, 2)} (aim ≤ ×${AIMS.vsInMemory}) ${tick(memRatio <= AIMS.vsInMemory)}`);
    console.log(`  XLSX 200k streaming vs in-memory: time ${fmt(xlsxSmall.seconds, 1)} vs ${fmt(inMemory.seconds, 1)} s, ×${fmt(timeRatio, 2)} (aim ≤ ×1) ${tick(timeRatio <= 1)}`);
    const stall = Math.max(...[csvSmall, csvBig, xlsxSmall, xlsxBig].map((m) => m.stallMs));
    const resets = [csvSmall, csvBig, xlsxSmall, xlsxBig].reduce((n, m) => n + m.resets, 0);
    if (stall > 1000 || resets) console.log(`  Note: while an export ran, GET /healthz waited up to ${fmt(stall / 1000, 1)} s${resets ? ` and ${resets} probe(s) had the connection reset` : ''} — the export held the event loop, so other requests (tablets' sync) wait too.`);
    console.log(`Whole benchmark: ${fmt((performance.now() - t0) / 1000)} s.`);
  } finally {
    await stopAll();
    await fresh.cleanup().catch(() => {});
  }
}
