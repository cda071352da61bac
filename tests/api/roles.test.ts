import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, makeTestApp, officeClient, seedCast, type TestApp } from '../helpers/app.js';

/**
 * Every role against every management route, on its own compound (A) and on another (B).
 * Reads: admin, supervisor and A's manager; writes: admin and A's manager; volunteers (tablet sessions)
 * and strangers never reach management.
 */
type Who = 'admin' | 'supervisor' | 'managerA' | 'volunteer' | 'anonymous';
const WHO: Who[] = ['admin', 'supervisor', 'managerA', 'volunteer', 'anonymous'];

let t: TestApp;
let ids: { a: number; b: number; volunteer: number };
const clients = {} as Record<Who, Client>;
let n = 0;
const uniq = () => `x${++n}`;

beforeAll(async () => {
  t = await makeTestApp();
  ids = await seedCast(t);
  clients.admin = await officeClient(t, 'admin');
  clients.supervisor = await officeClient(t, 'super');
  clients.managerA = await officeClient(t, 'mgrA');
  clients.anonymous = t.client();
  // A volunteer's session exists only on an enrolled tablet.
  const enroll = await clients.admin.post(`/api/compounds/${ids.a}/devices`, { name: '东门平板' });
  const device = await t.client().post('/api/device/enroll', { code: enroll.body.enrollmentCode });
  const login = await t.client({ bearer: device.body.token }).post('/api/device/login', { phone: '13800000001', pin: '123456' });
  expect(login.status).toBe(200);
  clients.volunteer = t.client({ bearer: login.body.token });
});
afterAll(() => t.close());

async function place(table: 'gate' | 'building' | 'point', compoundId: number) {
  const at = t.clock.now.toISOString();
  const extra = table === 'point' ? { kind: 'sampling' } : {};
  const r = await t.database.db
    .insertInto(table)
    .values({ compoundId, name: uniq(), createdAt: at, updatedAt: at, ...extra } as any)
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

async function device(compoundId: number) {
  const r = await t.database.db
    .insertInto('device')
    .values({ compoundId, name: uniq(), createdAt: t.clock.now.toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

interface Route {
  name: string;
  write: boolean;
  /** make the request against compound `cid` */
  call: (c: Client, cid: number) => Promise<{ status: number }>;
}

const placeRoutes = (['gate', 'building', 'point'] as const).flatMap((table): Route[] => {
  const path = `${table}s`;
  const body = () => (table === 'point' ? { name: uniq(), kind: 'sampling' } : { name: uniq() });
  return [
    { name: `GET ${path}`, write: false, call: (c, cid) => c.get(`/api/compounds/${cid}/${path}`) },
    { name: `POST ${path}`, write: true, call: (c, cid) => c.post(`/api/compounds/${cid}/${path}`, body()) },
    { name: `PATCH ${path}/:id`, write: true, call: async (c, cid) => c.patch(`/api/compounds/${cid}/${path}/${await place(table, cid)}`, { name: uniq() }) },
    { name: `DELETE ${path}/:id`, write: true, call: async (c, cid) => c.delete(`/api/compounds/${cid}/${path}/${await place(table, cid)}`) },
  ];
});

const routes: Route[] = [
  { name: 'GET compound', write: false, call: (c, cid) => c.get(`/api/compounds/${cid}`) },
  { name: 'PATCH compound', write: true, call: (c, cid) => c.patch(`/api/compounds/${cid}`, { timezone: 'Asia/Shanghai' }) },
  ...placeRoutes,
  { name: 'GET devices', write: false, call: (c, cid) => c.get(`/api/compounds/${cid}/devices`) },
  { name: 'POST devices', write: true, call: (c, cid) => c.post(`/api/compounds/${cid}/devices`, { name: uniq() }) },
  { name: 'POST devices/:id/code', write: true, call: async (c, cid) => c.post(`/api/compounds/${cid}/devices/${await device(cid)}/code`) },
  { name: 'POST devices/:id/revoke', write: true, call: async (c, cid) => c.post(`/api/compounds/${cid}/devices/${await device(cid)}/revoke`) },
  { name: 'GET residents', write: false, call: (c, cid) => c.get(`/api/compounds/${cid}/residents`) },
  { name: 'GET households', write: false, call: (c, cid) => c.get(`/api/compounds/${cid}/households`) },
  { name: 'POST passes/issue', write: true, call: (c, cid) => c.post(`/api/compounds/${cid}/passes/issue`, {}) },
  { name: 'GET policy', write: false, call: (c, cid) => c.get(`/api/compounds/${cid}/policy`) },
  { name: 'GET gate-checks', write: false, call: (c, cid) => c.get(`/api/compounds/${cid}/gate-checks`) },
  { name: 'GET shifts', write: false, call: (c, cid) => c.get(`/api/compounds/${cid}/shifts`) },
  { name: 'GET conflicts', write: false, call: (c, cid) => c.get(`/api/compounds/${cid}/conflicts`) },
  { name: 'GET test-rounds', write: false, call: (c, cid) => c.get(`/api/compounds/${cid}/test-rounds`) },
  {
    name: 'POST residents',
    write: true,
    call: async (c, cid) => c.post(`/api/compounds/${cid}/residents`, { buildingId: await place('building', cid), unit: '1', room: '101', name: uniq() }),
  },
  {
    name: 'PUT policy',
    write: true,
    call: async (c, cid) => {
      const { defaultPolicy } = await import('../../server/core/policy.js');
      return c.request('PUT', `/api/compounds/${cid}/policy`, { rules: defaultPolicy('2026-11-01') });
    },
  },
  {
    name: 'POST users (a volunteer of the compound)',
    write: true,
    call: (c, cid) => c.post('/api/users', { role: 'volunteer', displayName: '李四', phone: `139${String(++n).padStart(8, '0')}`, pin: '654321', compoundIds: [cid] }),
  },
];

function expected(who: Who, write: boolean, own: boolean): number | 'ok' {
  if (who === 'anonymous') return 401;
  if (who === 'volunteer') return 403;
  if (who === 'admin') return 'ok';
  if (who === 'supervisor') return write ? 403 : 'ok';
  return own ? 'ok' : 403; // managerA
}

describe.each(routes)('$name', (route) => {
  it.each(WHO.flatMap((who) => [{ who, own: true, which: 'own' }, { who, own: false, which: 'another' }]))('$who on $which compound', async ({ who, own }) => {
    const cid = own ? ids.a : ids.b;
    const r = await route.call(clients[who], cid);
    const want = expected(who, route.write, own);
    if (want === 'ok') expect([200, 201]).toContain(r.status);
    else expect(r.status).toBe(want);
  });
});

describe('compound-wide routes', () => {
  it('only an admin creates compounds', async () => {
    for (const who of WHO) {
      const r = await clients[who].post('/api/compounds', { name: uniq() });
      expect(r.status, who).toBe(who === 'admin' ? 201 : who === 'anonymous' ? 401 : 403);
    }
  });

  it('lists only the compounds in scope', async () => {
    const names = async (who: Who) => (await clients[who].get('/api/compounds')).body.compounds?.map((c: any) => c.id);
    expect(await names('admin')).toEqual(expect.arrayContaining([ids.a, ids.b]));
    expect(await names('supervisor')).toEqual(expect.arrayContaining([ids.a, ids.b]));
    expect(await names('managerA')).toEqual([ids.a]);
    expect((await clients.volunteer.get('/api/compounds')).status).toBe(403);
  });

  it('shows a manager only the users and audit entries of their compounds', async () => {
    const users = (await clients.managerA.get('/api/users')).body.users;
    expect(users.every((u: any) => u.compoundIds.includes(ids.a))).toBe(true);
    const audit = (await clients.managerA.get('/api/audit')).body.entries;
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.every((e: any) => e.compoundId === ids.a)).toBe(true);
    expect((await clients.volunteer.get('/api/audit')).status).toBe(403);
    expect((await clients.anonymous.get('/api/users')).status).toBe(401);
  });

  it('lets a manager create volunteers only, and only for their compounds', async () => {
    const mk = (role: string, compoundIds: number[]) =>
      clients.managerA.post('/api/users', { role, displayName: 'x', username: uniq(), password: 'long enough pw', phone: `137${String(++n).padStart(8, '0')}`, pin: '222222', compoundIds });
    expect((await mk('manager', [ids.a])).status).toBe(403);
    expect((await mk('admin', [])).status).toBe(403);
    expect((await mk('volunteer', [ids.b])).status).toBe(403);
    expect((await mk('volunteer', [ids.a])).status).toBe(201);
  });

  it('lets a supervisor read users but change none', async () => {
    expect((await clients.supervisor.get('/api/users')).status).toBe(200);
    expect((await clients.supervisor.patch(`/api/users/${ids.volunteer}`, { displayName: 'y' })).status).toBe(403);
  });
});
