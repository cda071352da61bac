import type { Db } from '../db/database.js';
import { notVoided } from '../gate/queries.js';
import type { DossierPassage } from './pages.js';

/** A building of this compound, or undefined. */
export async function buildingOf(db: Db, compoundId: number, buildingId: number) {
  return db.selectFrom('building').select(['id', 'name']).where('id', '=', buildingId).where('compoundId', '=', compoundId).executeTakeFirst();
}

/**
 * Passages through the compound's gates in [from, to), oldest first, with the test status then: the
 * building's own residents' (`own`), or everyone else's at these gates (`others`: visitors included).
 */
export async function dossierPassages(db: Db, compoundId: number, from: number, to: number, o: { buildingId: number; own: boolean; gateIds?: number[] }): Promise<DossierPassage[]> {
  let q = db
    .selectFrom('gateCheck as g')
    .innerJoin('gate', 'gate.id', 'g.gateId')
    // The name and address as the check recorded them; the phone is today's, to reach the person now.
    .leftJoin('resident as r', 'r.id', 'g.residentId')
    .select(['g.occurredAt', 'g.gateId', 'gate.name as gate', 'g.direction', 'g.subject', 'g.verdict', 'g.overrideReason', 'g.visitor', 'g.testStatus', 'g.temperatureC', 'g.temperatureNormal', 'g.personName as name', 'r.phone', 'g.buildingName as building', 'g.unit', 'g.room'])
    .where('g.compoundId', '=', compoundId)
    .where('g.passed', '=', 1)
    .where('g.occurredAt', '>=', new Date(from).toISOString())
    .where('g.occurredAt', '<', new Date(to).toISOString())
    .where(notVoided);
  const ofBuilding = (eb: any) =>
    eb.and([eb('g.subject', '!=', 'visitor'), eb.exists(eb.selectFrom('household as h').select('h.id').whereRef('h.id', '=', 'g.householdId').where('h.buildingId', '=', o.buildingId))]);
  q = o.own ? q.where(ofBuilding) : q.where((eb: any) => eb.not(ofBuilding(eb)));
  if (o.gateIds) q = q.where('g.gateId', 'in', o.gateIds.length ? o.gateIds : [-1]);
  const rows = await q.orderBy('g.occurredAt').execute();
  return rows.map((r) => {
    const visitor = r.visitor ? (JSON.parse(r.visitor) as { name: string; phone: string }) : null;
    return {
      occurredAt: r.occurredAt,
      gateId: r.gateId,
      gate: r.gate,
      direction: r.direction,
      subject: r.subject,
      verdict: r.verdict,
      overrideReason: r.overrideReason,
      name: r.name ?? visitor?.name ?? null,
      phone: r.phone ?? visitor?.phone ?? null,
      building: r.building,
      unit: r.unit,
      room: r.room,
      testStatus: r.testStatus ? JSON.parse(r.testStatus) : null,
      temperature: r.temperatureC !== null ? r.temperatureC : r.temperatureNormal ? ('normal' as const) : null,
    };
  });
}
