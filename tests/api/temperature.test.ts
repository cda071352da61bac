import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../server/core/policy.js';
import { uuidv7 } from '../../server/core/uuid.js';
import { analyzerOf } from '../../server/gate/analysis.js';
import { type Client, makeTestApp, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, type Scene, sync } from '../helpers/gate.js';

// 体温: the policy asks for a reading, a fever is a denial a volunteer cannot override by default, and
// the reading is kept on the check and shows in the shift log, the dashboard, the exports and the report.

let t: TestApp;
let s: Scene;
let tablet: Client;

beforeEach(async () => {
  // 2026-11-28 16:00 in Shanghai
  t = await makeTestApp({ now: '2026-11-28T08:00:00.000Z' });
  s = await buildScene(t);
  ({ tablet } = await enrollTablet(t, s.manager, s.compoundId));
});
afterEach(async () => {
  await analyzerOf(t.deps).drain();
  await t.close();
});

const local = (hhmm: string) => Date.parse(`2026-11-28T${hhmm}:00+08:00`);
const TEMP = { entry: { required: true }, exit: { required: true }, feverC: 37.3 };
const setPolicy = async (temperature: unknown) => s.manager.request('PUT', `/api/compounds/${s.compoundId}/policy`, { rules: { ...defaultPolicy('2026-11-01'), temperature }, note: '测体温' });
const volunteer = async () => {
  const login = await tablet.post('/api/device/login', { phone: '13800000001', pin: '123456' });
  return t.client({ bearer: login.body.token });
};

describe('temperature at the gate', () => {
  it('the policy keeps the rules; a bad threshold is a 400 that changes nothing', async () => {
    expect((await setPolicy(TEMP)).status).toBe(200);
    const bad = await setPolicy({ ...TEMP, feverC: 'hot' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
    const policy = (await s.manager.get(`/api/compounds/${s.compoundId}/policy`)).body;
    expect(policy.current.rules.temperature).toEqual(TEMP);
    // The roster carries it to the tablets.
    expect((await tablet.get('/api/device/roster')).body.policy.rules.temperature).toEqual(TEMP);
  });

  it('the online check: a fever is a denial nobody overrides by default; a missing reading asks for one; a bad reading is refused', async () => {
    expect((await setPolicy(TEMP)).status).toBe(200);
    const v = await volunteer();
    const fever = await v.post('/api/device/checks', { gateId: s.gateA, direction: 'out', code: s.people.zhang.code, temperatureC: 37.8 });
    expect(fever.status).toBe(200);
    expect(fever.body.decision).toMatchObject({ verdict: 'deny', canOverride: false, passed: false, reasons: [{ code: 'fever', temperatureC: 37.8, thresholdC: 37.3 }] });
    const override = await v.post('/api/device/checks', { gateId: s.gateA, direction: 'out', code: s.people.zhang.code, temperatureC: 37.8, override: { reason: '就医' } });
    expect(override.status).toBe(403);
    expect(override.body.error.code).toBe('override_not_allowed');

    const none = await v.post('/api/device/checks', { gateId: s.gateA, direction: 'out', code: s.people.li.code });
    expect(none.body.decision).toMatchObject({ verdict: 'review', reasons: [{ code: 'temperature_missing' }] });

    const before = await t.database.db.selectFrom('gateCheck').select('id').execute();
    const wild = await v.post('/api/device/checks', { gateId: s.gateA, direction: 'out', code: s.people.wang.code, temperatureC: 57 });
    expect(wild.status).toBe(400);
    expect(wild.body.error.message).toMatch(/temperatureC/);
    expect(await t.database.db.selectFrom('gateCheck').select('id').execute()).toHaveLength(before.length);

    const both = await v.post('/api/device/checks', { gateId: s.gateA, direction: 'out', code: s.people.wang.code, temperatureC: 36.5, temperatureNormal: true });
    expect(both.status).toBe(400);
    const ok = await v.post('/api/device/checks', { gateId: s.gateA, direction: 'out', code: s.people.wang.code, temperatureC: 36.54 });
    expect(ok.body.decision).toMatchObject({ verdict: 'allow', passed: true });
    const tapped = await v.post('/api/device/checks', { gateId: s.gateA, direction: 'in', code: s.people.zhao.code, temperatureNormal: true });
    expect(tapped.body.decision.reasons.map((r: any) => r.code)).not.toContain('temperature_missing');
    const rows = await t.database.db.selectFrom('gateCheck').select(['personName', 'temperatureC', 'temperatureNormal']).orderBy('occurredAt').orderBy('id').execute();
    expect(rows.map((r) => [r.personName, r.temperatureC, r.temperatureNormal])).toEqual([
      ['张三', 37.8, null],
      ['李四', null, null],
      ['王五', 36.5, null],
      ['赵六', null, 1],
    ]);
  });

  it('a synced reading is stored, exported, counted on the dashboard, the shift log, the daily summaries and the daily report', async () => {
    expect((await setPolicy(TEMP)).status).toBe(200);
    const shiftId = uuidv7(local('10:30'));
    const res = await sync(t, tablet, [
      { kind: 'shift_start', id: shiftId, at: new Date(local('10:30')).toISOString(), gateId: s.gateA, volunteerId: s.volunteerId },
      checkRecord(s, { atMs: local('11:00'), shiftId, person: 'zhang', temperatureC: 36.5, policyVersion: 2 }),
      checkRecord(s, { atMs: local('11:30'), shiftId, person: 'li', direction: 'in', temperatureNormal: true, policyVersion: 2 }),
      checkRecord(s, { atMs: local('12:00'), shiftId, person: 'wang', temperatureC: 37.8, verdict: 'deny', reasons: [{ code: 'fever', temperatureC: 37.8, thresholdC: 37.3 }], passed: false, policyVersion: 2 }),
      // A reading no thermometer gives is refused, with its reason, and the rest of the batch goes on.
      checkRecord(s, { atMs: local('12:30'), shiftId, person: 'li', temperatureC: 3.7 }),
    ]);
    expect(res.body.results.map((r: any) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'rejected']);
    expect(res.body.results[4].reason).toMatchObject({ code: 'invalid_record', message: expect.stringContaining('temperatureC') });

    // The server's own re-run agrees with the tablet (tests sampled at 10:00): no conflict.
    expect((await s.manager.get(`/api/compounds/${s.compoundId}/conflicts`)).body.conflicts).toEqual([]);

    const checks = (await s.manager.get(`/api/compounds/${s.compoundId}/gate-checks`)).body.checks;
    expect(checks.map((c: any) => [c.temperatureC, c.temperatureNormal])).toEqual([
      [37.8, false],
      [null, true],
      [36.5, false],
    ]);

    const dash = (await s.manager.get(`/api/compounds/${s.compoundId}/dashboard`)).body;
    expect(dash.summary.fevers).toBe(1);

    const log = (await s.manager.get(`/api/compounds/${s.compoundId}/shifts/${shiftId}`)).body;
    expect(log.summary).toMatchObject({ fevers: 1, denialsByReason: { fever: 1 } });
    expect(log.fevers).toEqual([{ id: expect.any(String), occurredAt: expect.any(String), direction: 'out', name: '王五', temperatureC: 37.8, passed: false }]);

    const csv = async (dataset: string) => {
      const r = await t.app.request(`http://localhost/api/exports/${dataset}?from=2026-11-28&to=2026-11-28&format=csv`, { headers: { cookie: `gp_session=${s.manager.auth.cookie}`, origin: 'http://localhost' } });
      return parse(await r.text(), { bom: true, columns: true }) as Record<string, string>[];
    };
    const rows = await csv('gate-checks');
    expect(rows.map((r) => [r['姓名'], r['体温(°C)'], r['原因']])).toEqual([
      ['张三', '36.5', ''],
      ['李四', '正常', ''],
      ['王五', '37.8', '体温异常'],
    ]);
    expect((await csv('daily-summaries'))[0]!['体温异常']).toBe('1');
    expect((await csv('shifts'))[0]!['体温异常']).toBe('1');

    const report = (await s.manager.get(`/api/compounds/${s.compoundId}/reports/daily?date=2026-11-28`)).body as string;
    expect(report).toContain('<div>体温异常<b>1</b></div>');
    // The dossier lists who passed, with the temperature taken then.
    const dossier = (await s.manager.get(`/api/compounds/${s.compoundId}/buildings/${s.buildingId}/dossier?from=2026-11-28%2010:00&to=2026-11-28%2016:00`)).body as string;
    expect(dossier).toContain('体温 36.5 °C');
    expect(dossier).toContain('体温 正常');
    expect(dossier).not.toContain('37.8');
  });

  it('a check let through without the reading the policy asks for is flagged for the office (an old app on the tablet)', async () => {
    expect((await setPolicy({ entry: { required: false }, exit: { required: true }, feverC: 37.3 })).status).toBe(200);
    const policyVersion = (await s.manager.get(`/api/compounds/${s.compoundId}/policy`)).body.current.version;
    const without = checkRecord(s, { atMs: local('15:00'), person: 'zhang', policyVersion });
    const measured = checkRecord(s, { atMs: local('15:10'), person: 'wang', temperatureC: 36.6, policyVersion });
    await sync(t, tablet, [without, measured]);
    await analyzerOf(t.deps).drain();
    const flags = await t.database.db.selectFrom('conflict').select(['gateCheckId', 'kind']).execute();
    expect(flags).toEqual([{ gateCheckId: without.id, kind: 'temperature_missing' }]);
  });
});
