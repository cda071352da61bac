import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, makeTestApp, officeClient, seedCast, type TestApp } from '../helpers/app.js';

let t: TestApp;
let ids: Awaited<ReturnType<typeof seedCast>>;
let admin: Client;
beforeAll(async () => {
  t = await makeTestApp();
  ids = await seedCast(t);
  admin = await officeClient(t, 'admin');
  await admin.post(`/api/compounds/${ids.a}/gates`, { name: '东门' });
});
afterAll(() => t.close());

/** Every row of every table: a failed request must leave all of it as it was. */
async function snapshot() {
  const tables = (await t.database.db.introspection.getTables()).map((x) => x.name).filter((n) => !n.startsWith('kysely_') && !['session', 'login_failure'].includes(n));
  const out: Record<string, unknown[]> = {};
  // In a stable order: PostgreSQL returns an unordered select in whatever order its pages hold the rows.
  for (const name of tables) out[name] = (await sql`select * from ${sql.table(name)} order by 1`.execute(t.database.db)).rows;
  return out;
}

const A = () => ids.a;
const cases: { name: string; method: string; path: () => string; body?: unknown | (() => unknown); raw?: { body: string; type: string }; status: number; code: string }[] = [
  { name: 'compound without a name', method: 'POST', path: () => '/api/compounds', body: {}, status: 400, code: 'invalid_input' },
  { name: 'compound with an unknown time zone', method: 'POST', path: () => '/api/compounds', body: { name: '新区', timezone: 'Mars/Olympus' }, status: 400, code: 'invalid_input' },
  { name: 'compound with a name already taken', method: 'POST', path: () => '/api/compounds', body: { name: '瀛洲新苑' }, status: 409, code: 'name_taken' },
  { name: 'gate with a blank name', method: 'POST', path: () => `/api/compounds/${A()}/gates`, body: { name: '   ' }, status: 400, code: 'invalid_input' },
  { name: 'gate with a duplicate name', method: 'POST', path: () => `/api/compounds/${A()}/gates`, body: { name: '东门' }, status: 409, code: 'name_taken' },
  { name: 'building with floors as text', method: 'POST', path: () => `/api/compounds/${A()}/buildings`, body: { name: '1号楼', floorCount: 'six' }, status: 400, code: 'invalid_input' },
  { name: 'building with -1 elevators', method: 'POST', path: () => `/api/compounds/${A()}/buildings`, body: { name: '2号楼', elevatorCount: -1 }, status: 400, code: 'invalid_input' },
  { name: 'point of an unknown kind', method: 'POST', path: () => `/api/compounds/${A()}/points`, body: { name: '采样点', kind: 'party' }, status: 400, code: 'invalid_input' },
  { name: 'a gate id that is not a number', method: 'PATCH', path: () => `/api/compounds/${A()}/gates/abc`, body: { name: 'x' }, status: 400, code: 'invalid_input' },
  { name: 'a gate that does not exist', method: 'PATCH', path: () => `/api/compounds/${A()}/gates/9999`, body: { name: 'x' }, status: 404, code: 'not_found' },
  { name: 'a form post instead of JSON', method: 'POST', path: () => `/api/compounds/${A()}/gates`, raw: { body: 'name=x', type: 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type' },
  { name: 'broken JSON', method: 'POST', path: () => `/api/compounds/${A()}/gates`, raw: { body: '{"name": ', type: 'application/json' }, status: 400, code: 'bad_request' },
  { name: 'a body over 1 MB', method: 'POST', path: () => `/api/compounds/${A()}/gates`, raw: { body: JSON.stringify({ name: 'x'.repeat(1_100_000) }), type: 'application/json' }, status: 413, code: 'payload_too_large' },
  { name: 'a volunteer without a PIN', method: 'POST', path: () => '/api/users', body: () => ({ role: 'volunteer', displayName: '李四', phone: '13700000000', compoundIds: [A()] }), status: 400, code: 'invalid_input' },
  { name: 'a volunteer in two compounds', method: 'POST', path: () => '/api/users', body: () => ({ role: 'volunteer', displayName: '李四', phone: '13700000000', pin: '123456', compoundIds: [ids.a, ids.b] }), status: 400, code: 'invalid_input' },
  { name: 'a 5-digit PIN', method: 'POST', path: () => '/api/users', body: () => ({ role: 'volunteer', displayName: '李四', phone: '13700000000', pin: '12345', compoundIds: [A()] }), status: 400, code: 'invalid_input' },
  { name: 'a manager of an unknown compound', method: 'POST', path: () => '/api/users', body: { role: 'manager', displayName: '李四', username: 'li4', password: 'long enough pw', compoundIds: [4242] }, status: 400, code: 'invalid_input' },
  { name: 'a phone number already used', method: 'POST', path: () => '/api/users', body: () => ({ role: 'volunteer', displayName: '李四', phone: '13800000001', pin: '123456', compoundIds: [A()] }), status: 409, code: 'account_taken' },
  { name: 'an unknown role', method: 'POST', path: () => '/api/users', body: { role: 'king', displayName: '李四', compoundIds: [] }, status: 400, code: 'invalid_input' },
  { name: 'an audit query with a bad date', method: 'GET', path: () => '/api/audit?from=yesterday', status: 400, code: 'invalid_input' },
  // One id, one text: nothing a lenient Number() would also read.
  { name: 'a gate id with a leading space', method: 'PATCH', path: () => `/api/compounds/${A()}/gates/%201`, body: { name: 'x' }, status: 400, code: 'invalid_input' },
  { name: 'a gate id with a leading zero', method: 'PATCH', path: () => `/api/compounds/${A()}/gates/01`, body: { name: 'x' }, status: 400, code: 'invalid_input' },
  { name: 'a gate id as an exponent', method: 'PATCH', path: () => `/api/compounds/${A()}/gates/1e0`, body: { name: 'x' }, status: 400, code: 'invalid_input' },
  { name: 'a compound id with a leading space', method: 'POST', path: () => `/api/compounds/%20${A()}/gates`, body: { name: '北门' }, status: 403, code: 'forbidden' },
  { name: 'a compound id in hex', method: 'POST', path: () => `/api/compounds/0x${A().toString(16)}/gates`, body: { name: '北门' }, status: 403, code: 'forbidden' },
  { name: 'a compound id in a body with a space', method: 'POST', path: () => '/api/users', body: () => ({ role: 'manager', displayName: '李四', username: 'li4', password: 'long enough pw', compoundIds: [` ${A()}`] }), status: 400, code: 'invalid_input' },
  { name: 'an audit filter with a padded compound id', method: 'GET', path: () => `/api/audit?compoundId=%20${A()}`, status: 400, code: 'invalid_input' },
];

describe('bad input', () => {
  it.each(cases)('$name → $status $code, nothing changed', async (c) => {
    const before = await snapshot();
    const r = c.raw
      ? await admin.request(c.method, c.path(), c.raw.body, { 'content-type': c.raw.type })
      : await admin.request(c.method, c.path(), typeof c.body === 'function' ? c.body() : c.body);
    expect(r.status).toBe(c.status);
    expect(r.body).toEqual({ error: expect.objectContaining({ code: c.code, message: expect.any(String) }) });
    expect(r.body.error.message.length).toBeGreaterThan(10);
    expect(await snapshot()).toEqual(before);
  });

  it('names each bad field in words', async () => {
    const r = await admin.post(`/api/compounds/${A()}/buildings`, { floorCount: 0 });
    expect(r.body.error.details).toEqual([
      { path: 'name', code: 'required', params: {}, message: 'required' },
      { path: 'floorCount', code: 'too_small', params: { min: 1 }, message: 'must be >= 1' },
    ]);
    expect(r.body.error).toMatchObject({ code: 'invalid_input', params: { fields: ['name', 'floorCount'] }, message: 'Check these fields: name: required; floorCount: must be >= 1' });
  });

  it('answers unknown API paths with the error shape', async () => {
    const r = await admin.get('/api/nope');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
  });
});
