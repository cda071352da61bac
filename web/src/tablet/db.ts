import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { SyncRecord } from '../../../server/core/sync';

/**
 * The tablet's own database (IndexedDB): it survives reloads, crashes, new app versions and days offline.
 * - outbox: records not yet on the server (first in, first out), and those it rejected;
 * - recent: this tablet's own passages of the last days, so its decisions see them before the roster does;
 * - kv: the device credential, the roster, volunteers' offline sign-in, settings.
 */
export interface OutboxEntry {
  seq?: number;
  id: string;
  record: SyncRecord;
  createdAt: number;
  status: 'pending' | 'rejected';
  reason?: { code: string; message: string };
}

export interface RecentPassage {
  id: string;
  residentId: number;
  householdId: number | null;
  direction: 'in' | 'out';
  at: number;
  /** Counts against the household's exit quota (a resident going out). */
  exit: boolean;
}

export interface GateDB extends DBSchema {
  outbox: { key: number; value: OutboxEntry; indexes: { byId: string } };
  recent: { key: string; value: RecentPassage; indexes: { byAt: number } };
  kv: { key: string; value: unknown };
}

export type GateDatabase = IDBPDatabase<GateDB>;

export function openGateDb(name = 'gatepost'): Promise<GateDatabase> {
  return openDB<GateDB>(name, 1, {
    upgrade(db) {
      const outbox = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
      outbox.createIndex('byId', 'id', { unique: true });
      const recent = db.createObjectStore('recent', { keyPath: 'id' });
      recent.createIndex('byAt', 'at');
      db.createObjectStore('kv');
    },
  });
}

export async function kvGet<T>(db: GateDatabase, key: string): Promise<T | undefined> {
  return (await db.get('kv', key)) as T | undefined;
}

export async function kvSet(db: GateDatabase, key: string, value: unknown): Promise<void> {
  await db.put('kv', value, key);
}

export async function kvDelete(db: GateDatabase, key: string): Promise<void> {
  await db.delete('kv', key);
}
