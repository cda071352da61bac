import { recordAudit } from '../audit/queries.js';
import type { SigningKeys } from '../codes/keys.js';
import { passMessage } from '../core/code.js';
import { NotFoundError } from '../errors.js';
import type { Actor, AppDeps, Db } from '../http/context.js';
import { bumpRosterVersion } from '../roster/version.js';

const byOf = (actor: Actor | null) => (actor && actor.kind !== 'device' ? actor.user.id : null);

/** Issue a resident a new pass inside `tx`, revoking the one they had. Returns the pass id and its code. */
export async function issuePassTx(
  tx: Db,
  keys: SigningKeys,
  p: { compoundId: number; residentId: number; at: string; by: number | null; rv: number },
): Promise<{ id: number; code: string }> {
  await tx
    .updateTable('pass')
    .set({ status: 'revoked', revokedAt: p.at, revokedBy: p.by, revokeReason: 'reissued', rv: p.rv })
    .where('residentId', '=', p.residentId)
    .where('status', '=', 'active')
    .execute();
  // The pass id is part of what is signed, so the row comes first and the code second.
  const row = await tx
    .insertInto('pass')
    .values({ compoundId: p.compoundId, residentId: p.residentId, code: '', status: 'active', issuedAt: p.at, issuedBy: p.by, rv: p.rv })
    .returning('id')
    .executeTakeFirstOrThrow();
  const code = await keys.sign(passMessage({ kid: await keys.currentKid(), passId: row.id, compoundId: p.compoundId, issuedAt: Date.parse(p.at) }));
  await tx.updateTable('pass').set({ code }).where('id', '=', row.id).execute();
  return { id: row.id, code };
}

export async function issuePass(deps: AppDeps, actor: Actor | null, compoundId: number, residentId: number, ip: string) {
  const db = deps.database.db;
  const resident = await db.selectFrom('resident').select('id').where('compoundId', '=', compoundId).where('id', '=', residentId).where('deletedAt', 'is', null).executeTakeFirst();
  if (!resident) throw new NotFoundError('The resident');
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
    let q = tx
      .selectFrom('resident as r')
      .innerJoin('household as h', 'h.id', 'r.householdId')
      .select('r.id')
      .where('r.compoundId', '=', compoundId)
      .where('r.deletedAt', 'is', null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('pass as p').select('p.id').whereRef('p.residentId', '=', 'r.id').where('p.status', '=', 'active'))));
    if (buildingId) q = q.where('h.buildingId', '=', buildingId);
    const residents = await q.execute();
    if (!residents.length) return 0;
    const rv = await bumpRosterVersion(tx, compoundId);
    for (const r of residents) await issuePassTx(tx, deps.keys, { compoundId, residentId: r.id, at, by: byOf(actor), rv });
    await recordAudit(tx, { actor, action: 'pass.issue_bulk', entity: 'compound', entityId: compoundId, compoundId, details: { buildingId, count: residents.length }, at, ip });
    return residents.length;
  });
}

export async function revokePass(deps: AppDeps, actor: Actor | null, compoundId: number, passId: number, reason: string, ip: string) {
  const db = deps.database.db;
  const pass = await db.selectFrom('pass').select(['id', 'status']).where('compoundId', '=', compoundId).where('id', '=', passId).executeTakeFirst();
  if (!pass) throw new NotFoundError('The pass');
  if (pass.status === 'revoked') return;
  const at = deps.now().toISOString();
  await db.transaction().execute(async (tx) => {
    const rv = await bumpRosterVersion(tx, compoundId);
    await tx.updateTable('pass').set({ status: 'revoked', revokedAt: at, revokedBy: byOf(actor), revokeReason: reason, rv }).where('id', '=', passId).execute();
    await recordAudit(tx, { actor, action: 'pass.revoke', entity: 'pass', entityId: passId, compoundId, details: { reason }, at, ip });
  });
}
