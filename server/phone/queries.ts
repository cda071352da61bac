import type { Db } from '../db/database.js';

/** The pass an activation token names, with what the phone page shows before the button. */
export function findActivation(db: Db, tokenHash: string) {
  return db
    .selectFrom('phoneActivation as a')
    .innerJoin('pass as p', 'p.id', 'a.passId')
    .innerJoin('resident as r', 'r.id', 'p.residentId')
    .innerJoin('household as h', 'h.id', 'r.householdId')
    .innerJoin('building as b', 'b.id', 'h.buildingId')
    .innerJoin('compound as c', 'c.id', 'a.compoundId')
    .select(['a.id', 'a.passId', 'a.compoundId', 'a.expiresAt', 'a.usedAt', 'p.status as passStatus', 'r.name', 'r.deletedAt', 'h.unit', 'h.room', 'b.name as building', 'c.name as compound'])
    .where('a.tokenHash', '=', tokenHash)
    .executeTakeFirst();
}

export async function insertActivation(db: Db, a: { compoundId: number; passId: number; tokenHash: string; at: string; by: number | null; expiresAt: string }) {
  await db.insertInto('phoneActivation').values({ compoundId: a.compoundId, passId: a.passId, tokenHash: a.tokenHash, createdAt: a.at, createdBy: a.by, expiresAt: a.expiresAt }).execute();
}

/** Use the link once: false when another request used it first (a double tap, two phones). */
export async function markActivationUsed(db: Db, id: number, at: string): Promise<boolean> {
  const r = await db.updateTable('phoneActivation').set({ usedAt: at }).where('id', '=', id).where('usedAt', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The pass's current phone, if any. */
export function currentBinding(db: Db, passId: number) {
  return db.selectFrom('phoneBinding').select(['id', 'passId', 'compoundId', 'publicKey', 'boundAt', 'lastRequestAt']).where('passId', '=', passId).where('unboundAt', 'is', null).executeTakeFirst();
}

export async function endBinding(db: Db, id: number, p: { at: string; by: number | null; reason: string; rv: number }) {
  await db.updateTable('phoneBinding').set({ unboundAt: p.at, unboundBy: p.by, unboundReason: p.reason, rv: p.rv }).where('id', '=', id).where('unboundAt', 'is', null).execute();
}

export async function insertBinding(db: Db, b: { compoundId: number; passId: number; publicKey: string; activationId: number; at: string; rv: number }) {
  await db.insertInto('phoneBinding').values({ compoundId: b.compoundId, passId: b.passId, publicKey: b.publicKey, activationId: b.activationId, boundAt: b.at, rv: b.rv }).execute();
}

/** A signed request's phone time is kept, so the same request is not accepted twice. */
export async function advanceLastRequest(db: Db, id: number, at: string): Promise<boolean> {
  const r = await db
    .updateTable('phoneBinding')
    .set({ lastRequestAt: at })
    .where('id', '=', id)
    .where('unboundAt', 'is', null)
    .where((eb) => eb.or([eb('lastRequestAt', 'is', null), eb('lastRequestAt', '<', at)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Every binding of these passes (current and ended), for judging synced checks at their own moment. */
export function bindingsOf(db: Db, passIds: number[]) {
  if (!passIds.length) return Promise.resolve([]);
  return db.selectFrom('phoneBinding').select(['passId', 'publicKey', 'boundAt', 'unboundAt']).where('passId', 'in', passIds).orderBy('boundAt').execute();
}

/** The resident a pass belongs to, with their household and building. */
export function passHolder(db: Db, passId: number) {
  return db
    .selectFrom('pass as p')
    .innerJoin('resident as r', 'r.id', 'p.residentId')
    .innerJoin('household as h', 'h.id', 'r.householdId')
    .innerJoin('building as b', 'b.id', 'h.buildingId')
    .innerJoin('compound as c', 'c.id', 'p.compoundId')
    .select(['p.id as passId', 'p.status', 'p.compoundId', 'r.id as residentId', 'r.name', 'r.deletedAt', 'h.id as householdId', 'h.unit', 'h.room', 'h.quarantineUntil', 'b.name as building', 'c.name as compound', 'c.timezone'])
    .where('p.id', '=', passId)
    .executeTakeFirst();
}
