import type { Db } from '../db/database.js';
import { notVoided } from '../gate/queries.js';
import type { DossierPassage } from './pages.js';

/** A building of this compound, or undefined. */
export async function buildingOf(db: Db, compoundId: number, buildingId: number) {
  return db.selectFrom('building').select(['id', 'name']).where('id', '=', buildingId).where('compoundId', '=', compoundId).executeTakeFirst();
}

/** Everyone let through the compound's gates in [from, to), oldest first, with their test status then. */
export async function dossierPassages(db: Db, compoundId: number, from: number, to: number): Promise<DossierPassage[]> {
  const rows = await db
    .selectFrom('gateCheck as g')
    .innerJoin('gate', 'gate.id', 'g.gateId')
    // The name and address as the check recorded them; the phone is today's, to reach the person now.
    .leftJoin('resident as r', 'r.id', 'g.residentId')
    .select(['g.occurredAt', 'gate.name as gate', 'g.direction', 'g.subject', 'g.verdict', 'g.overrideReason', 'g.visitor', 'g.testStatus', 'g.temperatureC', 'g.temperatureNormal', 'g.personName as name', 'r.phone', 'g.buildingName as building', 'g.unit', 'g.room'])
    .where('g.compoundId', '=', compoundId)
    .where('g.passed', '=', 1)
    .where('g.occurredAt', '>=', new Date(from).toISOString())
    .where('g.occurredAt', '<', new Date(to).toISOString())
    .where(notVoided)
    .orderBy('g.occurredAt')
    .execute();
  return rows.map((r) => {
    const visitor = r.visitor ? (JSON.parse(r.visitor) as { name: string; phone: string }) : null;
    return {
      occurredAt: r.occurredAt,
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
