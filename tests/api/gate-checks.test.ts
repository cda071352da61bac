import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Client, insertUser, makeTestApp, officeClient, PASSWORD, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, type Scene, sync } from '../helpers/gate.js';

let t: TestApp;
let s: Scene;
let tablet: Client;
const M = 60_000;

beforeEach(async () => {
  t = await makeTestApp();
  s = await buildScene(t);
  ({ tablet } = await enrollTablet(t, s.manager, s.compoundId));
  await sync(t, tablet, [
    checkRecord(s, { person: 'zhang', atMs: s.now() - 50 * M }),
    checkRecord(s, { person: 'wang', atMs: s.now() - 40 * M, gateId: s.gateB }),
    checkRecord(s, { person: 'zhao', atMs: s.now() - 30 * M, verdict: 'deny', reasons: [{ code: 'test_missing' }], passed: false }),
    checkRecord(s, { person: 'zhang', direction: 'in', atMs: s.now() - 20 * M }),
    checkRecord(s, { person: 'li', atMs: s.now() - 10 * M, verdict: 'deny', reasons: [{ code: 'exit_quota_used', used: 1, allowed: 1, nextDate: '2026-11-30' }], passed: false }),
  ]);
});
afterEach(() => t.close());

const list = async (qs = '') => (await s.manager.get(`/api/compounds/${s.compoundId}/gate-checks${qs}`)).body;

describe('gate checks for managers', () => {
  it('lists newest first with gate, volunteer, full name and address', async () => {
    const { checks } = await list();
    expect(checks.map((c: any) => c.residentName)).toEqual(['李四', '张三', '赵六', '王五', '张三']);
    expect(checks[1]).toMatchObject({ gate: '东门', volunteer: '张志愿', building: '1号楼', unit: '1', room: '301', direction: 'in', passed: true });
  });

  it.each([
    ['?verdict=deny', ['李四', '赵六']],
    ['?reason=test_missing', ['赵六']],
    ['?direction=in', ['张三']],
    ['?gateId=GATE_B', ['王五']],
    ['?residentId=ZHANG', ['张三', '张三']],
  ])('filters %s', async (qs, names) => {
    const q = qs.replace('GATE_B', String(s.gateB)).replace('ZHANG', String(s.people.zhang.residentId));
    expect((await list(q)).checks.map((c: any) => c.residentName)).toEqual(names);
  });

  it('filters by time range and pages with a cursor without gaps or repeats', async () => {
    const from = new Date(s.now() - 45 * M).toISOString();
    const to = new Date(s.now() - 15 * M).toISOString();
    expect((await list(`?from=${from}&to=${to}`)).checks.map((c: any) => c.residentName)).toEqual(['张三', '赵六', '王五']);
    const seen: string[] = [];
    let next: string | null = null;
    do {
      const page: { checks: { id: string }[]; next: string | null } = await list(`?limit=2${next ? `&before=${encodeURIComponent(next)}` : ''}`);
      seen.push(...page.checks.map((c) => c.id));
      next = page.next;
    } while (next);
    expect(seen).toEqual((await list()).checks.map((c: any) => c.id));
  });

  it('an office correction voids a check, audited; a second one is refused', async () => {
    const [latest] = (await list()).checks;
    expect((await s.manager.post(`/api/compounds/${s.compoundId}/gate-checks/${latest.id}/void`, { reason: '志愿者误选方向' })).status).toBe(200);
    expect((await s.manager.post(`/api/compounds/${s.compoundId}/gate-checks/${latest.id}/void`, { reason: 'again' })).status).toBe(409);
    expect((await list()).checks[0]).toMatchObject({ id: latest.id, voidReason: '志愿者误选方向' });
    expect((await t.database.db.selectFrom('gateCheck').select('id').execute()).length).toBe(5);
    expect(await t.database.db.selectFrom('auditLog').select('action').where('action', '=', 'gate_check.void').execute()).toHaveLength(1);
  });

  it('a manager of another compound sees none of it', async () => {
    await insertUser(t, { role: 'manager', username: 'other', password: PASSWORD, compoundIds: [s.otherCompoundId] });
    const other = await officeClient(t, 'other');
    expect((await other.get(`/api/compounds/${s.compoundId}/gate-checks`)).status).toBe(403);
    expect((await other.get(`/api/compounds/${s.otherCompoundId}/gate-checks`)).body.checks).toEqual([]);
  });
});
