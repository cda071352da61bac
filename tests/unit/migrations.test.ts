import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../server/db/database.js';
import { migrateDownAll, migrateToLatest } from '../../server/db/migrate.js';
import { migrations } from '../../migrations/index.js';

const tmp: string[] = [];
afterEach(() => {
  for (const d of tmp.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatepost-'));
  tmp.push(dir);
  return path.join(dir, 'test.db');
}

async function tableNames(db: ReturnType<typeof openSqlite>['db']) {
  const r = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name`.execute(db);
  return r.rows.map((x) => x.name);
}

describe('migrations', () => {
  it('run all up, all down, all up again on a fresh database', async () => {
    const d = openSqlite(':memory:');
    const names = Object.keys(migrations);
    expect(await migrateToLatest(d)).toEqual(names);
    const tables = await tableNames(d.db);
    expect(tables).toContain('compound');
    expect(tables).toContain('audit_log');
    expect((await migrateDownAll(d)).sort()).toEqual([...names].sort());
    expect(await tableNames(d.db)).toEqual([]);
    expect(await migrateToLatest(d)).toEqual(names);
    expect(await tableNames(d.db)).toEqual(tables);
    expect(await migrateToLatest(d)).toEqual([]);
    await d.close();
  });

  it('are listed in order with zero-padded prefixes', () => {
    const names = Object.keys(migrations);
    expect(names).toEqual([...names].sort());
    for (const n of names) expect(n).toMatch(/^\d{4}-[a-z0-9-]+$/);
  });

  it('refuse to edit or delete the audit log', async () => {
    const d = openSqlite(':memory:');
    await migrateToLatest(d);
    await d.db.insertInto('auditLog').values({ at: new Date().toISOString(), action: 'x', userId: null, deviceId: null, entity: null, entityId: null, compoundId: null, details: null, ip: null }).execute();
    await expect(d.db.updateTable('auditLog').set({ action: 'y' }).execute()).rejects.toThrow(/append-only/);
    await expect(d.db.deleteFrom('auditLog').execute()).rejects.toThrow(/append-only/);
    await d.close();
  });
});

describe('the SQLite writer', () => {
  it('uses WAL, synchronous=FULL and foreign keys; the reader is read-only', async () => {
    const d = openSqlite(tempFile());
    await migrateToLatest(d);
    expect(d.sqlite!.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(d.sqlite!.pragma('synchronous', { simple: true })).toBe(2); // 2 = FULL
    expect(d.sqlite!.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(Number(d.sqlite!.pragma('busy_timeout', { simple: true }))).toBeGreaterThan(0);
    await expect(
      d.reader.insertInto('compound').values({ name: 'x', timezone: 'Asia/Shanghai', createdAt: 'a', updatedAt: 'a' }).execute(),
    ).rejects.toThrow(/readonly|read-only|query_only/i);
    await d.close();
  });

  it('a long read on the reader does not block a write on the writer', async () => {
    const d = openSqlite(tempFile());
    await migrateToLatest(d);
    const at = new Date().toISOString();
    await d.db.insertInto('compound').values({ name: 'a', timezone: 'Asia/Shanghai', createdAt: at, updatedAt: at }).execute();
    const stream = d.reader.selectFrom('compound').selectAll().stream();
    const it = stream[Symbol.asyncIterator]();
    await it.next(); // the read is now open, mid-iteration
    await d.db.insertInto('compound').values({ name: 'b', timezone: 'Asia/Shanghai', createdAt: at, updatedAt: at }).execute();
    await it.return?.();
    const names = await d.db.selectFrom('compound').select('name').execute();
    expect(names.map((n) => n.name)).toEqual(['a', 'b']);
    await d.close();
  });
});
