import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { purgeCompound } from '../../server/lifecycle/retention.js';
import { analyzerOf } from '../../server/gate/analysis.js';
import { decide } from '../../server/core/decide.js';
import { applyRoster } from '../../server/core/roster.js';
import { roundFacts } from '../../server/core/rounds.js';
import { uuidv7 } from '../../server/core/uuid.js';
import { refreshCompoundCoverage } from '../../server/rounds/queries.js';
import { type Client, insertUser, officeClient, PASSWORD, type TestApp, makeTestApp } from '../helpers/app.js';
import { buildScene, enrollTablet, type Scene, sync } from '../helpers/gate.js';

// Testing rounds (issue 15): coverage against a hand-counted fixture, exemptions, the door-to-door list,
// the tablet's tick-off through sync, and "tested in the current round" on the tablet and the server.

// On SQLite here, and on PostgreSQL in npm test's PostgreSQL pass (every API test runs there too).
describe('testing rounds', () => {
  let t: TestApp;
  let s: Scene;
  let tablet: Client;
  let b2: number;
  const ids = {} as Record<'孙七' | '周八' | '吴九' | '郑十' | '钱一', number>;

  const local = (s: string) => new Date(`${s}:00+08:00`).toISOString();

  beforeEach(async () => {
    // 2026-11-28 16:00 in Shanghai
    t = await makeTestApp({ now: '2026-11-28T08:00:00.000Z' });
    s = await buildScene(t);
    ({ tablet } = await enrollTablet(t, s.manager, s.compoundId));
    b2 = (await s.manager.post(`/api/compounds/${s.compoundId}/buildings`, { name: '2号楼', unitCount: 1 })).body.item.id;
    for (const [name, room] of [['孙七', '101'], ['周八', '102'], ['吴九', '201'], ['郑十', '202'], ['钱一', '301']] as const) {
      ids[name] = (await s.manager.post(`/api/compounds/${s.compoundId}/residents`, { buildingId: b2, unit: '1', room, name })).body.resident.id;
    }
    // 赵六's last test is from the week before: not this round's.
    await s.manager.post(`/api/compounds/${s.compoundId}/residents/${s.people.zhao.residentId}/tests`, { sampledAt: local('2026-11-20T09:00'), result: 'negative' });
  });
  afterEach(async () => {
    await analyzerOf(t.deps).drain();
    await t.close();
  });

  const cid = () => s.compoundId;

  async function importCsv(csv: string) {
    const form = new FormData();
    form.append('file', new File([new TextEncoder().encode(csv)], '第1轮-2号楼.csv'));
    const r = await s.manager.request('POST', `/api/compounds/${cid()}/imports/tests`, form);
    expect(r.status).toBe(200);
    return r.body;
  }

  /** The fixture, counted by hand in the comments. */
  async function fillRound() {
    const round = await s.manager.post(`/api/compounds/${cid()}/rounds`, { name: '第1轮', startsOn: '2026-11-27', endsOn: '2026-11-28' });
    expect(round.status).toBe(201);
    // 2号楼 from the station's file: 孙七 negative, 周八 positive, 吴九 pending.
    await importCsv(['姓名,楼栋,单元,房号,采样时间,检测结果', '孙七,2号楼,1,101,2026-11-27 09:00,阴性', '周八,2号楼,1,102,2026-11-27 09:10,阳性', '吴九,2号楼,1,201,2026-11-28 08:00,待出'].join('\n'));
    // 郑十's result shown on a phone at the gate.
    const at = t.clock.now.toISOString();
    const synced = await sync(t, tablet, [{ kind: 'test_result', id: uuidv7(t.clock.now.getTime()), at, residentId: ids.郑十, volunteerId: s.volunteerId, sampledAt: local('2026-11-28T07:00'), result: 'negative' }]);
    expect(synced.body.results[0].status).toBe('accepted');
    // 钱一 is bedridden.
    expect((await s.manager.request('PUT', `/api/compounds/${cid()}/residents/${ids.钱一}/exemption`, { reason: 'bedridden', note: '卧床' })).status).toBe(200);
    return round.body.id as number;
  }

  describe('coverage', () => {
    it('per building and unit, with the total, matches the hand count; the exempt are apart; a tick-off at a door counts after sync', async () => {
      const roundId = await fillRound();
      const cov = (await s.manager.get(`/api/compounds/${cid()}/rounds/${roundId}/coverage`)).body;
      const pick = (c: any) => ({ residents: c.residents, negative: c.negative, positive: c.positive, pending: c.pending, exempt: c.exempt, untested: c.untested, tested: c.tested, percent: c.percent });
      // 1号楼 (the scene): 张三, 李四 in unit 1 and 王五 in unit 2 tested today; 赵六 (unit 2) not this round.
      expect(cov.buildings.map((b: any) => b.building)).toEqual(['1号楼', '2号楼']);
      expect(pick(cov.buildings[0])).toEqual({ residents: 4, negative: 3, positive: 0, pending: 0, exempt: 0, untested: 1, tested: 3, percent: 75 });
      expect(cov.buildings[0].units.map((u: any) => [u.unit, u.residents, u.untested])).toEqual([['1', 2, 0], ['2', 2, 1]]);
      // 2号楼: 孙七, 郑十 negative; 周八 positive; 吴九 pending; 钱一 exempt: 4 of 4 due.
      expect(pick(cov.buildings[1])).toEqual({ residents: 5, negative: 2, positive: 1, pending: 1, exempt: 1, untested: 0, tested: 4, percent: 100 });
      expect(pick(cov.total)).toEqual({ residents: 9, negative: 5, positive: 1, pending: 1, exempt: 1, untested: 1, tested: 7, percent: 87.5 });

      // The door-to-door list of 1号楼: 赵六 alone, by room; a volunteer ticks him off on the tablet.
      const list = (await s.manager.get(`/api/compounds/${cid()}/rounds/${roundId}/door-to-door?buildingId=${s.buildingId}`)).body;
      expect(list.rows.map((r: any) => [r.unit, r.room, r.name])).toEqual([['2', '601', '赵六']]);
      const tick = { kind: 'test_result', id: uuidv7(t.clock.now.getTime()), at: t.clock.now.toISOString(), residentId: s.people.zhao.residentId, volunteerId: s.volunteerId, sampledAt: t.clock.now.toISOString(), result: 'pending', source: 'home' };
      expect((await sync(t, tablet, [tick])).body.results[0].status).toBe('accepted');
      // Sent again (a retry after a lost answer): a duplicate, counted once.
      expect((await sync(t, tablet, [tick])).body.results[0].status).toBe('duplicate');
      const after = (await s.manager.get(`/api/compounds/${cid()}/rounds/${roundId}/coverage`)).body;
      expect(pick(after.buildings[0])).toMatchObject({ pending: 1, untested: 0, tested: 4, percent: 100 });
      expect(pick(after.total)).toMatchObject({ untested: 0, tested: 8, percent: 100 });
      expect((await s.manager.get(`/api/compounds/${cid()}/rounds/${roundId}/door-to-door?buildingId=${s.buildingId}`)).body.rows).toEqual([]);
      const stored = await t.database.db.selectFrom('testResult').select(['source', 'result']).where('residentId', '=', s.people.zhao.residentId).orderBy('sampledAt', 'desc').executeTakeFirstOrThrow();
      expect(stored).toEqual({ source: 'home', result: 'pending' });

      // The trend: one point per round, oldest first.
      await s.manager.post(`/api/compounds/${cid()}/rounds`, { name: '第2轮', startsOn: '2026-11-29', endsOn: '2026-11-29' });
      const trend = (await s.manager.get(`/api/compounds/${cid()}/rounds`)).body.rounds;
      expect(trend.map((r: any) => [r.name, r.tested, r.percent])).toEqual([['第1轮', 8, 100], ['第2轮', 0, 0]]);
    });

    it('outlives the purge of test rows: the grid reads the stored per-unit figures', async () => {
      const roundId = await fillRound();
      await refreshCompoundCoverage(t.database.db, cid(), t.clock.now.toISOString());
      const before = (await s.manager.get(`/api/compounds/${cid()}/rounds/${roundId}/coverage`)).body;
      await t.database.db.deleteFrom('testResult').execute();
      t.clock.advance(3_600_000);
      const after = (await s.manager.get(`/api/compounds/${cid()}/rounds/${roundId}/coverage`)).body;
      expect(after.error).toBeUndefined();
      expect(after.total).toEqual(before.total);
      expect(after.buildings).toEqual(before.buildings);
    });

    it('a round of chosen buildings counts only them; bad windows and buildings are refused and change nothing', async () => {
      const r = await s.manager.post(`/api/compounds/${cid()}/rounds`, { name: '2号楼加测', startsOn: '2026-11-28', endsOn: '2026-11-28', buildingIds: [b2] });
      const cov = (await s.manager.get(`/api/compounds/${cid()}/rounds/${r.body.id}/coverage`)).body;
      expect(cov.buildings.map((b: any) => b.building)).toEqual(['2号楼']);
      const bad = [
        [{ name: 'x', startsOn: '2026-11-28', endsOn: '2026-11-27' }, 'endsOn', 'ends_before_start'],
        [{ name: 'x', startsOn: '2026-11-01', endsOn: '2026-11-28' }, 'endsOn', 'range_too_long'],
        [{ name: 'x', startsOn: '2026-11-28', endsOn: '2026-11-28', buildingIds: [99999] }, 'buildingIds', 'unknown_buildings'],
        [{ name: '', startsOn: '2026-11-28', endsOn: '2026-11-28' }, 'name', 'not_empty'],
        [{ name: 'x', startsOn: '28.11.2026', endsOn: '2026-11-28' }, 'startsOn', 'date_format'],
      ] as const;
      for (const [body, field, code] of bad) {
        const res = await s.manager.post(`/api/compounds/${cid()}/rounds`, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.details).toEqual([expect.objectContaining({ path: field, code })]);
      }
      expect((await s.manager.get(`/api/compounds/${cid()}/rounds`)).body.rounds).toHaveLength(1);
      // Another compound's manager, and a supervisor, may not make rounds here.
      await insertUser(t, { role: 'supervisor', username: 'sup', password: PASSWORD });
      const sup = await officeClient(t, 'sup');
      expect((await sup.post(`/api/compounds/${cid()}/rounds`, { name: 'x', startsOn: '2026-11-28', endsOn: '2026-11-28' })).status).toBe(403);
      expect((await sup.get(`/api/compounds/${cid()}/rounds/${r.body.id}/coverage`)).status).toBe(200);
    });
  });

  describe('the retention purge', () => {
    it('a round is counted one last time and sealed before its test rows go: its coverage stays, whatever comes later', async () => {
      const roundId = await fillRound();
      const total = async () => (await s.manager.get(`/api/compounds/${cid()}/rounds/${roundId}/coverage`)).body.total;
      // What the grid and the trend read (the manager's session would not last the 40 days below).
      const figures = () => t.database.db.selectFrom('roundCoverage').select(['buildingId', 'unit', 'residents', 'negative', 'positive', 'pending', 'exempt', 'untested']).where('roundId', '=', roundId).orderBy('buildingId').orderBy('unit').execute();
      const shown = await total();
      expect(shown.negative + shown.positive + shown.pending).toBeGreaterThan(0);
      const before = await figures();
      // 40 days later the test rows of the round are past their 30 days and purged.
      t.clock.set(new Date(t.clock.now.getTime() + 40 * 86_400_000).toISOString());
      const report = await purgeCompound(t.deps, { id: cid(), timezone: 'Asia/Shanghai' });
      expect(report.counts.testResults).toBeGreaterThan(0);
      expect(await t.database.db.selectFrom('testResult').select('id').where('compoundId', '=', cid()).where('sampledAt', '<', local('2026-11-29T00:00')).execute()).toEqual([]);
      expect(await figures()).toEqual(before);
      // A late result inside its window, a resident added: a recount from what the purge left would lower it.
      const manager = await officeClient(t, 'mgr');
      expect((await manager.post(`/api/compounds/${cid()}/residents/${ids.吴九}/tests`, { sampledAt: local('2026-11-28T09:00'), result: 'negative' })).status).toBe(201);
      expect((await manager.post(`/api/compounds/${cid()}/residents`, { buildingId: b2, unit: '1', room: '402', name: '冯三' })).status).toBe(201);
      expect(await figures()).toEqual(before);
    });
  });

  describe('the roster changes during a round', () => {
    it('a resident added or removed while a round is under way is counted at once; a round that has ended keeps its figures', async () => {
      const roundId = await fillRound();
      const old = await s.manager.post(`/api/compounds/${cid()}/rounds`, { name: '第0轮', startsOn: '2026-11-20', endsOn: '2026-11-21' });
      const figures = async (id: number) => (await s.manager.get(`/api/compounds/${cid()}/rounds/${id}/coverage`)).body.total;
      const before = await figures(old.body.id);
      const added = (await s.manager.post(`/api/compounds/${cid()}/residents`, { buildingId: b2, unit: '1', room: '401', name: '冯二' })).body.resident.id;
      expect(await figures(roundId)).toMatchObject({ residents: 10, untested: 2 });
      expect(await figures(old.body.id)).toEqual(before);
      expect((await s.manager.delete(`/api/compounds/${cid()}/residents/${added}`)).status).toBe(200);
      expect(await figures(roundId)).toMatchObject({ residents: 9, untested: 1 });
    });
  });

  describe('exemptions', () => {
    it('an exempt resident is counted apart and off the door-to-door list; ending it puts them back; bad reasons are refused', async () => {
      const roundId = await fillRound();
      const zhao = s.people.zhao.residentId;
      const bad = await s.manager.request('PUT', `/api/compounds/${cid()}/residents/${zhao}/exemption`, { reason: 'lazy' });
      expect(bad.status).toBe(400);
      expect((await s.manager.request('PUT', `/api/compounds/${cid()}/residents/999999/exemption`, { reason: 'away' })).status).toBe(404);
      expect((await s.manager.request('PUT', `/api/compounds/${cid()}/residents/${zhao}/exemption`, { reason: 'away', note: '在外地' })).status).toBe(200);
      let cov = (await s.manager.get(`/api/compounds/${cid()}/rounds/${roundId}/coverage`)).body;
      expect(cov.buildings[0]).toMatchObject({ exempt: 1, untested: 0, percent: 100 });
      expect((await s.manager.get(`/api/compounds/${cid()}/rounds/${roundId}/door-to-door?buildingId=${s.buildingId}`)).body).toMatchObject({ rows: [], exempt: 1 });
      const listed = (await s.manager.get(`/api/compounds/${cid()}/exemptions`)).body.exemptions;
      expect(listed.map((e: any) => [e.name, e.reason, e.note])).toEqual([['赵六', 'away', '在外地'], ['钱一', 'bedridden', '卧床']]);
      expect((await s.manager.delete(`/api/compounds/${cid()}/residents/${zhao}/exemption`)).status).toBe(200);
      expect((await s.manager.delete(`/api/compounds/${cid()}/residents/${zhao}/exemption`)).status).toBe(404);
      cov = (await s.manager.get(`/api/compounds/${cid()}/rounds/${roundId}/coverage`)).body;
      expect(cov.buildings[0]).toMatchObject({ exempt: 0, untested: 1 });
      const audit = await t.database.db.selectFrom('auditLog').select('action').where('action', 'like', 'exemption.%').orderBy('id').execute();
      expect(audit.map((a) => a.action)).toEqual(['exemption.set', 'exemption.set', 'exemption.clear']);
    });
  });

  describe('the door-to-door list', () => {
    it('by room; masked for volunteers, full for managers; printable and CSV/XLSX, each audited', async () => {
      const roundId = await s.manager.post(`/api/compounds/${cid()}/rounds`, { name: '第1轮', startsOn: '2026-11-28', endsOn: '2026-11-28' }).then((r) => r.body.id);
      const base = `/api/compounds/${cid()}/rounds/${roundId}/door-to-door?buildingId=${b2}`;
      const full = (await s.manager.get(base)).body;
      expect(full.rows.map((r: any) => `${r.room} ${r.name}`)).toEqual(['101 孙七', '102 周八', '201 吴九', '202 郑十', '301 钱一']);
      const masked = (await s.manager.get(`${base}&masked=1`)).body;
      expect(masked.rows.map((r: any) => r.name)).toEqual(['孙*', '周*', '吴*', '郑*', '钱*']);
      const unit = (await s.manager.get(`/api/compounds/${cid()}/rounds/${roundId}/door-to-door?buildingId=${s.buildingId}&unit=2`)).body;
      // Unit 2 of 1号楼: 王五 was tested today, 赵六 not (a manager sees the phone in full).
      expect(unit.rows.map((r: any) => `${r.unit}-${r.room} ${r.phone}`)).toEqual(['2-601 13900000004']);

      const sheet = await s.manager.get(`${base}&format=print&masked=1`);
      expect(sheet.status).toBe(200);
      expect(sheet.body).toContain('上门核查名单');
      expect(sheet.body).toContain('孙*');
      expect(sheet.body).not.toContain('孙七');
      const csv = await s.manager.get(`${base}&format=csv`);
      expect(csv.headers.get('content-type')).toContain('text/csv');
      expect(String(csv.body).split('\r\n')[1]).toBe('2号楼,1,101,孙七,,,');
      const xlsx = await s.manager.request('GET', `${base}&format=xlsx`);
      expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
      const audit = await t.database.db.selectFrom('auditLog').select(['details']).where('action', '=', 'export').execute();
      expect(audit.map((a) => JSON.parse(a.details!)).map((d) => [d.dataset, d.format, d.people, d.masked])).toEqual([
        ['door-to-door', 'print', 5, true],
        ['door-to-door', 'csv', 5, false],
        ['door-to-door', 'xlsx', 5, false],
      ]);
      expect((await s.manager.get(`/api/compounds/${cid()}/rounds/${roundId}/door-to-door?buildingId=99999`)).status).toBe(404);
      expect((await s.manager.get(`/api/compounds/${cid()}/rounds/99999/door-to-door?buildingId=${b2}`)).status).toBe(404);
      expect((await s.manager.get(`/api/compounds/${cid()}/rounds/${roundId}/door-to-door`)).status).toBe(400);
    });
  });

  describe('"tested in the current round"', () => {
    it('the tablet (from its roster) and the server both say 本轮未检 to someone not tested since the round began; the exempt and the tested pass', async () => {
      // Tests from before the round, valid for 72 h: the window alone would let everyone through.
      const policy = (await s.manager.get(`/api/compounds/${cid()}/policy`)).body.current.rules;
      expect((await s.manager.request('PUT', `/api/compounds/${cid()}/policy`, { rules: { ...policy, testValidityHours: 72, exitQuota: null, roundRule: 'round' } })).status).toBe(200);
      await s.manager.post(`/api/compounds/${cid()}/residents/${ids.孙七}/tests`, { sampledAt: local('2026-11-27T10:00'), result: 'negative' });
      await s.manager.post(`/api/compounds/${cid()}/residents/${ids.周八}/tests`, { sampledAt: local('2026-11-27T10:00'), result: 'negative' });
      await s.manager.post(`/api/compounds/${cid()}/residents/${ids.钱一}/tests`, { sampledAt: local('2026-11-27T10:00'), result: 'negative' });
      await s.manager.post(`/api/compounds/${cid()}/residents/${ids.周八}/tests`, { sampledAt: local('2026-11-28T09:00'), result: 'negative' });
      await s.manager.request('PUT', `/api/compounds/${cid()}/residents/${ids.钱一}/exemption`, { reason: 'bedridden' });
      await s.manager.post(`/api/compounds/${cid()}/rounds`, { name: '第2轮', startsOn: '2026-11-28', endsOn: '2026-11-29' });

      const roster = applyRoster(null, (await tablet.get('/api/device/roster')).body, t.clock.now.getTime());
      expect(roster.rounds.map((r) => r.name)).toEqual(['第2轮']);
      expect([...roster.exempt]).toEqual([ids.钱一]);
      const onTablet = (residentId: number) => {
        const r = roster.residents.get(residentId)!;
        const h = roster.households.get(r.householdId)!;
        return decide({
          now: t.clock.now.getTime(),
          direction: 'out',
          compoundId: cid(),
          timezone: roster.compound.timezone,
          policy: roster.policy.rules,
          rosterAgeMs: 0,
          subject: { kind: 'manual', residentId },
          facts: { resident: { id: residentId, householdId: r.householdId }, household: { id: h.id, quarantineUntil: null }, test: roster.tests.get(residentId), householdExits: [], ...roundFacts(roster.rounds, h.buildingId, roster.exempt.has(residentId), t.clock.now.getTime(), roster.compound.timezone) },
        });
      };
      expect(onTablet(ids.孙七)).toMatchObject({ verdict: 'deny', reasons: [{ code: 'round_untested', round: '第2轮' }] });
      expect(onTablet(ids.周八).verdict).toBe('allow');
      expect(onTablet(ids.钱一).verdict).toBe('allow');

      // The server, deciding online on its own data, says the same.
      const login = await tablet.post('/api/device/login', { phone: '13800000001', pin: '123456' });
      const volunteer = t.client({ bearer: login.body.token });
      const check = async (residentId: number) => (await volunteer.post('/api/device/checks', { gateId: s.gateA, direction: 'out', residentId })).body.decision;
      expect(await check(ids.孙七)).toMatchObject({ verdict: 'deny', reasons: [{ code: 'round_untested', round: '第2轮' }] });
      expect((await check(ids.周八)).verdict).toBe('allow');
      expect((await check(ids.钱一)).verdict).toBe('allow');

      // 'both': the round and the window; a window of 24 h catches 孙七's neighbour with an old in-round test.
      expect((await s.manager.request('PUT', `/api/compounds/${cid()}/policy`, { rules: { ...policy, testValidityHours: 24, exitQuota: null, antiPassback: false, roundRule: 'both' } })).status).toBe(200);
      t.clock.advance(20 * 3_600_000); // 11-29 12:00: 周八's test of 11-28 09:00 is 27 h old, still in the round
      const again = t.client({ bearer: (await tablet.post('/api/device/login', { phone: '13800000001', pin: '123456' })).body.token });
      const late = await again.post('/api/device/checks', { gateId: s.gateA, direction: 'out', residentId: ids.周八 });
      expect(late.body.decision.reasons).toEqual([expect.objectContaining({ code: 'test_expired' })]);
    });
  });
});
