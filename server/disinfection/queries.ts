import {
  type ChecklistItem,
  checklistFor,
  type DaySlot,
  defaultSlots,
  defaultTemplates,
  type ScheduleVersion,
  type SlotSpec,
  type SlotState,
  placeSlotState,
  slotsOfDay,
  TEMPLATE_TARGETS,
  type TemplateTarget,
} from '../core/disinfection.js';
import { getCompound } from '../compounds/queries.js';
import { NotFoundError } from '../errors.js';
import type { Db } from '../db/database.js';
import { sortNaturally } from '../core/natural.js';

const FOREVER = '1970-01-01T00:00:00.000Z';

/**
 * Every version of a compound's schedule. One that has none runs on the default (four rounds a day),
 * as version 1 from the beginning of time; a read never writes (exports read on a read-only connection).
 */
export async function schedules(db: Db, compoundId: number): Promise<ScheduleVersion[]> {
  const rows = await db.selectFrom('disinfectionSchedule').select(['version', 'slots', 'effectiveFrom']).where('compoundId', '=', compoundId).orderBy('version').execute();
  if (!rows.length) return [{ version: 1, slots: defaultSlots(), effectiveFrom: Date.parse(FOREVER) }];
  return rows.map((r) => ({ version: r.version, slots: JSON.parse(r.slots) as SlotSpec[], effectiveFrom: Date.parse(r.effectiveFrom) }));
}

/** A new version of the schedule (the implicit default is stored first, as version 1, so it stays on record). */
export async function insertSchedule(tx: Db, compoundId: number, slots: SlotSpec[], effectiveFrom: string, at: string, by: number | null): Promise<number> {
  const last = await tx.selectFrom('disinfectionSchedule').select((eb) => eb.fn.max('version').as('v')).where('compoundId', '=', compoundId).executeTakeFirst();
  let version = Number(last?.v ?? 0);
  if (!version) {
    await tx.insertInto('disinfectionSchedule').values({ compoundId, version: 1, slots: JSON.stringify(defaultSlots()), effectiveFrom: FOREVER, createdAt: at, createdBy: null }).execute();
    version = 1;
  }
  await tx.insertInto('disinfectionSchedule').values({ compoundId, version: version + 1, slots: JSON.stringify(slots), effectiveFrom, createdAt: at, createdBy: by }).execute();
  return version + 1;
}

/** The checklist templates, the default wherever a manager has not written one. */
export async function templates(db: Db, compoundId: number): Promise<Record<TemplateTarget, ChecklistItem[]>> {
  const out = defaultTemplates();
  const rows = await db.selectFrom('checklistTemplate').select(['target', 'items']).where('compoundId', '=', compoundId).execute();
  for (const r of rows) if ((TEMPLATE_TARGETS as readonly string[]).includes(r.target)) out[r.target as TemplateTarget] = JSON.parse(r.items);
  return out;
}

export interface Place {
  kind: 'building' | 'point';
  id: number;
  name: string;
  pointKind: string | null;
  elevatorCount: number;
  /** When the place was added: slots that were over by then are not its to do. */
  createdAt: string;
}

export async function places(db: Db, compoundId: number): Promise<Place[]> {
  // Sorted in code, as people count (1号楼, 2号楼 … 10号楼): the same order as every other list of places.
  const buildings = sortNaturally(await db.selectFrom('building').select(['id', 'name', 'elevatorCount', 'createdAt']).where('compoundId', '=', compoundId).execute());
  const points = sortNaturally(await db.selectFrom('point').select(['id', 'name', 'kind', 'createdAt']).where('compoundId', '=', compoundId).execute());
  return [
    ...buildings.map((b) => ({ kind: 'building' as const, id: b.id, name: b.name, pointKind: null, elevatorCount: b.elevatorCount, createdAt: b.createdAt })),
    ...points.map((p) => ({ kind: 'point' as const, id: p.id, name: p.name, pointKind: p.kind, elevatorCount: 0, createdAt: p.createdAt })),
  ];
}

export function templateTarget(p: Place): TemplateTarget {
  return p.kind === 'building' ? 'building' : (`point:${p.pointKind}` as TemplateTarget);
}

/** The boxes for a place, from its template. */
export function checklistOf(p: Place, t: Record<TemplateTarget, ChecklistItem[]>) {
  return checklistFor(t[templateTarget(p)] ?? t['point:other'], p.elevatorCount);
}

export interface RoundView {
  id: string;
  targetKind: 'building' | 'point';
  targetId: number;
  slotDate: string;
  slotTime: string;
  status: 'done' | 'skipped';
  startedAt: string;
  finishedAt: string;
  via: string;
  operator: string | null;
  disinfectant: string | null;
  concentration: string | null;
  note: string | null;
  skipReason: string | null;
  items: { key: string; label: string; done: boolean }[];
  hasPhoto: boolean;
  receivedAt: string;
}

export async function rounds(db: Db, compoundId: number, f: RoundFilter): Promise<RoundView[]> {
  return (await roundsOf(db, [compoundId], f)).map(({ compoundId: _, ...r }) => r);
}

type RoundFilter = { dates?: string[]; target?: { kind: string; id: number }; from?: string; to?: string; limit?: number };

/** The rounds of some compounds (each with its compound), newest slot first. */
async function roundsOf(db: Db, compoundIds: number[], f: RoundFilter): Promise<(RoundView & { compoundId: number })[]> {
  let q = db
    .selectFrom('disinfectionRecord as r')
    .leftJoin('user as u', 'u.id', 'r.operatorId')
    .leftJoin('disinfectionPhoto as p', 'p.recordId', 'r.id')
    .select([
      'r.compoundId',
      'r.id',
      'r.targetKind',
      'r.targetId',
      'r.slotDate',
      'r.slotTime',
      'r.status',
      'r.startedAt',
      'r.finishedAt',
      'r.via',
      'u.displayName as operator',
      'r.disinfectant',
      'r.concentration',
      'r.note',
      'r.skipReason',
      'r.items',
      'p.size as photoSize',
      'r.receivedAt',
    ]);
  q = compoundIds.length === 1 ? q.where('r.compoundId', '=', compoundIds[0]!) : q.where('r.compoundId', 'in', compoundIds);
  if (f.dates) q = q.where('r.slotDate', 'in', f.dates.length ? f.dates : ['-']);
  if (f.target) q = q.where('r.targetKind', '=', f.target.kind as 'building').where('r.targetId', '=', f.target.id);
  if (f.from) q = q.where('r.slotDate', '>=', f.from);
  if (f.to) q = q.where('r.slotDate', '<=', f.to);
  const rows = await q.orderBy('r.slotDate', 'desc').orderBy('r.slotTime', 'desc').orderBy('r.finishedAt').limit(f.limit ?? 5000).execute();
  return rows.map(({ photoSize, items, ...r }) => ({ ...r, items: JSON.parse(items), hasPhoto: photoSize !== null }));
}

export interface GridCell {
  time: string;
  state: SlotState | null;
  rounds: { id: string; status: string; operator: string | null; finishedAt: string; via: string; hasPhoto: boolean; skipReason: string | null }[];
}

/** The day's grid: every building and point × every slot, with its state and its rounds. */
export async function grid(db: Db, compoundId: number, date: string, now: Date) {
  return (await grids(db, compoundId, [date], now)).get(date)!;
}

/**
 * The grids of several days of one compound, from one read of its schedules, places and rounds (the
 * district overview: a month of every compound without a query per day).
 */
export async function grids(db: Db, compoundId: number, dates: string[], now: Date) {
  return (await districtGrids(db, [compoundId], dates, now)).get(compoundId)!;
}

/**
 * The grids of several days of several compounds (the district overview), from one read each of their time
 * zones, schedules, places and rounds: five statements whatever the number of compounds, not five a
 * compound. Each compound's grids are those `grids` gives it alone.
 */
export async function districtGrids(db: Db, compoundIds: readonly number[], dates: string[], now: Date) {
  const out = new Map<number, Map<string, ReturnType<typeof dayGrid>>>();
  if (!compoundIds.length) return out;
  const ids = [...compoundIds];
  const group = <T extends { compoundId: number }>(rows: T[]) => {
    const m = new Map<number, T[]>();
    for (const r of rows) m.set(r.compoundId, [...(m.get(r.compoundId) ?? []), r]);
    return m;
  };
  const zones = new Map((await db.selectFrom('compound').select(['id', 'timezone']).where('id', 'in', ids).execute()).map((c) => [c.id, c.timezone]));
  // As `schedules` and `places` read them, for every compound at once.
  const plansOf = group(await db.selectFrom('disinfectionSchedule').select(['compoundId', 'version', 'slots', 'effectiveFrom']).where('compoundId', 'in', ids).orderBy('compoundId').orderBy('version').execute());
  const buildingsOf = group(await db.selectFrom('building').select(['compoundId', 'id', 'name', 'elevatorCount', 'createdAt']).where('compoundId', 'in', ids).execute());
  const pointsOf = group(await db.selectFrom('point').select(['compoundId', 'id', 'name', 'kind', 'createdAt']).where('compoundId', 'in', ids).execute());
  const sorted = [...dates].sort();
  const recs = sorted.length ? await roundsOf(db, ids, { from: sorted[0]!, to: sorted[sorted.length - 1]!, limit: Number.MAX_SAFE_INTEGER }) : [];
  const byCell = new Map<string, RoundView[]>();
  for (const { compoundId, ...r } of recs) {
    const key = `${compoundId}:${r.slotDate}:${r.targetKind}:${r.targetId}:${r.slotTime}`;
    byCell.set(key, [...(byCell.get(key) ?? []), r]);
  }
  for (const compoundId of ids) {
    const timezone = zones.get(compoundId);
    if (timezone === undefined) throw new NotFoundError('compound');
    const rows = plansOf.get(compoundId) ?? [];
    const plans: ScheduleVersion[] = rows.length
      ? rows.map((r) => ({ version: r.version, slots: JSON.parse(r.slots) as SlotSpec[], effectiveFrom: Date.parse(r.effectiveFrom) }))
      : [{ version: 1, slots: defaultSlots(), effectiveFrom: Date.parse(FOREVER) }];
    const all: Place[] = [
      ...sortNaturally(buildingsOf.get(compoundId) ?? []).map((b) => ({ kind: 'building' as const, id: b.id, name: b.name, pointKind: null, elevatorCount: b.elevatorCount, createdAt: b.createdAt })),
      ...sortNaturally(pointsOf.get(compoundId) ?? []).map((p) => ({ kind: 'point' as const, id: p.id, name: p.name, pointKind: p.kind, elevatorCount: 0, createdAt: p.createdAt })),
    ];
    const cells = (key: string) => byCell.get(`${compoundId}:${key}`) ?? [];
    const grid = new Map<string, ReturnType<typeof dayGrid>>();
    for (const date of dates) grid.set(date, dayGrid(date, timezone, slotsOfDay(date, timezone, plans), all, cells, now));
    out.set(compoundId, grid);
  }
  return out;
}

function dayGrid(date: string, timezone: string, slots: DaySlot[], all: Place[], cellRounds: (key: string) => RoundView[], now: Date) {
  const rows = all.map((p) => ({
    kind: p.kind,
    id: p.id,
    name: p.name,
    pointKind: p.pointKind,
    cells: slots.map((s): GridCell => {
      const mine = [...cellRounds(`${date}:${p.kind}:${p.id}:${s.time}`)].sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
      return {
        time: s.time,
        state: placeSlotState(s, mine.map((r) => ({ status: r.status, finishedAt: Date.parse(r.finishedAt) })), now.getTime(), Date.parse(p.createdAt)),
        rounds: mine.map((r) => ({ id: r.id, status: r.status, operator: r.operator, finishedAt: r.finishedAt, via: r.via, hasPhoto: r.hasPhoto, skipReason: r.skipReason })),
      };
    }),
  }));
  const counts: Record<SlotState, number> = { done: 0, late: 0, missed: 0, skipped: 0, due: 0, upcoming: 0 };
  let owed = 0;
  for (const r of rows)
    for (const c of r.cells)
      if (c.state) {
        counts[c.state]++;
        owed++;
      }
  const missed = rows.flatMap((r) => r.cells.filter((c) => c.state === 'missed').map((c) => ({ kind: r.kind, id: r.id, name: r.name, time: c.time })));
  return { date, timezone, slots: slots.map((s) => ({ time: s.time, start: new Date(s.start).toISOString(), onTimeUntil: new Date(s.onTimeUntil).toISOString(), missedAt: new Date(s.missedAt).toISOString() })), rows, counts, owed, missed };
}

/** A building or point of the compound, with the compound's name and time zone (placards and sheets). */
export async function findPlace(db: Db, compoundId: number, kind: 'buildings' | 'points', placeId: number): Promise<Place & { compound: string; timezone: string }> {
  const compound = await getCompound(db, compoundId);
  const p = (await places(db, compoundId)).find((x) => x.kind === (kind === 'buildings' ? 'building' : 'point') && x.id === placeId);
  if (!p) throw new NotFoundError(kind === 'buildings' ? 'building' : 'point');
  return { ...p, compound: compound.name, timezone: compound.timezone };
}

export async function upsertTemplate(tx: Db, t: { compoundId: number; target: TemplateTarget; items: ChecklistItem[]; at: string; userId: number | null }): Promise<void> {
  await tx
    .insertInto('checklistTemplate')
    .values({ compoundId: t.compoundId, target: t.target, items: JSON.stringify(t.items), updatedAt: t.at, updatedBy: t.userId })
    .onConflict((oc) => oc.columns(['compoundId', 'target']).doUpdateSet({ items: JSON.stringify(t.items), updatedAt: t.at }))
    .execute();
}

/** The round a photo belongs to, if the server has it. */
export async function photoRecord(db: Db, recordId: string) {
  return db.selectFrom('disinfectionRecord').select(['id', 'compoundId']).where('id', '=', recordId).executeTakeFirst();
}

/** Store a round's photo once; false when it was there already. */
export async function storePhotoRow(
  db: Db,
  p: { recordId: string; contentType: string; bytes: Uint8Array; size: number; width: number; height: number; receivedAt: string },
): Promise<boolean> {
  const rows = await db.insertInto('disinfectionPhoto').values(p).onConflict((oc) => oc.column('recordId').doNothing()).returning('recordId').execute();
  return rows.length > 0;
}

/** A round's photo, if the round is this compound's. */
export async function photoOf(db: Db, compoundId: number, recordId: string) {
  return db
    .selectFrom('disinfectionPhoto as p')
    .innerJoin('disinfectionRecord as r', 'r.id', 'p.recordId')
    .select(['p.bytes', 'p.contentType'])
    .where('r.compoundId', '=', compoundId)
    .where('p.recordId', '=', recordId)
    .executeTakeFirst();
}
