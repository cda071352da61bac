import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync, sign } from 'node:crypto';
import { toBase64Url } from '../../server/core/code.js';
import { phoneCodeMessage, stepAt } from '../../server/core/phone-code.js';
import { defaultPolicy } from '../../server/core/policy.js';

/**
 * The tablet's repeat window (issue 12): the same person, the same way, within the policy's window is one
 * passage. The controller runs here on fake IndexedDB with a hand-made roster; records are caught as they
 * go to the outbox.
 */
(globalThis as any).window ??= { addEventListener() {}, removeEventListener() {} };
const { TabletController } = await import('../../web/src/tablet/controller.js');
const { openGateDb } = await import('../../web/src/tablet/db.js');

const NOW = Date.parse('2026-12-01T02:00:00Z');

async function tablet(rules: Record<string, unknown> = {}) {
  let t = NOW;
  const c: any = new (TabletController as any)(await openGateDb(`repeat-${Math.random()}`), () => t);
  const base = defaultPolicy('2026-11-01');
  c.roster.state = {
    compound: { id: 1, name: '崇文佳苑', timezone: 'Asia/Shanghai' },
    version: 1,
    fetchedAt: t,
    policy: { version: 1, rules: { ...base, entry: { requireTest: false }, exit: { requireTest: false, blockQuarantined: true }, ...rules } },
    keys: [{ kid: 'k1', publicKey: 'MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE' }],
    gates: [{ id: 1, name: '东门' }],
    buildings: [{ id: 1, name: '1号楼', unitCount: 1, elevatorCount: 0 }],
    points: [],
    disinfection: { schedules: [], templates: {} },
    households: new Map([[1, { id: 1, buildingId: 1, unit: '1', room: '101', quarantineUntil: null }]]),
    residents: new Map([
      [1, { id: 1, householdId: 1, name: '张*' }],
      [2, { id: 2, householdId: 1, name: '李*' }],
    ]),
    passes: new Map([[7, 1]]),
    revoked: new Set(),
    tests: new Map(),
    exits: new Map(),
    passages: new Map(),
  };
  c.state.volunteer = { userId: 9, displayName: '张志愿' };
  c.state.shift = { id: 's', gateId: 1, direction: 'in', startedAt: t, counts: { in: 0, out: 0, denied: 0, visitors: 0 } };
  c.syncSoon = () => {};
  const recorded: any[] = [];
  c.outbox.add = async (r: any) => {
    recorded.push(r);
  };
  return { c, recorded, tick: (ms: number) => (t += ms) };
}

/** A phone bound to pass 7, and its rotating code for the step of `at`. */
const phone = generateKeyPairSync('ed25519');
const phoneKey = phone.publicKey.export({ format: 'jwk' }).x!;
function phoneCode(at: number): string {
  const message = phoneCodeMessage({ passId: 7, compoundId: 1, stepSeconds: 15, step: stepAt(at, 15) });
  return `${message}.${toBase64Url(sign(null, Buffer.from(message), phone.privateKey))}`;
}

describe('the repeat window', () => {
  it('a rotating phone code is one person: the next step within the window is the same passage; a stale screenshot is decided afresh', async () => {
    const { c, recorded, tick } = await tablet();
    c.roster.state.phoneKeys = new Map([[7, phoneKey]]);
    const first = phoneCode(NOW);
    await c.scan(first, { formOpen: false });
    expect(c.state.verdict.decision.verdict).toBe('allow');
    await c.dismissVerdict();
    tick(16_000); // the phone shows the next step's code
    const next = phoneCode(NOW + 16_000);
    expect(next).not.toBe(first);
    await c.scan(next, { formOpen: false });
    expect(c.state.verdict.repeatOf).toBe(NOW);
    await c.dismissVerdict();
    tick(60_000); // past the window; the first code again, now a minute old
    await c.scan(first, { formOpen: false });
    expect(c.state.verdict.repeatOf).toBeUndefined();
    expect(c.state.verdict.decision.reasons.map((r: any) => r.code)).toEqual(['phone_code_expired']);
    await c.dismissVerdict();
    expect(recorded.map((r) => [r.verdict, r.passed])).toEqual([
      ['allow', true],
      ['review', false],
    ]);
  });

  it('two people alternating in front of the camera are two records, not a row of turned-back ones', async () => {
    const { c, recorded, tick } = await tablet();
    for (let i = 0; i < 4; i++) {
      await c.lookUp(1);
      tick(1000);
      await c.lookUp(2);
      tick(1000);
    }
    await c.dismissVerdict();
    expect(recorded.map((r) => [r.residentId, r.verdict, r.passed])).toEqual([
      [1, 'allow', true],
      [2, 'allow', true],
    ]);
  });

  it("a forged copy of a pass whose owner just passed is a forgery, never the owner's earlier 通行", async () => {
    const { c, recorded, tick } = await tablet();
    await c.lookUp(1);
    tick(3000);
    await c.dismissVerdict();
    const forged = `GP1.k1.7.1.${(1_800_000_000).toString(36)}.${'A'.repeat(86)}`;
    await c.scan(forged, { formOpen: false });
    expect(c.state.verdict.repeatOf).toBeUndefined();
    expect(c.state.verdict.decision.reasons.map((r: any) => r.code)).toEqual(['code_forged']);
    await c.dismissVerdict();
    expect(recorded.map((r) => [r.subject, r.verdict, r.passed])).toEqual([
      ['manual', 'allow', true],
      ['code', 'deny', false],
    ]);
  });

  it('the window runs from the last sighting, and ends', async () => {
    const { c, recorded, tick } = await tablet();
    await c.lookUp(1);
    for (let i = 0; i < 6; i++) {
      await c.dismissVerdict();
      tick(20_000); // held up (or looked up) again every 20 s: still the same passage
      await c.lookUp(1);
      expect(c.state.verdict.repeatOf).toBe(NOW);
    }
    await c.dismissVerdict();
    tick(31_000);
    await c.lookUp(1); // half a minute later: a new check (anti-passback says already inside)
    expect(c.state.verdict.repeatOf).toBeUndefined();
    expect(recorded).toHaveLength(1);
  });

  it('a deny that timed out and is let through on a second look is one passage: the turned-back record is voided', async () => {
    const { c, recorded, tick } = await tablet();
    c.roster.state.passages.set(1, { direction: 'in', at: NOW - 3_600_000 });
    await c.lookUp(1); // already inside
    tick(6000);
    await c.dismissVerdict(); // its 5 s ran out: turned back
    tick(2000);
    await c.lookUp(1);
    expect(c.state.verdict.repeatOf).toBeDefined();
    await c.overrideVerdict('陪同老人，刚才一起进入');
    const [turnedBack, voided, passed] = recorded;
    expect(turnedBack).toMatchObject({ kind: 'gate_check', verdict: 'deny', passed: false });
    expect(voided).toMatchObject({ kind: 'gate_check_void', checkId: turnedBack.id });
    expect(passed).toMatchObject({ kind: 'gate_check', verdict: 'deny', passed: true, override: { reason: '陪同老人，刚才一起进入' } });
    expect(c.state.shift.counts).toMatchObject({ in: 1, denied: 0 });
    // Held up once more: shown again, not overridden (or recorded) twice.
    tick(1000);
    await c.lookUp(1);
    expect(c.state.verdict).toMatchObject({ overridden: true });
    expect(recorded).toHaveLength(3);
  });

  it('the same person read again while their temperature is being applied is not a second check', async () => {
    const { c, recorded } = await tablet({ temperature: { entry: { required: true }, exit: { required: false }, feverC: 37.3 } });
    await c.lookUp(1);
    expect(c.state.reading).toBeTruthy();
    const taking = c.takeReading({ kind: 'normal' });
    await c.lookUp(1);
    await taking;
    expect(c.state.reading).toBeNull();
    expect(c.state.verdict.decision.verdict).toBe('allow');
    await c.dismissVerdict();
    expect(recorded.map((r) => [r.verdict, r.passed, r.temperatureNormal])).toEqual([['allow', true, true]]);
  });

  it('a pass still held up after 无法测温 is the same turned-back passage, not a new temperature ask and a second record', async () => {
    const { c, recorded, tick } = await tablet({ temperature: { entry: { required: true }, exit: { required: false }, feverC: 37.3 } });
    await c.lookUp(1);
    expect(c.state.reading).toBeTruthy();
    await c.cancelReading();
    expect(c.state.reading).toBeNull();
    tick(1000);
    await c.lookUp(1);
    expect(c.state.reading).toBeNull();
    expect(c.state.verdict).toMatchObject({ repeatOf: expect.any(Number) });
    expect(c.state.verdict.decision.verdict).toBe('review');
    await c.dismissVerdict();
    expect(recorded.map((r) => [r.verdict, r.passed, r.reasons.map((x: { code: string }) => x.code)])).toEqual([['review', false, ['temperature_missing']]]);
  });
});
