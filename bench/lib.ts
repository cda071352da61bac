import { type ChildProcess, spawn } from 'node:child_process';
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

/** Every process a benchmark started and has not stopped: `stopAll()` in a finally ends them. */
const children = new Set<ChildProcess>();

/** End a process and wait for it (at once if it has ended already). */
export function stop(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export const stopAll = () => Promise.all([...children].map(stop));

/** Count a child process among those `stopAll()` ends. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/**
 * A server in a process of its own (bundled, as `npm start` runs it): resolves when it prints "PORT <n>".
 * `nodeArgs` go to node (e.g. --cpu-prof); `ipc` opens a channel to talk to it.
 */
export async function spawnServer(entry: string, args: string[] = [], o: { nodeArgs?: string[]; ipc?: boolean } = {}) {
  const child = track(spawn(process.execPath, [...(o.nodeArgs ?? []), entry, ...args], { stdio: ['ignore', 'pipe', 'inherit', ...(o.ipc ? ['ipc' as const] : [])] }));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, child, stop: () => stop(child) };
}

/** CPU time a process has used so far, user + system, in ms (from /proc: robust to a busy machine, unlike wall time). */
export function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}
