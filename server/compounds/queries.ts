import { NotFoundError } from '../errors.js';
import type { Selectable } from 'kysely';
import type { Tables } from '../db/schema.js';
import type { Db } from '../db/database.js';
import { sortNaturally } from '../core/natural.js';

export function listCompounds(db: Db, only?: number[]) {
  let q = db.selectFrom('compound').select(['id', 'name', 'timezone', 'createdAt', 'updatedAt']).orderBy('id');
  if (only) q = q.where('id', 'in', only.length ? only : [-1]);
  return q.execute();
}

/** The one way to look a compound up by id: a missing one is a 404, never a 500 or an undefined to check. */
export async function getCompound(db: Db, id: number) {
  const compound = await db
    .selectFrom('compound')
    .select(['id', 'name', 'timezone', 'createdAt', 'updatedAt'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!compound) throw new NotFoundError('compound');
  return compound;
}

export async function insertCompound(db: Db, c: { name: string; timezone: string; at: string }): Promise<number> {
  const r = await db
    .insertInto('compound')
    .values({ name: c.name, timezone: c.timezone, createdAt: c.at, updatedAt: c.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function updateCompound(db: Db, id: number, patch: { name?: string; timezone?: string }, at: string) {
  await db.updateTable('compound').set({ ...patch, updatedAt: at }).where('id', '=', id).execute();
}

/** The compound's places: gates, buildings and points share one shape of table and one set of queries. */
export type PlaceTable = 'gate' | 'building' | 'point';

/** A row of one kind of place, as the web app receives it. */
export type Place<T extends PlaceTable> = Selectable<Tables[T]>;

/** Sorted by name as people count (1号楼 before 10号楼), in code: SQL would put 10号楼 before 2号楼. */
export async function listPlaces<T extends PlaceTable>(db: Db, table: T, compoundId: number): Promise<Place<T>[]> {
  const rows = (await (db as Db).selectFrom(table as 'building').selectAll().where('compoundId', '=', compoundId).execute()) as Place<T>[];
  return sortNaturally(rows);
}

export function getPlace<T extends PlaceTable>(db: Db, table: T, compoundId: number, id: number) {
  return db
    .selectFrom(table as 'building')
    .selectAll()
    .where('compoundId', '=', compoundId)
    .where('id', '=', id)
    .executeTakeFirst() as Promise<Place<T> | undefined>;
}

export async function insertPlace(db: Db, table: PlaceTable, values: Record<string, unknown>): Promise<number> {
  const r = await db
    .insertInto(table as 'building')
    .values(values as any)
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function updatePlace(db: Db, table: PlaceTable, compoundId: number, id: number, values: Record<string, unknown>) {
  await db
    .updateTable(table as 'building')
    .set(values as any)
    .where('compoundId', '=', compoundId)
    .where('id', '=', id)
    .execute();
}

export async function deletePlace(db: Db, table: PlaceTable, compoundId: number, id: number) {
  await db
    .deleteFrom(table as 'building')
    .where('compoundId', '=', compoundId)
    .where('id', '=', id)
    .execute();
}
