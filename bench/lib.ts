import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Database, openSqlite } from '../server/db/database.js';
import { migrateToLatest } from '../server/db/migrate.js';

/** A fresh file database in a temp folder (benchmarks measure real fsyncs, not memory). */
export async function freshDatabase(name: string): Promise<{ database: Database; dir: string; cleanup: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gatepost-bench-${name}-`));
  const database = openSqlite(path.join(dir, 'bench.db'));
  await migrateToLatest(database);
  return {
    database,
    dir,
    cleanup: async () => {
      await database.close().catch(() => {}); // a benchmark may have closed it already
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A field of /proc/<pid>/status in kB: VmRSS (resident now) or VmHWM (its peak so far). */
export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} for process ${pid}`);
  return Number(m[1]);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function table(rows: (string | number)[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((c, i) => (typeof c === 'number' ? String(c).padStart(widths[i]!) : String(c).padEnd(widths[i]!))).join('  '));
}

/**
 * A benchmark's server entry bundled to plain JavaScript in build/ (as `npm start` runs the server, with no
 * TypeScript loader in the process), so its memory and speed are the production figures.
 */
export async function bundled(entry: string): Promise<string> {
  const { build } = await import('esbuild');
  const root = path.resolve(import.meta.dirname, '..');
  const out = path.join(root, 'build', `bench-${path.basename(entry, '.ts')}.mjs`);
  await build({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  return out;
}
