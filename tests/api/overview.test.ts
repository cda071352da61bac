import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compoundsIn, dailySummary } from '../../server/dashboard/queries.js';
import { insertUser, makeTestApp, officeClient, PASSWORD, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, placesStandSince, type Scene, sync } from '../helpers/gate.js';

// The district overview counts every compound's days in one grouped query (issue 14). It must say what
// one compound's day says (dailySummary, which the daily-summaries export reads): voided checks left out,
// visitors apart from entries and exits, overrides, the turned back, days in the compound's own time zone.

let t: TestApp;
let s: Scene;

beforeEach(async () => {
  t = await makeTestApp({ now: '2026-11-28T08:00:00.000Z' }); // 16:00 in Shanghai
  s = await buildScene(t);
  await placesStandSince(t);
});
afterEach(() => t.close());

const at = (local: string) => Date.parse(`${local}+08:00`);

describe('the district overview', () => {
  it('counts each compound-day as that day on its own does, over several days and both compounds', async () => {
    const { tablet } = await enrollTablet(t, s.manager, s.compoundId, '东门平板');
    await sync(t, tablet, [
      // Just before and just after local midnight: two different days, though one UTC date.
      checkRecord(s, { atMs: at('2026-11-26T23:59:00'), direction: 'out' }),
      checkRecord(s, { atMs: at('2026-11-27T00:01:00'), direction: 'in' }),
      checkRecord(s, { atMs: at('2026-11-27T09:00:00'), person: 'wang', direction: 'out' }),
      checkRecord(s, { atMs: at('2026-11-27T10:00:00'), person: 'zhao', verdict: 'deny', reasons: [{ code: 'test_missing' }], passed: false }),
      checkRecord(s, { atMs: at('2026-11-28T08:00:00'), person: 'zhao', verdict: 'deny', reasons: [{ code: 'test_missing' }], passed: true, override: { reason: '就医' } }),
      checkRecord(s, { atMs: at('2026-11-28T09:00:00'), subject: 'visitor', code: null, direction: 'in', visitor: { name: '快递王师傅', phone: '13700000000', reason: '送件' } }),
      checkRecord(s, { atMs: at('2026-11-28T10:00:00'), person: 'li', direction: 'out' }),
      checkRecord(s, { atMs: at('2026-11-28T11:00:00'), person: 'li', direction: 'in' }),
    ]);
    // A correction voids 李四's entry: it counts nowhere.
    const latest = (await s.manager.get(`/api/compounds/${s.compoundId}/gate-checks?limit=1`)).body.checks[0];
    expect((await s.manager.post(`/api/compounds/${s.compoundId}/gate-checks/${latest.id}/void`, { reason: '误选方向' })).status).toBe(200);

    await insertUser(t, { role: 'supervisor', username: 'super', password: PASSWORD });
    const supervisor = await officeClient(t, 'super');
    const r = await supervisor.get('/api/overview?from=2026-11-26&to=2026-11-28');
    expect(r.status).toBe(200);
    const compounds = await compoundsIn(t.database.db, undefined);
    expect(r.body.rows.map((x: { compoundId: number }) => x.compoundId)).toEqual(compounds.map((c) => c.id));
    for (const c of compounds) {
      const row = r.body.rows.find((x: { compoundId: number }) => x.compoundId === c.id);
      const days = await Promise.all(['2026-11-26', '2026-11-27', '2026-11-28'].map((d) => dailySummary(t.database.db, c, d, t.clock.now)));
      const rate = (d: (typeof days)[number]) => {
        const due = d.done + d.late + d.missed + d.skipped;
        return due ? (d.done + d.late) / due : null;
      };
      expect(row.days).toEqual(days.map((d) => ({ date: d.date, passed: d.in + d.out, turnedBack: d.turnedBack, disinfectionRate: rate(d) })));
      const sum = (k: 'in' | 'out' | 'turnedBack' | 'overrides' | 'visitors') => days.reduce((n, d) => n + d[k], 0);
      expect(row).toMatchObject({ in: sum('in'), out: sum('out'), turnedBack: sum('turnedBack'), overrides: sum('overrides'), visitors: sum('visitors') });
    }
    // And the figures themselves: 26th one out; 27th one in, one out, one turned back; 28th 赵六's
    // override out, a visitor, 李四 out (his entry voided).
    const mine = r.body.rows.find((x: { compoundId: number }) => x.compoundId === s.compoundId);
    expect(mine.days.map((d: { passed: number; turnedBack: number }) => [d.passed, d.turnedBack])).toEqual([[1, 0], [2, 1], [2, 0]]);
    expect(mine).toMatchObject({ in: 1, out: 4, turnedBack: 1, overrides: 1, visitors: 1 });
  });
});
