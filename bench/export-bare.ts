import fs from 'node:fs';
import SQLite from 'better-sqlite3';
import { openSqlite } from '../server/db/database.js';
import { gateCheckRows } from '../server/gate/queries.js';

// The ceiling for the CSV export: the same query on a read-only better-sqlite3 connection, iterated, each
// row joined as a CSV line (no formatting of times or words) and written to /dev/null in chunks of 500.
// Prints "ROWS <n> SECONDS <s>". Arguments: the database file, the UTC start and end of the range.
const [file, start, end] = process.argv.slice(2) as [string, string, string];
const database = openSqlite(file); // only to compile the query as the app does
const q = gateCheckRows(database.db).where('g.compoundId', '=', 1).where('g.occurredAt', '>=', start).where('g.occurredAt', '<', end).orderBy('g.occurredAt').orderBy('g.id').compile();
await database.close();
const conn = new SQLite(file, { readonly: true });
const out = fs.openSync('/dev/null', 'w');
const t = performance.now();
let n = 0;
let text = '';
for (const row of conn.prepare(q.sql).raw(true).iterate(...q.parameters) as IterableIterator<unknown[]>) {
  text += `${row.map((v) => (v === null ? '' : /[",\r\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v))).join(',')}\r\n`;
  if (++n % 500 === 0) {
    fs.writeSync(out, text);
    text = '';
  }
}
fs.writeSync(out, text);
console.log(`ROWS ${n} SECONDS ${(performance.now() - t) / 1000}`);
