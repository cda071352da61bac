import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Long SQLite work (an online backup, a VACUUM) done in a worker thread on a connection of its own, so the
 * server's event loop, and with it every tablet's sync, goes on meanwhile. The worker's code is plain
 * JavaScript given as text (no file of its own to find, bundled or not).
 *
 * - backup: SQLite's online backup API (better-sqlite3 `backup`) in ONE step: the copy is taken under one
 *   read transaction, a consistent snapshot even while the server writes (in WAL mode writers go on; a
 *   copy made in many steps would restart whenever another connection wrote).
 * - vacuum: `VACUUM` then a WAL checkpoint (TRUNCATE), with secure_delete on, so deleted rows are gone
 *   from the file's bytes and from its WAL.
 */
const CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.module);
(async () => {
  const { op, file, to } = workerData;
  const db = new SQLite(file, { fileMustExist: true, readonly: op === 'backup' });
  db.pragma('busy_timeout = 30000');
  try {
    if (op === 'backup') {
      const r = await db.backup(to, { progress: () => 0x7fffffff });
      parentPort.postMessage({ ok: true, pages: r.totalPages });
    } else {
      db.pragma('secure_delete = ON');
      db.exec('VACUUM');
      const ck = db.pragma('wal_checkpoint(TRUNCATE)');
      parentPort.postMessage({ ok: true, checkpoint: ck });
    }
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err && err.message || err) });
  } finally {
    db.close();
  }
})();
`;

export function inSqliteWorker(op: 'backup' | 'vacuum', file: string, to?: string): Promise<Record<string, unknown>> {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Promise((resolve, reject) => {
    const w = new Worker(CODE, { eval: true, workerData: { module, op, file, to } });
    w.once('message', (m: { ok: boolean; error?: string }) => (m.ok ? resolve(m) : reject(new Error(m.error))));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`sqlite worker exited with ${code}`));
    });
  });
}
