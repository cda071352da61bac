import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../server/core/uuid.js';
import { type Client, insertUser, makeTestApp, officeClient, ORIGIN, PASSWORD, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, placesStandSince, type Scene, sync } from '../helpers/gate.js';

let t: TestApp;
let s: Scene;
let tablet: Client;

beforeEach(async () => {
  // 2026-11-28 16:00 in Shanghai
  t = await makeTestApp({ now: '2026-11-28T08:00:00.000Z' });
  s = await buildScene(t);
  await placesStandSince(t);
  ({ tablet } = await enrollTablet(t, s.manager, s.compoundId, '东门平板'));
});
afterEach(() => t.close());

const H = 3_600_000;
const localHour = (h: number) => Date.parse(`2026-11-28T${String(h).padStart(2, '0')}:20:00+08:00`);

describe('the manager dashboard', () => {
  it("counts the day by hour in the compound's time zone, with denials, overrides, visitors, tablets and disinfection", async () => {
    await tablet.get('/api/device/roster');
    await tablet.post('/api/device/sync', {
      sentAt: t.clock.now.toISOString(),
      records: [checkRecord(s, { atMs: localHour(7), direction: 'out' })],
      status: { appVersion: 't', pending: 3 },
    });
    await sync(t, tablet, [
      checkRecord(s, { atMs: localHour(7) + 60_000, person: 'li', direction: 'out' }),
      checkRecord(s, { atMs: localHour(9), person: 'zhang', direction: 'in', gateId: s.gateB }),
      checkRecord(s, { atMs: localHour(9) + 60_000, person: 'zhao', verdict: 'deny', reasons: [{ code: 'test_missing' }], passed: false }),
      checkRecord(s, { atMs: localHour(10), person: 'zhao', verdict: 'deny', reasons: [{ code: 'test_missing' }], passed: true, override: { reason: '就医' } }),
      checkRecord(s, { atMs: localHour(11), subject: 'visitor', code: null, direction: 'in', visitor: { name: '快递王师傅', phone: '13700000000', reason: '送件' } }),
      // Yesterday 23:50 local: not today.
      checkRecord(s, { atMs: Date.parse('2026-11-27T23:50:00+08:00'), person: 'wang' }),
    ]);
    t.clock.advance(60_000);
    const d = (await s.manager.get(`/api/compounds/${s.compoundId}/dashboard`)).body;
    expect(d.date).toBe('2026-11-28');
    expect(d.hourly).toHaveLength(24);
    expect(d.hourly[7]).toEqual({ hour: 7, in: 0, out: 2, turnedBack: 0 });
    expect(d.hourly[9]).toEqual({ hour: 9, in: 1, out: 0, turnedBack: 1 });
    expect(d.hourly[10]).toEqual({ hour: 10, in: 0, out: 1, turnedBack: 0 });
    expect(d.hourly[23].out).toBe(0);
    // The visitor let in is a visitor, not an entry.
    expect(d.summary).toMatchObject({ in: 1, out: 3, turnedBack: 1, overrides: 1, visitors: 1, denialsByReason: { test_missing: 2 } });
    expect(d.overrides).toHaveLength(1);
    expect(d.overrides[0]).toMatchObject({ overrideReason: '就医', gate: '东门', residentName: '赵六', volunteer: '张志愿' });
    expect(d.tablets).toEqual([expect.objectContaining({ name: '东门平板', online: true, rosterAgeMinutes: 1, appVersion: 't' })]);
    expect(d.disinfection.slots).toBe(4);
    expect(d.disinfection.counts).toMatchObject({ missed: 2, due: 1, upcoming: 1 });

    // Yesterday, asked for by date.
    const y = (await s.manager.get(`/api/compounds/${s.compoundId}/dashboard?date=2026-11-27`)).body;
    expect(y.hourly[23].out).toBe(1);
    expect((await s.manager.get(`/api/compounds/${s.compoundId}/dashboard?date=2026-11-31`)).status).toBe(400);
    const far = await s.manager.get(`/api/compounds/${s.compoundId}/dashboard?date=9999-12-31`);
    expect(far.status).toBe(400);
    expect(far.body.error.details[0]).toMatchObject({ path: 'date', message: 'a date like 2026-12-01' });
  });

  it('a tablet unheard of for a while is offline', async () => {
    await tablet.get('/api/device/roster');
    t.clock.advance(10 * 60_000);
    const d = (await s.manager.get(`/api/compounds/${s.compoundId}/dashboard`)).body;
    expect(d.tablets[0]).toMatchObject({ online: false, rosterAgeMinutes: 10 });
  });

  it('is for office users in scope', async () => {
    expect((await tablet.get(`/api/compounds/${s.compoundId}/dashboard`)).status).toBe(403);
    expect((await s.manager.get(`/api/compounds/${s.otherCompoundId}/dashboard`)).status).toBe(403);
    expect((await s.manager.get(`/api/compounds/${s.otherCompoundId}/live`)).status).toBe(403);
  });
});

describe('the live feed', () => {
  it('delivers a check made through the sync endpoint to the dashboard that watches the compound', async () => {
    const controller = new AbortController();
    const res = await t.app.request(`${ORIGIN}/api/compounds/${s.compoundId}/live`, {
      headers: { cookie: `gp_session=${s.manager.auth.cookie}`, origin: ORIGIN },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`feed ended before ${pattern}: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await until(/event: ready/);

    const record = checkRecord(s, { person: 'li', direction: 'out' });
    await sync(t, tablet, [record]);
    await until(new RegExp(`id: ${record.id}`));
    const event = text.split('\n\n').find((e) => e.includes(`id: ${record.id}`))!;
    expect(event).toContain('event: check');
    const data = JSON.parse(event.split('\n').find((l) => l.startsWith('data: '))!.slice(6));
    expect(data).toMatchObject({ id: record.id, gate: '东门', direction: 'out', verdict: 'allow', residentName: '李四', building: '1号楼' });

    controller.abort();
    await reader.cancel().catch(() => {});
  });

  it("is one compound's only: a watcher of another compound hears nothing of it", async () => {
    await insertUser(t, { role: 'supervisor', username: 'super', password: PASSWORD });
    const sup = await officeClient(t, 'super');
    const res = await t.app.request(`${ORIGIN}/api/compounds/${s.otherCompoundId}/live`, { headers: { cookie: `gp_session=${sup.auth.cookie}`, origin: ORIGIN } });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    expect(text).toContain('event: ready');
    await sync(t, tablet, [checkRecord(s, { person: 'li', direction: 'out' })]);
    const more = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), 300))]);
    if (more && !more.done) text += decoder.decode(more.value);
    expect(text).not.toContain('event: check');
    await reader.cancel();
  });

  it('answers a HEAD with headers only', async () => {
    const res = await t.app.request(`${ORIGIN}/api/compounds/${s.compoundId}/live`, { method: 'HEAD', headers: { cookie: `gp_session=${s.manager.auth.cookie}`, origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  });
});

describe('the district overview', () => {
  it('has one row per compound in scope with totals and a series per day', async () => {
    await sync(t, tablet, [
      checkRecord(s, { atMs: s.now() - 2 * H, direction: 'out' }),
      checkRecord(s, { atMs: s.now() - H, person: 'zhao', verdict: 'deny', reasons: [{ code: 'test_missing' }], passed: false }),
      {
        kind: 'disinfection',
        id: uuidv7(Date.parse('2026-11-28T06:30:00+08:00')),
        at: '2026-11-27T22:30:00.000Z',
        volunteerId: s.volunteerId,
        target: { kind: 'building', id: s.buildingId },
        slotDate: '2026-11-28',
        slotTime: '06:00',
        status: 'done',
        items: [{ key: 'public', label: '公共区域', done: true }],
        startedAt: '2026-11-27T22:15:00.000Z',
        finishedAt: '2026-11-27T22:30:00.000Z',
        via: 'placard',
      },
    ]);
    await insertUser(t, { role: 'supervisor', username: 'super', password: PASSWORD });
    const sup = await officeClient(t, 'super');
    const o = (await sup.get('/api/overview?from=2026-11-27&to=2026-11-28')).body;
    expect(o.rows.map((r: any) => r.compound)).toEqual(['崇文佳苑一区', '瀛洲新苑']);
    const a = o.rows[0];
    expect(a).toMatchObject({ out: 1, turnedBack: 1, tablets: { total: 1 } });
    // 8 slots over two days: one done, 5 missed (10:00 today, and all of yesterday); 14:00 due, 18:00 upcoming.
    expect(a.disinfection).toMatchObject({ done: 1, missed: 5 });
    expect(a.disinfection.rate).toBeCloseTo(1 / 6);
    expect(a.days.map((d: any) => d.date)).toEqual(['2026-11-27', '2026-11-28']);
    expect(a.days[1]).toMatchObject({ passed: 1, turnedBack: 1 });

    const mine = (await s.manager.get('/api/overview?from=2026-11-28&to=2026-11-28')).body;
    expect(mine.rows.map((r: any) => r.compoundId)).toEqual([s.compoundId]);
    const bad = await sup.get('/api/overview?from=2026-11-28&to=2026-10-01');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/"to" must be on or after "from"/);
    expect((await tablet.get('/api/overview?from=2026-11-28&to=2026-11-28')).status).toBe(403);
  });
});
