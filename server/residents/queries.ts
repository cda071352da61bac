import { sql } from 'kysely';
import { compareNatural, sortNaturally } from '../core/natural.js';
import type { Db } from '../db/database.js';

/**
 * "302" before "1101": shorter first, then by text. Right for units and rooms, which are numbers; not
 * for names that mix words and numbers (东区2号楼, 10号楼): those go by `buildingOrder`.
 */
export const naturally = (column: string) => sql`length(${sql.ref(column)})`;

/**
 * An ORDER BY expression putting a compound's buildings in counting order (core/natural.ts), for lists
 * that SQL pages through: each building's rank is worked out in code, where the comparator lives.
 */
export async function buildingOrder(db: Db, compoundId: number, column: string) {
  const ranked = sortNaturally(await db.selectFrom('building').select(['id', 'name']).where('compoundId', '=', compoundId).execute());
  if (!ranked.length) return sql`0`;
  return sql`case ${sql.ref(column)} ${sql.join(ranked.map((b, i) => sql`when ${sql.lit(b.id)} then ${sql.lit(i)}`), sql` `)} else ${sql.lit(ranked.length)} end`;
}

/** Find a building by the name a spreadsheet or a person gives: "3号楼", or just "3". */
export async function buildingsByName(db: Db, compoundId: number): Promise<Map<string, { id: number; name: string; unitCount: number }>> {
  const rows = await db.selectFrom('building').select(['id', 'name', 'unitCount']).where('compoundId', '=', compoundId).execute();
  const map = new Map<string, { id: number; name: string; unitCount: number }>();
  for (const b of rows) {
    map.set(b.name, b);
    const n = /^(\d+)\s*(号楼|栋|幢|号)?$/.exec(b.name);
    if (n) for (const alias of [n[1]!, `${n[1]}号楼`, `${n[1]}栋`, `${n[1]}幢`, `${n[1]}号`]) if (!map.has(alias)) map.set(alias, b);
  }
  return map;
}

export function findHousehold(db: Db, buildingId: number, unit: string, room: string) {
  return db
    .selectFrom('household')
    .selectAll()
    .where('buildingId', '=', buildingId)
    .where('unit', '=', unit)
    .where('room', '=', room)
    .executeTakeFirst();
}

export async function ensureHousehold(tx: Db, h: { compoundId: number; buildingId: number; unit: string; room: string }, at: string, rv: number): Promise<number> {
  const existing = await findHousehold(tx, h.buildingId, h.unit, h.room);
  if (existing) return existing.id;
  const r = await tx
    .insertInto('household')
    .values({ ...h, quarantineUntil: null, quarantineNote: null, rv, createdAt: at, updatedAt: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export interface ResidentFilter {
  id?: number | undefined;
  q?: string | undefined;
  buildingId?: number | undefined;
  householdId?: number | undefined;
  limit: number;
  offset: number;
}

/** Residents with their address, pass and latest test, for the office lists. */
export async function listResidents(db: Db, compoundId: number, f: ResidentFilter) {
  let q = db
    .selectFrom('resident as r')
    .innerJoin('household as h', 'h.id', 'r.householdId')
    .innerJoin('building as b', 'b.id', 'h.buildingId')
    .leftJoin('pass as p', (j) => j.onRef('p.residentId', '=', 'r.id').on('p.status', '=', 'active'))
    .select([
      'r.id',
      'r.name',
      'r.phone',
      'r.note',
      'r.noPhone',
      'r.householdId',
      'h.buildingId',
      'b.name as building',
      'h.unit',
      'h.room',
      'h.quarantineUntil',
      'p.id as passId',
      'p.issuedAt as passIssuedAt',
    ])
    .select((eb) => [
      eb
        .selectFrom('testResult as t')
        .select('t.sampledAt')
        .whereRef('t.residentId', '=', 'r.id')
        .orderBy('t.sampledAt', 'desc')
        .limit(1)
        .as('testSampledAt'),
      eb
        .selectFrom('testResult as t')
        .select('t.result')
        .whereRef('t.residentId', '=', 'r.id')
        .orderBy('t.sampledAt', 'desc')
        .limit(1)
        .as('testResult'),
    ])
    .where('r.compoundId', '=', compoundId)
    .where('r.deletedAt', 'is', null);
  if (f.id) q = q.where('r.id', '=', f.id);
  if (f.buildingId) q = q.where('h.buildingId', '=', f.buildingId);
  if (f.householdId) q = q.where('r.householdId', '=', f.householdId);
  if (f.q) {
    const like = `%${f.q.replace(/[%_\\]/g, '')}%`;
    q = q.where((eb) => eb.or([eb('r.name', 'like', like), eb('r.phone', 'like', like), eb('h.room', '=', f.q!)]));
  }
  const total = await q
    .clearSelect()
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const rows = await q
    .orderBy(await buildingOrder(db, compoundId, 'h.buildingId'))
    .orderBy(naturally('h.unit'))
    .orderBy('h.unit')
    .orderBy(naturally('h.room'))
    .orderBy('h.room')
    .orderBy('r.id')
    .limit(f.limit)
    .offset(f.offset)
    .execute();
  return { total: Number(total.n), residents: rows };
}

export function getResident(db: Db, compoundId: number, id: number) {
  return db.selectFrom('resident').selectAll().where('compoundId', '=', compoundId).where('id', '=', id).where('deletedAt', 'is', null).executeTakeFirst();
}

export async function listHouseholds(db: Db, compoundId: number, buildingId?: number) {
  let q = db
    .selectFrom('household as h')
    .innerJoin('building as b', 'b.id', 'h.buildingId')
    .select(['h.id', 'h.buildingId', 'b.name as building', 'h.unit', 'h.room', 'h.quarantineUntil', 'h.quarantineNote'])
    .select((eb) =>
      eb
        .selectFrom('resident as r')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('r.householdId', '=', 'h.id')
        .where('r.deletedAt', 'is', null)
        .as('residents'),
    )
    .where('h.compoundId', '=', compoundId);
  if (buildingId) q = q.where('h.buildingId', '=', buildingId);
  const rows = await q.execute();
  // Listed whole, so sorted in code: buildings in counting order, then unit and room.
  return rows.sort((a, b) => compareNatural(a.building, b.building) || compareNatural(a.unit, b.unit) || compareNatural(a.room, b.room) || a.id - b.id);
}
