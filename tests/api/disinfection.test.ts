import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCode } from '../../server/core/code.js';
import { uuidv7 } from '../../server/core/uuid.js';
import { type Client, insertUser, makeTestApp, officeClient, PASSWORD, type TestApp } from '../helpers/app.js';
import { buildScene, enrollTablet, type Scene, sync } from '../helpers/gate.js';

let t: TestApp;
let s: Scene;
let tablet: Client;

beforeEach(async () => {
  // The compound and its building are set up the day before (a place owes no slot that was over
  // before it existed); the tests run on 2026-12-01 at 10:30 in Shanghai.
  t = await makeTestApp({ now: '2026-11-30T02:30:00.000Z' });
  s = await buildScene(t);
  t.clock.set('2026-12-01T02:30:00.000Z');
  s.manager = await officeClient(t, 'mgr');
  ({ tablet } = await enrollTablet(t, s.manager, s.compoundId));
});
afterEach(() => t.close());

const at = (local: string) => new Date(Date.parse(`${local.replace(' ', 'T')}:00+08:00`)).toISOString();

function round(o: Partial<{ id: string; slotTime: string; status: 'done' | 'skipped'; finishedAt: string; skipReason: string; target: { kind: 'building' | 'point'; id: number } }> = {}) {
  const finishedAt = o.finishedAt ?? at('2026-12-01 06:40');
  return {
    kind: 'disinfection',
    id: o.id ?? uuidv7(Date.parse(finishedAt)),
    at: finishedAt,
    volunteerId: s.volunteerId,
    target: o.target ?? { kind: 'building', id: s.buildingId },
    slotDate: '2026-12-01',
    slotTime: o.slotTime ?? '06:00',
    status: o.status ?? 'done',
    items: [
      { key: 'public', label: '公共区域', done: true },
      { key: 'trash', label: '垃圾桶', done: true },
    ],
    disinfectant: '含氯消毒剂',
    concentration: '500 mg/L',
    note: null,
    skipReason: o.skipReason ?? null,
    startedAt: new Date(Date.parse(finishedAt) - 15 * 60_000).toISOString(),
    finishedAt,
    via: 'placard',
  };
}

const grid = async (date = '2026-12-01') => (await s.manager.get(`/api/compounds/${s.compoundId}/disinfection/grid?date=${date}`)).body;
const cell = (g: any, time: string, kind = 'building', id = s.buildingId) => g.rows.find((r: any) => r.kind === kind && r.id === id).cells.find((c: any) => c.time === time);

/** A tiny but complete JPEG (1×1) and PNG (1×1). */
const JPEG = Uint8Array.from(
  Buffer.from(
    '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxD/2Q==',
    'base64',
  ),
);
const PNG = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'));

describe('disinfection rounds through sync', () => {
  it('the same round synced twice is one row; the grid shows the slot done, with who and when', async () => {
    const r = round();
    expect((await sync(t, tablet, [r])).body.results).toEqual([{ id: r.id, status: 'accepted' }]);
    expect((await sync(t, tablet, [r])).body.results).toEqual([{ id: r.id, status: 'duplicate' }]);
    expect(await t.database.db.selectFrom('disinfectionRecord').select('id').execute()).toEqual([{ id: r.id }]);
    const g = await grid();
    expect(g.slots.map((x: any) => x.time)).toEqual(['06:00', '10:00', '14:00', '18:00']);
    expect(cell(g, '06:00')).toMatchObject({ state: 'done', rounds: [{ id: r.id, operator: '张志愿', via: 'placard' }] });
    expect(cell(g, '10:00').state).toBe('due');
    expect(cell(g, '14:00').state).toBe('upcoming');
    expect(g.counts.done).toBe(1);
  });

  it('late, skipped, and two rounds for one slot (both kept)', async () => {
    await sync(t, tablet, [
      round({ slotTime: '06:00', finishedAt: at('2026-12-01 08:30') }),
      round({ slotTime: '06:00', finishedAt: at('2026-12-01 09:10') }),
      round({ slotTime: '10:00', status: 'skipped', finishedAt: at('2026-12-01 10:05'), skipReason: '消毒液用完，已申领' }),
    ]);
    const g = await grid();
    expect(cell(g, '06:00').state).toBe('late');
    expect(cell(g, '06:00').rounds).toHaveLength(2);
    expect(cell(g, '10:00').state).toBe('skipped');
    // A skip is named apart from a miss, with its reason, on the grid and the posted sheet (issue 12).
    expect(cell(g, '10:00').rounds).toMatchObject([{ status: 'skipped', skipReason: '消毒液用完，已申领' }]);
    const sheet = (await s.manager.request('GET', `/api/compounds/${s.compoundId}/buildings/${s.buildingId}/disinfection-sheet?date=2026-12-01`)).body as string;
    expect(sheet).toContain('已跳过（消毒液用完，已申领）');
    expect(sheet).not.toContain('未消杀');
  });

  it('a round from a tablet offline for days counts by when it was done', async () => {
    t.clock.set('2026-12-04T02:00:00.000Z');
    s.manager = await officeClient(t, 'mgr'); // three days later: a new office session
    expect(cell(await grid(), '06:00').state).toBe('missed');
    await sync(t, tablet, [round({ finishedAt: at('2026-12-01 06:30') })]);
    const g = await grid();
    expect(cell(g, '06:00').state).toBe('done');
    expect(g.missed.map((m: any) => m.time)).not.toContain('06:00');
  });

  it('rejects a round for a place of another compound, a skip without a reason, a round with nothing ticked', async () => {
    const admin = await (async () => {
      await insertUser(t, { role: 'admin', username: 'root', password: PASSWORD });
      return officeClient(t, 'root');
    })();
    const foreign = (await admin.post(`/api/compounds/${s.otherCompoundId}/buildings`, { name: '99号楼' })).body.item.id;
    const res = await sync(t, tablet, [
      round({ target: { kind: 'building', id: foreign } }),
      { ...round(), status: 'skipped', skipReason: null },
      { ...round(), items: [{ key: 'public', label: '公共区域', done: false }] },
    ]);
    expect(res.body.results.map((r: any) => r.reason?.code)).toEqual(['unknown_place', 'invalid_record', 'invalid_record']);
    expect(await t.database.db.selectFrom('disinfectionRecord').select('id').execute()).toEqual([]);
  });
});

describe('photos', () => {
  const put = (id: string, bytes: Uint8Array, client = tablet) => client.request('PUT', `/api/device/photos/${id}`, bytes, { 'content-type': 'image/jpeg' });

  it('follow their round, are checked to be images, and arriving twice is harmless', async () => {
    const r = round();
    expect((await put(r.id, JPEG)).body.error.code).toBe('round_not_synced');
    await sync(t, tablet, [r]);
    const first = await put(r.id, JPEG);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'accepted', width: 1, height: 1 });
    expect((await put(r.id, JPEG)).body.status).toBe('duplicate');
    const g = await grid();
    expect(cell(g, '06:00').rounds[0].hasPhoto).toBe(true);
    const photo = await t.app.request(`http://localhost/api/compounds/${s.compoundId}/disinfection/records/${r.id}/photo`, { headers: { cookie: `gp_session=${s.manager.auth.cookie}` } });
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    expect(photo.headers.get('content-security-policy')).toMatch(/^sandbox/);
    expect(photo.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(JPEG);
  });

  it('refuse what is not an image, and what is too big, leaving the round intact', async () => {
    const r = round();
    await sync(t, tablet, [r]);
    const text = await put(r.id, new TextEncoder().encode('this is not a photo'));
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('not_an_image');
    const cut = await put(r.id, JPEG.subarray(0, JPEG.length - 2));
    expect(cut.status).toBe(415);
    const big = new Uint8Array(600 * 1024);
    big.set(JPEG.subarray(0, 20));
    const tooBig = await put(r.id, big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe('photo_too_large');
    expect(await t.database.db.selectFrom('disinfectionPhoto').select('recordId').execute()).toEqual([]);
    expect(await t.database.db.selectFrom('disinfectionRecord').select('id').execute()).toEqual([{ id: r.id }]);
    expect((await put(r.id, PNG)).body).toMatchObject({ status: 'accepted' });
  });

  it('a tablet of another compound cannot attach one', async () => {
    await insertUser(t, { role: 'admin', username: 'root', password: PASSWORD });
    const admin = await officeClient(t, 'root');
    const other = (await enrollTablet(t, admin, s.otherCompoundId)).tablet;
    const r = round();
    await sync(t, tablet, [r]);
    expect((await put(r.id, JPEG, other)).status).toBe(404);
  });
});

describe('schedules, checklists, placards, sheets', () => {
  it('a schedule changed mid-day applies from then on; earlier slots keep theirs', async () => {
    await sync(t, tablet, [round({ slotTime: '06:00', finishedAt: at('2026-12-01 06:30') })]);
    const put = await s.manager.request('PUT', `/api/compounds/${s.compoundId}/disinfection/schedule`, {
      slots: ['08:00', '12:00', '16:00', '20:00'].map((time) => ({ time, onTimeMinutes: 90 })),
    });
    expect(put.status).toBe(200);
    const g = await grid();
    expect(g.slots.map((x: any) => x.time)).toEqual(['06:00', '10:00', '12:00', '16:00', '20:00']);
    expect(cell(g, '06:00').state).toBe('done');
    const past = await s.manager.request('PUT', `/api/compounds/${s.compoundId}/disinfection/schedule`, { slots: [{ time: '06:00', onTimeMinutes: 60 }], effectiveFrom: '2026-11-30T00:00:00Z' });
    expect(past.status).toBe(400);
    // Tablets get every version with their roster.
    const roster = (await tablet.get('/api/device/roster')).body;
    expect(roster.disinfection.schedules.map((v: any) => v.version)).toEqual([1, 2]);
  });

  it('checklist templates are edited per target, and refused when malformed', async () => {
    const ok = await s.manager.request('PUT', `/api/compounds/${s.compoundId}/disinfection/templates/point:sampling`, { items: [{ key: 'tables', label: '采样台' }] });
    expect(ok.body.templates['point:sampling']).toEqual([{ key: 'tables', label: '采样台' }]);
    const bad = await s.manager.request('PUT', `/api/compounds/${s.compoundId}/disinfection/templates/building`, { items: [{ key: 'Bad Key', label: '' }] });
    expect(bad.status).toBe(400);
    expect((await tablet.get('/api/device/roster')).body.disinfection.templates['point:sampling']).toEqual([{ key: 'tables', label: '采样台' }]);
  });

  it('prints a placard with a signed placard code and the slot times, and the daily sheet with who and when', async () => {
    const placard = await s.manager.request('GET', `/api/compounds/${s.compoundId}/buildings/${s.buildingId}/placard`);
    expect(placard.status).toBe(200);
    const html = placard.body as string;
    expect(html).toContain('1号楼');
    for (const time of ['06:00', '10:00', '14:00', '18:00']) expect(html).toContain(time);
    expect(html).toContain('<svg');
    await sync(t, tablet, [round({ slotTime: '06:00', finishedAt: at('2026-12-01 06:30') })]);
    const sheet = (await s.manager.request('GET', `/api/compounds/${s.compoundId}/buildings/${s.buildingId}/disinfection-sheet?date=2026-12-01`)).body as string;
    expect(sheet).toContain('消毒记录表');
    expect(sheet).toContain('张志愿');
    expect(sheet).toContain('含氯消毒剂 500 mg/L');
    expect(sheet).toContain('06:15–06:30');
    expect(sheet).toContain('已完成');
  });

  it('the placard code is a signed GD1 code for that building', async () => {
    const html = (await s.manager.request('GET', `/api/compounds/${s.compoundId}/buildings/${s.buildingId}/placard`)).body as string;
    void html;
    const { signingKeys } = await import('../../server/codes/keys.js');
    const keys = signingKeys(t.database.db, () => t.clock.now);
    const { placardMessage } = await import('../../server/core/code.js');
    const code = await keys.sign(placardMessage({ kid: await keys.currentKid(), target: { kind: 'building', id: s.buildingId }, compoundId: s.compoundId, issuedAt: t.clock.now.getTime() }));
    const parsed = parseCode(code)!;
    expect(parsed).toMatchObject({ kind: 'placard', target: { kind: 'building', id: s.buildingId }, compoundId: s.compoundId });
    expect(await keys.verify(parsed)).toBe('valid');
  });

  it('a volunteer (tablet session) or a manager of another compound cannot see the grid', async () => {
    await insertUser(t, { role: 'manager', username: 'other', password: PASSWORD, compoundIds: [s.otherCompoundId] });
    const other = await officeClient(t, 'other');
    expect((await other.get(`/api/compounds/${s.compoundId}/disinfection/grid`)).status).toBe(403);
    const login = await tablet.post('/api/device/login', { phone: '13800000001', pin: '123456' });
    expect((await t.client({ bearer: login.body.token }).get(`/api/compounds/${s.compoundId}/disinfection/grid`)).status).toBe(403);
  });
});

describe('a round cannot be done before its slot begins (issue 12)', () => {
  it('a round finished at 16:02 for the 18:00 slot is rejected with a reason and stored nowhere; the due one goes in', async () => {
    t.clock.set(at('2026-12-01 16:05'));
    const early = round({ slotTime: '18:00', finishedAt: at('2026-12-01 16:02') });
    const due = round({ slotTime: '14:00', finishedAt: at('2026-12-01 16:02') });
    const res = await sync(t, tablet, [early, due]);
    expect(res.body.results).toEqual([
      { id: early.id, status: 'rejected', reason: { code: 'slot_not_begun', params: { date: '2026-12-01', time: '18:00' }, message: expect.stringMatching(/18:00 round has not begun/) } },
      { id: due.id, status: 'accepted' },
    ]);
    expect((await t.database.db.selectFrom('disinfectionRecord').select('id').execute()).map((r) => r.id)).toEqual([due.id]);
    s.manager = await officeClient(t, 'mgr');
    const g = await grid();
    expect(cell(g, '18:00').state).toBe('upcoming');
    expect(cell(g, '14:00').state).toBe('late');
  });

  it('a skip is held to the same rule, and a round for tomorrow is refused too', async () => {
    const skip = round({ slotTime: '14:00', status: 'skipped', skipReason: '消毒液用完', finishedAt: at('2026-12-01 10:20') });
    const tomorrow = { ...round({ slotTime: '06:00', finishedAt: at('2026-12-01 10:20') }), slotDate: '2026-12-02' };
    const res = await sync(t, tablet, [skip, tomorrow]);
    expect(res.body.results.map((r: any) => r.reason?.code)).toEqual(['slot_not_begun', 'slot_not_begun']);
  });
});

describe('no missed slots before a place existed (issue 12)', () => {
  it('a building added at 15:48 owes neither the 06:00 nor the 10:00 round: not on the grid, the missed list, the dashboard, the daily summary or the overview', async () => {
    t.clock.set(at('2026-12-01 15:48'));
    s.manager = await officeClient(t, 'mgr');
    const added = (await s.manager.post(`/api/compounds/${s.compoundId}/buildings`, { name: '20号楼' })).body.item.id;
    t.clock.set(at('2026-12-01 16:10'));
    s.manager = await officeClient(t, 'mgr');

    const g = await grid();
    expect(['06:00', '10:00', '14:00', '18:00'].map((time) => cell(g, time, 'building', added).state)).toEqual([null, null, 'due', 'upcoming']);
    // The old building missed 06:00 and 10:00: those, and only those, are missed.
    expect(g.missed).toEqual([
      { kind: 'building', id: s.buildingId, name: '1号楼', time: '06:00' },
      { kind: 'building', id: s.buildingId, name: '1号楼', time: '10:00' },
    ]);
    expect(g.counts.missed).toBe(2);
    expect(g.owed).toBe(6);

    const dash = (await s.manager.get(`/api/compounds/${s.compoundId}/dashboard?date=2026-12-01`)).body;
    expect(dash.disinfection).toMatchObject({ slots: 6, counts: { missed: 2 } });
    expect(dash.disinfection.missed.map((m: any) => m.name)).toEqual(['1号楼', '1号楼']);

    const res = await t.app.request('http://localhost/api/exports/daily-summaries?from=2026-12-01&to=2026-12-01', { headers: { cookie: `gp_session=${s.manager.auth.cookie}`, origin: 'http://localhost' } });
    const csv = (await res.text()).replace(/^\uFEFF/, '').split('\r\n');
    const head = csv[0]!.split(',');
    const row = csv[1]!.split(',');
    expect(row[head.indexOf('应消杀轮次')]).toBe('6');
    expect(row[head.indexOf('漏消')]).toBe('2');

    const report = (await s.manager.request('GET', `/api/compounds/${s.compoundId}/reports/daily?date=2026-12-01`)).body as string;
    expect(report).not.toContain('20号楼 06:00');
    expect(report).toContain('1号楼 06:00');

    await insertUser(t, { role: 'supervisor', username: 'sup', password: PASSWORD });
    const overview = (await (await officeClient(t, 'sup')).get('/api/overview?from=2026-12-01&to=2026-12-01')).body;
    expect(overview.rows.find((r: any) => r.compoundId === s.compoundId).disinfection).toMatchObject({ missed: 2 });
  });

  it('the next day, the new building owes every slot; a round recorded for a slot it did not owe is kept, never missed', async () => {
    t.clock.set(at('2026-12-01 15:48'));
    s.manager = await officeClient(t, 'mgr');
    const added = (await s.manager.post(`/api/compounds/${s.compoundId}/buildings`, { name: '20号楼' })).body.item.id;
    await sync(t, tablet, [round({ slotTime: '10:00', finishedAt: at('2026-12-01 15:55'), target: { kind: 'building', id: added } })]);
    t.clock.set(at('2026-12-02 11:00'));
    s.manager = await officeClient(t, 'mgr');
    expect(cell(await grid('2026-12-01'), '10:00', 'building', added)).toMatchObject({ state: null, rounds: [{ operator: '张志愿' }] });
    expect(cell(await grid('2026-12-01'), '06:00', 'building', added).state).toBeNull();
    expect(cell(await grid('2026-12-02'), '06:00', 'building', added).state).toBe('missed');
  });
});
