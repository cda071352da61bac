import { recordAudit } from '../audit/queries.js';
import type { SigningKeys } from '../codes/keys.js';
import { getCompound, getPlace } from '../compounds/queries.js';
import { passMessage } from '../core/code.js';
import { NotFoundError } from '../errors.js';
import type { Actor } from '../auth/actor.js';
import type { AppDeps } from '../deps.js';
import type { Db } from '../db/database.js';
import { bumpRosterVersion } from '../roster/version.js';
import { activationUrl, makeActivationsTx } from '../phone/service.js';
import * as q from './queries.js';
import { passSheetHtml } from './sheet.js';

const byOf = (actor: Actor | null) => (actor && actor.kind !== 'device' ? actor.user.id : null);

/** Issue a resident a new pass inside `tx`, revoking the one they had. Returns the pass id and its code. */
export async function issuePassTx(
  tx: Db,
  keys: SigningKeys,
  p: { compoundId: number; residentId: number; at: string; by: number | null; rv: number },
): Promise<{ id: number; code: string }> {
  await q.retireActivePasses(tx, p.residentId, p);
  // The pass id is part of what is signed, so the row comes first and the code second.
  const id = await q.insertPass(tx, p);
  const code = await keys.sign(passMessage({ kid: await keys.currentKid(), passId: id, compoundId: p.compoundId, issuedAt: Date.parse(p.at) }));
  await q.setPassCode(tx, id, code);
  return { id, code };
}

export async function issuePass(deps: AppDeps, actor: Actor | null, compoundId: number, residentId: number, ip: string) {
  const db = deps.database.db;
  if (!(await q.findLiveResident(db, compoundId, residentId))) throw new NotFoundError('resident');
  const at = deps.now().toISOString();
  await deps.keys.currentKid(); // the key is loaded (or made) before the transaction, never inside it
  return db.transaction().execute(async (tx) => {
    const rv = await bumpRosterVersion(tx, compoundId);
    const pass = await issuePassTx(tx, deps.keys, { compoundId, residentId, at, by: byOf(actor), rv });
    await recordAudit(tx, { actor, action: 'pass.issue', entity: 'pass', entityId: pass.id, compoundId, details: { residentId }, at, ip });
    return pass;
  });
}

/** Passes for every resident (of one building, or the whole compound) who has none yet. */
export async function issueMissingPasses(deps: AppDeps, actor: Actor | null, compoundId: number, buildingId: number | undefined, ip: string): Promise<number> {
  const db = deps.database.db;
  const at = deps.now().toISOString();
  await deps.keys.currentKid();
  return db.transaction().execute(async (tx) => {
    const residents = await q.residentsWithoutPass(tx, compoundId, buildingId);
    if (!residents.length) return 0;
    const rv = await bumpRosterVersion(tx, compoundId);
    for (const r of residents) await issuePassTx(tx, deps.keys, { compoundId, residentId: r.id, at, by: byOf(actor), rv });
    await recordAudit(tx, { actor, action: 'pass.issue_bulk', entity: 'compound', entityId: compoundId, compoundId, details: { buildingId, count: residents.length }, at, ip });
    return residents.length;
  });
}

export async function revokePass(deps: AppDeps, actor: Actor | null, compoundId: number, passId: number, reason: string, ip: string) {
  const db = deps.database.db;
  const pass = await q.getPass(db, compoundId, passId);
  if (!pass) throw new NotFoundError('pass');
  if (pass.status === 'revoked') return;
  const at = deps.now().toISOString();
  await db.transaction().execute(async (tx) => {
    const rv = await bumpRosterVersion(tx, compoundId);
    await q.markPassRevoked(tx, passId, { at, by: byOf(actor), reason, rv });
    await recordAudit(tx, { actor, action: 'pass.revoke', entity: 'pass', entityId: passId, compoundId, details: { reason }, at, ip });
  });
}

export async function passCode(db: Db, compoundId: number, passId: number): Promise<string> {
  const pass = await q.getPass(db, compoundId, passId);
  if (!pass) throw new NotFoundError('pass');
  return pass.code;
}

/**
 * The printable sheet of a building's active passes. Each card also carries a phone activation code: a
 * fresh single-use link per card, made (and audited) with the sheet, valid for ACTIVATION_DAYS.
 */
export async function buildingPassSheet(deps: AppDeps, actor: Actor | null, compoundId: number, buildingId: number, lang: 'zh' | 'en', origin: string, ip: string) {
  const db = deps.database.db;
  const building = await getPlace(db, 'building', compoundId, buildingId);
  if (!building) throw new NotFoundError('building');
  const compound = await getCompound(db, compoundId);
  const name = building.name as string;
  const cards = await q.listPassCards(db, buildingId);
  const at = deps.now().toISOString();
  const links = await db.transaction().execute(async (tx) => {
    const made = await makeActivationsTx(tx, { compoundId, passIds: cards.map((c) => c.passId), at, by: byOf(actor) });
    if (cards.length) await recordAudit(tx, { actor, action: 'pass.activation_link', entity: 'building', entityId: buildingId, compoundId, details: { count: cards.length, buildingId }, at, ip });
    return made;
  });
  return passSheetHtml({
    compound: compound.name,
    building: name,
    cards: cards.map((x) => ({ ...x, building: name, activation: { url: activationUrl(origin, links.get(x.passId)!.token), expiresAt: links.get(x.passId)!.expiresAt } })),
    lang,
  });
}
