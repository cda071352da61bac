import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSecret, verifySecret } from '../../server/auth/secrets.js';
import { MAX_FAILURES_PER_HOUR } from '../../server/auth/service.js';
import { insertUser, makeTestApp, officeClient, PASSWORD, seedCast, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

async function auditActions() {
  const rows = await t.database.db.selectFrom('auditLog').select(['action', 'details']).orderBy('id').execute();
  return rows.map((r) => r.action);
}

describe('first-run setup', () => {
  it('is needed on an empty database, creates the admin, signs them in, and is refused afterwards', async () => {
    const c = t.client();
    expect((await c.get('/api/setup')).body).toEqual({ needed: true });
    const r = await c.post('/api/setup', { username: 'admin', displayName: '王经理', password: PASSWORD });
    expect(r.status).toBe(201);
    expect(r.body.user).toMatchObject({ username: 'admin', role: 'admin' });
    expect(r.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect(r.headers.get('set-cookie')).toMatch(/SameSite=Strict/i);
    expect((await c.get('/api/auth/me')).body.user.username).toBe('admin');
    expect((await c.get('/api/setup')).body).toEqual({ needed: false });

    const again = await t.client().post('/api/setup', { username: 'evil', displayName: 'x', password: PASSWORD });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_set_up');
    const users = await t.database.db.selectFrom('user').select('username').execute();
    expect(users).toEqual([{ username: 'admin' }]);
    expect(await auditActions()).toEqual(['setup.admin_created']);
  });

  it('rejects a short password with the error shape and creates nothing', async () => {
    const r = await t.client().post('/api/setup', { username: 'admin', displayName: 'x', password: 'short' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_input');
    expect(r.body.error.details).toEqual([{ path: 'password', code: 'too_short', params: { min: 10 }, message: 'at least 10 characters' }]);
    expect((await t.client().get('/api/setup')).body).toEqual({ needed: true });
  });
});

describe('office sign-in', () => {
  beforeEach(async () => {
    await seedCast(t);
  });

  it('signs in, knows who you are, and signs out', async () => {
    const c = await officeClient(t, 'mgrA');
    const me = await c.get('/api/auth/me');
    expect(me.body.user).toMatchObject({ username: 'mgrA', role: 'manager' });
    expect(me.body.user.compoundIds).toHaveLength(1);
    expect((await c.post('/api/auth/logout')).status).toBe(200);
    expect((await c.get('/api/auth/me')).status).toBe(401);
    expect(await auditActions()).toEqual(['login', 'logout']);
  });

  it('answers an unknown user exactly like a wrong password', async () => {
    const wrong = await t.client().post('/api/auth/login', { username: 'mgrA', password: 'not the password' });
    const unknown = await t.client().post('/api/auth/login', { username: 'nobody', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(await auditActions()).toEqual(['login.failed', 'login.failed']);
  });

  it('does not let a volunteer sign in at the office', async () => {
    await insertUser(t, { role: 'volunteer', username: 'vol', password: PASSWORD, phone: '13900000009', pin: '111111', compoundIds: [] });
    const r = await t.client().post('/api/auth/login', { username: 'vol', password: PASSWORD });
    expect(r.status).toBe(401);
  });

  it('locks an account after 100 failures in an hour, for a known or an unknown name alike, until an admin unlocks it', async () => {
    (t.deps.config as { trustProxy: boolean }).trustProxy = true; // each guess from another address
    for (const name of ['mgrA', 'ghost']) {
      for (let i = 0; i < MAX_FAILURES_PER_HOUR; i++) {
        const r = await t.client().request('POST', '/api/auth/login', { username: name, password: `guess${i}` }, { 'x-forwarded-for': `10.0.${name.length}.${i}` });
        expect(r.status).toBe(401);
      }
    }
    const ghost = await t.client().post('/api/auth/login', { username: 'ghost', password: PASSWORD });
    expect(ghost.status).toBe(429);
    const locked = await t.client().post('/api/auth/login', { username: 'mgrA', password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('too_many_attempts');

    const admin = await officeClient(t, 'admin');
    const users = (await admin.get('/api/users')).body.users;
    const mgr = users.find((u: any) => u.username === 'mgrA');
    expect(mgr.locked).toBe(true);
    expect((await admin.post(`/api/users/${mgr.id}/unlock`)).status).toBe(200);
    expect((await t.client().post('/api/auth/login', { username: 'mgrA', password: PASSWORD })).status).toBe(200);
    expect(await auditActions()).toContain('user.unlock');
  });

  it('throttles one address that tries many accounts', async () => {
    for (let i = 0; i < MAX_FAILURES_PER_HOUR; i++) {
      expect((await t.client().post('/api/auth/login', { username: `user${i}`, password: 'x' })).status).toBe(401);
    }
    expect((await t.client().post('/api/auth/login', { username: 'admin', password: PASSWORD })).status).toBe(429);
  });

  it('forgets failures older than an hour', async () => {
    await t.database.db
      .insertInto('loginFailure')
      .values(Array.from({ length: MAX_FAILURES_PER_HOUR }, () => ({ key: 'account:mgra', at: t.clock.now.toISOString() })))
      .execute();
    expect((await t.client().post('/api/auth/login', { username: 'mgrA', password: PASSWORD })).status).toBe(429);
    t.clock.advance(60 * 60 * 1000 + 1);
    expect((await t.client().post('/api/auth/login', { username: 'mgrA', password: PASSWORD })).status).toBe(200);
  });

  it('ends a session after the idle time', async () => {
    const c = await officeClient(t, 'admin');
    t.clock.advance(60 * 60 * 1000);
    expect((await c.get('/api/auth/me')).status).toBe(200);
    t.clock.advance(481 * 60 * 1000);
    expect((await c.get('/api/auth/me')).status).toBe(401);
  });

  it('refuses a cookie-carried write without our Origin (CSRF)', async () => {
    const c = await officeClient(t, 'admin');
    const noOrigin = await t.app.request('http://localhost/api/compounds', {
      method: 'POST',
      headers: { cookie: `gp_session=${c.auth.cookie}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '新小区' }),
    });
    expect(noOrigin.status).toBe(403);
    expect((await noOrigin.json()).error.code).toBe('csrf_rejected');
    const foreign = await c.request('POST', '/api/compounds', { name: '新小区' }, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(await t.database.db.selectFrom('compound').select('name').where('name', '=', '新小区').execute()).toEqual([]);
    expect((await c.post('/api/compounds', { name: '新小区' })).status).toBe(201);
  });

  it("behind our own TLS proxy, takes the page's https origin from X-Forwarded-Proto (TRUST_PROXY only)", async () => {
    const c = await officeClient(t, 'admin');
    const write = (headers: Record<string, string>) =>
      t.app.request('http://gate.example.cn/api/compounds', {
        method: 'POST',
        headers: { cookie: `gp_session=${c.auth.cookie}`, 'content-type': 'application/json', origin: 'https://gate.example.cn', ...headers },
        body: JSON.stringify({ name: `小区${Math.random()}` }),
      });
    // Not trusted: the header could come from anyone, so an https page does not match a plain http request.
    expect((await write({ 'x-forwarded-proto': 'https' })).status).toBe(403);
    t.deps.config.trustProxy = true;
    expect((await write({ 'x-forwarded-proto': 'https' })).status).toBe(201);
    expect((await write({ 'x-forwarded-proto': 'http' })).status).toBe(403);
    expect((await write({})).status).toBe(403);
  });

  it('never accepts an office session as a bearer token', async () => {
    const c = await officeClient(t, 'admin');
    const r = await t.client({ bearer: c.auth.cookie! }).get('/api/auth/me');
    expect(r.status).toBe(401);
  });
});

describe('secrets', () => {
  it('hash with scrypt at the production cost and verify only the right secret', async () => {
    const h = await hashSecret('123456');
    expect(h).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(await verifySecret('123456', h)).toBe(true);
    expect(await verifySecret('123457', h)).toBe(false);
  });
});
