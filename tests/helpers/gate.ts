import type { GateCheckRecord } from '../../server/core/sync.js';
import { analyzerOf } from '../../server/gate/analysis.js';
import { uuidv7 } from '../../server/core/uuid.js';
import { type Client, insertUser, officeClient, PASSWORD, type TestApp } from './app.js';

/** A tablet enrolled for `compoundId` through the real endpoints; returns its bearer client. */
export async function enrollTablet(t: TestApp, manager: Client, compoundId: number, name = `平板${Math.random().toString(36).slice(2, 6)}`) {
  const made = await manager.post(`/api/compounds/${compoundId}/devices`, { name });
  if (made.status !== 201) throw new Error(`enroll: ${JSON.stringify(made.body)}`);
  const r = await t.client().post('/api/device/enroll', { code: made.body.enrollmentCode });
  return { deviceId: r.body.device.id as number, tablet: t.client({ bearer: r.body.token }) };
}

export interface Scene {
  compoundId: number;
  otherCompoundId: number;
  gateA: number;
  gateB: number;
  buildingId: number;
  manager: Client;
  volunteerId: number;
  /** The test clock, in ms. */
  now: () => number;
  /** Residents by key, each with household, pass code. */
  people: Record<'zhang' | 'li' | 'wang' | 'zhao', { residentId: number; householdId: number; passId: number; code: string }>;
}

/**
 * A small compound, built through the API: two gates, a building, three households (张 and 李 share one),
 * residents with passes, today's negative tests (赵 has none), a manager and a volunteer.
 */
export async function buildScene(t: TestApp): Promise<Scene> {
  await insertUser(t, { role: 'admin', username: 'admin', password: PASSWORD });
  const admin = await officeClient(t, 'admin');
  const compoundId = (await admin.post('/api/compounds', { name: '崇文佳苑一区' })).body.compound.id;
  const otherCompoundId = (await admin.post('/api/compounds', { name: '瀛洲新苑' })).body.compound.id;
  await insertUser(t, { role: 'manager', username: 'mgr', password: PASSWORD, compoundIds: [compoundId] });
  const volunteerId = await insertUser(t, { role: 'volunteer', phone: '13800000001', pin: '123456', displayName: '张志愿', compoundIds: [compoundId] });
  const manager = await officeClient(t, 'mgr');
  const gateA = (await manager.post(`/api/compounds/${compoundId}/gates`, { name: '东门' })).body.item.id;
  const gateB = (await manager.post(`/api/compounds/${compoundId}/gates`, { name: '西门' })).body.item.id;
  const buildingId = (await manager.post(`/api/compounds/${compoundId}/buildings`, { name: '1号楼', unitCount: 2 })).body.item.id;
  const add = async (name: string, unit: string, room: string, phone: string) =>
    (await manager.post(`/api/compounds/${compoundId}/residents`, { buildingId, unit, room, name, phone })).body.resident;
  const zhang = await add('张三', '1', '301', '13900000001');
  const li = await add('李四', '1', '301', '13900000002');
  const wang = await add('王五', '2', '502', '13900000003');
  const zhao = await add('赵六', '2', '601', '13900000004');
  await manager.post(`/api/compounds/${compoundId}/passes/issue`, {});
  const people = {} as Scene['people'];
  for (const [key, r] of Object.entries({ zhang, li, wang, zhao })) {
    const pass = (await manager.get(`/api/compounds/${compoundId}/passes?residentId=${r.id}`)).body.passes[0];
    people[key as keyof Scene['people']] = { residentId: r.id, householdId: r.householdId, passId: pass.id, code: pass.code };
  }
  const sampled = new Date(t.clock.now.getTime() - 6 * 3600_000).toISOString();
  for (const key of ['zhang', 'li', 'wang'] as const) {
    await manager.post(`/api/compounds/${compoundId}/residents/${people[key].residentId}/tests`, { sampledAt: sampled, result: 'negative' });
  }
  return { compoundId, otherCompoundId, gateA, gateB, buildingId, manager, volunteerId, people, now: () => t.clock.now.getTime() };
}

/** A gate check as a tablet makes it; override what the test is about. */
export function checkRecord(s: Scene, o: Partial<GateCheckRecord> & { person?: keyof Scene['people']; atMs?: number } = {}): GateCheckRecord & { kind: 'gate_check' } {
  const { person = 'zhang', atMs, ...rest } = o;
  const at = atMs ?? s.now();
  return {
    kind: 'gate_check',
    id: uuidv7(at),
    at: new Date(at).toISOString(),
    gateId: s.gateA,
    shiftId: null,
    volunteerId: s.volunteerId,
    direction: 'out',
    subject: 'code',
    code: s.people[person].code,
    residentId: null,
    visitor: null,
    verdict: 'allow',
    reasons: [],
    testStatus: null,
    override: null,
    passed: true,
    policyVersion: 1,
    rosterVersion: 1,
    ...rest,
  } as GateCheckRecord & { kind: 'gate_check' };
}

/** Sync as a tablet, then let the server finish its own analysis (conflicts) before the test looks. */
export async function sync(t: TestApp, tablet: Client, records: unknown[], sentAt = t.clock.now.toISOString()) {
  const res = await tablet.post('/api/device/sync', { sentAt, records });
  await analyzerOf(t.deps).drain();
  return res;
}

/**
 * Date the scene's buildings and points back to `iso`: a place owes no round that was over before it
 * was added, so a test about whole days of rounds needs places that stood all day.
 */
export async function placesStandSince(t: TestApp, iso = '2026-11-01T00:00:00.000Z'): Promise<void> {
  await t.database.db.updateTable('building').set({ createdAt: iso }).execute();
  await t.database.db.updateTable('point').set({ createdAt: iso }).execute();
}
