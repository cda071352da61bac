import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { uuidv7 } from '../../server/core/uuid.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { analyzerOf } from '../../server/gate/analysis.js';
import { type Client, makeTestApp, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, type Scene, sync } from '../helpers/gate.js';
import { freshPostgres, PG_URL } from '../helpers/postgres.js';

// A gate check is a record of what was seen: a resident renamed (or moved) later is still shown on
// their past checks as they were then, in every place a person reads them.

const local = (hhmm: string) => Date.parse(`2026-11-28T${hhmm}:00+08:00`);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(database?: Awaited<ReturnType<typeof freshPostgres>>['database']) {
  const t = await makeTestApp({ now: '2026-11-28T08:00:00.000Z', ...(database ? { database } : {}) });
  cleanups.push(async () => {
    await analyzerOf(t.deps).drain(); // the online check schedules the server's analysis: let it end first
    await t.close();
  });
  const s = await buildScene(t);
  const { tablet } = await enrollTablet(t, s.manager, s.compoundId);
  return { t, s, tablet };
}

async function exportCsv(t: TestApp, client: Client, dataset: string) {
  const res = await t.app.request(`http://localhost/api/exports/${dataset}?from=2026-11-28&to=2026-11-28&format=csv`, {
    headers: { cookie: `gp_session=${client.auth.cookie}`, origin: 'http://localhost' },
  });
  expect(res.status).toBe(200);
  return parse(await res.text(), { bom: true, columns: true }) as Record<string, string>[];
}

/** Checks before the rename: 张三 scanned, 王五 looked up with an override, a visitor to 王五's home. */
async function checksThenRename(t: TestApp, s: Scene, tablet: Client) {
  const shiftId = uuidv7(local('06:00'));
  const res = await sync(t, tablet, [
    { kind: 'shift_start', id: shiftId, at: new Date(local('06:00')).toISOString(), gateId: s.gateA, volunteerId: s.volunteerId },
    checkRecord(s, { atMs: local('08:00'), shiftId, person: 'zhang' }),
    checkRecord(s, { atMs: local('09:00'), shiftId, subject: 'manual', code: null, residentId: s.people.wang.residentId, verdict: 'deny', reasons: [{ code: 'test_missing' }], passed: true, override: { reason: '就医' } }),
    checkRecord(s, { atMs: local('10:00'), shiftId, subject: 'visitor', code: null, direction: 'in', visitor: { name: '快递员', phone: '13700000000', reason: '送件', hostHouseholdId: s.people.wang.householdId } }),
  ]);
  expect(res.body.results.map((r: any) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
  for (const [key, name] of [['zhang', '张三丰'], ['wang', '王五一']] as const) {
    expect((await s.manager.patch(`/api/compounds/${s.compoundId}/residents/${s.people[key].residentId}`, { name })).status).toBe(200);
  }
  return shiftId;
}

async function expectHistoryKept(t: TestApp, s: Scene, tablet: Client, shiftId: string) {
  // A check after the rename carries the new name.
  expect((await sync(t, tablet, [checkRecord(s, { atMs: local('11:00'), shiftId, person: 'zhang', direction: 'in' })])).body.results[0].status).toBe('accepted');

  const checks = (await s.manager.get(`/api/compounds/${s.compoundId}/gate-checks`)).body.checks;
  expect(checks.map((c: any) => [c.residentName, c.building, c.unit, c.room])).toEqual([
    ['张三丰', '1号楼', '1', '301'],
    [null, '1号楼', '2', '502'],
    ['王五', '1号楼', '2', '502'],
    ['张三', '1号楼', '1', '301'],
  ]);
  // The live link stays: the look-up by resident finds both of 张's checks, old name and new.
  const zhang = (await s.manager.get(`/api/compounds/${s.compoundId}/gate-checks?residentId=${s.people.zhang.residentId}`)).body.checks;
  expect(zhang.map((c: any) => c.residentName)).toEqual(['张三丰', '张三']);

  const csv = await exportCsv(t, s.manager, 'gate-checks');
  expect(csv.map((r) => r['姓名'])).toEqual(['张三', '王五', '快递员', '张三丰']);
  expect(csv[1]).toMatchObject({ 楼栋: '1号楼', 单元: '2', 房号: '502' });

  const log = (await s.manager.get(`/api/compounds/${s.compoundId}/shifts/${shiftId}`)).body;
  expect(log.overrides.map((o: any) => o.residentName)).toEqual(['王五']);

  const dossier = (await s.manager.get(`/api/compounds/${s.compoundId}/buildings/${s.buildingId}/dossier?from=2026-11-28%2006:00&to=2026-11-28%2012:00`)).body as string;
  expect(dossier).toContain('张三');
  expect(dossier).toContain('王五<');
  expect(dossier).toContain('张三丰');
  expect(dossier).not.toContain('王五一');
}

describe('gate checks keep the identity they were recorded with', () => {
  it('a rename after a check leaves the check, its export, the shift log and the dossier as they were; new checks show the new name', async () => {
    const { t, s, tablet } = await setUp();
    const shiftId = await checksThenRename(t, s, tablet);
    await expectHistoryKept(t, s, tablet, shiftId);
  });

  it('the online check keeps the name too', async () => {
    const { t, s, tablet } = await setUp();
    const login = await tablet.post('/api/device/login', { phone: '13800000001', pin: '123456' });
    const volunteer = t.client({ bearer: login.body.token });
    expect((await volunteer.post('/api/device/checks', { gateId: s.gateA, direction: 'out', code: s.people.li.code })).status).toBe(200);
    await s.manager.patch(`/api/compounds/${s.compoundId}/residents/${s.people.li.residentId}`, { name: '李四海' });
    const row = await t.database.db.selectFrom('gateCheck').select(['personName', 'buildingName', 'unit', 'room']).executeTakeFirstOrThrow();
    expect(row).toEqual({ personName: '李四', buildingName: '1号楼', unit: '1', room: '301' });
  });

  it('rows recorded before the snapshot existed are filled from the roster by the migration', async () => {
    const { t, s, tablet } = await setUp();
    await checksThenRename(t, s, tablet);
    const m = migrations['0005-gate-history']!;
    await m.down!(t.database.db.withoutPlugins());
    await m.up(t.database.db.withoutPlugins());
    const rows = await t.database.db.selectFrom('gateCheck').select(['subject', 'personName', 'buildingName', 'unit', 'room', 'temperatureC']).orderBy('occurredAt').execute();
    expect(rows).toEqual([
      { subject: 'code', personName: '张三丰', buildingName: '1号楼', unit: '1', room: '301', temperatureC: null },
      { subject: 'manual', personName: '王五一', buildingName: '1号楼', unit: '2', room: '502', temperatureC: null },
      { subject: 'visitor', personName: null, buildingName: '1号楼', unit: '2', room: '502', temperatureC: null },
    ]);
  });
});

describe.skipIf(!PG_URL)('gate checks keep their identity, on PostgreSQL', () => {
  it('the same, end to end', async () => {
    const pg = await freshPostgres();
    cleanups.push(() => pg.drop());
    await migrateToLatest(pg.database);
    const { t, s, tablet } = await setUp(pg.database);
    const shiftId = await checksThenRename(t, s, tablet);
    await expectHistoryKept(t, s, tablet, shiftId);
  });
});
