import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzerOf } from '../../server/gate/analysis.js';
import { inspectBackup, lockDataDir, restoreBackup } from '../../server/lifecycle/backup.js';
import { type Client, makeTestApp, officeClient, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, type Scene } from '../helpers/gate.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const tsx = (script: string, args: string[], env: Record<string, string>) =>
  run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/cli', script), ...args], { cwd: ROOT, env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e) => ({ code: e.code as number, out: String(e.stdout) + String(e.stderr) }),
  );

let t: TestApp;
let s: Scene;
let tablet: Client;
const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gatepost-backup-'));
  dirs.push(d);
  return d;
};
const opened: TestApp[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    await analyzerOf(o.deps).drain();
    await o.close();
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function serverOn(dataDir: string, backupDir?: string) {
  const app = await makeTestApp({ file: path.join(dataDir, 'gatepost.db') });
  Object.assign(app.deps.config, { dataDir, backup: { dir: backupDir, everyHours: 24, keep: 7 } });
  opened.push(app);
  return app;
}

describe('backup and restore (SQLite)', () => {
  it('a backup made while tablets sync restores into a fresh folder with every record acknowledged before it began', async () => {
    const dataDir = tmp();
    const backupDir = tmp();
    t = await serverOn(dataDir, backupDir);
    s = await buildScene(t);
    ({ tablet } = await enrollTablet(t, s.manager, s.compoundId));
    const admin = await officeClient(t, 'admin');

    // Tablets sync batches of 25 checks, one after another, all through the backup.
    const acked: string[] = [];
    let syncing = true;
    let n = 0;
    const loop = (async () => {
      while (syncing) {
        await new Promise((r) => setImmediate(r)); // requests come over the network: the loop turns between them
        const records = Array.from({ length: 25 }, () => checkRecord(s, { atMs: s.now() - 60_000 + n++, person: (['zhang', 'li', 'wang'] as const)[n % 3] }));
        const r = await tablet.post('/api/device/sync', { sentAt: t.clock.now.toISOString(), records });
        expect(r.status).toBe(200);
        for (const x of r.body.results) {
          if (x.status !== 'accepted') throw new Error(`sync: ${JSON.stringify(x)}`);
          acked.push(x.id);
        }
      }
    })();
    while (acked.length < 200) await Promise.race([loop, new Promise((r) => setTimeout(r, 5))]);
    const before = [...acked];
    const res = await admin.post('/api/lifecycle/backups');
    const during = acked.length - before.length;
    syncing = false;
    await loop;
    expect(res.status).toBe(201);
    const file = res.body.backup.file as string;
    expect(path.dirname(file)).toBe(backupDir);
    expect(path.basename(file)).toMatch(/^gatepost-\d{8}T\d{6}Z\.db$/);
    console.log(`backup: ${before.length} records acknowledged before it, ${during} more synced while it ran`);

    // Listed on the admin page, audited.
    const page = (await admin.get('/api/lifecycle')).body;
    expect(page.backups[0]).toMatchObject({ name: path.basename(file), kind: 'button', present: true });
    const audit = (await admin.get('/api/audit?action=backup.')).body;
    expect((audit.entries ?? audit.rows ?? audit.items).length).toBe(1);

    // Restore into a fresh folder and start a server on it.
    const fresh = tmp();
    const r = restoreBackup(file, fresh);
    expect(r.keptPrevious).toBeNull();
    expect(inspectBackup(r.restored).integrity).toBe('ok');
    const restored = await serverOn(fresh);
    const ids = new Set((await restored.database.db.selectFrom('gateCheck').select('id').execute()).map((x) => x.id));
    const missing = before.filter((id) => !ids.has(id));
    expect(missing).toEqual([]);
    // The restored server works: the manager signs in and sees the day.
    const mgr = await officeClient(restored, 'mgr');
    const dash = (await mgr.get(`/api/compounds/${s.compoundId}/dashboard`)).body;
    expect(dash.summary.total).toBe(ids.size);
  });

  it('npm run backup makes a copy from outside; npm run restore checks the file and refuses a folder in use', async () => {
    const dataDir = tmp();
    t = await serverOn(dataDir);
    s = await buildScene(t);
    const to = tmp();
    const b = await tsx('backup.ts', ['--to', to], { DATA_DIR: dataDir });
    expect(b.out).toContain('Backed up to');
    expect(b.code).toBe(0);
    const [name] = fs.readdirSync(to);
    const file = path.join(to, name!);
    expect(inspectBackup(file)).toMatchObject({ integrity: 'ok', unknown: [], missing: [] });

    // A folder a server uses is refused; so is a damaged file; a good one goes in, the old database kept beside.
    const target = tmp();
    fs.writeFileSync(path.join(target, 'gatepost.db'), 'old');
    const unlock = lockDataDir(target);
    const refused = await tsx('restore.ts', [file, '--data', target], {});
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/is using .*stop it before restoring/);
    unlock();
    const broken = path.join(to, 'broken.db');
    const bytes = fs.readFileSync(file);
    bytes.fill(0x41, 4096, 8192); // a page of garbage
    fs.writeFileSync(broken, bytes);
    const bad = await tsx('restore.ts', [broken, '--data', target], {});
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/integrity|not a readable|malformed/i);
    const notDb = path.join(to, 'notes.txt');
    fs.writeFileSync(notDb, 'hello');
    expect((await tsx('restore.ts', [notDb, '--data', target], {})).code).toBe(1);
    expect(fs.readFileSync(path.join(target, 'gatepost.db'), 'utf8')).toBe('old'); // nothing changed
    const ok = await tsx('restore.ts', [file, '--data', target], {});
    expect(ok.out).toContain('integrity ok');
    expect(ok.code).toBe(0);
    expect(fs.readdirSync(target).some((f) => f.startsWith('gatepost.db.before-restore-'))).toBe(true);
    expect(inspectBackup(path.join(target, 'gatepost.db')).integrity).toBe('ok');
  });
});
