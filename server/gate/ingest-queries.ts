import type { SyncRecord } from '../core/sync.js';
import type { Db } from '../db/database.js';
import { alsoWhere, inIds } from '../db/bulk.js';

/**
 * What acknowledging a sync batch looks up, with a handful of queries per batch (never one per record):
 * the compound's gates, volunteers, residents and households the records name, the checks a correction
 * voids, the shifts, which records the server has already (and who sent them), and the passes scanned.
 */
export interface References {
  gates: Set<number>;
  volunteers: Set<number>;
  residents: Map<number, number>; // resident -> household, in this compound
  households: Set<number>;
  /** Checks a correction voids, with their compound. */
  checks: Map<string, { compoundId: number }>;
  voidedChecks: Set<string>;
  shifts: Map<string, { endRecordId: string | null }>;
  /** Record ids the server already has, with who sent each. */
  existing: Map<string, Holder>;
  /** Buildings and points of the compound, as "building:12" / "point:3". */
  places: Set<string>;
  /** The compound's time zone, where a round's slot begins. */
  timezone: string;
}

export async function loadReferences(db: Db, compoundId: number, records: SyncRecord[]): Promise<References> {
  const ids = (pick: (r: SyncRecord) => number | string | null | undefined) => [...new Set(records.map(pick).filter((v) => v !== null && v !== undefined))];
  const volunteerIds = ids((r) => r.volunteerId) as number[];
  const residentIds = ids((r) => (r.kind === 'gate_check' ? r.residentId : r.kind === 'test_result' ? r.residentId : null)) as number[];
  const householdIds = ids((r) => (r.kind === 'gate_check' ? r.visitor?.hostHouseholdId : null)) as number[];
  const checkIds = ids((r) => (r.kind === 'gate_check_void' ? r.checkId : null)) as string[];
  const shiftIds = ids((r) => (r.kind === 'shift_end' ? r.shiftId : r.kind === 'shift_start' ? r.id : null)) as string[];
  const byKind = (k: SyncRecord['kind']) => records.filter((r) => r.kind === k).map((r) => r.id);

  const gates = await db.selectFrom('gate').select('id').where('compoundId', '=', compoundId).execute();
  const volunteers = volunteerIds.length
    ? await db
        .selectFrom('user')
        .leftJoin('userCompound as uc', (j) => j.onRef('uc.userId', '=', 'user.id').on('uc.compoundId', '=', compoundId))
        .select(['user.id', 'user.role', 'uc.compoundId'])
        .where('user.id', 'in', volunteerIds)
        .execute()
    : [];
  const residents = residentIds.length
    ? await db.selectFrom('resident').select(['id', 'householdId']).where(alsoWhere(db, 'compoundId', compoundId)).where(inIds(db, 'id', residentIds)).execute()
    : [];
  const households = householdIds.length ? await db.selectFrom('household').select('id').where(alsoWhere(db, 'compoundId', compoundId)).where(inIds(db, 'id', householdIds)).execute() : [];
  const checks = checkIds.length
    ? await db.selectFrom('gateCheck').select(['id', 'compoundId']).where(inIds(db, 'id', checkIds)).execute()
    : [];
  const voided = checkIds.length ? await db.selectFrom('gateCheckVoid').select('gateCheckId').where(inIds(db, 'gateCheckId', checkIds)).execute() : [];
  const shifts = shiftIds.length ? await db.selectFrom('shift').select(['id', 'endRecordId']).where(alsoWhere(db, 'compoundId', compoundId)).where(inIds(db, 'id', shiftIds)).execute() : [];

  const existing = await storedRecords(db, records);
  const roundIds = byKind('disinfection');
  const places = new Set<string>();
  let timezone = 'UTC';
  if (roundIds.length) {
    timezone = (await db.selectFrom('compound').select('timezone').where('id', '=', compoundId).executeTakeFirstOrThrow()).timezone;
    for (const b of await db.selectFrom('building').select('id').where('compoundId', '=', compoundId).execute()) places.add(`building:${b.id}`);
    for (const p of await db.selectFrom('point').select('id').where('compoundId', '=', compoundId).execute()) places.add(`point:${p.id}`);
  }

  return {
    gates: new Set(gates.map((g) => g.id)),
    volunteers: new Set(volunteers.filter((v) => v.role === 'admin' || v.compoundId === compoundId).map((v) => v.id)),
    residents: new Map(residents.map((r) => [r.id, r.householdId])),
    households: new Set(households.map((h) => h.id)),
    checks: new Map(checks.map((c) => [c.id, c])),
    voidedChecks: new Set(voided.map((v) => v.gateCheckId)),
    shifts: new Map(shifts.map((s) => [s.id, { endRecordId: s.endRecordId }])),
    places,
    timezone,
    existing,
  };
}

/** Who sent a record the server has: its tablet, the tablet's compound, the volunteer on it. */
export interface Holder {
  deviceId: number | null;
  compoundId: number;
  volunteerId: number | null;
}

/** Which of these records the server has already, kind by kind, and who sent each. */
export async function storedRecords(db: Db, records: { kind: SyncRecord['kind']; id: string }[]): Promise<Map<string, Holder>> {
  const byKind = (k: SyncRecord['kind']) => records.filter((r) => r.kind === k).map((r) => r.id);
  const out = new Map<string, Holder>();
  const add = (rows: ({ id: string | null } & Holder)[]) => {
    for (const { id, ...holder } of rows) if (id) out.set(id, holder);
  };
  const checks = byKind('gate_check');
  if (checks.length) add(await db.selectFrom('gateCheck').select(['id', 'deviceId', 'compoundId', 'volunteerId']).where(inIds(db, 'id', checks)).execute());
  const voids = byKind('gate_check_void');
  if (voids.length) add(await db.selectFrom('gateCheckVoid').select(['id', 'deviceId', 'compoundId', 'userId as volunteerId']).where(inIds(db, 'id', voids)).execute());
  const starts = byKind('shift_start');
  if (starts.length) add(await db.selectFrom('shift').select(['id', 'deviceId', 'compoundId', 'volunteerId']).where(inIds(db, 'id', starts)).execute());
  const ends = byKind('shift_end');
  if (ends.length) add(await db.selectFrom('shift').select(['endRecordId as id', 'deviceId', 'compoundId', 'volunteerId']).where(inIds(db, 'endRecordId', ends)).execute());
  const rounds = byKind('disinfection');
  if (rounds.length) add(await db.selectFrom('disinfectionRecord').select(['id', 'deviceId', 'compoundId', 'operatorId as volunteerId']).where(inIds(db, 'id', rounds)).execute());
  const tests = byKind('test_result');
  if (tests.length) add(await db.selectFrom('testResult').select(['recordId as id', 'deviceId', 'compoundId', 'recordedBy as volunteerId']).where(inIds(db, 'recordId', tests)).execute());
  return out;
}

/**
 * The passes a batch names, with whom they were issued to, and that person's name and address as they
 * stand now (what the check keeps): one query for the whole batch.
 */
export async function passesWithHouseholds(db: Db, compoundId: number, passIds: number[]) {
  const out = new Map<number, { id: number; code: string; residentId: number; householdId: number; name: string; address: { building: string; unit: string; room: string } }>();
  const ids = [...new Set(passIds)];
  if (!ids.length) return out;
  const rows = await db
    .selectFrom('pass as p')
    .innerJoin('resident as r', 'r.id', 'p.residentId')
    .innerJoin('household as h', 'h.id', 'r.householdId')
    .innerJoin('building as b', 'b.id', 'h.buildingId')
    .select(['p.id', 'p.code', 'p.residentId', 'r.householdId', 'r.name', 'b.name as building', 'h.unit', 'h.room'])
    .where(alsoWhere(db, 'p.compoundId', compoundId))
    .where(inIds(db, 'p.id', ids))
    .execute();
  for (const r of rows) out.set(r.id, { id: r.id, code: r.code, residentId: r.residentId, householdId: r.householdId, name: r.name, address: { building: r.building, unit: r.unit, room: r.room } });
  return out;
}

/** A person as a gate check keeps them: the name, and the address of a household. */
export interface Identities {
  names: Map<number, string>;
  addresses: Map<number, { building: string; unit: string; room: string }>;
}

/**
 * The names of these residents and the addresses of these households, as they stand now: what a check
 * recorded now keeps (the rows are history; a later rename or move does not rewrite them).
 */
export async function identities(db: Db, compoundId: number, residentIds: number[], householdIds: number[]): Promise<Identities> {
  const names = new Map<number, string>();
  const addresses: Identities['addresses'] = new Map();
  const rids = [...new Set(residentIds)];
  if (rids.length) {
    const rows = await db.selectFrom('resident').select(['id', 'name']).where(alsoWhere(db, 'compoundId', compoundId)).where(inIds(db, 'id', rids)).execute();
    for (const r of rows) names.set(r.id, r.name);
  }
  const hids = [...new Set(householdIds)];
  if (hids.length) {
    const rows = await db
      .selectFrom('household as h')
      .innerJoin('building as b', 'b.id', 'h.buildingId')
      .select(['h.id', 'b.name as building', 'h.unit', 'h.room'])
      .where(alsoWhere(db, 'h.compoundId', compoundId))
      .where(inIds(db, 'h.id', hids))
      .execute();
    for (const r of rows) addresses.set(r.id, { building: r.building, unit: r.unit, room: r.room });
  }
  return { names, addresses };
}
