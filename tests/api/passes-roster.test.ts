import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromBase64Url, parseCode, passMessage, toBase64Url, withSignature } from '../../server/core/code.js';
import { defaultPolicy } from '../../server/core/policy.js';
import type { RosterPayload } from '../../server/core/roster.js';
import { applyRoster, undeltas } from '../../server/core/roster.js';
import { type Client, makeTestApp, officeClient, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, type Scene, sync } from '../helpers/gate.js';

let t: TestApp;
let s: Scene;
let tablet: Client;
beforeEach(async () => {
  t = await makeTestApp();
  s = await buildScene(t);
  ({ tablet } = await enrollTablet(t, s.manager, s.compoundId));
});
afterEach(() => t.close());

const roster = async (since?: number) => (await tablet.get(`/api/device/roster${since === undefined ? '' : `?since=${since}`}`)).body as RosterPayload;

/** Verify a code as a tablet would: with a public key from its roster. */
function tabletVerifies(code: string, keys: RosterPayload['keys']): boolean {
  const parsed = parseCode(code);
  const key = keys.find((k) => k.kid === parsed?.kid);
  if (!parsed || !key) return false;
  const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.publicKey }, format: 'jwk' });
  return verify(null, Buffer.from(parsed.message), pub, fromBase64Url(parsed.signature));
}

describe('passes', () => {
  it('are short, signed codes a tablet verifies offline with the roster key', async () => {
    const { keys } = await roster();
    const code = s.people.zhang.code;
    expect(code).toMatch(/^GP1\.k1\.[0-9a-z]+\.[0-9a-z]+\.[0-9a-z]+\.[A-Za-z0-9_-]{86}$/);
    expect(code.length).toBeLessThan(120);
    expect(parseCode(code)).toMatchObject({ kind: 'pass', passId: s.people.zhang.passId, compoundId: s.compoundId });
    expect(tabletVerifies(code, keys)).toBe(true);
  });

  it('a tampered code (another pass id under the same signature) does not verify', async () => {
    const { keys } = await roster();
    const p = parseCode(s.people.zhang.code)!;
    const tampered = withSignature(passMessage({ kid: p.kid, passId: s.people.wang.passId, compoundId: s.compoundId, issuedAt: p.issuedAt }), p.signature);
    expect(tabletVerifies(tampered, keys)).toBe(false);
  });

  it('a code signed by a foreign key under our key id does not verify', async () => {
    const { keys } = await roster();
    const p = parseCode(s.people.zhang.code)!;
    const { privateKey } = generateKeyPairSync('ed25519');
    const forged = withSignature(p.message, toBase64Url(sign(null, Buffer.from(p.message), privateKey)));
    expect(tabletVerifies(forged, keys)).toBe(false);
    // …and the server says the same when such a check syncs.
    await sync(t, tablet, [checkRecord(s, { code: forged })]);
    const row = await t.database.db.selectFrom('gateCheckAnalysis').select(['verdict', 'reasons']).executeTakeFirstOrThrow();
    expect(row.verdict).toBe('deny');
    expect(JSON.parse(row.reasons!)).toEqual([{ code: 'code_forged' }]);
  });

  it('reissuing revokes the old pass; revoking travels to tablets with the roster', async () => {
    const before = await roster();
    const reissued = await s.manager.post(`/api/compounds/${s.compoundId}/residents/${s.people.zhang.residentId}/pass`);
    expect(reissued.status).toBe(201);
    await s.manager.post(`/api/compounds/${s.compoundId}/passes/${s.people.wang.passId}/revoke`, { reason: '卡片遗失' });
    const delta = await roster(before.version);
    expect(delta.since).toBe(before.version);
    expect(undeltas(delta.revokedPasses)).toEqual([s.people.zhang.passId, s.people.wang.passId].sort((a, b) => a - b));
    expect(undeltas(delta.residents.id)).toEqual([s.people.zhang.residentId, s.people.wang.residentId]);
    expect(undeltas(delta.residents.pass)).toEqual([reissued.body.pass.id, 0]);
    const state = applyRoster(applyRoster(null, before, 0), delta, 0);
    expect(state.revoked.has(s.people.zhang.passId)).toBe(true);
    expect(state.passes.get(reissued.body.pass.id)).toBe(s.people.zhang.residentId);
    expect(state.passes.has(s.people.wang.passId)).toBe(false);
    expect(state.revoked.has(s.people.wang.passId)).toBe(true);
    const audit = await t.database.db.selectFrom('auditLog').select('action').where('action', 'like', 'pass.%').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['pass.issue_bulk', 'pass.issue', 'pass.revoke']);
  });

  it('prints an A4 sheet of cards per building: QR, masked name, address', async () => {
    const r = await s.manager.request('GET', `/api/compounds/${s.compoundId}/buildings/${s.buildingId}/pass-sheet`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    const html = r.body as string;
    // Each card: its pass QR, and a phone activation QR (a single-use link made with the sheet).
    expect((html.match(/<svg/g) ?? []).length).toBe(8);
    expect((html.match(/手机扫码启用动态码/g) ?? []).length).toBe(4);
    expect(await t.database.db.selectFrom('phoneActivation').select('id').execute()).toHaveLength(4);
    for (const masked of ['张*', '李*', '王*', '赵*']) expect(html).toContain(masked);
    for (const full of ['张三', '李四', '王五', '赵六']) expect(html).not.toContain(full);
    expect(html).toContain('@page { size: A4');
    expect(html).toContain('1号楼 1单元301');
  });
});

describe('roster for tablets', () => {
  it('a snapshot has what a gate decides with, and no full name or phone', async () => {
    const res = await t.app.request('http://localhost/api/device/roster', { headers: { authorization: `Bearer ${tablet.auth.bearer}`, 'accept-encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const body = JSON.parse(gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8')) as RosterPayload;
    expect(body).toMatchObject({ since: null, compound: { id: s.compoundId, name: '崇文佳苑一区', timezone: 'Asia/Shanghai' }, policy: { version: 1 } });
    expect(body.policy.rules).toEqual(defaultPolicy(body.policy.rules.exitQuota!.anchorDate));
    expect(body.gates.map((g) => g.name).sort()).toEqual(['东门', '西门']);
    expect([...body.residents.name].sort()).toEqual(['张*', '李*', '王*', '赵*'].sort());
    expect(undeltas(body.residents.pass).every((p) => p > 0)).toBe(true);
    expect(body.tests.result).toBe('nnn');
    expect(body.keys).toHaveLength(1);
    const text = JSON.stringify(body);
    for (const secret of ['张三', '13900000001', '13800000001']) expect(text).not.toContain(secret);
  });

  it('deltas carry only what changed, and the merge gives the same state as a fresh snapshot', async () => {
    const first = await roster();
    let state = applyRoster(null, first, Date.now());
    await s.manager.post(`/api/compounds/${s.compoundId}/residents`, { buildingId: s.buildingId, unit: '1', room: '802', name: '钱八' });
    await s.manager.delete(`/api/compounds/${s.compoundId}/residents/${s.people.li.residentId}`);
    await s.manager.patch(`/api/compounds/${s.compoundId}/households/${s.people.wang.householdId}`, { quarantineUntil: '2026-12-05' });
    await s.manager.post(`/api/compounds/${s.compoundId}/residents/${s.people.zhao.residentId}/tests`, { sampledAt: new Date(s.now() - 3600_000).toISOString(), result: 'negative' });
    const out = checkRecord(s, { person: 'zhang', atMs: s.now() - 60_000 });
    await sync(t, tablet, [out]);

    const delta = await roster(first.version);
    expect(delta.residents.name).toEqual(['钱*']);
    expect(delta.removed.residents).toEqual([s.people.li.residentId]);
    expect(delta.households.quarantine).toEqual([[s.people.wang.householdId, '2026-12-05']]);
    expect(undeltas(delta.tests.resident)).toEqual([s.people.zhao.residentId]);
    expect(delta.exits).toEqual([[s.people.zhang.householdId, [[out.id, Math.floor(Date.parse(out.at) / 1000)]]]]);
    expect(undeltas(delta.passages.resident)).toEqual([s.people.zhang.residentId]);
    expect(delta.passages.direction).toBe('o');

    state = applyRoster(state, delta, Date.now());
    const fresh = applyRoster(null, await roster(), Date.now());
    expect({ ...state, fetchedAt: 0 }).toEqual({ ...fresh, fetchedAt: 0 });
    expect((await roster(delta.version)).residents.id).toEqual([]);
  });

  it('a device only ever gets its own compound', async () => {
    const other = (await enrollTablet(t, await officeClient(t, 'admin'), s.otherCompoundId)).tablet;
    const r = (await other.get('/api/device/roster')).body as RosterPayload;
    expect(r.compound.id).toBe(s.otherCompoundId);
    expect(r.residents.id).toEqual([]);
    expect((await s.manager.get('/api/device/roster')).status).toBe(403);
    expect((await t.client().get('/api/device/roster')).status).toBe(401);
  });
});

describe('policy', () => {
  it('editing makes a new version; checks keep the version they were decided under', async () => {
    const cur = (await s.manager.get(`/api/compounds/${s.compoundId}/policy`)).body.current;
    const rules = { ...cur.rules, testValidityHours: 72, antiPassback: false };
    const put = await s.manager.request('PUT', `/api/compounds/${s.compoundId}/policy`, { rules, note: '放宽为72小时' });
    expect(put.status).toBe(200);
    const got = (await s.manager.get(`/api/compounds/${s.compoundId}/policy`)).body;
    expect(got.current).toMatchObject({ version: 2, rules, note: '放宽为72小时' });
    expect(got.versions.map((v: any) => v.version)).toEqual([2, 1]);
    expect((await roster()).policy.version).toBe(2);
    await sync(t, tablet, [checkRecord(s, { policyVersion: 2 })]);
    expect((await t.database.db.selectFrom('gateCheck').select('policyVersion').executeTakeFirstOrThrow()).policyVersion).toBe(2);
  });

  it('refuses rules that make no sense, in words', async () => {
    const cur = (await s.manager.get(`/api/compounds/${s.compoundId}/policy`)).body.current;
    const bad = await s.manager.request('PUT', `/api/compounds/${s.compoundId}/policy`, { rules: { ...cur.rules, testValidityHours: 0, overridable: ['code_forged'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.path)).toEqual(['rules.testValidityHours', 'rules.overridable.0']);
    expect((await s.manager.get(`/api/compounds/${s.compoundId}/policy`)).body.current.version).toBe(1);
  });
});
