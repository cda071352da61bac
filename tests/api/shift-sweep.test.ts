import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { uuidv7 } from '../../server/core/uuid.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { analyzerOf } from '../../server/gate/analysis.js';
import { closeIdleShifts } from '../../server/gate/shift-sweep.js';
import { type Client, makeTestApp, officeClient, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, type Scene, sync } from '../helpers/gate.js';
import { freshPostgres, PG_URL } from '../helpers/postgres.js';

// A tablet switched off never ends its shift: the sweep does, at the shift's last activity.

let t: TestApp;
let s: Scene;
let tablet: Client;
const H = 3_600_000;
const M = 60_000;

let dropPg: (() => Promise<void>) | null = null;
/** Each test on SQLite, and on PostgreSQL when the test server is there. */
const BACKENDS = ['sqlite', ...(PG_URL ? ['postgres'] : [])] as const;

async function setUp(backend: (typeof BACKENDS)[number]) {
  if (backend === 'postgres') {
    const pg = await freshPostgres();
    dropPg = pg.drop;
    await migrateToLatest(pg.database);
    t = await makeTestApp({ database: pg.database });
  } else {
    t = await makeTestApp();
  }
  s = await buildScene(t);
  ({ tablet } = await enrollTablet(t, s.manager, s.compoundId));
}
afterEach(async () => {
  await analyzerOf(t.deps).drain();
  await t.close();
  await dropPg?.();
  dropPg = null;
});

const iso = (ms: number) => new Date(ms).toISOString();
const startShift = (at: number, gateId = s.gateA) => ({ kind: 'shift_start', id: uuidv7(at), at: iso(at), gateId, volunteerId: s.volunteerId });
/** The manager, signed in afresh: hours of test clock end an office session (SESSION_IDLE_MINUTES). */
const manager = () => officeClient(t, 'mgr');
const logOf = async (id: string) => (await (await manager()).get(`/api/compounds/${s.compoundId}/shifts/${id}`)).body;
const shiftOf = async (id: string) => (await logOf(id)).shift;
/** Nothing reaches the server for `ms`: the test clock moves on, the tablet stays silent. */
const silence = (ms: number) => t.clock.advance(ms);

describe.each(BACKENDS)('the idle-shift sweep (%s)', (b) => {
  beforeEach(() => setUp(b));

  it('closes a shift silent for 12 h at its last activity, marked automatic; a working shift is left open', async () => {
    const t0 = s.now();
    const start = startShift(t0);
    await sync(t, tablet, [start, checkRecord(s, { atMs: t0 + 30 * M, shiftId: start.id })]);
    const lastContact = s.now(); // the sync is the tablet's last contact (t0)
    silence(11 * H);
    expect(await closeIdleShifts(t.deps)).toEqual([]);
    expect((await shiftOf(start.id)).endedAt).toBeNull();

    silence(2 * H); // 13 h after the last check, 13.5 h after the last contact
    expect(await closeIdleShifts(t.deps)).toEqual([start.id]);
    const shift = await shiftOf(start.id);
    // The end is the last activity: the check at t0+30min (later than the sync at t0), not the sweep's time.
    expect(lastContact).toBe(t0);
    expect(shift).toMatchObject({ endedAt: iso(t0 + 30 * M), autoClosedAt: iso(s.now()), handoverNote: null });
    // A second sweep finds nothing more to do.
    expect(await closeIdleShifts(t.deps)).toEqual([]);

    // The list and the export say so.
    const list = (await (await manager()).get(`/api/compounds/${s.compoundId}/shifts`)).body.shifts;
    expect(list[0]).toMatchObject({ id: start.id, autoClosedAt: iso(s.now()) });
  });

  it('a tablet left switched on at an empty booth does not keep its shift open: only what a volunteer did counts', async () => {
    const t0 = s.now();
    const first = startShift(t0);
    await sync(t, tablet, [first, checkRecord(s, { atMs: t0 + M, shiftId: first.id })]);
    // The tablet keeps syncing and fetching its roster every half minute, with nobody at it.
    for (let i = 0; i < 13; i++) {
      silence(H);
      expect((await tablet.get('/api/device/roster')).status).toBe(200);
    }
    expect(await closeIdleShifts(t.deps)).toEqual([first.id]);
    expect((await shiftOf(first.id)).endedAt).toBe(iso(t0 + M));
  });

  it('a check that arrives between the sweep reading a shift and closing it keeps the shift open', async () => {
    const t0 = s.now();
    const start = startShift(t0);
    await sync(t, tablet, [start]);
    silence(13 * H);
    // The sweep has read the shift as idle; before it writes, a late batch from the tablet lands.
    const db = t.database.db;
    const real = db.transaction.bind(db);
    let once = false;
    (db as any).transaction = () => {
      if (!once) {
        once = true;
        return {
          execute: async (fn: any) => {
            await sync(t, tablet, [checkRecord(s, { atMs: s.now() - M, shiftId: start.id })]);
            return real().execute(fn);
          },
        };
      }
      return real();
    };
    try {
      expect(await closeIdleShifts(t.deps)).toEqual([]);
    } finally {
      (db as any).transaction = real;
    }
    expect((await shiftOf(start.id)).endedAt).toBeNull();
  });

  it('a shift ended by its volunteer is never touched; the idle time is configurable', async () => {
    const t0 = s.now();
    const a = startShift(t0);
    await sync(t, tablet, [a, { kind: 'shift_end', id: uuidv7(t0 + H), at: iso(t0 + H), shiftId: a.id, volunteerId: s.volunteerId, handoverNote: '正常交班' }]);
    const b = startShift(t0 + 2 * H, s.gateB);
    const { tablet: other } = await enrollTablet(t, s.manager, s.compoundId);
    await sync(t, other, [b], iso(t0));
    t.deps.config.shiftIdleHours = 2;
    silence(5 * H);
    expect(await closeIdleShifts(t.deps)).toEqual([b.id]);
    expect(await shiftOf(a.id)).toMatchObject({ endedAt: iso(t0 + H), autoClosedAt: null, handoverNote: '正常交班' });
    expect(loadConfig({ SHIFT_IDLE_HOURS: '6' }).shiftIdleHours).toBe(6);
    expect(loadConfig({}).shiftIdleHours).toBe(12);
    expect(() => loadConfig({ SHIFT_IDLE_HOURS: '0' })).toThrow(/SHIFT_IDLE_HOURS/);
  });

  it('a tablet that comes back loses nothing: its records are accepted and attributed, and its handover replaces the automatic end', async () => {
    const t0 = s.now();
    const start = startShift(t0);
    await sync(t, tablet, [start, checkRecord(s, { atMs: t0 + M, shiftId: start.id })]);
    silence(13 * H);
    expect(await closeIdleShifts(t.deps)).toEqual([start.id]);

    // The tablet was offline, not off: it kept recording, and now syncs what it recorded.
    const late = [checkRecord(s, { atMs: t0 + 12 * H, shiftId: start.id, person: 'wang' }), checkRecord(s, { atMs: t0 + 13 * H, shiftId: start.id, person: 'li', direction: 'in' })];
    const res = await sync(t, tablet, late);
    expect(res.body.results.map((r: any) => r.status)).toEqual(['accepted', 'accepted']);
    let log = await logOf(start.id);
    expect(log.summary.total).toBe(3);
    expect(log.shift.endedAt).toBe(iso(t0 + 13 * H)); // still automatic, now covering its records
    expect(log.shift.autoClosedAt).not.toBeNull();
    const checks = (await (await manager()).get(`/api/compounds/${s.compoundId}/gate-checks?shiftId=${start.id}`)).body.checks;
    expect(checks).toHaveLength(3);

    const end = { kind: 'shift_end', id: uuidv7(t0 + 14 * H), at: iso(t0 + 14 * H), shiftId: start.id, volunteerId: s.volunteerId, handoverNote: '平板没电，已充上' };
    expect((await sync(t, tablet, [end])).body.results[0].status).toBe('accepted');
    log = await logOf(start.id);
    expect(log.shift).toMatchObject({ endedAt: iso(t0 + 14 * H), autoClosedAt: null, handoverNote: '平板没电，已充上' });
    // Sent again, the end is a duplicate, not a second end.
    expect((await sync(t, tablet, [end])).body.results[0].status).toBe('duplicate');
  });

  it('the shift-log export says how each shift ended', async () => {
    const t0 = s.now();
    const a = startShift(t0 - 20 * H);
    await sync(t, tablet, [a], iso(t0));
    t.clock.set(iso(t0)); // the sync happened at t0; silence from there
    silence(13 * H);
    await closeIdleShifts(t.deps);
    const day = new Date(t0 - 20 * H + 8 * H).toISOString().slice(0, 10); // local date in Shanghai
    const res = await t.app.request(`http://localhost/api/exports/shifts?from=${day}&to=${day}&format=csv`, { headers: { cookie: `gp_session=${(await manager()).auth.cookie}`, origin: 'http://localhost' } });
    const rows = parse(await res.text(), { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r['结束方式'])).toEqual(['自动结束']);
  });
});
