import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { migrations } from '../../migrations/index.js';
import { recordAudit } from '../audit/queries.js';
import type { Actor } from '../auth/actor.js';
import { lifecycleConfig } from '../config.js';
import type { Db } from '../db/database.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import type { Job } from '../jobs/scheduler.js';
import { inSqliteWorker } from './sqlite-worker.js';

/**
 * Backups of the SQLite database: one file, photos included (they are stored in it), named by its UTC
 * time, made by SQLite's online backup API in a worker thread (sqlite-worker.ts). The server makes them on
 * a schedule (BACKUP_DIR, BACKUP_EVERY_HOURS, keeping the newest BACKUP_KEEP) and from the admin page;
 * `npm run backup -- --to DIR` makes one from outside. Each one is recorded in the `backup` table: the
 * end-of-lockdown purge deletes these files, because they still hold the data it deletes.
 * PostgreSQL is backed up with pg_dump (README).
 */

export const backupName = (at: Date) => `gatepost-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.db`;

/** Copy the SQLite database `file` into `dir` (a consistent snapshot); returns the backup's path and size. */
export async function backupSqliteFile(file: string, dir: string, at: Date): Promise<{ file: string; size: number }> {
  fs.mkdirSync(dir, { recursive: true });
  let target = path.join(dir, backupName(at));
  for (let i = 1; fs.existsSync(target); i++) target = path.join(dir, backupName(at).replace(/\.db$/, `-${i}.db`));
  // Written under a temporary name and renamed: a half-written file is never taken for a backup.
  const partial = `${target}.partial`;
  try {
    await inSqliteWorker('backup', file, partial);
    fs.renameSync(partial, target);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  return { file: target, size: fs.statSync(target).size };
}

/** The folder the server backs up into: BACKUP_DIR, else `backups` in the data folder. */
export const backupDirOf = (deps: AppDeps) => lifecycleConfig(deps.config).backup.dir ?? path.join(deps.config.dataDir, 'backups');

/** Make a backup now and record it (the button audits it). */
export async function backupNow(deps: AppDeps, how: { kind: 'schedule' | 'button' | 'command'; actor?: Actor | null; ip?: string; dir?: string }) {
  const { database } = deps;
  if (database.kind !== 'sqlite' || !database.file) throw new AppError(409, 'backup_postgres');
  const started = deps.now();
  const made = await backupSqliteFile(database.file, how.dir ?? backupDirOf(deps), started);
  const at = deps.now().toISOString();
  await database.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('backup')
      .values({ file: made.file, size: made.size, startedAt: started.toISOString(), finishedAt: at, kind: how.kind, userId: how.actor?.kind === 'office' ? how.actor.user.id : null })
      .execute();
    if (how.kind === 'button') await recordAudit(tx, { actor: how.actor ?? null, action: 'backup.create', entity: 'backup', details: { file: path.basename(made.file), size: made.size }, ip: how.ip ?? '', at });
  });
  return made;
}

/** The backups on record, newest first, each with whether its file is still there. */
export async function listBackups(db: Db, limit = 20) {
  const rows = await db.selectFrom('backup').selectAll().where('deletedAt', 'is', null).orderBy('startedAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...r, name: path.basename(r.file), present: fs.existsSync(r.file) }));
}

/** Delete scheduled backups beyond the newest `keep` (only files the server made on its schedule). */
export async function pruneBackups(deps: AppDeps, keep: number): Promise<string[]> {
  const db = deps.database.db;
  const rows = await db.selectFrom('backup').select(['id', 'file']).where('kind', '=', 'schedule').where('deletedAt', 'is', null).orderBy('startedAt', 'desc').orderBy('id', 'desc').execute();
  const gone: string[] = [];
  for (const r of rows.slice(keep)) {
    fs.rmSync(r.file, { force: true });
    await db.updateTable('backup').set({ deletedAt: deps.now().toISOString() }).where('id', '=', r.id).execute();
    gone.push(r.file);
  }
  return gone;
}

/** Scheduled backups (only with BACKUP_DIR set, on SQLite): every BACKUP_EVERY_HOURS, the newest BACKUP_KEEP kept. */
export function backupJob(deps: AppDeps): Job | null {
  const { backup } = lifecycleConfig(deps.config);
  if (!backup.dir || deps.database.kind !== 'sqlite') return null;
  return {
    name: 'backup',
    every: { ms: backup.everyHours * 3_600_000 },
    async run(d) {
      const made = await backupNow(d, { kind: 'schedule' });
      const pruned = await pruneBackups(d, backup.keep);
      d.log(`Backup: ${made.file} (${made.size} bytes)${pruned.length ? `; removed ${pruned.length} old` : ''}`);
    },
  };
}

/** What a backup file is: checked before a restore. */
export function inspectBackup(file: string): { integrity: string; migrations: string[]; unknown: string[]; missing: string[] } {
  if (!fs.existsSync(file)) throw new Error(`No such file: ${file}`);
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new Error(`${file} is not a SQLite database (${(err as Error).message})`);
  }
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    const hasTable = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'").get();
    const applied = hasTable ? (db.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name) : [];
    const known = Object.keys(migrations);
    return { integrity, migrations: applied, unknown: applied.filter((m) => !known.includes(m)), missing: known.filter((m) => !applied.includes(m)) };
  } catch (err) {
    throw new Error(`${file} is not a readable SQLite database (${(err as Error).message})`);
  } finally {
    db.close();
  }
}

/** The lock file a running server keeps in its data folder (its pid). */
export const lockFileOf = (dataDir: string) => path.join(dataDir, 'gatepost.pid');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The pid of the server using this data folder, or null. */
export function serverUsing(dataDir: string): number | null {
  const lock = lockFileOf(dataDir);
  if (!fs.existsSync(lock)) return null;
  const pid = Number(fs.readFileSync(lock, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
}

/** Mark the data folder as used by this process (main.ts); refuses when another live server holds it. Returns the release. */
export function lockDataDir(dataDir: string): () => void {
  const other = serverUsing(dataDir);
  if (other !== null && other !== process.pid) throw new Error(`Another Gatepost server (pid ${other}) is using ${dataDir}`);
  fs.writeFileSync(lockFileOf(dataDir), String(process.pid));
  return () => {
    try {
      if (fs.readFileSync(lockFileOf(dataDir), 'utf8').trim() === String(process.pid)) fs.rmSync(lockFileOf(dataDir));
    } catch {
      // already gone
    }
  };
}

/**
 * Restore a backup into a data folder: the file must pass `PRAGMA integrity_check` and carry a schema
 * this version knows (older is fine: the server migrates it at start); a folder a server is using is
 * refused. The database it replaces is kept beside it (gatepost.db.before-restore-<time>).
 */
export function restoreBackup(file: string, dataDir: string, now = new Date()): { restored: string; keptPrevious: string | null; migrations: number } {
  const info = inspectBackup(file);
  if (info.integrity !== 'ok') throw new Error(`${file} fails the integrity check: ${info.integrity}`);
  if (!info.migrations.length) throw new Error(`${file} is not a Gatepost database (no schema version)`);
  if (info.unknown.length) throw new Error(`${file} comes from a newer Gatepost (schema ${info.unknown.join(', ')}): upgrade this installation first`);
  const pid = serverUsing(dataDir);
  if (pid !== null) throw new Error(`A Gatepost server (pid ${pid}) is using ${dataDir}: stop it before restoring`);
  fs.mkdirSync(dataDir, { recursive: true });
  const target = path.join(dataDir, 'gatepost.db');
  const incoming = `${target}.restoring`;
  fs.copyFileSync(file, incoming);
  const fd = fs.openSync(incoming, 'r+');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  let keptPrevious: string | null = null;
  if (fs.existsSync(target)) {
    keptPrevious = `${target}.before-restore-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
    // Checkpoint the old database's WAL into it first, so what is kept beside is whole.
    try {
      const old = new SQLite(target, { fileMustExist: true });
      old.pragma('wal_checkpoint(TRUNCATE)');
      old.close();
    } catch {
      // not a database (or a damaged one): kept as it is
    }
    fs.renameSync(target, keptPrevious);
  }
  for (const side of ['-wal', '-shm']) fs.rmSync(`${target}${side}`, { force: true });
  fs.renameSync(incoming, target);
  return { restored: target, keptPrevious, migrations: info.migrations.length };
}
