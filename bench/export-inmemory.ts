import { once } from 'node:events';
import fs from 'node:fs';
import v8 from 'node:v8';
import ExcelJS from 'exceljs';
import { openSqlite } from '../server/db/database.js';
import { gateChecks } from '../server/exports/datasets.js';
import { inert } from '../server/exports/format.js';

// The baseline for bench/export.bench.ts, in its own process so its peak memory compares with the server's:
// the common way to make an XLSX with exceljs — a whole `new ExcelJS.Workbook()` in memory, every row added,
// then `wb.xlsx.write(stream)` — for the same gate checks, columns and cells as the streaming export.
// Rows come from the same query, streamed from the database (kinder to the baseline than reading them all
// at once, as most such code does), so only the workbook itself differs.
// Usage: export-inmemory.ts <database file> <from> <to> <output file>; prints one JSON line when done.

const [file, from, to, out] = process.argv.slice(2);
if (!file || !from || !to || !out) throw new Error('usage: export-inmemory.ts <database file> <from> <to> <output file>');

const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);

const database = openSqlite(file);
const compounds = await database.db.selectFrom('compound').select(['id', 'name', 'timezone']).orderBy('id').execute();
const idleKb = kb('VmRSS');

const start = performance.now();
const lang = 'zh';
const columns = gateChecks.columns(lang);
const wb = new ExcelJS.Workbook();
const ws = wb.addWorksheet(gateChecks.title[0], { views: [{ state: 'frozen', ySplit: 1 }] });
ws.columns = columns.map((c) => ({ header: c.zh, width: c.width ?? 14 }));
ws.getRow(1).font = { bold: true };
const reader = database.longReader();
let rows = 0;
for await (const row of gateChecks.rows(reader.db, { compounds, from, to, now: new Date() })) {
  ws.addRow(columns.map((c) => inert(c.value(row))));
  rows++;
}
await reader.release();
const builtSeconds = (performance.now() - start) / 1000;
const sink = fs.createWriteStream(out);
await Promise.all([once(sink, 'close'), wb.xlsx.write(sink)]); // exceljs pipes its zip into the file and ends it
const seconds = (performance.now() - start) / 1000;

console.log(JSON.stringify({ rows, seconds, builtSeconds, bytes: fs.statSync(out).size, idleKb, peakKb: kb('VmHWM'), heapLimitMb: v8.getHeapStatistics().heap_size_limit / 1024 / 1024 }));
await database.close();
