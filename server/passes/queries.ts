import type { Db } from '../db/database.js';
import { compareNatural } from '../core/natural.js';

export function listResidentPasses(db: Db, compoundId: number, residentId: number) {
  return db
    .selectFrom('pass')
    .select(['id', 'residentId', 'status', 'issuedAt', 'revokedAt', 'revokeReason', 'code'])
    .where('compoundId', '=', compoundId)
    .where('residentId', '=', residentId)
    .orderBy('id', 'desc')
    .execute();
}

export function getPass(db: Db, compoundId: number, passId: number) {
  return db.selectFrom('pass').select(['id', 'status', 'code']).where('compoundId', '=', compoundId).where('id', '=', passId).executeTakeFirst();
}

/** A resident who may hold a pass: one of this compound's, not deleted. */
export function findLiveResident(db: Db, compoundId: number, residentId: number) {
  return db.selectFrom('resident').select('id').where('compoundId', '=', compoundId).where('id', '=', residentId).where('deletedAt', 'is', null).executeTakeFirst();
}

/** Residents (of one building, or the whole compound) without an active pass. */
export function residentsWithoutPass(db: Db, compoundId: number, buildingId: number | undefined) {
  let q = db
    .selectFrom('resident as r')
    .innerJoin('household as h', 'h.id', 'r.householdId')
    .select('r.id')
    .where('r.compoundId', '=', compoundId)
    .where('r.deletedAt', 'is', null)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('pass as p').select('p.id').whereRef('p.residentId', '=', 'r.id').where('p.status', '=', 'active'))));
  if (buildingId) q = q.where('h.buildingId', '=', buildingId);
  return q.execute();
}

/** A resident holds one active pass at most: issuing one first retires the one they had. */
export async function retireActivePasses(db: Db, residentId: number, p: { at: string; by: number | null; rv: number }): Promise<void> {
  await db
    .updateTable('pass')
    .set({ status: 'revoked', revokedAt: p.at, revokedBy: p.by, revokeReason: 'reissued', rv: p.rv })
    .where('residentId', '=', residentId)
    .where('status', '=', 'active')
    .execute();
}

/** The row without its code: the code signs the pass id, which exists only once the row does. */
export async function insertPass(db: Db, p: { compoundId: number; residentId: number; at: string; by: number | null; rv: number }): Promise<number> {
  const row = await db
    .insertInto('pass')
    .values({ compoundId: p.compoundId, residentId: p.residentId, code: '', status: 'active', issuedAt: p.at, issuedBy: p.by, rv: p.rv })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function setPassCode(db: Db, passId: number, code: string): Promise<void> {
  await db.updateTable('pass').set({ code }).where('id', '=', passId).execute();
}

export async function markPassRevoked(db: Db, passId: number, p: { at: string; by: number | null; reason: string; rv: number }): Promise<void> {
  await db.updateTable('pass').set({ status: 'revoked', revokedAt: p.at, revokedBy: p.by, revokeReason: p.reason, rv: p.rv }).where('id', '=', passId).execute();
}

/** A building's active passes in the order its households are walked: unit, then room (as people count). */
export async function listPassCards(db: Db, buildingId: number) {
  const cards = await db
    .selectFrom('pass as p')
    .innerJoin('resident as r', 'r.id', 'p.residentId')
    .innerJoin('household as h', 'h.id', 'r.householdId')
    .select(['p.id as passId', 'p.code', 'r.name', 'h.unit', 'h.room'])
    .where('h.buildingId', '=', buildingId)
    .where('p.status', '=', 'active')
    .orderBy('r.id')
    .execute();
  return cards.sort((a, b) => compareNatural(a.unit, b.unit) || compareNatural(a.room, b.room));
}
