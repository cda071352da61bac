import { randomBytes } from 'node:crypto';
import { recordAudit } from '../audit/queries.js';
import type { Actor } from '../auth/actor.js';
import { sha256 } from '../auth/secrets.js';
import { toBase64Url } from '../core/code.js';
import { maskName } from '../core/mask.js';
import { isPublicKey, phonePassRules, phoneRequestMessage } from '../core/phone-code.js';
import { type ResidentView, residentView } from '../core/resident-view.js';
import type { AppDeps } from '../deps.js';
import type { Db } from '../db/database.js';
import { AppError, NotFoundError } from '../errors.js';
import { countsAsExitSql, notVoided } from '../gate/queries.js';
import { getPass } from '../passes/queries.js';
import { currentPolicy } from '../policy/queries.js';
import { bumpRosterVersion } from '../roster/version.js';
import * as q from './queries.js';
import { verifyPhoneSignature } from './verify.js';

/**
 * The resident's phone pass, server side: single-use expiring activation links (on each printed card and
 * the office's pass page), binding a phone's public key to a pass (one phone per pass; a new link replaces
 * it; a manager unbinds it), and the resident page, asked for with requests the phone signs with its key.
 */

/** How long an activation link lives. */
export const ACTIVATION_DAYS = 7;
/** How far a signed request's phone time may be from the server's. */
export const REQUEST_SKEW_MS = 5 * 60_000;

const byOf = (actor: Actor | null) => (actor && actor.kind !== 'device' ? actor.user.id : null);

/** The page a phone opens: the token travels in the fragment, so no server log or proxy ever sees it. */
export const activationUrl = (origin: string, token: string) => `${origin}/phone/#a=${token}`;

/** Make activation links inside `tx` for these passes (no audit: the caller says what it made them for). */
export async function makeActivationsTx(tx: Db, p: { compoundId: number; passIds: number[]; at: string; by: number | null }): Promise<Map<number, { token: string; expiresAt: string }>> {
  const expiresAt = new Date(Date.parse(p.at) + ACTIVATION_DAYS * 86_400_000).toISOString();
  const out = new Map<number, { token: string; expiresAt: string }>();
  for (const passId of p.passIds) {
    const token = toBase64Url(randomBytes(18));
    await q.insertActivation(tx, { compoundId: p.compoundId, passId, tokenHash: sha256(token), at: p.at, by: p.by, expiresAt });
    out.set(passId, { token, expiresAt });
  }
  return out;
}

/** A new activation link for one pass (the office's pass page). */
export async function makeActivationLink(deps: AppDeps, actor: Actor | null, compoundId: number, passId: number, origin: string, ip: string) {
  const db = deps.database.db;
  const pass = await getPass(db, compoundId, passId);
  if (!pass) throw new NotFoundError('pass');
  if (pass.status !== 'active') throw new AppError(409, 'activation_invalid', { why: 'pass_revoked' });
  const at = deps.now().toISOString();
  return db.transaction().execute(async (tx) => {
    const made = (await makeActivationsTx(tx, { compoundId, passIds: [passId], at, by: byOf(actor) })).get(passId)!;
    await recordAudit(tx, { actor, action: 'pass.activation_link', entity: 'pass', entityId: passId, compoundId, at, ip });
    return { url: activationUrl(origin, made.token), expiresAt: made.expiresAt };
  });
}

async function usableActivation(db: Db, token: string, now: Date) {
  const a = await q.findActivation(db, sha256(token));
  if (!a) throw new AppError(404, 'activation_invalid', { why: 'unknown' });
  if (a.usedAt) throw new AppError(410, 'activation_invalid', { why: 'used' });
  if (Date.parse(a.expiresAt) <= now.getTime()) throw new AppError(410, 'activation_invalid', { why: 'expired' });
  if (a.passStatus !== 'active' || a.deletedAt) throw new AppError(410, 'activation_invalid', { why: 'pass_revoked' });
  return a;
}

/** What the phone shows before its one button: compound, building, masked name. */
export async function activationInfo(deps: AppDeps, token: string) {
  const a = await usableActivation(deps.database.db, token, deps.now());
  return { compound: a.compound, building: a.building, unit: a.unit, room: a.room, maskedName: maskName(a.name), expiresAt: a.expiresAt };
}

/** Bind the phone's public key to the pass; the phone bound before (if any) is unbound. */
export async function activatePhone(deps: AppDeps, token: string, publicKey: string, ip: string) {
  if (!isPublicKey(publicKey)) throw new AppError(400, 'invalid_input', { fields: ['publicKey'] });
  const db = deps.database.db;
  const now = deps.now();
  const a = await usableActivation(db, token, now);
  const at = now.toISOString();
  const policy = await currentPolicy(db, a.compoundId, now);
  return db.transaction().execute(async (tx) => {
    // Two taps, or two phones with the same card: the first one wins, the second is told the link is used.
    if (!(await q.markActivationUsed(tx, a.id, at))) throw new AppError(410, 'activation_invalid', { why: 'used' });
    const rv = await bumpRosterVersion(tx, a.compoundId);
    const before = await q.currentBinding(tx, a.passId);
    if (before) await q.endBinding(tx, before.id, { at, by: null, reason: 'replaced', rv });
    await q.insertBinding(tx, { compoundId: a.compoundId, passId: a.passId, publicKey, activationId: a.id, at, rv });
    await recordAudit(tx, { actor: null, action: 'phone.activate', entity: 'pass', entityId: a.passId, compoundId: a.compoundId, details: { replaced: !!before }, at, ip });
    return { passId: a.passId, compoundId: a.compoundId, compound: a.compound, maskedName: maskName(a.name), stepSeconds: phonePassRules(policy.rules).stepSeconds };
  });
}

/** A manager ends a pass's phone binding (a lost phone): tablets refuse its codes after their next roster. */
export async function unbindPhone(deps: AppDeps, actor: Actor | null, compoundId: number, passId: number, reason: string, ip: string) {
  const db = deps.database.db;
  const pass = await getPass(db, compoundId, passId);
  if (!pass) throw new NotFoundError('pass');
  const binding = await q.currentBinding(db, passId);
  if (!binding) return { unbound: false };
  const at = deps.now().toISOString();
  await db.transaction().execute(async (tx) => {
    const rv = await bumpRosterVersion(tx, compoundId);
    await q.endBinding(tx, binding.id, { at, by: byOf(actor), reason, rv });
    await recordAudit(tx, { actor, action: 'phone.unbind', entity: 'pass', entityId: passId, compoundId, details: { reason }, at, ip });
  });
  return { unbound: true };
}

/** The office's view of a pass's phone: bound since when, or none. */
export async function passPhone(deps: AppDeps, compoundId: number, passId: number) {
  const pass = await getPass(deps.database.db, compoundId, passId);
  if (!pass) throw new NotFoundError('pass');
  const b = await q.currentBinding(deps.database.db, passId);
  return { boundAt: b?.boundAt ?? null };
}

/**
 * The resident page, for a request the phone signed with its key over (pass, its own time): the key must
 * be the pass's current one (an unbound phone is refused), the time near the server's, and later than the
 * phone's last request (a request captured on the way is not replayed).
 */
export async function residentPage(deps: AppDeps, req: { passId: number; at: number; signature: string }): Promise<ResidentView> {
  const db = deps.database.db;
  const now = deps.now();
  const binding = await q.currentBinding(db, req.passId);
  if (!binding) throw new AppError(401, 'phone_not_bound');
  if (!verifyPhoneSignature(binding.publicKey, phoneRequestMessage(req), req.signature)) throw new AppError(401, 'phone_request_refused', { why: 'signature' });
  if (Math.abs(req.at - now.getTime()) > REQUEST_SKEW_MS) throw new AppError(401, 'phone_request_refused', { why: 'clock' });
  const atIso = new Date(req.at).toISOString();
  if (!(await q.advanceLastRequest(db, binding.id, atIso))) throw new AppError(401, 'phone_request_refused', { why: 'replay' });
  const holder = await q.passHolder(db, req.passId);
  if (holder?.status !== 'active' || holder.deletedAt) throw new AppError(401, 'phone_not_bound');
  const policy = await currentPolicy(db, holder.compoundId, now);
  const test = await db
    .selectFrom('testResult')
    .select(['sampledAt', 'result'])
    .where('residentId', '=', holder.residentId)
    .where('sampledAt', '<=', new Date(now.getTime() + 5 * 60_000).toISOString())
    .orderBy('sampledAt', 'desc')
    .limit(1)
    .executeTakeFirst();
  const exits = await db
    .selectFrom('gateCheck as g')
    .select('g.occurredAt')
    .where('g.householdId', '=', holder.householdId)
    .where(countsAsExitSql)
    .where('g.occurredAt', '>=', new Date(now.getTime() - 31 * 86_400_000).toISOString())
    .execute();
  const passages = await db
    .selectFrom('gateCheck as g')
    .innerJoin('gate', 'gate.id', 'g.gateId')
    .select(['g.occurredAt', 'g.direction', 'gate.name as gate'])
    .where('g.residentId', '=', holder.residentId)
    .where('g.passed', '=', 1)
    .where(notVoided)
    .orderBy('g.occurredAt', 'desc')
    .limit(10)
    .execute();
  return residentView({
    now: now.getTime(),
    policy: policy.rules,
    compound: { name: holder.compound, timezone: holder.timezone },
    resident: { maskedName: maskName(holder.name), building: holder.building, unit: holder.unit, room: holder.room },
    test: test ? { result: test.result, sampledAt: Date.parse(test.sampledAt) } : null,
    householdExits: exits.map((e) => Date.parse(e.occurredAt)),
    quarantineUntil: holder.quarantineUntil,
    passages: passages.map((p) => ({ at: Date.parse(p.occurredAt), direction: p.direction, gate: p.gate })),
  });
}
