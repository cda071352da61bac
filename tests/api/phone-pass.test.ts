import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../server/core/code.js';
import { phoneCodeMessage, phoneRequestMessage, stepAt } from '../../server/core/phone-code.js';
import { applyRoster, type RosterPayload, type RosterState } from '../../server/core/roster.js';
import { checkRecord as tabletRecord, decideLocally } from '../../web/src/tablet/gate.js';
import type { Client, TestApp } from '../helpers/app.js';
import { makeTestApp } from '../helpers/app.js';
import { buildScene, enrollTablet, type Scene, sync } from '../helpers/gate.js';

let t: TestApp;
let s: Scene;
let tablet: Client;

beforeEach(async () => {
  t = await makeTestApp({ now: '2026-12-01T02:00:07.000Z' });
  s = await buildScene(t);
  ({ tablet } = await enrollTablet(t, s.manager, s.compoundId, '东门平板'));
});
afterEach(() => t.close());

/** A phone: its key pair, as the phone page makes one. */
function makePhone() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: publicKey.export({ format: 'jwk' }).x! };
}
const signWith = (key: KeyObject, message: string) => toBase64Url(sign(null, Buffer.from(message), key));
const codeAt = (phone: { privateKey: KeyObject }, passId: number, at: number, compoundId = s.compoundId) => {
  const message = phoneCodeMessage({ passId, compoundId, stepSeconds: 15, step: stepAt(at, 15) });
  return `${message}.${signWith(phone.privateKey, message)}`;
};

/** The checks here are made outside a shift (the sync accepts that; a tablet's records name theirs). */
const NO_SHIFT = null as unknown as string;
const tokenOf = (url: string) => new URL(url).hash.slice('#a='.length);
async function link(passId = s.people.zhang.passId) {
  const r = await s.manager.post(`/api/compounds/${s.compoundId}/passes/${passId}/activation`, {});
  expect(r.status).toBe(201);
  return tokenOf(r.body.url);
}
async function activate(phone = makePhone(), passId = s.people.zhang.passId) {
  const token = await link(passId);
  const r = await t.client().post('/api/phone/activate', { token, publicKey: phone.publicKey });
  expect(r.status).toBe(201);
  return phone;
}
const roster = async (since?: number): Promise<RosterPayload> => (await tablet.get(`/api/device/roster${since ? `?since=${since}` : ''}`)).body;
const audit = async () => (await t.database.db.selectFrom('auditLog').select(['action', 'entityId']).where('action', 'like', 'phone.%').execute()).map((a) => `${a.action} ${a.entityId}`);

describe('activation', () => {
  it('a link shows compound, building and masked name; the phone registers its key once; the roster learns it', async () => {
    const token = await link();
    const info = await t.client().post('/api/phone/activation', { token });
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ compound: '崇文佳苑一区', building: '1号楼', unit: '1', room: '301', maskedName: '张*' });
    expect(JSON.stringify(info.body)).not.toContain('张三');

    const before = await roster();
    expect(before.phones).toBeUndefined();
    const phone = makePhone();
    const r = await t.client().post('/api/phone/activate', { token, publicKey: phone.publicKey });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ passId: s.people.zhang.passId, compoundId: s.compoundId, stepSeconds: 15 });
    // Single use: the same link again is refused, and changes nothing.
    const again = await t.client().post('/api/phone/activate', { token, publicKey: makePhone().publicKey });
    expect(again.status).toBe(410);
    expect(again.body.error).toMatchObject({ code: 'activation_invalid', params: { why: 'used' } });

    const delta = await roster(before.version);
    expect(delta.phones).toEqual({ pass: [s.people.zhang.passId], key: phone.publicKey });
    const snapshot = await roster();
    expect(snapshot.phones).toEqual({ pass: [s.people.zhang.passId], key: phone.publicKey });
    expect(applyRoster(null, snapshot, 0).phoneKeys).toEqual(new Map([[s.people.zhang.passId, phone.publicKey]]));
    expect(await audit()).toEqual([`phone.activate ${s.people.zhang.passId}`]);
  });

  it('two phones racing with one link: exactly one is bound', async () => {
    const token = await link();
    const [a, b] = await Promise.all([t.client().post('/api/phone/activate', { token, publicKey: makePhone().publicKey }), t.client().post('/api/phone/activate', { token, publicKey: makePhone().publicKey })]);
    expect([a.status, b.status].sort()).toEqual([201, 410]);
    expect(await t.database.db.selectFrom('phoneBinding').select('id').execute()).toHaveLength(1);
  });

  it('a link expires after 7 days; a bad key or token is refused with words and changes nothing', async () => {
    const token = await link();
    const bad = await t.client().post('/api/phone/activate', { token, publicKey: 'not-a-key' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
    const unknown = await t.client().post('/api/phone/activation', { token: 'A'.repeat(24) });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('Ask the property office');
    t.clock.advance(7 * 86_400_000);
    const late = await t.client().post('/api/phone/activate', { token, publicKey: makePhone().publicKey });
    expect(late.status).toBe(410);
    expect(late.body.error.params).toEqual({ why: 'expired' });
    expect(await t.database.db.selectFrom('phoneBinding').select('id').execute()).toHaveLength(0);
  });

  it('re-activating replaces the phone; a manager unbinds it; each reaches the roster and the audit log', async () => {
    const first = await activate();
    const v1 = (await roster()).version;
    const second = await activate();
    const d1 = await roster(v1);
    expect(d1.phones).toEqual({ pass: [s.people.zhang.passId], key: second.publicKey });
    expect(d1.removed.phones).toBeUndefined();
    let state: RosterState = applyRoster(null, await roster(), 0);
    expect(state.phoneKeys!.get(s.people.zhang.passId)).toBe(second.publicKey);
    expect(second.publicKey).not.toBe(first.publicKey);

    const v2 = d1.version;
    const off = await s.manager.post(`/api/compounds/${s.compoundId}/passes/${s.people.zhang.passId}/unbind`, { reason: '手机遗失' });
    expect(off.body).toEqual({ unbound: true });
    const d2 = await roster(v2);
    expect(d2.phones).toBeUndefined();
    expect(d2.removed.phones).toEqual([s.people.zhang.passId]);
    state = applyRoster(state, d2, 0);
    expect(state.phoneKeys!.has(s.people.zhang.passId)).toBe(false);
    expect((await s.manager.get(`/api/compounds/${s.compoundId}/passes/${s.people.zhang.passId}/phone`)).body).toEqual({ boundAt: null });
    expect(await audit()).toEqual([`phone.activate ${s.people.zhang.passId}`, `phone.activate ${s.people.zhang.passId}`, `phone.unbind ${s.people.zhang.passId}`]);
  });

  it('a phone key adds its own 32 bytes to the roster, once compressed', async () => {
    const { gzipSync } = await import('node:zlib');
    const size = async () => gzipSync(JSON.stringify(await roster())).length;
    const without = await size();
    for (const p of ['zhang', 'li', 'wang', 'zhao'] as const) await activate(makePhone(), s.people[p].passId);
    const withKeys = await size();
    // Four random 32-byte keys cannot compress below 128 bytes; the framing (the field names, the pass ids,
    // gzip's own block for incompressible text) is what is over: measured 44-48 bytes a key at 4 keys.
    expect(withKeys - without).toBeGreaterThanOrEqual(4 * 32);
    expect(withKeys - without).toBeLessThanOrEqual(4 * 32 + 72);
  });
});

describe('the server re-judges rotating codes exactly as the tablet does', () => {
  it('valid, stale and wrong-key codes synced from an offline tablet get the same verdicts on the server', async () => {
    const phone = await activate();
    const thief = makePhone();
    const state = applyRoster(null, await roster(), t.clock.now.getTime());
    const now = t.clock.now.getTime();
    const shown = [
      { name: 'live', text: codeAt(phone, s.people.zhang.passId, now), at: now },
      { name: 'stale (captured 2 min earlier)', text: codeAt(phone, s.people.zhang.passId, now - 120_000), at: now + 60_000 },
      { name: 'wrong key', text: codeAt(thief, s.people.zhang.passId, now + 90_000), at: now + 90_000 },
      { name: 'phone of a pass with none bound', text: codeAt(thief, s.people.li.passId, now + 100_000), at: now + 100_000 },
      { name: 'from the future', text: codeAt(phone, s.people.zhang.passId, now + 600_000), at: now + 120_000 },
    ];
    const records: ReturnType<typeof tabletRecord>[] = [];
    const tabletVerdicts: Record<string, { verdict: string; reasons: string[] }> = {};
    for (const c of shown) {
      // The tablet's own decision (web/src/tablet/gate.ts), offline, from its roster.
      const d = await decideLocally(state, [], { kind: 'code', text: c.text }, 'in', c.at);
      const r = tabletRecord(d, { gateId: s.gateA, shiftId: NO_SHIFT, volunteerId: s.volunteerId, now: c.at });
      records.push(r);
      tabletVerdicts[c.name] = { verdict: d.verdict, reasons: d.reasons.map((x) => x.code) };
    }
    expect(tabletVerdicts).toEqual({
      live: { verdict: 'allow', reasons: [] },
      'stale (captured 2 min earlier)': { verdict: 'review', reasons: ['phone_code_expired'] },
      'wrong key': { verdict: 'deny', reasons: ['phone_key_wrong'] },
      'phone of a pass with none bound': { verdict: 'review', reasons: ['phone_unknown'] },
      'from the future': { verdict: 'review', reasons: ['phone_clock_ahead'] },
    });
    t.clock.advance(5 * 60_000);
    const res = await sync(t, tablet, records);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(Array(shown.length).fill('accepted'));
    const analyses = await t.database.db.selectFrom('gateCheckAnalysis').select(['gateCheckId', 'verdict', 'reasons']).execute();
    const server = Object.fromEntries(
      shown.map((c, i) => {
        const a = analyses.find((x) => x.gateCheckId === records[i]!.id)!;
        return [c.name, { verdict: a.verdict, reasons: (JSON.parse(a.reasons!) as { code: string }[]).map((x) => x.code) }];
      }),
    );
    expect(server).toEqual(tabletVerdicts);
    // Whose check each is: a code the pass's phone signed is its resident's; another key's is nobody's.
    const stored = await t.database.db.selectFrom('gateCheck').select(['id', 'residentId', 'householdId']).execute();
    const whose = (i: number) => stored.find((r) => r.id === records[i]!.id)!.residentId;
    expect([0, 1, 2, 3, 4].map(whose)).toEqual([s.people.zhang.residentId, s.people.zhang.residentId, null, null, s.people.zhang.residentId]);
    // Same words, so nothing to reconcile.
    expect(await t.database.db.selectFrom('conflict').select('kind').execute()).toEqual([]);
  });

  it('a code from a phone unbound since the tablet’s roster: the tablet allowed it, the server flags it', async () => {
    const phone = await activate();
    const state = applyRoster(null, await roster(), t.clock.now.getTime());
    await s.manager.post(`/api/compounds/${s.compoundId}/passes/${s.people.zhang.passId}/unbind`, { reason: '手机遗失' });
    t.clock.advance(60_000);
    const at = t.clock.now.getTime();
    const d = await decideLocally(state, [], { kind: 'code', text: codeAt(phone, s.people.zhang.passId, at) }, 'out', at);
    expect(d.verdict).toBe('allow');
    await sync(t, tablet, [tabletRecord(d, { gateId: s.gateA, shiftId: NO_SHIFT, volunteerId: s.volunteerId, now: at })]);
    const a = await t.database.db.selectFrom('gateCheckAnalysis').select(['verdict', 'reasons']).executeTakeFirstOrThrow();
    expect(a.verdict).toBe('review');
    expect(JSON.parse(a.reasons!)).toEqual([{ code: 'phone_unknown' }]);
  });
});

describe('printed cards under the policy', () => {
  it('only residents flagged as having no phone: the flag reaches the roster, tablet and server refuse the others’ cards alike', async () => {
    const policy = (await s.manager.get(`/api/compounds/${s.compoundId}/policy`)).body;
    const rules = policy.rules ?? policy.policy?.rules ?? policy.current?.rules;
    const put = await s.manager.request('PUT', `/api/compounds/${s.compoundId}/policy`, { rules: { ...rules, phonePass: { staticCards: 'no_phone', stepSeconds: 15, toleranceSteps: 2 } }, note: '纸质卡仅限无手机住户' });
    expect(put.status).toBe(200);
    const before = await roster();
    expect((await s.manager.patch(`/api/compounds/${s.compoundId}/residents/${s.people.wang.residentId}`, { noPhone: true })).status).toBe(200);
    const delta = await roster(before.version);
    expect(delta.noPhone).toEqual([s.people.wang.residentId]);
    const state = applyRoster(applyRoster(null, before, t.clock.now.getTime()), delta, t.clock.now.getTime());
    expect([...state.noPhone!]).toEqual([s.people.wang.residentId]);
    const at = t.clock.now.getTime();
    const zhang = await decideLocally(state, [], { kind: 'code', text: s.people.zhang.code }, 'out', at);
    const wang = await decideLocally(state, [], { kind: 'code', text: s.people.wang.code }, 'out', at + 1000);
    expect([zhang.verdict, zhang.reasons.map((r) => r.code)]).toEqual(['deny', ['static_card_refused']]);
    expect([wang.verdict, wang.reasons.map((r) => r.code)]).toEqual(['allow', []]);
    const records = [zhang, wang].map((d, i) => tabletRecord(d, { gateId: s.gateA, shiftId: NO_SHIFT, volunteerId: s.volunteerId, now: at + i * 1000 }));
    await sync(t, tablet, records);
    const analyses = await t.database.db.selectFrom('gateCheckAnalysis').select(['gateCheckId', 'verdict']).execute();
    expect(records.map((r) => analyses.find((a) => a.gateCheckId === r.id)!.verdict)).toEqual(['deny', 'allow']);
    // Unflagged again: the next delta says so.
    await s.manager.patch(`/api/compounds/${s.compoundId}/residents/${s.people.wang.residentId}`, { noPhone: false });
    expect(applyRoster(state, await roster(state.version), 0).noPhone!.size).toBe(0);
  });
});

describe('the resident page', () => {
  const ask = (phone: { privateKey: KeyObject }, passId: number, at = t.clock.now.getTime()) =>
    t.client().post('/api/phone/me', { passId, at, signature: signWith(phone.privateKey, phoneRequestMessage({ passId, at })) });

  it("shows the resident's test, the household's quota used and their own passages, and nothing of anyone else", async () => {
    const phone = await activate();
    // 李四 (same household) went out an hour ago: the household's quota for the period is used.
    const at = t.clock.now.getTime() - 3_600_000;
    const state = applyRoster(null, await roster(), at);
    const d = await decideLocally(state, [], { kind: 'code', text: s.people.li.code }, 'out', at);
    await sync(t, tablet, [tabletRecord(d, { gateId: s.gateA, shiftId: NO_SHIFT, volunteerId: s.volunteerId, now: at })]);

    const r = await ask(phone, s.people.zhang.passId);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      compound: { name: '崇文佳苑一区', timezone: 'Asia/Shanghai' },
      resident: { maskedName: '张*', building: '1号楼', unit: '1', room: '301' },
      test: { result: 'negative', valid: true, validUntil: t.clock.now.getTime() - 6 * 3_600_000 + 48 * 3_600_000 },
      quota: { used: 1, allowed: 1, days: 2 },
      goOut: { today: false },
      quarantineUntil: null,
      passages: [],
    });
    expect(r.body.goOut.nextDate).toBe(r.body.quota.nextDate);
    const text = JSON.stringify(r.body);
    for (const other of ['李', '王', '赵', '13900000002', s.people.li.code]) expect(text).not.toContain(other);
  });

  it('a request is refused when replayed, signed by another key, far off the clock, or after unbinding', async () => {
    const phone = await activate();
    const at = t.clock.now.getTime();
    expect((await ask(phone, s.people.zhang.passId, at)).status).toBe(200);
    const replay = await ask(phone, s.people.zhang.passId, at);
    expect(replay.status).toBe(401);
    expect(replay.body.error.params).toEqual({ why: 'replay' });
    expect((await ask(makePhone(), s.people.zhang.passId, at + 1)).body.error.params).toEqual({ why: 'signature' });
    expect((await ask(phone, s.people.zhang.passId, at + 10 * 60_000)).body.error.params).toEqual({ why: 'clock' });
    await s.manager.post(`/api/compounds/${s.compoundId}/passes/${s.people.zhang.passId}/unbind`, { reason: '手机遗失' });
    const revoked = await ask(phone, s.people.zhang.passId, at + 2);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe('phone_not_bound');
  });
});
