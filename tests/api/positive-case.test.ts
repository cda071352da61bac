import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzerOf } from '../../server/gate/analysis.js';
import type { GateCheckRecord } from '../../server/core/sync.js';
import { uuidv7 } from '../../server/core/uuid.js';
import { type Client, insertUser, makeTestApp, officeClient, ORIGIN, PASSWORD, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, type Scene, sync } from '../helpers/gate.js';

// The positive case (issue 15): an alert on the dashboards and in the audit log, home quarantine in one
// step reaching the roster delta, and the gate contacts on a synthetic compound whose contacts are known.

// On SQLite here, and on PostgreSQL in npm test's PostgreSQL pass (every API test runs there too).
describe('the positive case', () => {
  let t: TestApp;
  let s: Scene;
  let tablet: Client;
  let sun: number;

  const M = 60_000;
  /** 2026-11-28 16:00 in Shanghai. */
  const NOW = Date.parse('2026-11-28T08:00:00.000Z');

  beforeEach(async () => {
    t = await makeTestApp({ now: new Date(NOW).toISOString() });
    s = await buildScene(t);
    ({ tablet } = await enrollTablet(t, s.manager, s.compoundId));
    const b2 = (await s.manager.post(`/api/compounds/${s.compoundId}/buildings`, { name: '2号楼', unitCount: 1 })).body.item.id;
    sun = (await s.manager.post(`/api/compounds/${s.compoundId}/residents`, { buildingId: b2, unit: '1', room: '101', name: '孙七', phone: '13900000005' })).body.resident.id;
  });
  afterEach(async () => {
    await analyzerOf(t.deps).drain();
    await t.close();
  });

  async function openFeed(who: Client) {
    const res = await t.app.request(`${ORIGIN}/api/compounds/${s.compoundId}/live`, { headers: { cookie: `gp_session=${who.auth.cookie}`, origin: ORIGIN } });
    const reader = res.body!.getReader();
    let text = '';
    return {
      async until(pattern: RegExp) {
        const deadline = Date.now() + 3000;
        while (!pattern.test(text)) {
          if (Date.now() > deadline) throw new Error(`no ${pattern}: ${text}`);
          const { value, done } = await reader.read();
          if (done) throw new Error('feed ended');
          text += new TextDecoder().decode(value);
        }
        return text;
      },
      close: () => reader.cancel(),
    };
  }

  describe('a positive result', () => {
    it('raises an alert on the live feed, the district list and the audit log; one step puts the household under quarantine, which the next roster delta carries', async () => {
      const feed = await openFeed(s.manager);
      await feed.until(/event: ready/);
      const before = (await tablet.get('/api/device/roster')).body.version;

      const res = await s.manager.post(`/api/compounds/${s.compoundId}/residents/${s.people.wang.residentId}/tests`, { sampledAt: new Date(NOW - 2 * 3_600_000).toISOString(), result: 'positive' });
      expect(res.body.alerts).toBe(1);
      const text = await feed.until(/event: alert/);
      const alert = JSON.parse(/event: alert\ndata: (.*)\n/.exec(text)![1]!);
      expect(alert).toMatchObject({ personName: '王五', buildingName: '1号楼', unit: '2', room: '502', source: 'manual', handledAt: null });
      await feed.close();

      // The district's poll (a supervisor's scope: every compound); `after` gives only newer ones.
      await insertUser(t, { role: 'supervisor', username: 'sup', password: PASSWORD });
      const sup = await officeClient(t, 'sup');
      const district = (await sup.get('/api/alerts')).body.alerts;
      expect(district.map((a: any) => [a.compound, a.personName])).toEqual([['崇文佳苑一区', '王五']]);
      expect((await sup.get(`/api/alerts?after=${alert.id}`)).body.alerts).toEqual([]);
      const audit = await t.database.db.selectFrom('auditLog').select(['entityId', 'details']).where('action', '=', 'alert.positive').execute();
      expect(audit).toEqual([expect.objectContaining({ entityId: String(alert.id) })]);

      // A negative result raises nothing; the same positive row never raises a second alert.
      await s.manager.post(`/api/compounds/${s.compoundId}/residents/${s.people.zhang.residentId}/tests`, { sampledAt: new Date(NOW - 3_600_000).toISOString(), result: 'negative' });
      expect((await s.manager.get(`/api/compounds/${s.compoundId}/alerts`)).body.alerts).toHaveLength(1);

      // Bad input changes nothing: a date in the past, a supervisor, an unknown alert.
      expect((await s.manager.post(`/api/compounds/${s.compoundId}/alerts/${alert.id}/quarantine`, { until: '2026-11-27' })).body.error.details[0]).toMatchObject({ path: 'until', code: 'date_in_past' });
      expect((await sup.post(`/api/compounds/${s.compoundId}/alerts/${alert.id}/quarantine`, { until: '2026-12-12' })).status).toBe(403);
      expect((await s.manager.post(`/api/compounds/${s.compoundId}/alerts/99999/quarantine`, { until: '2026-12-12' })).status).toBe(404);
      const mid = (await tablet.get(`/api/device/roster?since=${before}`)).body;
      expect(mid.households.quarantine).toEqual([]);

      const q = await s.manager.post(`/api/compounds/${s.compoundId}/alerts/${alert.id}/quarantine`, { until: '2026-12-12' });
      expect(q.status).toBe(200);
      expect(q.body.alert).toMatchObject({ quarantineUntil: '2026-12-12' });
      expect(q.body.alert.handledAt).not.toBeNull();
      const delta = (await tablet.get(`/api/device/roster?since=${mid.version}`)).body;
      expect(delta.households.quarantine).toEqual([[s.people.wang.householdId, '2026-12-12']]);
      const actions = (await t.database.db.selectFrom('auditLog').select('action').where('action', 'in', ['household.quarantine', 'alert.quarantine']).orderBy('id').execute()).map((a) => a.action);
      expect(actions).toEqual(['household.quarantine', 'alert.quarantine']);
    });

    it('imported or synced from the gate, a positive result raises its alert too', async () => {
      const form = new FormData();
      form.append('file', new File([new TextEncoder().encode('姓名,楼栋,单元,房号,采样时间,检测结果\n孙七,2号楼,1,101,2026-11-28 09:00,阳性\n张三,1号楼,1,301,2026-11-28 09:00,阴性')], 'r.csv'));
      const imported = await s.manager.request('POST', `/api/compounds/${s.compoundId}/imports/tests`, form);
      expect(imported.body.alerts.map((a: any) => a.personName)).toEqual(['孙七']);
      await sync(t, tablet, [{ kind: 'test_result', id: uuidv7(NOW), at: new Date(NOW).toISOString(), residentId: s.people.li.residentId, volunteerId: s.volunteerId, sampledAt: new Date(NOW - 3_600_000).toISOString(), result: 'positive' }]);
      const alerts = (await s.manager.get(`/api/compounds/${s.compoundId}/alerts`)).body.alerts;
      expect(alerts.map((a: any) => [a.personName, a.source])).toEqual([['李四', 'gate'], ['孙七', 'import']]);
    });
  });

  describe('gate contacts on a synthetic compound', () => {
    // 张三 is the case. T0 = 2026-11-28 10:00: his passages are 东门 out at T0 and in at T0+3h, and 西门 out three
    // days before; eight days before he went out by 东门 too (outside a 7-day look-back).
    const T0 = Date.parse('2026-11-28T02:00:00.000Z');
    const D = 86_400_000;
    async function fill() {
      // The compound stood long before: records of a week ago are plausible.
      await t.database.db.updateTable('compound').set({ createdAt: '2026-11-01T00:00:00.000Z' }).execute();
      const r = (o: Partial<GateCheckRecord> & { person?: keyof Scene['people']; atMs: number }) => checkRecord(s, { antiPassback: undefined, ...o } as never);
      const manual = (residentId: number, atMs: number, gateId: number) => r({ atMs, gateId, subject: 'manual', code: null, residentId });
      const voided = r({ person: 'wang', atMs: T0 + 1 * M, gateId: s.gateA, direction: 'in' });
      const stored = await sync(t, tablet, [
        // the case
        r({ person: 'zhang', atMs: T0, gateId: s.gateA, direction: 'out' }),
        r({ person: 'zhang', atMs: T0 + 3 * 60 * M, gateId: s.gateA, direction: 'in' }),
        r({ person: 'zhang', atMs: T0 - 3 * D, gateId: s.gateB, direction: 'out' }),
        r({ person: 'zhang', atMs: T0 - 8 * D, gateId: s.gateA, direction: 'out' }),
        // 李四 (his household): 东门 two minutes after him
        r({ person: 'li', atMs: T0 + 2 * M, gateId: s.gateA, direction: 'out' }),
        // 王五: 东门 exactly ten minutes before (the edge counts); also a check voided later (not a passage)
        r({ person: 'wang', atMs: T0 - 10 * M, gateId: s.gateA, direction: 'out' }),
        voided,
        // 赵六: 东门 eleven minutes after (outside ±10, inside ±15); 西门 five minutes after the case three days before
        r({ person: 'zhao', atMs: T0 + 11 * M, gateId: s.gateA, direction: 'in' }),
        r({ person: 'zhao', atMs: T0 - 3 * D + 5 * M, gateId: s.gateB, direction: 'in' }),
        // 孙七: the other gate at the same moment (not a contact), and turned back at 东门 (did not pass)
        manual(sun, T0, s.gateB),
        { ...manual(sun, T0 + 1 * M, s.gateA), verdict: 'deny', reasons: [{ code: 'test_missing' }], passed: false },
        // 孙七 next to the case eight days before: outside the look-back
        manual(sun, T0 - 8 * D + 1 * M, s.gateA),
        // a courier at 东门 a minute after the case came back
        r({ atMs: T0 + 3 * 60 * M + 1 * M, gateId: s.gateA, subject: 'visitor', code: null, direction: 'in', visitor: { name: '快递员', phone: '13700000000', reason: '送件' } }),
      ]);
      expect(stored.body.results.map((x: any) => x.status)).toEqual(Array(13).fill('accepted'));
      const v = await sync(t, tablet, [{ kind: 'gate_check_void', id: uuidv7(T0 + 2 * M), at: new Date(T0 + 2 * M).toISOString(), checkId: voided.id, reason: '误扫', volunteerId: s.volunteerId }]);
      expect(v.body.results[0].status).toBe('accepted');
    }

    const cases = [
      { name: 'defaults: ±10 min over 7 days', query: '', people: ['快递员', '李四', '王五', '赵六'], households: ['1号楼 1-301', '1号楼 2-502', '1号楼 2-601', 'visitors'] },
      { name: '±15 min catches 赵六 at 东门 too', query: '?minutes=15', people: ['快递员', '李四', '王五', '赵六'], zhao: 2 },
      { name: '±5 min: 李四 and the courier; 赵六 by 西门 (5 min)', query: '?minutes=5', people: ['快递员', '李四', '赵六'] },
      { name: 'the last 2 days: the 西门 passage is out', query: '?days=2', people: ['快递员', '李四', '王五'] },
      { name: 'the last 9 days: 孙七 next to him eight days ago', query: '?days=9', people: ['孙七', '快递员', '李四', '王五', '赵六'] },
      { name: '±1 min over 1 day: the courier only', query: '?minutes=1&days=1', people: ['快递员'] },
    ];
    it.each(cases)('$name', async (c) => {
      await fill();
      const r = await s.manager.get(`/api/compounds/${s.compoundId}/residents/${s.people.zhang.residentId}/contacts${c.query}`);
      expect(r.status).toBe(200);
      const names = r.body.households.flatMap((h: any) => h.members.map((m: any) => m.name)).sort();
      expect(names).toEqual([...c.people].sort());
      expect(r.body.people).toBe(c.people.length);
      if (c.households) expect(r.body.households.map((h: any) => (h.householdId ? `${h.building} ${h.unit}-${h.room}` : 'visitors'))).toEqual(c.households);
      if (c.zhao) expect(r.body.households.flatMap((h: any) => h.members).find((m: any) => m.name === '赵六').passages).toHaveLength(c.zhao);
    });

    it('each contact with the passages that make them one; masked phones for a supervisor; exports and views audited; bad input refused', async () => {
      await fill();
      const base = `/api/compounds/${s.compoundId}/residents/${s.people.zhang.residentId}/contacts`;
      const r = (await s.manager.get(base)).body;
      expect(r.passages.map((p: any) => p.gate)).toEqual(['西门', '东门', '东门']);
      const wang = r.households.flatMap((h: any) => h.members).find((m: any) => m.name === '王五');
      expect(wang).toMatchObject({ phone: '13900000003', passages: [{ gate: '东门', direction: 'out', gapMinutes: -10 }] });
      await insertUser(t, { role: 'supervisor', username: 'sup', password: PASSWORD });
      const sup = await officeClient(t, 'sup');
      const masked = (await sup.get(base)).body;
      expect(masked.households.flatMap((h: any) => h.members).find((m: any) => m.name === '王五').phone).toBe('139****0003');
      const csv = (await s.manager.get(`${base}/export?format=csv`)).body as string;
      expect(csv.split('\r\n').filter(Boolean)).toHaveLength(1 + 4);
      expect(csv).toContain('1号楼 2单元502,王五,13900000003,东门,出');
      const sheet = (await s.manager.get(`${base}/export?format=print`)).body as string;
      expect(sheet).toContain('门岗时空伴随名单');
      expect((await s.manager.request('GET', `${base}/export?format=xlsx`)).headers.get('content-type')).toContain('spreadsheetml');
      const audit = (await t.database.db.selectFrom('auditLog').select(['action', 'details']).where('action', 'in', ['contacts.view', 'export']).orderBy('id').execute()).map((a) => [a.action, JSON.parse(a.details!).format ?? 'view']);
      expect(audit).toEqual([['contacts.view', 'view'], ['contacts.view', 'view'], ['export', 'csv'], ['export', 'print'], ['export', 'xlsx']]);
      for (const q of ['?minutes=0', '?minutes=121', '?days=32', '?minutes=abc']) expect((await s.manager.get(`${base}${q}`)).status, q).toBe(400);
      expect((await s.manager.get(`/api/compounds/${s.compoundId}/residents/99999/contacts`)).status).toBe(404);
      expect((await t.database.db.selectFrom('auditLog').select('id').where('action', 'in', ['contacts.view', 'export']).execute()).length).toBe(5);
    });
  });
});
