import type { Actor } from '../auth/actor.js';
import { recordAudit } from '../audit/queries.js';
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { AlertTable } from '../db/schema.js';

/** An alert as the dashboards show it: its row (server/db/schema.ts) without who handled it, and the compound's name. */
export type AlertView = Omit<Selectable<AlertTable>, 'testResultId' | 'handledBy'> & { compound: string };

const alertColumns = [
  'a.id',
  'a.compoundId',
  'c.name as compound',
  'a.residentId',
  'a.householdId',
  'a.personName',
  'a.buildingName',
  'a.unit',
  'a.room',
  'a.sampledAt',
  'a.source',
  'a.createdAt',
  'a.quarantineUntil',
  'a.handledAt',
] as const;

/**
 * Raise an alert for each positive result among these test rows that has none yet (in the transaction
 * that stored them), each with its line in the audit log. Returns the alerts raised, for the live feeds.
 */
export async function raisePositiveAlerts(tx: Db, compoundId: number, testResultIds: readonly number[], actor: Actor | null, at: string, ip?: string): Promise<AlertView[]> {
  if (!testResultIds.length) return [];
  const positives = await tx
    .selectFrom('testResult as t')
    .innerJoin('resident as r', 'r.id', 't.residentId')
    .innerJoin('household as h', 'h.id', 'r.householdId')
    .innerJoin('building as b', 'b.id', 'h.buildingId')
    .leftJoin('alert as a', 'a.testResultId', 't.id')
    .select(['t.id', 't.residentId', 'r.householdId', 'r.name', 'b.name as building', 'h.unit', 'h.room', 't.sampledAt', 't.source'])
    .where('t.compoundId', '=', compoundId)
    .where('t.id', 'in', [...testResultIds])
    .where('t.result', '=', 'positive')
    .where('a.id', 'is', null)
    .execute();
  const ids: number[] = [];
  for (const p of positives) {
    const row = await tx
      .insertInto('alert')
      .values({ compoundId, testResultId: p.id, residentId: p.residentId, householdId: p.householdId, personName: p.name, buildingName: p.building, unit: p.unit, room: p.room, sampledAt: p.sampledAt, source: p.source, createdAt: at, quarantineUntil: null, handledAt: null, handledBy: null })
      .onConflict((oc) => oc.column('testResultId').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) continue;
    ids.push(row.id);
    await recordAudit(tx, { actor, action: 'alert.positive', entity: 'alert', entityId: row.id, compoundId, details: { residentId: p.residentId, householdId: p.householdId, building: p.building, unit: p.unit, room: p.room, sampledAt: p.sampledAt, source: p.source }, at, ...(ip ? { ip } : {}) });
  }
  return ids.length ? listAlerts(tx, { ids }) : [];
}

/** Alerts, newest first: of some compounds (undefined: all), after an id (a district's poll), or these ids. */
export async function listAlerts(db: Db, f: { compoundIds?: number[] | undefined; afterId?: number | undefined; ids?: number[]; limit?: number }): Promise<AlertView[]> {
  let q = db.selectFrom('alert as a').innerJoin('compound as c', 'c.id', 'a.compoundId').select(alertColumns);
  if (f.compoundIds) q = q.where('a.compoundId', 'in', f.compoundIds.length ? f.compoundIds : [-1]);
  if (f.afterId !== undefined) q = q.where('a.id', '>', f.afterId);
  if (f.ids) q = q.where('a.id', 'in', f.ids.length ? f.ids : [-1]);
  return q.orderBy('a.id', 'desc').limit(f.limit ?? 100).execute();
}

export function getAlert(db: Db, compoundId: number, id: number) {
  return db.selectFrom('alert as a').innerJoin('compound as c', 'c.id', 'a.compoundId').select(alertColumns).where('a.compoundId', '=', compoundId).where('a.id', '=', id).executeTakeFirst();
}
