import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Client, insertUser, makeTestApp, officeClient, PASSWORD, type TestApp } from '../helpers/app.js';
import { buildScene, enrollTablet, type Scene } from '../helpers/gate.js';

let t: TestApp;
let s: Scene;
let admin: Client;

beforeEach(async () => {
  t = await makeTestApp();
  s = await buildScene(t);
  admin = await officeClient(t, 'admin');
});
afterEach(() => t.close());

describe("a compound's time zone is one of the zone database's names (issue 12)", () => {
  it.each([
    ['asia/shanghai', /did you mean Asia\/Shanghai/],
    ['Asia/Chongqing', /did you mean Asia\/Shanghai/],
    ['EST', /did you mean/],
    ['+08:00', /not a known time zone/],
    ['Mars/Olympus', /not a known time zone/],
    ['', /not a known time zone/],
  ])('refuses %j with a clear 400 and changes nothing', async (timezone, message) => {
    const made = await admin.post('/api/compounds', { name: '新区', timezone });
    expect(made.status).toBe(400);
    expect(made.body.error).toMatchObject({ code: 'invalid_input', details: [{ path: 'timezone', message: expect.stringMatching(message) }] });
    const patched = await admin.patch(`/api/compounds/${s.compoundId}`, { timezone });
    expect(patched.status).toBe(400);
    expect((await admin.get(`/api/compounds/${s.compoundId}`)).body.compound.timezone).toBe('Asia/Shanghai');
    expect((await admin.get('/api/compounds')).body.compounds.map((c: { name: string }) => c.name)).not.toContain('新区');
  });

  it('takes a real zone, spelled as the list spells it', async () => {
    expect((await admin.post('/api/compounds', { name: '乌鲁木齐', timezone: 'Asia/Urumqi' })).body.compound.timezone).toBe('Asia/Urumqi');
    expect((await admin.patch(`/api/compounds/${s.compoundId}`, { timezone: 'UTC' })).status).toBe(200);
  });
});

describe("a manager adds volunteers from the compound (issue 12)", () => {
  const volunteer = { displayName: '李志愿', phone: '13800000077', pin: '246810' };

  it('a manager adds one to their compound; the volunteer signs in on its tablet', async () => {
    const made = await s.manager.post(`/api/compounds/${s.compoundId}/volunteers`, volunteer);
    expect(made.status).toBe(201);
    expect(made.body.volunteer).toMatchObject({ displayName: '李志愿', phone: '13800000077', role: 'volunteer', compoundIds: [s.compoundId], hasPin: true });
    const list = (await s.manager.get(`/api/compounds/${s.compoundId}/volunteers`)).body.volunteers;
    expect(list.map((v: { displayName: string }) => v.displayName).sort()).toEqual(['张志愿', '李志愿'].sort());
    const { tablet } = await enrollTablet(t, s.manager, s.compoundId);
    expect((await tablet.post('/api/device/login', { phone: '13800000077', pin: '246810' })).status).toBe(200);
  });

  it('a manager cannot add one to another compound, nor can a supervisor anywhere; nothing is made', async () => {
    expect((await s.manager.post(`/api/compounds/${s.otherCompoundId}/volunteers`, volunteer)).status).toBe(403);
    expect((await s.manager.get(`/api/compounds/${s.otherCompoundId}/volunteers`)).status).toBe(403);
    await insertUser(t, { role: 'supervisor', username: 'sup', password: PASSWORD });
    const sup = await officeClient(t, 'sup');
    expect((await sup.post(`/api/compounds/${s.compoundId}/volunteers`, volunteer)).status).toBe(403);
    expect((await sup.get(`/api/compounds/${s.compoundId}/volunteers`)).status).toBe(200);
    expect(await t.database.db.selectFrom('user').select('id').where('phone', '=', '13800000077').execute()).toEqual([]);
  });

  it('bad input is a 400 in the one error shape; a phone already used is a 409', async () => {
    const bad = await s.manager.post(`/api/compounds/${s.compoundId}/volunteers`, { displayName: '', phone: '123', pin: '12' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['displayName', 'phone', 'pin']);
    const dup = await s.manager.post(`/api/compounds/${s.compoundId}/volunteers`, { ...volunteer, phone: '13800000001' });
    expect(dup.status).toBe(409);
    // The role and compound are the route's, not the body's.
    const sneaky = await s.manager.post(`/api/compounds/${s.compoundId}/volunteers`, { ...volunteer, role: 'admin', compoundIds: [s.otherCompoundId] });
    expect(sneaky.status).toBe(201);
    expect(sneaky.body.volunteer).toMatchObject({ role: 'volunteer', compoundIds: [s.compoundId] });
  });
});

describe('places sort the way people count, everywhere they are listed (issue 12)', () => {
  it('buildings, gates and points: the office lists, the disinfection grid, the roster of the tablet', async () => {
    for (const name of ['19号楼', '2号楼', '10号楼']) await s.manager.post(`/api/compounds/${s.compoundId}/buildings`, { name });
    for (const name of ['10号门', '2号门']) await s.manager.post(`/api/compounds/${s.compoundId}/gates`, { name });
    for (const name of ['采样点12', '采样点3']) await s.manager.post(`/api/compounds/${s.compoundId}/points`, { name, kind: 'sampling' });
    const buildings = ['1号楼', '2号楼', '10号楼', '19号楼'];
    const gates = ['2号门', '10号门', '东门', '西门'];
    const names = (items: { name: string }[]) => items.map((i) => i.name);
    expect(names((await s.manager.get(`/api/compounds/${s.compoundId}/buildings`)).body.items)).toEqual(buildings);
    expect(names((await s.manager.get(`/api/compounds/${s.compoundId}/gates`)).body.items)).toEqual(gates);
    expect(names((await s.manager.get(`/api/compounds/${s.compoundId}/points`)).body.items)).toEqual(['采样点3', '采样点12']);
    const grid = (await s.manager.get(`/api/compounds/${s.compoundId}/disinfection/grid`)).body;
    expect(names(grid.rows)).toEqual([...buildings, '采样点3', '采样点12']);
    const { tablet } = await enrollTablet(t, s.manager, s.compoundId);
    const roster = (await tablet.get('/api/device/roster')).body;
    expect(names(roster.buildings)).toEqual(buildings);
    expect(names(roster.gates)).toEqual(gates);
  });

  it('residents and households page through buildings in the same order (A区10号楼 before B区2号楼)', async () => {
    const ids: Record<string, number> = {};
    for (const name of ['B区2号楼', 'A区10号楼']) ids[name] = (await s.manager.post(`/api/compounds/${s.compoundId}/buildings`, { name })).body.item.id;
    for (const [name, id] of Object.entries(ids)) await s.manager.post(`/api/compounds/${s.compoundId}/residents`, { buildingId: id, unit: '1', room: '101', name: `住户${name}` });
    const residents = (await s.manager.get(`/api/compounds/${s.compoundId}/residents?limit=50`)).body.residents;
    expect([...new Set(residents.map((r: { building: string }) => r.building))]).toEqual(['1号楼', 'A区10号楼', 'B区2号楼']);
    const households = (await s.manager.get(`/api/compounds/${s.compoundId}/households`)).body;
    const list = households.households ?? households.items;
    expect([...new Set(list.map((h: { building: string }) => h.building))]).toEqual(['1号楼', 'A区10号楼', 'B区2号楼']);
  });
});
