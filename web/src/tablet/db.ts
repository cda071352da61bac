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
  /** Why the server refused it: a catalogued code and its params (none from a server older than the catalogue), and its English message. */
  reason?: { code: string; params?: unknown; message: string };
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

/** A round's photo, waiting for its round to reach the server (then it follows, retried until it lands). */
export interface PendingPhoto {
  recordId: string;
  blob: Blob;
  /** The server refused it for good (not an image, too big): kept to show, not sent again. */
  failed?: string;
}

export interface GateDB extends DBSchema {
  outbox: { key: number; value: OutboxEntry; indexes: { byId: string; byStatus: string } };
  recent: { key: string; value: RecentPassage; indexes: { byAt: number } };
  photos: { key: string; value: PendingPhoto };
  kv: { key: string; value: unknown };
}

export type GateDatabase = IDBPDatabase<GateDB>;

export function openGateDb(name = 'gatepost'): Promise<GateDatabase> {
  // Each version only adds: a tablet updated with records waiting keeps every one of them.
  return openDB<GateDB>(name, 3, {
    upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        const outbox = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
        outbox.createIndex('byId', 'id', { unique: true });
        const recent = db.createObjectStore('recent', { keyPath: 'id' });
        recent.createIndex('byAt', 'at');
        db.createObjectStore('kv');
      }
      if (oldVersion < 2) db.createObjectStore('photos', { keyPath: 'recordId' });
      // The outbox by status (then by seq, first in first out): after days offline it holds thousands of
      // records, and its count and next batch are read from the index instead of every record.
      if (oldVersion < 3) tx.objectStore('outbox').createIndex('byStatus', 'status');
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
