import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Client, makeTestApp, officeClient, seedCast, type TestApp } from '../helpers/app.js';

let t: TestApp;
let ids: Awaited<ReturnType<typeof seedCast>>;
let mgr: Client;
beforeEach(async () => {
  t = await makeTestApp();
  ids = await seedCast(t);
  mgr = await officeClient(t, 'mgrA');
});
afterEach(() => t.close());

async function enroll() {
  const made = await mgr.post(`/api/compounds/${ids.a}/devices`, { name: '东门平板1' });
  expect(made.status).toBe(201);
  expect(made.body.enrollmentCode).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  return made.body;
}

describe('tablet enrollment', () => {
  it('trades a one-time code for a device credential; the code then stops working', async () => {
    const made = await enroll();
    // typed the way a person might: lower case, no dash
    const r = await t.client().post('/api/device/enroll', { code: made.enrollmentCode.toLowerCase().replace('-', ' ') });
    expect(r.status).toBe(201);
    expect(r.body.token).toMatch(/^gpd_/);
    expect(r.body.compound).toMatchObject({ id: ids.a, name: '崇文佳苑一区', timezone: 'Asia/Shanghai' });
    const again = await t.client().post('/api/device/enroll', { code: made.enrollmentCode });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('invalid_enrollment_code');
    const list = (await mgr.get(`/api/compounds/${ids.a}/devices`)).body.devices;
    expect(list[0]).toMatchObject({ name: '东门平板1', enrollmentPending: false });
    expect(list[0].enrolledAt).toBeTruthy();
  });

  it('expires codes after 24 hours', async () => {
    const made = await enroll();
    t.clock.advance(24 * 3600 * 1000 + 1000);
    expect((await t.client().post('/api/device/enroll', { code: made.enrollmentCode })).status).toBe(401);
    mgr = await officeClient(t, 'mgrA'); // a day later: a new office session
    const fresh = await mgr.post(`/api/compounds/${ids.a}/devices/${made.device.id}/code`);
    expect((await t.client().post('/api/device/enroll', { code: fresh.body.enrollmentCode })).status).toBe(201);
  });
});

describe('volunteer PIN sign-in on a tablet', () => {
  let tablet: Client;
  let deviceId: number;
  beforeEach(async () => {
    const made = await enroll();
    deviceId = made.device.id;
    const r = await t.client().post('/api/device/enroll', { code: made.enrollmentCode });
    tablet = t.client({ bearer: r.body.token });
  });

  it('signs in a volunteer of this compound with phone and PIN', async () => {
    const r = await tablet.post('/api/device/login', { phone: '13800000001', pin: '123456' });
    expect(r.status).toBe(200);
    expect(r.body.token).toMatch(/^gps_/);
    expect(r.body.user).toMatchObject({ role: 'volunteer', displayName: '张小三' });
    const audit = await t.database.db.selectFrom('auditLog').select(['action', 'deviceId']).where('action', '=', 'pin_login').execute();
    expect(audit).toEqual([{ action: 'pin_login', deviceId }]);
  });

  it('refuses a wrong PIN, a stranger, and a volunteer of another compound alike', async () => {
    const other = await mgr.post('/api/users', { role: 'volunteer', displayName: '王五', phone: '13800000002', pin: '333333', compoundIds: [ids.a] });
    expect(other.status).toBe(201);
    const b = await officeClient(t, 'mgrB');
    await b.post('/api/users', { role: 'volunteer', displayName: '赵六', phone: '13800000003', pin: '444444', compoundIds: [ids.b] });
    const wrong = await tablet.post('/api/device/login', { phone: '13800000001', pin: '000000' });
    const stranger = await tablet.post('/api/device/login', { phone: '13899999999', pin: '123456' });
    const foreign = await tablet.post('/api/device/login', { phone: '13800000003', pin: '444444' });
    for (const r of [wrong, stranger, foreign]) {
      expect(r.status).toBe(401);
      expect(r.body).toEqual(wrong.body);
    }
  });

  it('needs an enrolled device: no PIN sign-in without one', async () => {
    const r = await t.client().post('/api/device/login', { phone: '13800000001', pin: '123456' });
    expect(r.status).toBe(401);
  });

  it('stops the device and its sessions when revoked', async () => {
    expect((await tablet.post('/api/device/login', { phone: '13800000001', pin: '123456' })).status).toBe(200);
    expect((await mgr.post(`/api/compounds/${ids.a}/devices/${deviceId}/revoke`)).status).toBe(200);
    expect((await tablet.post('/api/device/login', { phone: '13800000001', pin: '123456' })).status).toBe(401);
    expect(await t.database.db.selectFrom('session').select('id').where('deviceId', '=', deviceId).execute()).toEqual([]);
  });

  it('ends tablet sessions when the PIN is changed or the volunteer disabled', async () => {
    await tablet.post('/api/device/login', { phone: '13800000001', pin: '123456' });
    expect((await mgr.patch(`/api/users/${ids.volunteer}`, { pin: '654321' })).status).toBe(200);
    expect(await t.database.db.selectFrom('session').select('id').where('userId', '=', ids.volunteer).execute()).toEqual([]);
    expect((await tablet.post('/api/device/login', { phone: '13800000001', pin: '123456' })).status).toBe(401);
    expect((await tablet.post('/api/device/login', { phone: '13800000001', pin: '654321' })).status).toBe(200);
    expect((await mgr.patch(`/api/users/${ids.volunteer}`, { disabled: true })).status).toBe(200);
    const disabled = await tablet.post('/api/device/login', { phone: '13800000001', pin: '654321' });
    expect(disabled.status).toBe(403);
    expect(disabled.body.error.code).toBe('account_disabled');
  });

  it('locks a device after 100 failed PINs in an hour', async () => {
    for (let i = 0; i < 100; i++) {
      await tablet.post('/api/device/login', { phone: `1380000${String(i).padStart(4, '0')}`, pin: '999999' });
    }
    const r = await tablet.post('/api/device/login', { phone: '13800000001', pin: '123456' });
    expect(r.status).toBe(429);
  });
});
