import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../server/core/uuid.js';
import { type Client, insertUser, makeTestApp, officeClient, PASSWORD, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, placesStandSince, type Scene, sync } from '../helpers/gate.js';

let t: TestApp;
let s: Scene;
let tablet: Client;

beforeEach(async () => {
  // 2026-11-28 16:00 in Shanghai
  t = await makeTestApp({ now: '2026-11-28T08:00:00.000Z' });
  s = await buildScene(t);
  await placesStandSince(t);
  ({ tablet } = await enrollTablet(t, s.manager, s.compoundId));
});
afterEach(() => t.close());

const local = (hhmm: string) => Date.parse(`2026-11-28T${hhmm}:00+08:00`);
/** A 1×1 PNG. */
const PNG = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='),
  (ch) => ch.charCodeAt(0),
);

async function seed() {
  const shiftId = uuidv7(local('06:00'));
  const roundId = uuidv7(local('06:40'));
  await sync(t, tablet, [
    { kind: 'shift_start', id: shiftId, at: new Date(local('06:00')).toISOString(), gateId: s.gateA, volunteerId: s.volunteerId },
    checkRecord(s, { atMs: local('08:10'), shiftId, direction: 'out', testStatus: { result: 'negative', sampledAt: local('10:00') - 86_400_000, ageHours: 22 } }),
    checkRecord(s, { atMs: local('09:30'), shiftId, person: 'zhao', verdict: 'deny', reasons: [{ code: 'test_missing' }], passed: true, override: { reason: '<b>就医</b>' } }),
    checkRecord(s, { atMs: local('10:00'), shiftId, person: 'wang', verdict: 'deny', reasons: [{ code: 'test_missing' }], passed: false }),
    checkRecord(s, { atMs: local('11:00'), shiftId, subject: 'visitor', code: null, direction: 'in', visitor: { name: '<script>alert(1)</script>', phone: '13700000000', reason: '送件' } }),
    { kind: 'shift_end', id: uuidv7(local('14:00')), at: new Date(local('14:00')).toISOString(), shiftId, volunteerId: s.volunteerId, handoverNote: '一切正常' },
    {
      kind: 'disinfection',
      id: roundId,
      at: new Date(local('06:40')).toISOString(),
      volunteerId: s.volunteerId,
      target: { kind: 'building', id: s.buildingId },
      slotDate: '2026-11-28',
      slotTime: '06:00',
      status: 'done',
      items: [{ key: 'public', label: '公共区域', done: true }],
      disinfectant: '含氯消毒剂',
      concentration: '500 mg/L',
      startedAt: new Date(local('06:25')).toISOString(),
      finishedAt: new Date(local('06:40')).toISOString(),
      via: 'placard',
    },
  ]);
  const put = await tablet.request('PUT', `/api/device/photos/${roundId}`, PNG, { 'content-type': 'image/png' });
  expect(put.status).toBeLessThan(300);
  return { roundId };
}

describe('print views', () => {
  it("the compound's daily report: figures, overrides, shifts with their handover, disinfection", async () => {
    await seed();
    const r = await s.manager.get(`/api/compounds/${s.compoundId}/reports/daily?date=2026-11-28`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    const page: string = r.body;
    expect(page).toContain('崇文佳苑一区 · 门岗与消杀日报');
    expect(page).toMatch(/出<b>2<\/b>/);
    expect(page).toMatch(/劝返<b>1<\/b>/);
    expect(page).toContain('&lt;b&gt;就医&lt;/b&gt;');
    expect(page).toContain('一切正常');
    expect(page).toContain('张志愿');
    expect(page).toMatch(/按时 1 · 超时 0 · 漏消 1/);
    expect(page).toContain('@page { size: A4');
    const en = (await s.manager.get(`/api/compounds/${s.compoundId}/reports/daily?date=2026-11-28&lang=en`)).body as string;
    expect(en).toContain('Gates and disinfection: daily report');
    const audit = await t.database.db.selectFrom('auditLog').select(['compoundId', 'details']).where('action', '=', 'export').orderBy('id').execute();
    expect(audit.map((a) => [a.compoundId, JSON.parse(a.details!).dataset])).toEqual([
      [s.compoundId, 'daily-report'],
      [s.compoundId, 'daily-report'],
    ]);
  });

  it("a building's incident dossier: its residents' passages first, others at the same gates apart when asked, phones by role, rounds with photos, contacts of its positives; print and XLSX audited", async () => {
    const { roundId } = await seed();
    const base = `/api/compounds/${s.compoundId}/buildings/${s.buildingId}/dossier?from=2026-11-28%2006:00&to=2026-11-28%2012:00`;
    const r = await s.manager.get(base);
    expect(r.status).toBe(200);
    const page: string = r.body;
    // The building's residents who passed: 张三 out, 赵六 by override; 王五 was turned back; the visitor is not a resident.
    expect(page).toContain('1号楼居民经门岗通行（2 次，2 人）');
    expect(page).toContain('张三');
    expect(page).toContain('赵六');
    expect(page).not.toContain('王五');
    expect(page).not.toContain('&lt;script&gt;');
    expect(page).not.toContain('同期同门岗其他人员');
    expect(page).toContain('阴性 · 2026-11-27 10:00 (22h)');
    expect(page).toContain('无记录'); // 赵六 had no test
    expect(page).toContain('13900000001'); // a manager sees phones
    expect(page).toContain(`/api/compounds/${s.compoundId}/disinfection/records/${roundId}/photo`);
    expect(page).toContain('公共区域');
    expect(page).toContain('本楼无阳性人员');

    // Others at the same gates, apart, when asked: the visitor (escaped).
    const withOthers = (await s.manager.get(`${base}&others=1`)).body as string;
    expect(withOthers).toContain('同期同门岗其他人员通行（1 次，1 人）');
    expect(withOthers).toContain('&lt;script&gt;alert(1)&lt;/script&gt;（访客）');
    expect(withOthers).not.toContain('<script>alert');

    // A supervisor reads phones masked.
    await insertUser(t, { role: 'supervisor', username: 'sup', password: PASSWORD });
    const sup = await officeClient(t, 'sup');
    const masked = (await sup.get(`${base}&others=1`)).body as string;
    expect(masked).toContain('139****0001');
    expect(masked).not.toContain('13900000001');
    expect(masked).not.toContain('13700000000');

    // A positive resident of the building: their gate contacts are in the dossier.
    await s.manager.post(`/api/compounds/${s.compoundId}/residents/${s.people.zhang.residentId}/tests`, { sampledAt: '2026-11-28T06:00:00.000Z', result: 'positive' });
    const withCase = (await s.manager.get(base)).body as string;
    expect(withCase).toContain('本楼阳性人员的门岗时空伴随（1 人）');
    expect(withCase).toContain('病例 张三');

    const xlsx = await s.manager.request('GET', `${base}&format=xlsx&others=1`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');

    // A window before the checks: nobody, no rounds.
    const early = (await s.manager.get(`/api/compounds/${s.compoundId}/buildings/${s.buildingId}/dossier?from=2026-11-27%2000:00&to=2026-11-28%2006:00`)).body as string;
    expect(early).toContain('（0 次，0 人）');

    const audit = await t.database.db.selectFrom('auditLog').select('details').where('action', '=', 'export').orderBy('id').execute();
    expect(audit.map((a) => [JSON.parse(a.details!).dataset, JSON.parse(a.details!).format])).toEqual([
      ['dossier', 'print'],
      ['dossier', 'print'],
      ['dossier', 'print'],
      ['dossier', 'print'],
      ['dossier', 'xlsx'],
      ['dossier', 'print'],
    ]);
  });

  it('refuses a bad window with a clear error, and other compounds', async () => {
    const base = `/api/compounds/${s.compoundId}/buildings/${s.buildingId}/dossier`;
    const backwards = await s.manager.get(`${base}?from=2026-11-28%2012:00&to=2026-11-28%2006:00`);
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toMatch(/"to" must be after "from"/);
    const garbage = await s.manager.get(`${base}?from=yesterday&to=2026-11-28%2006:00`);
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.details[0].path).toBe('from');
    expect((await s.manager.get(`/api/compounds/${s.compoundId}/buildings/99999/dossier?from=2026-11-28%2000:00&to=2026-11-28%2006:00`)).status).toBe(404);
    expect((await s.manager.get(`/api/compounds/${s.otherCompoundId}/reports/daily`)).status).toBe(403);
    expect((await tablet.get(`/api/compounds/${s.compoundId}/reports/daily`)).status).toBe(403);
  });
});
