import type { AlertView } from '../alerts/queries.js';
import { raisePositiveAlerts } from '../alerts/queries.js';
import type { Actor } from '../auth/actor.js';
import { recordAudit } from '../audit/queries.js';
import { getCompound } from '../compounds/queries.js';
import { maskName, maskPhone } from '../core/mask.js';
import { addCounts, type CoverageCounts, coveragePercent, emptyCounts, type ExemptionReason, testedOf } from '../core/rounds.js';
import { daysBetween } from '../core/time.js';
import type { Db } from '../db/database.js';
import type { AppDeps } from '../deps.js';
import { fieldIssue, NotFoundError, ValidationError } from '../errors.js';
import { bumpRosterVersion } from '../roster/version.js';
import { getRound, listRounds, type RoundPerson, type RoundRow, refreshCoverageForSamples, refreshOpenRounds, refreshRoundCoverage, roundPeople, storedCoverage } from './queries.js';

export const MAX_ROUND_DAYS = 14;

export interface RoundInput {
  name: string;
  startsOn: string;
  endsOn: string;
  buildingIds: number[] | null;
}

async function checkRound(db: Db, compoundId: number, r: RoundInput) {
  const issues = [];
  if (r.endsOn < r.startsOn) issues.push(fieldIssue('endsOn', 'ends_before_start'));
  else if (daysBetween(r.startsOn, r.endsOn) >= MAX_ROUND_DAYS) issues.push(fieldIssue('endsOn', 'range_too_long', { maxDays: MAX_ROUND_DAYS }));
  if (r.buildingIds) {
    const known = new Set((await db.selectFrom('building').select('id').where('compoundId', '=', compoundId).execute()).map((b) => b.id));
    const unknown = r.buildingIds.filter((id) => !known.has(id));
    if (unknown.length) issues.push(fieldIssue('buildingIds', 'unknown_buildings', { ids: unknown.map(String) }));
  }
  if (issues.length) throw new ValidationError(issues);
}

/** A new testing round: its coverage is counted at once from what is there (results already imported count). */
export async function createRound(deps: AppDeps, actor: Actor | null, compoundId: number, input: RoundInput, ip: string): Promise<number> {
  const db = deps.database.db;
  const compound = await getCompound(db, compoundId);
  await checkRound(db, compoundId, input);
  const at = deps.now().toISOString();
  return db.transaction().execute(async (tx) => {
    // Tablets learn of rounds with the roster: "tested in the current round" and their door-to-door lists.
    await bumpRosterVersion(tx, compoundId);
    const row = await tx
      .insertInto('testingRound')
      .values({ compoundId, name: input.name, startsOn: input.startsOn, endsOn: input.endsOn, buildingIds: input.buildingIds ? JSON.stringify([...new Set(input.buildingIds)].sort((a, b) => a - b)) : null, createdAt: at, createdBy: actor && actor.kind !== 'device' ? actor.user.id : null, coverageAt: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await refreshRoundCoverage(tx, (await getRound(tx, compoundId, row.id))!, compound.timezone, at);
    await recordAudit(tx, { actor, action: 'round.create', entity: 'testing_round', entityId: row.id, compoundId, details: input, at, ip });
    return row.id;
  });
}

export async function updateRound(deps: AppDeps, actor: Actor | null, compoundId: number, roundId: number, patch: Partial<RoundInput>, ip: string): Promise<void> {
  const db = deps.database.db;
  const compound = await getCompound(db, compoundId);
  const round = await getRound(db, compoundId, roundId);
  if (!round) throw new NotFoundError('round');
  const next: RoundInput = { name: patch.name ?? round.name, startsOn: patch.startsOn ?? round.startsOn, endsOn: patch.endsOn ?? round.endsOn, buildingIds: patch.buildingIds === undefined ? round.buildingIds : patch.buildingIds };
  await checkRound(db, compoundId, next);
  const at = deps.now().toISOString();
  await db.transaction().execute(async (tx) => {
    await bumpRosterVersion(tx, compoundId);
    await tx
      .updateTable('testingRound')
      .set({ name: next.name, startsOn: next.startsOn, endsOn: next.endsOn, buildingIds: next.buildingIds ? JSON.stringify([...new Set(next.buildingIds)].sort((a, b) => a - b)) : null })
      .where('id', '=', roundId)
      .execute();
    await refreshRoundCoverage(tx, (await getRound(tx, compoundId, roundId))!, compound.timezone, at);
    await recordAudit(tx, { actor, action: 'round.update', entity: 'testing_round', entityId: roundId, compoundId, details: patch, at, ip });
  });
}

/**
 * What every path that stores test results calls in its transaction (an import, a result by hand, the
 * gate's and the doors' results synced from tablets): the rounds those samplings count for are counted
 * again, and a positive result raises its alert (audited). Returns the alerts, for the live feeds.
 */
export async function testResultsStored(tx: Db, compoundId: number, stored: { ids: number[]; sampledAts: string[]; residentIds?: number[] }, actor: Actor | null, at: string, ip?: string): Promise<AlertView[]> {
  await refreshCoverageForSamples(tx, compoundId, stored.sampledAts, at, stored.residentIds);
  return raisePositiveAlerts(tx, compoundId, stored.ids, actor, at, ip);
}

/** Flag a resident exempt from testing, with a reason (or change it); rounds under way are counted again. */
export async function setExemption(deps: AppDeps, actor: Actor | null, compoundId: number, residentId: number, e: { reason: ExemptionReason; note: string | null }, ip: string): Promise<void> {
  const db = deps.database.db;
  const r = await db.selectFrom('resident').select('id').where('compoundId', '=', compoundId).where('id', '=', residentId).where('deletedAt', 'is', null).executeTakeFirst();
  if (!r) throw new NotFoundError('resident');
  const at = deps.now().toISOString();
  await db.transaction().execute(async (tx) => {
    await bumpRosterVersion(tx, compoundId);
    await tx
      .insertInto('testExemption')
      .values({ residentId, compoundId, reason: e.reason, note: e.note, createdAt: at, createdBy: actor && actor.kind !== 'device' ? actor.user.id : null })
      .onConflict((oc) => oc.column('residentId').doUpdateSet({ reason: e.reason, note: e.note, createdAt: at }))
      .execute();
    await refreshOpenRounds(tx, compoundId, deps.now());
    await recordAudit(tx, { actor, action: 'exemption.set', entity: 'resident', entityId: residentId, compoundId, details: { residentId, ...e }, at, ip });
  });
}

export async function clearExemption(deps: AppDeps, actor: Actor | null, compoundId: number, residentId: number, ip: string): Promise<void> {
  const db = deps.database.db;
  const at = deps.now().toISOString();
  await db.transaction().execute(async (tx) => {
    const gone = await tx.deleteFrom('testExemption').where('compoundId', '=', compoundId).where('residentId', '=', residentId).executeTakeFirst();
    if (!Number(gone.numDeletedRows)) throw new NotFoundError('exemption');
    await bumpRosterVersion(tx, compoundId);
    await refreshOpenRounds(tx, compoundId, deps.now());
    await recordAudit(tx, { actor, action: 'exemption.clear', entity: 'resident', entityId: residentId, compoundId, details: { residentId }, at, ip });
  });
}

export interface CoverageBuilding extends CoverageCounts {
  buildingId: number;
  building: string;
  tested: number;
  percent: number;
  units: (CoverageCounts & { unit: string; tested: number; percent: number })[];
}

const withPercent = <T extends CoverageCounts>(c: T) => ({ ...c, tested: testedOf(c), percent: coveragePercent(c) });

/** A round's coverage grid (per building, each with its units) and the compound's total, from the stored figures. */
export async function roundCoverage(db: Db, compoundId: number, roundId: number) {
  const round = await getRound(db, compoundId, roundId);
  if (!round) throw new NotFoundError('round');
  const rows = await storedCoverage(db, [roundId]);
  const buildings = new Map<number, CoverageBuilding>();
  for (const r of rows) {
    let b = buildings.get(r.buildingId);
    if (!b) {
      b = { buildingId: r.buildingId, building: r.building, ...emptyCounts(), tested: 0, percent: 0, units: [] };
      buildings.set(r.buildingId, b);
    }
    const counts: CoverageCounts = { residents: r.residents, negative: r.negative, positive: r.positive, pending: r.pending, exempt: r.exempt, untested: r.untested };
    Object.assign(b, addCounts(b, counts));
    if (r.unit !== '') b.units.push({ unit: r.unit, ...withPercent(counts) });
  }
  const list = [...buildings.values()].map((b) => ({ ...b, tested: testedOf(b), percent: coveragePercent(b) }));
  const total = withPercent(list.reduce<CoverageCounts>((acc, b) => addCounts(acc, b), emptyCounts()));
  return { round, buildings: list, total };
}

/** Every round of the compound with its total coverage, oldest first: the trend across rounds. */
export async function coverageTrend(db: Db, compoundId: number) {
  const rounds = (await listRounds(db, compoundId)).reverse();
  const rows = await storedCoverage(db, rounds.map((r) => r.id));
  return rounds.map((r) => {
    const total = rows.filter((x) => x.roundId === r.id).reduce<CoverageCounts>((acc, x) => addCounts(acc, x), emptyCounts());
    return { id: r.id, name: r.name, startsOn: r.startsOn, endsOn: r.endsOn, ...withPercent(total) };
  });
}

/** May this viewer see names and phones in full? Managers and admins: yes; supervisors read masked phones. */
export function seesFull(actor: Actor | null): { names: boolean; phones: boolean } {
  if (actor?.kind !== 'office') return { names: false, phones: false };
  const role = actor.user.role;
  return { names: role === 'admin' || role === 'manager' || role === 'supervisor', phones: role === 'admin' || role === 'manager' };
}

export interface DoorToDoorRow {
  residentId: number;
  building: string;
  unit: string;
  room: string;
  name: string;
  phone: string;
  /** The latest sampling in the round, for a pending one. */
  status: RoundPerson['status'];
}

/**
 * The door-to-door list: the untested of a building (or a unit) in a round, by room, for a volunteer to
 * knock and tick off. Read live from the test rows (a door ticked a minute ago is off it). Names masked
 * when asked (a sheet for volunteers) or when the viewer may not see them; phones as the role allows.
 */
export async function doorToDoor(db: Db, compoundId: number, roundId: number, o: { buildingId: number; unit?: string | undefined; masked: boolean; actor: Actor | null }) {
  const compound = await getCompound(db, compoundId);
  const round = await getRound(db, compoundId, roundId);
  if (!round) throw new NotFoundError('round');
  const building = await db.selectFrom('building').select(['id', 'name']).where('compoundId', '=', compoundId).where('id', '=', o.buildingId).executeTakeFirst();
  if (!building) throw new NotFoundError('building');
  const people = await roundPeople(db, round, compound.timezone, { buildingId: o.buildingId, unit: o.unit });
  const full = seesFull(o.actor);
  const showName = full.names && !o.masked;
  const rows: DoorToDoorRow[] = people
    .filter((p) => p.status === 'untested')
    .map((p) => ({ residentId: p.id, building: p.building, unit: p.unit, room: p.room, name: showName ? p.name : maskName(p.name), phone: full.phones && !o.masked ? (p.phone ?? '') : maskPhone(p.phone), status: p.status }));
  const exempt = people.filter((p) => p.status === 'exempt').length;
  return { compound, round, building, unit: o.unit ?? null, rows, inScope: round.buildingIds === null || round.buildingIds.includes(o.buildingId), residents: people.length, exempt, masked: !showName };
}

export type { RoundRow };
