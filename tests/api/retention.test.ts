import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../server/core/uuid.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { analyzerOf } from '../../server/gate/analysis.js';
import { startScheduler } from '../../server/jobs/scheduler.js';
import { retentionJob } from '../../server/lifecycle/retention.js';
import { type Client, insertUser, makeTestApp, officeClient, PASSWORD, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, placesStandSince, type Scene, sync } from '../helpers/gate.js';
import { freshPostgres, PG_URL } from '../helpers/postgres.js';

// Retention removes whole local days older than each setting, and what it removes keeps counting:
// the dashboard, the district overview, the daily report, the daily-summary export and the shift log
// of a purged day read the same after the purge as before it.

const BACKENDS = ['sqlite', ...(PG_URL ? ['postgres'] : [])] as const;
const NOW = '2026-11-28T08:00:00.000Z'; // 16:00 in Shanghai; the gate days kept start at 2026-10-29 (30 days)
const M = 60_000;
/** A Shanghai local time as an ISO instant. */
const local = (s: string) => new Date(Date.parse(`${s.replace(' ', 'T')}+08:00`)).toISOString();

let t: TestApp;
let s: Scene;
let tablet: Client;
let dropPg: (() => Promise<void>) | null = null;
afterEach(async () => {
  await analyzerOf(t.deps).drain();
  await t.close();
  await dropPg?.();
  dropPg = null;
});

async function setUp(backend: (typeof BACKENDS)[number]) {
  const start = local('2026-10-15 08:00:00');
  if (backend === 'postgres') {
    const pg = await freshPostgres();
    dropPg = pg.drop;
    await migrateToLatest(pg.database);
    t = await makeTestApp({ database: pg.database, now: start });
  } else t = await makeTestApp({ now: start });
  s = await buildScene(t);
  await placesStandSince(t, local('2026-10-01 00:00:00'));
  ({ tablet } = await enrollTablet(t, s.manager, s.compoundId));
  await insertUser(t, { role: 'supervisor', username: 'super', password: PASSWORD });
}

/** Sync records as the tablet would at their time (the clock goes there). */
async function at(when: string, records: unknown[]) {
  t.clock.set(new Date(Date.parse(when) + M).toISOString());
  const r = await sync(t, tablet, records);
  expect(r.status).toBe(200);
  expect(r.body.results.filter((x: { status: string }) => x.status === 'rejected')).toEqual([]);
}

async function fillHistory() {
  const shiftId = uuidv7(Date.parse(local('2026-10-20 07:00:00')));
  const ck = (when: string, o: Parameters<typeof checkRecord>[1] = {}) => checkRecord(s, { atMs: Date.parse(when), shiftId, ...o });
  const visitor = { name: '孙访客', phone: '13711112222', reason: '送药', hostHouseholdId: s.people.zhang.householdId, test: { result: 'negative', within: 24 } };
  await at(local('2026-10-20 07:00:00'), [{ kind: 'shift_start', id: shiftId, at: local('2026-10-20 07:00:00'), gateId: s.gateA, volunteerId: s.volunteerId }]);
  await at(local('2026-10-20 10:00:00'), [
    ck(local('2026-10-20 08:10:00'), { person: 'zhang', direction: 'out' }),
    ck(local('2026-10-20 09:20:00'), { person: 'li', direction: 'in' }),
    ck(local('2026-10-20 09:30:00'), { person: 'zhao', direction: 'out', verdict: 'deny', reasons: [{ code: 'test_missing' }] as never, passed: false }),
    ck(local('2026-10-20 09:40:00'), { person: 'zhao', direction: 'out', verdict: 'deny', reasons: [{ code: 'test_missing' }] as never, override: { reason: '送医就诊' }, passed: true }),
    ck(local('2026-10-20 09:50:00'), { subject: 'visitor', code: null, visitor: visitor as never, direction: 'in', gateId: s.gateB }),
  ]);
  await at(local('2026-10-20 18:00:00'), [{ kind: 'shift_end', id: uuidv7(Date.parse(local('2026-10-20 18:00:00'))), at: local('2026-10-20 18:00:00'), shiftId, volunteerId: s.volunteerId, handoverNote: '西门栏杆松了' }]);
  // The last second of the last day purged, and the first second of the first day kept.
  await at(local('2026-10-28 23:59:59'), [ck(local('2026-10-28 23:59:59'), { shiftId: null, person: 'wang', direction: 'in' })]);
  await at(local('2026-10-29 00:00:00'), [ck(local('2026-10-29 00:00:00'), { shiftId: null, person: 'wang', direction: 'out' })]);
  await at(NOW, [ck(local('2026-11-28 15:00:00'), { shiftId: null, person: 'li', direction: 'out' })]);
  return shiftId;
}

/** What the office shows of those days, with the parts that are about now (tablets' last contact) left out. */
async function officeView(shiftId: string) {
  const mgr = await officeClient(t, 'mgr');
  const sup = await officeClient(t, 'super');
  const cid = s.compoundId;
  const dash = async (date: string) => {
    const d = (await mgr.get(`/api/compounds/${cid}/dashboard?date=${date}`)).body;
    return { summary: d.summary, hourly: d.hourly, disinfection: d.disinfection };
  };
  const csv = async (q: string) => {
    const res = await t.app.request(`http://localhost/api/exports/daily-summaries?${q}`, { headers: { cookie: `gp_session=${mgr.auth.cookie}`, origin: 'http://localhost' } });
    return res.text();
  };
  const report = async (date: string) => {
    const html = (await mgr.get(`/api/compounds/${cid}/reports/daily?date=${date}`)).body as string;
    // The figures, hours, reasons, shifts and rounds; not the list of overrides (who was let through is
    // personal: it goes with the checks, the counts stay) nor today's open conflicts (not a day's figure).
    return html
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .replace(/人工放行 时间 .*? 班次 门岗/, '… 班次 门岗')
      .replace(/待核对的离线冲突: \d+/, '');
  };
  const log = (await mgr.get(`/api/compounds/${cid}/shifts/${shiftId}`)).body;
  const shifts = (await mgr.get(`/api/compounds/${cid}/shifts?from=${local('2026-10-20 00:00:00')}&to=${local('2026-10-21 00:00:00')}`)).body.shifts;
  const overview = (await sup.get('/api/overview?from=2026-10-19&to=2026-10-30')).body.rows.map((r: any) => ({ ...r, tablets: undefined, conflictsOpen: undefined }));
  return {
    d20: await dash('2026-10-20'),
    d28: await dash('2026-10-28'),
    d29: await dash('2026-10-29'),
    overview,
    csv: await csv(`compoundId=${cid}&from=2026-10-19&to=2026-10-30`),
    report: await report('2026-10-20'),
    shifts: shifts.map((x: any) => ({ id: x.id, counts: x.counts, handoverNote: x.handoverNote })),
    shift: { summary: log.summary, handoverNote: log.shift.handoverNote },
  };
}

const count = async (table: 'gateCheck' | 'testResult' | 'disinfectionPhoto' | 'disinfectionRecord' | 'shift') =>
  Number((await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe.each(BACKENDS)('retention (%s)', (backend) => {
  it('the daily purge removes exactly what is older than each setting; the office reads purged days as before', async () => {
    await setUp(backend);
    const shiftId = await fillHistory();
    // Test results: one sampled on the last purged day, one on the first kept day (30 days for tests too).
    const db = t.database.db;
    const mkResult = (residentId: number, sampledAt: string) =>
      db.insertInto('testResult').values({ compoundId: s.compoundId, residentId, sampledAt, result: 'negative', source: 'manual', roundId: null, recordedBy: null, deviceId: null, recordId: null, createdAt: sampledAt }).execute();
    await mkResult(s.people.zhao.residentId, local('2026-10-28 23:00:00'));
    await mkResult(s.people.zhao.residentId, local('2026-10-29 01:00:00'));
    // Rounds with photos: a photo of 10-20 goes (30 days), its round stays (180 days).
    const roundId = uuidv7(Date.parse(local('2026-10-20 06:30:00')));
    await db
      .insertInto('disinfectionRecord')
      .values({ id: roundId, compoundId: s.compoundId, targetKind: 'building', targetId: s.buildingId, slotDate: '2026-10-20', slotTime: '06:00', status: 'done', items: '[]', disinfectant: null, concentration: null, note: null, skipReason: null, startedAt: local('2026-10-20 06:20:00'), finishedAt: local('2026-10-20 06:30:00'), via: 'placard', operatorId: s.volunteerId, deviceId: null, shiftId: null, receivedAt: local('2026-10-20 06:31:00'), clockSkewMs: 0 })
      .execute();
    await db.insertInto('disinfectionPhoto').values({ recordId: roundId, contentType: 'image/jpeg', bytes: new Uint8Array([1, 2, 3]), size: 3, width: 1, height: 1, receivedAt: local('2026-10-20 06:31:00') }).execute();

    t.clock.set(NOW);
    const before = await officeView(shiftId);
    const checksBefore = await count('gateCheck');
    const resultsBefore = await count('testResult');
    expect(before.d20.summary).toMatchObject({ in: 1, out: 2, turnedBack: 1, overrides: 1, visitors: 1, denialsByReason: { test_missing: 2 } });

    const scheduler = startScheduler(t.deps, [retentionJob], { manual: true });
    expect(await scheduler.tick()).toEqual(['retention']);

    // Exactly the rows before each cut-off are gone.
    const checks = await db.selectFrom('gateCheck').select('occurredAt').orderBy('occurredAt').execute();
    expect(checks.map((c) => c.occurredAt)).toEqual([local('2026-10-29 00:00:00'), local('2026-11-28 15:00:00')]);
    expect(checksBefore - checks.length).toBe(6);
    const results = await db.selectFrom('testResult').select('sampledAt').where('residentId', '=', s.people.zhao.residentId).execute();
    expect(results.map((r) => r.sampledAt)).toEqual([local('2026-10-29 01:00:00')]);
    expect(resultsBefore - (await count('testResult'))).toBe(4); // and the scene's three of 10-15
    expect(await count('disinfectionPhoto')).toBe(0);
    expect(await count('disinfectionRecord')).toBe(1); // kept 180 days
    expect(await count('shift')).toBe(1); // the shift's log too

    // One audit row with the counts and the range, and the compound's last purge says the same.
    const mgr = await officeClient(t, 'mgr');
    const audit = (await mgr.get(`/api/audit?compoundId=${s.compoundId}&action=retention.`)).body;
    const rows = audit.entries ?? audit.rows ?? audit.items;
    expect(rows).toHaveLength(1);
    const retention = (await mgr.get(`/api/compounds/${s.compoundId}/retention`)).body.retention;
    expect(retention.lastPurge.counts).toEqual({ gateChecks: 6, visitors: 1, photos: 1, testResults: 4, disinfectionRecords: 0, shifts: 0 });
    expect(retention.lastPurge.ranges.gateChecks).toEqual({ from: local('2026-10-20 08:10:00'), to: local('2026-10-28 23:59:59') });
    expect(retention.lastPurgeAt).toBe(NOW);

    // The office shows the purged days as it did.
    const after = await officeView(shiftId);
    expect(after).toEqual(before);
    // The shift log keeps the overrides' reasons.
    const log = (await mgr.get(`/api/compounds/${s.compoundId}/shifts/${shiftId}`)).body;
    expect(log.purgedOverrides).toEqual([{ reason: '送医就诊', count: 1 }]);
    expect(log.overrides).toEqual([]);

    // Not again the same day; the next day after 03:00 it runs again (and finds nothing more).
    t.clock.advance(60 * M);
    expect(await scheduler.tick()).toEqual(['retention']);
    expect((await mgr.get(`/api/compounds/${s.compoundId}/retention`)).body.retention.lastPurgeAt).toBe(NOW);
    await scheduler.stop();
  });

  it('a manager sets the compound’s own retention (audited); bad values change nothing', async () => {
    await setUp(backend);
    t.clock.set(NOW);
    const mgr = await officeClient(t, 'mgr');
    const url = `/api/compounds/${s.compoundId}/retention`;
    const first = (await mgr.get(url)).body.retention;
    expect(first).toMatchObject({ gateDays: 30, photoDays: 30, testDays: 30, recordDays: 180, own: { gateDays: false }, lastPurge: null });
    const r = await mgr.patch(url, { gateDays: 14 });
    expect(r.status).toBe(200);
    expect(r.body.retention).toMatchObject({ gateDays: 14, own: { gateDays: true, photoDays: false } });
    for (const bad of [{ gateDays: 0 }, { gateDays: 'x' }, { photoDays: 1.5 }, { other: 3 }]) {
      const b = await mgr.patch(url, bad);
      expect(b.status).toBe(400);
      expect(b.body.error.code).toBe('invalid_input');
    }
    expect((await mgr.get(url)).body.retention.gateDays).toBe(14);
    expect((await mgr.patch(url, { gateDays: null })).body.retention).toMatchObject({ gateDays: 30, own: { gateDays: false } });
    // Another compound's manager may not; a supervisor reads only.
    await insertUser(t, { role: 'manager', username: 'mgrB', password: PASSWORD, compoundIds: [s.otherCompoundId] });
    expect((await (await officeClient(t, 'mgrB')).patch(url, { gateDays: 7 })).status).toBe(403);
    expect((await (await officeClient(t, 'super')).patch(url, { gateDays: 7 })).status).toBe(403);
    const audit = (await mgr.get(`/api/audit?compoundId=${s.compoundId}&action=retention.update`)).body;
    expect((audit.entries ?? audit.rows ?? audit.items).length).toBe(2);
  });
});
