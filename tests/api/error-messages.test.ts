import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageText } from '../../server/core/messages.js';
import { type Client, insertUser, makeTestApp, officeClient, PASSWORD, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, type Scene, sync } from '../helpers/gate.js';

// Issue 12, item 10: every error and every rejection carries a catalogued code and its params, so the web
// app can say it in the UI's language; the English message stays for API users.

let t: TestApp;
let s: Scene;
let tablet: Client;
beforeAll(async () => {
  t = await makeTestApp();
  s = await buildScene(t);
  ({ tablet } = await enrollTablet(t, s.manager, s.compoundId, '东门平板'));
});
afterAll(() => t.close());

/** The error body says, in Chinese, what its code and params say: the code is catalogued and the params fit it. */
function inChinese(error: { code: string; params: unknown }) {
  const zh = messageText(error, 'zh');
  expect(zh, `${error.code} is in the catalogue`).toBeTruthy();
  return zh;
}

describe('error bodies carry a catalogued code and its params', () => {
  it('a duplicate building name', async () => {
    const r = await s.manager.post(`/api/compounds/${s.compoundId}/buildings`, { name: '1号楼' });
    expect(r.status).toBe(409);
    expect(r.body.error).toEqual({
      code: 'name_taken',
      params: { what: 'building', name: '1号楼' },
      message: 'A building named "1号楼" already exists here. Choose another name.',
    });
    expect(inChinese(r.body.error)).toBe('本小区已有名为“1号楼”的楼栋，请换一个名称。');
  });

  it('a building still in use', async () => {
    const r = await s.manager.delete(`/api/compounds/${s.compoundId}/buildings/${s.buildingId}`);
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'in_use', params: { what: 'building' }, message: expect.stringContaining('still referenced') });
    expect(inChinese(r.body.error)).toMatch(/该楼栋仍被其他记录引用/);
  });

  it('validation: each field with its code, params and path', async () => {
    const r = await s.manager.post(`/api/compounds/${s.compoundId}/buildings`, { name: '', floorCount: 0, elevatorCount: 'two' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_input');
    expect(r.body.error.params).toEqual({ fields: ['name', 'floorCount', 'elevatorCount'] });
    expect(r.body.error.details.map((d: { path: string; code: string; params: unknown }) => [d.path, d.code, d.params])).toEqual([
      ['name', 'not_empty', {}],
      ['floorCount', 'too_small', { min: 1 }],
      ['elevatorCount', 'wrong_type', { expected: 'number' }],
    ]);
    expect(inChinese(r.body.error)).toBe('请检查以下内容：名称、楼层数、电梯数');
    expect(r.body.error.details.map(inChinese)).toEqual(['不能为空', '不能小于 1', '类型不对，应为数字']);
  });

  it('a rule of the service, as a field issue (a volunteer in two compounds)', async () => {
    const admin = await officeClient(t, 'admin');
    const r = await admin.post('/api/users', { role: 'volunteer', displayName: '李四', phone: '13700000000', pin: '123456', compoundIds: [s.compoundId, s.otherCompoundId] });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([{ path: 'compoundIds', code: 'exactly_one_compound', params: {}, message: 'a volunteer belongs to exactly one compound' }]);
    expect(inChinese(r.body.error.details[0])).toBe('志愿者只能属于一个小区');
  });

  it('scope: another compound, and a supervisor changing something', async () => {
    const other = await s.manager.post(`/api/compounds/${s.otherCompoundId}/gates`, { name: '南门' });
    expect(other.status).toBe(403);
    expect(other.body.error).toEqual({ code: 'forbidden', params: { why: 'out_of_scope' }, message: 'This compound is outside your scope.' });
    expect(inChinese(other.body.error)).toBe('该小区不在您的管辖范围内。');
    await insertUser(t, { role: 'supervisor', username: 'super', password: PASSWORD });
    const supervisor = await officeClient(t, 'super');
    const change = await supervisor.post(`/api/compounds/${s.compoundId}/gates`, { name: '南门' });
    expect(change.body.error).toMatchObject({ code: 'forbidden', params: { why: 'read_only' } });
    expect(inChinese(change.body.error)).toBe('督导只能查看和导出，不能修改。');
  });

  it('signing in: wrong password', async () => {
    const r = await t.client().post('/api/auth/login', { username: 'mgr', password: 'not the password' });
    expect(r.status).toBe(401);
    expect(r.body.error).toMatchObject({ code: 'invalid_credentials', params: { via: 'password' } });
    expect(inChinese(r.body.error)).toBe('用户名或密码错误。');
  });

  it('a record the server refused, as the tablet sees it', async () => {
    const bad = checkRecord(s, { gateId: 4242 });
    const malformed = { ...checkRecord(s), direction: 'sideways' };
    const res = await sync(t, tablet, [bad, malformed]);
    expect(res.body.results[0]).toEqual({
      id: bad.id,
      status: 'rejected',
      reason: { code: 'unknown_gate', params: { id: 4242 }, message: 'Gate 4242 is not a gate of this compound.' },
    });
    expect(inChinese(res.body.results[0].reason)).toBe('门岗 4242 不属于本小区。');
    expect(res.body.results[1].reason).toMatchObject({ code: 'invalid_record', params: { fields: ['direction'] } });
    expect(inChinese(res.body.results[1].reason)).toBe('记录格式有误：方向');
  });

  it('an unknown API route', async () => {
    const r = await s.manager.get('/api/nope');
    expect(r.body.error).toEqual({ code: 'not_found', params: { what: 'route', method: 'GET', path: '/api/nope' }, message: 'There is no API route GET /api/nope.' });
  });
});
