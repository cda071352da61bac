import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../server/core/uuid.js';
import { analyzerOf } from '../../server/gate/analysis.js';
import { verifyWithNode } from '../../server/lifecycle/certificate.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { makeTestApp, officeClient, type TestApp } from '../helpers/app.js';
import { freshPostgres, PG_URL } from '../helpers/postgres.js';
import { buildScene, checkRecord, enrollTablet, sync } from '../helpers/gate.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const verifyCli = (file: string, key: string) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/cli/verify-certificate.ts'), file, '--key', key], { cwd: ROOT }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e) => ({ code: e.code as number, out: String(e.stdout) + String(e.stderr) }),
  );

let t: TestApp;
let dir: string;
afterEach(async () => {
  await analyzerOf(t.deps).drain();
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Everything personal the scene holds: residents' names and phones, a visitor's. */
const PERSONAL = ['张三', '李四', '王五', '赵六', '13900000001', '13900000002', '13900000003', '13900000004', '孙访客', '13711112222', '卧床不起'];

describe('end of lockdown (SQLite)', () => {
  it('deletes the personal data from the file’s bytes, keeps the figures and the audit trail, and issues a certificate that verifies', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatepost-lockdown-'));
    const file = path.join(dir, 'gatepost.db');
    t = await makeTestApp({ file });
    Object.assign(t.deps.config, { dataDir: dir });
    const s = await buildScene(t);
    const { tablet } = await enrollTablet(t, s.manager, s.compoundId);
    const visitor = { name: '孙访客', phone: '13711112222', reason: '送药', hostHouseholdId: s.people.zhang.householdId, test: { result: 'negative', within: 24 } };
    const sent = await sync(t, tablet, [
      checkRecord(s, { person: 'zhang', atMs: s.now() - 3_600_000 }),
      checkRecord(s, { person: 'li', direction: 'in', atMs: s.now() - 3_000_000 }),
      checkRecord(s, { subject: 'visitor', code: null, visitor: visitor as never, direction: 'in', atMs: s.now() - 2_000_000 }),
    ]);
    expect(sent.body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    const admin = await officeClient(t, 'admin');
    // A backup the server made (it holds the data: it must go), and one whose file is already gone elsewhere.
    const backup = (await admin.post('/api/lifecycle/backups')).body.backup.file as string;
    expect(fs.existsSync(backup)).toBe(true);
    await t.database.db.insertInto('backup').values({ file: path.join(dir, 'moved-away.db'), size: 1, startedAt: t.clock.now.toISOString(), finishedAt: t.clock.now.toISOString(), kind: 'command', userId: null }).execute();

    // What other features hold about people: a positive case's alert (name, room), a testing exemption's
    // note, a phone bound to a pass and an activation link; and a testing round whose coverage must stay.
    const day = new Date(s.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const round = (await s.manager.post(`/api/compounds/${s.compoundId}/rounds`, { name: '第1轮', startsOn: day, endsOn: day })).body.id as number;
    expect((await s.manager.post(`/api/compounds/${s.compoundId}/residents/${s.people.wang.residentId}/tests`, { sampledAt: new Date(s.now() - 600_000).toISOString(), result: 'positive' })).status).toBe(201);
    expect((await t.database.db.selectFrom('alert').selectAll().execute()).map((a) => a.personName)).toEqual(['王五']);
    expect((await s.manager.request('PUT', `/api/compounds/${s.compoundId}/residents/${s.people.li.residentId}/exemption`, { reason: 'bedridden', note: '卧床不起' })).status).toBe(200);
    const activation = (await s.manager.post(`/api/compounds/${s.compoundId}/passes/${s.people.zhang.passId}/activation`, {})).body.url as string;
    const publicKey = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!;
    expect((await t.client().post('/api/phone/activate', { token: new URL(activation).hash.slice('#a='.length), publicKey })).status).toBe(201);
    await s.manager.post(`/api/compounds/${s.compoundId}/passes/${s.people.li.passId}/activation`, {}); // never used
    const coverage = () => t.database.db.selectFrom('roundCoverage').select(['buildingId', 'unit', 'residents', 'negative', 'positive', 'pending', 'exempt', 'untested']).where('roundId', '=', round).orderBy('buildingId').orderBy('unit').execute();
    const covered = await coverage();
    expect(covered.reduce((n, c) => n + c.positive, 0)).toBe(1);

    const url = `/api/compounds/${s.compoundId}/dashboard`;
    const before = (await admin.get(url)).body;
    const raw = () => Buffer.concat([fs.readFileSync(file), fs.existsSync(`${file}-wal`) ? fs.readFileSync(`${file}-wal`) : Buffer.alloc(0)]);
    expect(PERSONAL.filter((p) => raw().includes(Buffer.from(p)))).toEqual(PERSONAL); // the test can see them

    // Wrong name, a manager: refused, nothing changed.
    const wrong = await admin.post('/api/lifecycle/end-lockdown', { compoundId: s.compoundId, confirm: '崇文佳苑' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details?.issues?.[0] ?? wrong.body.error).toMatchObject({});
    expect(JSON.stringify(wrong.body)).toContain('崇文佳苑一区');
    expect((await s.manager.post('/api/lifecycle/end-lockdown', { compoundId: s.compoundId, confirm: '崇文佳苑一区' })).status).toBe(403);
    expect(Number((await t.database.db.selectFrom('resident').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(4);

    // The purge, with the server answering meanwhile (another compound's tablet syncing, the health check).
    const otherGate = (await admin.post(`/api/compounds/${s.otherCompoundId}/gates`, { name: '北门' })).body.item.id;
    const other = (await enrollTablet(t, admin, s.otherCompoundId)).tablet;
    const ending = admin.post('/api/lifecycle/end-lockdown', { compoundId: s.compoundId, confirm: ' 崇文佳苑一区 ' });
    const answered = await Promise.all([other.post('/api/device/sync', { sentAt: t.clock.now.toISOString(), records: [{ kind: 'shift_start', id: uuidv7(s.now()), at: t.clock.now.toISOString(), gateId: otherGate, volunteerId: s.volunteerId }] }), t.client().get('/healthz')]);
    expect(answered.map((r) => r.status)).toEqual([200, 200]);
    const res = await ending;
    expect(res.status).toBe(201);
    const cert = res.body.certificate;
    expect(cert.certificate).toMatchObject({
      compound: { id: s.compoundId, name: '崇文佳苑一区' },
      deleted: { residents: 4, households: 3, passes: 4, testResults: 4, gateChecks: 3, visitors: 1, photos: 0 },
      backups: { deleted: [path.basename(backup)], unreachable: [path.join(dir, 'moved-away.db')] },
      issuedBy: { name: 'admin' },
    });
    expect(cert.certificate.deleted.auditRowsRedacted).toBeGreaterThanOrEqual(4);
    expect(fs.existsSync(backup)).toBe(false);
    // The compound's tablet is revoked: it cannot bring personal records back, and wipes its roster.
    expect(cert.certificate.deleted.tabletsRevoked).toBe(1);
    expect((await tablet.post('/api/device/sync', { sentAt: t.clock.now.toISOString(), records: [checkRecord(s, { person: 'zhang' })] })).status).toBe(401);
    expect((await other.post('/api/device/sync', { sentAt: t.clock.now.toISOString(), records: [{ kind: 'shift_start', id: uuidv7(s.now() + 1), at: t.clock.now.toISOString(), gateId: otherGate, volunteerId: s.volunteerId }] })).status).toBe(200);

    // Gone from the database file and its WAL.
    expect(PERSONAL.filter((p) => raw().includes(Buffer.from(p)))).toEqual([]);
    const integrity = t.database.sqlite!.pragma('integrity_check') as { integrity_check: string }[];
    expect(integrity[0]!.integrity_check).toBe('ok');

    for (const table of ['alert', 'testExemption', 'phoneBinding', 'phoneActivation'] as const) expect(await t.database.db.selectFrom(table).selectAll().execute()).toEqual([]);
    // The round's coverage was counted before its test rows went, and sealed: a later recount cannot empty it.
    expect(await coverage()).toEqual(covered);

    // The day's figures stay; the audit trail keeps who did what when, without the names.
    const after = (await admin.get(url)).body;
    expect(after.summary).toEqual(before.summary);
    expect(after.hourly).toEqual(before.hourly);
    const created = await t.database.db.selectFrom('auditLog').select(['action', 'userId', 'at', 'details']).where('action', '=', 'resident.create').execute();
    expect(created).toHaveLength(4);
    for (const r of created) expect(JSON.parse(r.details!)).toMatchObject({ name: '[已删除]', phone: '[已删除]' });
    // Outside the purge the log is as append-only as ever.
    await expect(t.database.db.updateTable('auditLog').set({ details: '{}' }).where('action', '=', 'resident.create').execute()).rejects.toThrow(/append-only/);
    await expect(t.database.db.deleteFrom('auditLog').execute()).rejects.toThrow(/append-only/);
    // Twice: refused.
    expect((await admin.post('/api/lifecycle/end-lockdown', { compoundId: s.compoundId, confirm: '崇文佳苑一区' })).body.error.code).toBe('lockdown_already_ended');

    // The certificate: its file verifies against the installation's fingerprint (the admin page shows it);
    // a changed byte does not, nor another installation's fingerprint.
    const page = (await admin.get('/api/lifecycle')).body;
    const fp = page.key.fingerprint as string;
    expect(cert.certificate.fingerprint).toBe(fp);
    const text = (await admin.get(`/api/lifecycle/certificates/${cert.certificate.id}`)).body;
    const json = typeof text === 'string' ? text : `${JSON.stringify(text, null, 2)}\n`;
    expect(verifyWithNode(json, page.key.shown)).toMatchObject({ ok: true });
    const changed = json.replace('"residents": 4', '"residents": 3');
    expect(changed).not.toBe(json);
    expect(verifyWithNode(changed, fp)).toEqual({ ok: false, why: 'bad_signature' });
    expect(verifyWithNode(json.replace('\n}', ' \n}'), fp)).toEqual({ ok: false, why: 'altered_form' });
    expect(verifyWithNode(json, 'ab'.repeat(32))).toEqual({ ok: false, why: 'other_key' });
    // The office page's check (the server's own key by default).
    expect((await admin.post('/api/lifecycle/certificates/verify', { text: json })).body.result.ok).toBe(true);
    expect((await admin.post('/api/lifecycle/certificates/verify', { text: changed })).body.result).toEqual({ ok: false, why: 'bad_signature' });
    // npm run verify-certificate, offline.
    const good = path.join(dir, 'cert.json');
    fs.writeFileSync(good, json);
    const bad = path.join(dir, 'cert-changed.json');
    const bytes = Buffer.from(json);
    const at = bytes.indexOf('崇文');
    bytes[at] = bytes[at]! ^ 1; // one byte of the compound's name
    fs.writeFileSync(bad, bytes);
    const ok = await verifyCli(good, page.key.shown);
    expect(ok.out).toContain('VALID');
    expect(ok.code).toBe(0);
    const no = await verifyCli(bad, fp);
    expect(no.out).toContain('NOT VALID');
    expect(no.code).toBe(1);
    // The A4 page.
    const print = (await admin.get(`/api/lifecycle/certificates/${cert.certificate.id}/print`)).body as string;
    expect(print).toContain('数据销毁证明');
    expect(print).toContain(page.key.shown);
  });
});

describe.skipIf(!PG_URL)('end of lockdown (PostgreSQL)', () => {
  it('deletes the personal data, redacts the audit rows through the trigger’s one gate, and signs the certificate', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatepost-lockdown-pg-'));
    const pg = await freshPostgres();
    try {
      await migrateToLatest(pg.database);
      t = await makeTestApp({ database: pg.database });
      const s = await buildScene(t);
      const { tablet } = await enrollTablet(t, s.manager, s.compoundId);
      await sync(t, tablet, [checkRecord(s, { person: 'zhang', atMs: s.now() - 3_600_000 })]);
      const admin = await officeClient(t, 'admin');
      const before = (await admin.get(`/api/compounds/${s.compoundId}/dashboard`)).body.summary;
      const res = await admin.post('/api/lifecycle/end-lockdown', { compoundId: s.compoundId, confirm: '崇文佳苑一区' });
      expect(res.status).toBe(201);
      expect(res.body.certificate.certificate.deleted).toMatchObject({ residents: 4, passes: 4, gateChecks: 1, testResults: 3 });
      expect((await admin.get(`/api/compounds/${s.compoundId}/dashboard`)).body.summary).toEqual(before);
      const db = t.database.db;
      expect(await db.selectFrom('resident').selectAll().execute()).toEqual([]);
      const created = await db.selectFrom('auditLog').select('details').where('action', '=', 'resident.create').execute();
      expect(created.map((r) => JSON.parse(r.details!).name)).toEqual(Array(4).fill('[已删除]'));
      await expect(db.updateTable('auditLog').set({ details: '{}' }).execute()).rejects.toThrow(/append-only/);
      await expect(db.updateTable('auditLog').set({ action: 'login' }).execute()).rejects.toThrow(/append-only/);
      const text = (await admin.get(`/api/lifecycle/certificates/${res.body.certificate.certificate.id}`)).body;
      const json = typeof text === 'string' ? text : `${JSON.stringify(text, null, 2)}\n`;
      const fp = (await admin.get('/api/lifecycle')).body.key.fingerprint;
      expect(verifyWithNode(json, fp).ok).toBe(true);
      await analyzerOf(t.deps).drain();
    } finally {
      await pg.drop();
      t = await makeTestApp(); // afterEach closes it
    }
  });
});
