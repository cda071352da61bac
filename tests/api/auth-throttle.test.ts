import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../server/db/postgres.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { MAX_FAILURES_PER_HOUR, PRUNE_BATCH } from '../../server/auth/service.js';
import { type Client, makeTestApp, officeClient, PASSWORD, type Res, seedCast, type TestApp } from '../helpers/app.js';
import { enrollTablet } from '../helpers/gate.js';
import { freshPostgres, PG_URL } from '../helpers/postgres.js';

// Sign-in throttling under concurrency: every attempt sent at once must still be counted before its secret
// is checked, so a burst gets no more guesses than a patient attacker.

const HOUR = 3_600_000;
const BURST = MAX_FAILURES_PER_HOUR + 50;
/** What a burst of answers looked like: how many of each status and error code. */
function tally(rs: Res[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const r of rs) {
    const k = `${r.status} ${r.body?.error?.code ?? 'ok'}`;
    m[k] = (m[k] ?? 0) + 1;
  }
  return m;
}
const at = (ip: string) => ({ 'x-forwarded-for': ip });
/** A different address for each attempt of a burst, so only the counter under test fills up. */
const spread = (i: number) => at(`10.${(i >> 8) & 255}.${i & 255}.${1 + (i % 7)}`);

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
  (t.deps.config as { trustProxy: boolean }).trustProxy = true; // addresses come from X-Forwarded-For
});
afterEach(() => t.close());

async function failuresUnder(key: string): Promise<number> {
  const rows = await t.database.db.selectFrom('loginFailure').select('id').where('key', '=', key).execute();
  return rows.length;
}
async function audited(action: string): Promise<number> {
  return (await t.database.db.selectFrom('auditLog').select('id').where('action', '=', action).execute()).length;
}

describe('office sign-in throttling under concurrency', () => {
  beforeEach(async () => {
    await seedCast(t);
  });

  it('checks at most 100 of 150 wrong passwords for one account sent at once, and then refuses the right one', async () => {
    const rs = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        t.client().request('POST', '/api/auth/login', { username: 'mgrA', password: `guess ${i}` }, spread(i)),
      ),
    );
    expect(tally(rs)).toEqual({ '401 invalid_credentials': MAX_FAILURES_PER_HOUR, '429 too_many_attempts': 50 });
    expect(await audited('login.failed')).toBe(MAX_FAILURES_PER_HOUR);
    expect(await failuresUnder('account:mgra')).toBe(MAX_FAILURES_PER_HOUR);
    const right = await t.client().request('POST', '/api/auth/login', { username: 'mgrA', password: PASSWORD }, at('10.200.0.1'));
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe('too_many_attempts');
  });

  it('gives one address at most 100 guesses across many accounts sent at once', async () => {
    const rs = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        t.client().request('POST', '/api/auth/login', { username: `user${i}`, password: 'not it at all' }, at('10.9.9.9')),
      ),
    );
    expect(tally(rs)).toEqual({ '401 invalid_credentials': MAX_FAILURES_PER_HOUR, '429 too_many_attempts': 50 });
    expect(await failuresUnder('ip:10.9.9.9')).toBe(MAX_FAILURES_PER_HOUR);
    expect((await t.client().request('POST', '/api/auth/login', { username: 'admin', password: PASSWORD }, at('10.9.9.9'))).status).toBe(429);
    expect((await t.client().request('POST', '/api/auth/login', { username: 'admin', password: PASSWORD }, at('10.9.9.10'))).status).toBe(200);
  });

  it('gives back the attempt a good sign-in reserved, so signing in does not count towards the limit', async () => {
    for (let i = 0; i < MAX_FAILURES_PER_HOUR - 1; i++) {
      const r = await t.client().request('POST', '/api/auth/login', { username: 'mgrA', password: `guess ${i}` }, spread(i));
      expect(r.status).toBe(401);
    }
    for (const ip of ['10.201.0.1', '10.201.0.2', '10.201.0.3']) {
      expect((await t.client().request('POST', '/api/auth/login', { username: 'mgrA', password: PASSWORD }, at(ip))).status).toBe(200);
    }
    expect(await failuresUnder('account:mgra')).toBe(MAX_FAILURES_PER_HOUR - 1);
    expect(await failuresUnder('ip:10.201.0.1')).toBe(0);
    expect((await t.client().request('POST', '/api/auth/login', { username: 'mgrA', password: 'one more guess' }, at('10.201.0.4'))).status).toBe(401);
    expect((await t.client().request('POST', '/api/auth/login', { username: 'mgrA', password: PASSWORD }, at('10.201.0.5'))).status).toBe(429);
  });
});

describe('PIN sign-in throttling under concurrency', () => {
  let tabletOne: Awaited<ReturnType<typeof enrollTablet>>;
  let tabletTwo: Awaited<ReturnType<typeof enrollTablet>>;
  beforeEach(async () => {
    const cast = await seedCast(t);
    const manager = await officeClient(t, 'mgrA');
    tabletOne = await enrollTablet(t, manager, cast.a);
    tabletTwo = await enrollTablet(t, manager, cast.a);
  });
  const pinLogin = (tablet: Client, phone: string, pin: string, ip: string) => tablet.request('POST', '/api/device/login', { phone, pin }, at(ip));

  it('checks at most 100 of 150 wrong PINs for one volunteer sent at once, and then refuses the right one', async () => {
    const rs = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        tabletOne.tablet.request('POST', '/api/device/login', { phone: '13800000001', pin: String(200000 + i) }, spread(i)),
      ),
    );
    expect(tally(rs)).toEqual({ '401 invalid_credentials': MAX_FAILURES_PER_HOUR, '429 too_many_attempts': 50 });
    expect(await audited('pin_login.failed')).toBe(MAX_FAILURES_PER_HOUR);
    expect((await pinLogin(tabletTwo.tablet, '13800000001', '123456', '10.200.0.1')).status).toBe(429);
  });

  it('gives one tablet at most 100 guesses across many phone numbers sent at once', async () => {
    const rs = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        tabletOne.tablet.request('POST', '/api/device/login', { phone: `139${String(i).padStart(8, '0')}`, pin: '000000' }, spread(i)),
      ),
    );
    expect(tally(rs)).toEqual({ '401 invalid_credentials': MAX_FAILURES_PER_HOUR, '429 too_many_attempts': 50 });
    expect(await failuresUnder(`device:${tabletOne.deviceId}`)).toBe(MAX_FAILURES_PER_HOUR);
    expect((await pinLogin(tabletOne.tablet, '13800000001', '123456', '10.200.0.1')).status).toBe(429);
    // The volunteer's own account was never guessed at: another tablet still signs them in.
    expect((await pinLogin(tabletTwo.tablet, '13800000001', '123456', '10.200.0.2')).status).toBe(200);
  });

  it('gives one address at most 100 PIN guesses sent at once', async () => {
    const rs = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        (i % 2 ? tabletOne : tabletTwo).tablet.request(
          'POST',
          '/api/device/login',
          { phone: `139${String(i).padStart(8, '0')}`, pin: '000000' },
          at('10.8.8.8'),
        ),
      ),
    );
    expect(tally(rs)).toEqual({ '401 invalid_credentials': MAX_FAILURES_PER_HOUR, '429 too_many_attempts': 50 });
    expect((await pinLogin(tabletOne.tablet, '13800000001', '123456', '10.8.8.8')).status).toBe(429);
  });
});

describe('enrollment code throttling under concurrency', () => {
  it('checks at most 100 of 150 wrong codes from one address sent at once, and then refuses a real code from it', async () => {
    const cast = await seedCast(t);
    const manager = await officeClient(t, 'mgrA');
    const made = await manager.post(`/api/compounds/${cast.a}/devices`, { name: '东门平板' });
    expect(made.status).toBe(201);

    const rs = await Promise.all(
      Array.from({ length: BURST }, (_, i) => t.client().request('POST', '/api/device/enroll', { code: `WRNG-${1000 + i}` }, at('10.7.7.7'))),
    );
    expect(tally(rs)).toEqual({ '401 invalid_enrollment_code': MAX_FAILURES_PER_HOUR, '429 too_many_attempts': 50 });
    expect(await audited('device.enroll_failed')).toBe(MAX_FAILURES_PER_HOUR);

    const refused = await t.client().request('POST', '/api/device/enroll', { code: made.body.enrollmentCode }, at('10.7.7.7'));
    expect(refused.status).toBe(429);
    const device = await t.database.db.selectFrom('device').select('enrolledAt').where('id', '=', made.body.device.id).executeTakeFirstOrThrow();
    expect(device.enrolledAt).toBeNull();
    const elsewhere = await t.client().request('POST', '/api/device/enroll', { code: made.body.enrollmentCode }, at('10.7.7.8'));
    expect(elsewhere.status).toBe(201);
    expect(await failuresUnder('ip:10.7.7.8')).toBe(0);
  });

  it('counts the address our own proxy saw, not one the client wrote into X-Forwarded-For', async () => {
    await seedCast(t);
    // A client sends a made-up X-Forwarded-For with every guess; the proxy appends the address it saw.
    const rs = await Promise.all(
      Array.from({ length: BURST }, (_, i) => t.client().request('POST', '/api/device/enroll', { code: `WRNG-${2000 + i}` }, { 'x-forwarded-for': `203.0.113.${i % 250}, 10.8.8.8` })),
    );
    expect(tally(rs)).toEqual({ '401 invalid_enrollment_code': MAX_FAILURES_PER_HOUR, '429 too_many_attempts': 50 });
    expect(await failuresUnder('ip:10.8.8.8')).toBe(MAX_FAILURES_PER_HOUR);
  });
});

describe('old failures', () => {
  it('are deleted as sign-ins come in, a bounded number at a time, while the last hour stays counted', async () => {
    await seedCast(t);
    const old = 3 * PRUNE_BATCH + 5;
    await t.database.db
      .insertInto('loginFailure')
      .values(Array.from({ length: old }, (_, i) => ({ key: `ip:192.0.2.${i % 200}`, at: t.clock.now.toISOString() })))
      .execute();
    t.clock.advance(30 * 60_000);
    for (let i = 0; i < MAX_FAILURES_PER_HOUR - 1; i++) {
      expect((await t.client().request('POST', '/api/auth/login', { username: 'mgrA', password: `guess ${i}` }, spread(i))).status).toBe(401);
    }
    const stale = async () =>
      (await t.database.db.selectFrom('loginFailure').select('id').where('at', '<', new Date(t.clock.now.getTime() - HOUR).toISOString()).execute()).length;
    t.clock.advance(31 * 60_000); // the first rows are now past the hour; the guesses at mgrA are not
    expect(await stale()).toBe(old);

    const signIn = () => t.client().request('POST', '/api/auth/login', { username: 'admin', password: PASSWORD }, at('10.202.0.1'));
    expect((await signIn()).status).toBe(200);
    expect(await stale()).toBe(old - PRUNE_BATCH);
    for (let i = 0; i < 3; i++) expect((await signIn()).status).toBe(200);
    expect(await stale()).toBe(0);

    // Within the hour nothing was forgotten: one more guess locks mgrA.
    expect(await failuresUnder('account:mgra')).toBe(MAX_FAILURES_PER_HOUR - 1);
    expect((await t.client().request('POST', '/api/auth/login', { username: 'mgrA', password: 'last guess' }, at('10.202.0.2'))).status).toBe(401);
    expect((await t.client().request('POST', '/api/auth/login', { username: 'mgrA', password: PASSWORD }, at('10.202.0.3'))).status).toBe(429);
  });

  it('are deleted even while every attempt is refused', async () => {
    await seedCast(t);
    await t.database.db
      .insertInto('loginFailure')
      .values(Array.from({ length: PRUNE_BATCH }, () => ({ key: 'ip:192.0.2.1', at: t.clock.now.toISOString() })))
      .execute();
    t.clock.advance(HOUR + 1);
    await t.database.db
      .insertInto('loginFailure')
      .values(Array.from({ length: MAX_FAILURES_PER_HOUR }, () => ({ key: 'account:mgra', at: t.clock.now.toISOString() })))
      .execute();
    const r = await t.client().request('POST', '/api/auth/login', { username: 'mgrA', password: PASSWORD }, at('10.202.0.4'));
    expect(r.status).toBe(429);
    expect(await failuresUnder('ip:192.0.2.1')).toBe(0);
    expect(await failuresUnder('account:mgra')).toBe(MAX_FAILURES_PER_HOUR);
  });
});

// Several server instances share one PostgreSQL: the count and the reservation must be atomic across them.
describe.skipIf(!PG_URL)('on PostgreSQL, across two server instances', () => {
  it('checks at most 100 of 150 wrong passwords for one account sent at once to both, and prunes old failures', async () => {
    const pg = await freshPostgres();
    await migrateToLatest(pg.database);
    const second = openPostgres(pg.url);
    const one = await makeTestApp({ database: pg.database });
    const two = await makeTestApp({ database: second });
    try {
      for (const app of [one, two]) (app.deps.config as { trustProxy: boolean }).trustProxy = true;
      await seedCast(one);
      const stale = new Date(one.clock.now.getTime() - 2 * HOUR).toISOString();
      await one.database.db.insertInto('loginFailure').values(Array.from({ length: PRUNE_BATCH }, () => ({ key: 'ip:192.0.2.1', at: stale }))).execute();
      const rs = await Promise.all(
        Array.from({ length: BURST }, (_, i) =>
          (i % 2 ? one : two).client().request('POST', '/api/auth/login', { username: 'mgrA', password: `guess ${i}` }, spread(i)),
        ),
      );
      expect(tally(rs)).toEqual({ '401 invalid_credentials': MAX_FAILURES_PER_HOUR, '429 too_many_attempts': 50 });
      const stored = await one.database.db.selectFrom('loginFailure').select('id').where('key', '=', 'account:mgra').execute();
      expect(stored.length).toBe(MAX_FAILURES_PER_HOUR);
      expect(await one.database.db.selectFrom('loginFailure').select('id').where('key', '=', 'ip:192.0.2.1').execute()).toEqual([]);
      expect((await two.client().request('POST', '/api/auth/login', { username: 'mgrA', password: PASSWORD }, at('10.200.0.1'))).status).toBe(429);
    } finally {
      await second.close();
      await pg.drop();
    }
  });
});
