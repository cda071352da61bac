import { compareNatural } from '../core/natural.js';
import { type CoverageCounts, type CoverageStatus, coverageStatus, type RoundSpec, roundCovers, roundWindow, type ExemptionReason } from '../core/rounds.js';
import { inIds } from '../db/bulk.js';
import type { Db } from '../db/database.js';

export interface RoundRow extends RoundSpec {
  compoundId: number;
  createdAt: string;
  coverageAt: string | null;
  sealedAt: string | null;
}

const toSpec = (r: { id: number; compoundId: number; name: string; startsOn: string; endsOn: string; buildingIds: string | null; createdAt: string; coverageAt: string | null; sealedAt: string | null }): RoundRow => ({
  ...r,
  buildingIds: r.buildingIds === null ? null : (JSON.parse(r.buildingIds) as number[]),
});

const roundColumns = ['id', 'compoundId', 'name', 'startsOn', 'endsOn', 'buildingIds', 'createdAt', 'coverageAt', 'sealedAt'] as const;

/** A compound's rounds, the latest first. */
export async function listRounds(db: Db, compoundId: number): Promise<RoundRow[]> {
  const rows = await db.selectFrom('testingRound').select(roundColumns).where('compoundId', '=', compoundId).orderBy('startsOn', 'desc').orderBy('id', 'desc').execute();
  return rows.map(toSpec);
}

export async function getRound(db: Db, compoundId: number, roundId: number): Promise<RoundRow | undefined> {
  const r = await db.selectFrom('testingRound').select(roundColumns).where('compoundId', '=', compoundId).where('id', '=', roundId).executeTakeFirst();
  return r ? toSpec(r) : undefined;
}

/** One resident in a round: where they live and how they stand in it. */
export interface RoundPerson {
  id: number;
  name: string;
  phone: string | null;
  householdId: number;
  buildingId: number;
  building: string;
  unit: string;
  room: string;
  status: CoverageStatus;
  /** The latest sampling in the window. */
  sampledAt: string | null;
  exemption: { reason: ExemptionReason; note: string | null } | null;
}

/**
 * Everyone in a round's scope (as the roster stands now) and how they stand in it, from the test rows: the
 * live truth the door-to-door list reads, and what the stored coverage is counted from.
 */
export async function roundPeople(db: Db, round: RoundRow, tz: string, only?: { buildingId?: number | undefined; unit?: string | undefined; buildingIds?: readonly number[] }): Promise<RoundPerson[]> {
  let q = db
    .selectFrom('resident as r')
    .innerJoin('household as h', 'h.id', 'r.householdId')
    .innerJoin('building as b', 'b.id', 'h.buildingId')
    .leftJoin('testExemption as e', 'e.residentId', 'r.id')
    .select(['r.id', 'r.name', 'r.phone', 'r.householdId', 'h.buildingId', 'b.name as building', 'h.unit', 'h.room', 'e.reason as exemptReason', 'e.note as exemptNote'])
    .where('r.compoundId', '=', round.compoundId)
    .where('r.deletedAt', 'is', null);
  if (round.buildingIds) q = q.where('h.buildingId', 'in', round.buildingIds.length ? round.buildingIds : [-1]);
  if (only?.buildingId) q = q.where('h.buildingId', '=', only.buildingId);
  if (only?.unit) q = q.where('h.unit', '=', only.unit);
  if (only?.buildingIds) q = q.where(inIds(db, 'h.buildingId', only.buildingIds));
  const people = await q.execute();
  const w = roundWindow(round, tz);
  let tq = db
    .selectFrom('testResult')
    .select(['residentId', 'result', 'sampledAt'])
    .where('compoundId', '=', round.compoundId)
    .where('sampledAt', '>=', new Date(w.start).toISOString())
    .where('sampledAt', '<', new Date(w.end).toISOString());
  // Part of the compound: only its people's results (a sync's few, not the whole round's).
  if (only) tq = tq.where(inIds(db, 'residentId', people.map((p) => p.id)));
  const tests = await tq.execute();
  const byResident = new Map<number, { results: ('negative' | 'positive' | 'pending')[]; latest: string }>();
  for (const t of tests) {
    const cur = byResident.get(t.residentId);
    if (cur) {
      cur.results.push(t.result);
      if (t.sampledAt > cur.latest) cur.latest = t.sampledAt;
    } else byResident.set(t.residentId, { results: [t.result], latest: t.sampledAt });
  }
  return people
    .map((p) => {
      const t = byResident.get(p.id);
      return {
        id: p.id,
        name: p.name,
        phone: p.phone,
        householdId: p.householdId,
        buildingId: p.buildingId,
        building: p.building,
        unit: p.unit,
        room: p.room,
        status: coverageStatus(t?.results ?? [], p.exemptReason !== null),
        sampledAt: t?.latest ?? null,
        exemption: p.exemptReason ? { reason: p.exemptReason, note: p.exemptNote } : null,
      };
    })
    .sort((a, b) => compareNatural(a.building, b.building) || compareNatural(a.unit, b.unit) || compareNatural(a.room, b.room) || a.id - b.id);
}

/**
 * Count a round's coverage again from the test rows and store it per building and unit (round_coverage),
 * replacing what was stored. Everything that changes a round's figures calls it (an import, a result by
 * hand, the gate's and the doors' results, an exemption, a new or changed round); the coverage grid and
 * the trend read only what it stored, so a later purge of test_result rows leaves them as they were.
 * Call it for every round before a purge (refreshCompoundCoverage) so the figures are complete.
 */
export async function refreshRoundCoverage(db: Db, round: RoundRow, tz: string, at: string, buildingIds?: readonly number[]): Promise<void> {
  if (round.sealedAt) return; // its test rows are (being) purged: what is stored is all there is
  // Only these buildings' cells (a few results synced): the rest of the round stands as it was counted.
  const people = await roundPeople(db, round, tz, buildingIds ? { buildingIds } : undefined);
  const cells = new Map<string, { buildingId: number; unit: string } & CoverageCounts>();
  for (const p of people) {
    const key = `${p.buildingId}|${p.unit}`;
    let c = cells.get(key);
    if (!c) {
      c = { buildingId: p.buildingId, unit: p.unit, residents: 0, negative: 0, positive: 0, pending: 0, exempt: 0, untested: 0 };
      cells.set(key, c);
    }
    c.residents++;
    c[p.status]++;
  }
  // Every building in scope has a row, even one with nobody in it yet (unit '').
  const counted = new Set([...cells.values()].map((c) => c.buildingId));
  const buildings = await db.selectFrom('building').select('id').where('compoundId', '=', round.compoundId).execute();
  for (const b of buildings) {
    if (buildingIds && !buildingIds.includes(b.id)) continue;
    if (roundCovers(round, b.id) && !counted.has(b.id)) cells.set(`${b.id}|`, { buildingId: b.id, unit: '', residents: 0, negative: 0, positive: 0, pending: 0, exempt: 0, untested: 0 });
  }
  let stale = db.deleteFrom('roundCoverage').where('roundId', '=', round.id);
  if (buildingIds) stale = stale.where(inIds(db, 'buildingId', buildingIds));
  await stale.execute();
  const rows = [...cells.values()].map((c) => ({ roundId: round.id, ...c, updatedAt: at }));
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('roundCoverage').values(rows.slice(i, i + 200)).execute();
  await db.updateTable('testingRound').set({ coverageAt: at }).where('id', '=', round.id).execute();
}

/** The rounds of a compound whose window holds any of these sampling times. */
export async function roundsHolding(db: Db, compoundId: number, tz: string, sampledAts: readonly string[]): Promise<RoundRow[]> {
  if (!sampledAts.length) return [];
  const times = sampledAts.map((s) => Date.parse(s));
  return (await listRounds(db, compoundId)).filter((r) => {
    const w = roundWindow(r, tz);
    return times.some((t) => t >= w.start && t < w.end);
  });
}

/**
 * Recount the rounds that results sampled at these times count for (call in the transaction that stored
 * them); given whose results they are, only those residents' buildings (a sync's or a hand entry's few).
 */
export async function refreshCoverageForSamples(db: Db, compoundId: number, sampledAts: readonly string[], at: string, residentIds?: readonly number[]): Promise<void> {
  if (!sampledAts.length) return;
  const tz = await zoneOf(db, compoundId);
  const rounds = await roundsHolding(db, compoundId, tz, sampledAts);
  if (!rounds.length) return;
  const buildingIds = residentIds
    ? (await db.selectFrom('resident as r').innerJoin('household as h', 'h.id', 'r.householdId').select('h.buildingId').distinct().where(inIds(db, 'r.id', residentIds)).execute()).map((b) => b.buildingId)
    : undefined;
  for (const r of rounds) await refreshRoundCoverage(db, r, tz, at, buildingIds);
}

/**
 * Recount the rounds still under way or to come (the roster or an exemption changed): a round that has
 * ended keeps the figures it ended with.
 */
export async function refreshOpenRounds(db: Db, compoundId: number, now: Date): Promise<void> {
  const tz = await zoneOf(db, compoundId);
  for (const r of await listRounds(db, compoundId)) if (roundWindow(r, tz).end > now.getTime()) await refreshRoundCoverage(db, r, tz, now.toISOString());
}

/**
 * Before test rows sampled before `before` are purged: count every round whose window begins before it one
 * last time, from the rows still whole, and seal it, so no later change (a late import, a resident added)
 * recounts it from what the purge left.
 */
export async function sealRoundsBefore(db: Db, compoundId: number, before: string, at: string): Promise<number> {
  const tz = await zoneOf(db, compoundId);
  let sealed = 0;
  for (const r of await listRounds(db, compoundId)) {
    if (r.sealedAt || roundWindow(r, tz).start >= Date.parse(before)) continue;
    await db.transaction().execute(async (tx) => {
      await refreshRoundCoverage(tx, r, tz, at);
      await tx.updateTable('testingRound').set({ sealedAt: at }).where('id', '=', r.id).execute();
    });
    sealed++;
  }
  return sealed;
}

/** Recount every round of a compound (sealed rounds keep their figures). */
export async function refreshCompoundCoverage(db: Db, compoundId: number, at: string): Promise<void> {
  const tz = await zoneOf(db, compoundId);
  for (const r of await listRounds(db, compoundId)) await refreshRoundCoverage(db, r, tz, at);
}

async function zoneOf(db: Db, compoundId: number): Promise<string> {
  return (await db.selectFrom('compound').select('timezone').where('id', '=', compoundId).executeTakeFirstOrThrow()).timezone;
}

/** A round's stored coverage per building and unit, in counting order. */
export async function storedCoverage(db: Db, roundIds: number[]) {
  if (!roundIds.length) return [];
  const rows = await db
    .selectFrom('roundCoverage as c')
    .innerJoin('building as b', 'b.id', 'c.buildingId')
    .select(['c.roundId', 'c.buildingId', 'b.name as building', 'c.unit', 'c.residents', 'c.negative', 'c.positive', 'c.pending', 'c.exempt', 'c.untested'])
    .where('c.roundId', 'in', roundIds)
    .execute();
  return rows.sort((a, b) => compareNatural(a.building, b.building) || compareNatural(a.unit, b.unit));
}

export function listExemptions(db: Db, compoundId: number) {
  return db
    .selectFrom('testExemption as e')
    .innerJoin('resident as r', 'r.id', 'e.residentId')
    .innerJoin('household as h', 'h.id', 'r.householdId')
    .innerJoin('building as b', 'b.id', 'h.buildingId')
    .select(['e.residentId', 'r.name', 'b.name as building', 'h.unit', 'h.room', 'e.reason', 'e.note', 'e.createdAt'])
    .where('e.compoundId', '=', compoundId)
    .where('r.deletedAt', 'is', null)
    .execute()
    .then((rows) => rows.sort((a, b) => compareNatural(a.building, b.building) || compareNatural(a.unit, b.unit) || compareNatural(a.room, b.room)));
}
