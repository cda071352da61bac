import type { z } from 'zod';
import type { TestStatus } from '../core/decide.js';
import { type Tally, tallyOf } from '../core/gate-check.js';
import type { Reason } from '../core/reasons.js';
import type { ReasonSchema, VisitorSchema } from '../core/sync.js';
import { shiftAggregates, shiftSummary } from '../lifecycle/aggregates.js';
import type { Db } from '../db/database.js';

type StoredReason = z.infer<typeof ReasonSchema>;
type Visitor = z.infer<typeof VisitorSchema>;

/** A conflict's details, by its kind (gate/analysis.ts): the quota period and its checks, the previous passage, or both verdicts. */
export interface ConflictDetails {
  householdId?: number;
  period?: { start: string; next: string };
  allowed?: number;
  checks?: string[];
  residentId?: number;
  previous?: string;
  server?: Reason[];
  device?: Reason[];
}

export interface CheckFilter {
  gateId?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  verdict?: 'allow' | 'deny' | 'review' | undefined;
  reason?: string | undefined;
  residentId?: number | undefined;
  direction?: 'in' | 'out' | undefined;
  shiftId?: string | undefined;
  /** Only these checks (the live feed). */
  ids?: string[] | undefined;
  /** Keyset cursor: "occurredAt|id" of the last row of the previous page. */
  before?: string | undefined;
  limit: number;
}

/**
 * A gate check with everything people read about it: where, who, what became of it. The one query behind
 * the gate-check list, the live feed and the export.
 */
export function gateCheckRows(db: Db) {
  return db
    .selectFrom('gateCheck as g')
    .innerJoin('compound as c', 'c.id', 'g.compoundId')
    .innerJoin('gate', 'gate.id', 'g.gateId')
    .leftJoin('user as v', 'v.id', 'g.volunteerId')
    .leftJoin('gateCheckVoid as x', 'x.gateCheckId', 'g.id')
    .leftJoin('gateCheckAnalysis as a', 'a.gateCheckId', 'g.id')
    .select([
      'g.id',
      'g.occurredAt',
      'g.receivedAt',
      'g.clockSkewMs',
      'g.direction',
      'g.subject',
      'g.verdict',
      'g.reasons',
      'g.passed',
      'g.overrideReason',
      'g.testStatus',
      'g.visitor',
      'g.policyVersion',
      'a.verdict as serverVerdict',
      'a.reasons as serverReasons',
      'g.shiftId',
      'g.gateId',
      'gate.name as gate',
      'c.name as compound',
      'c.timezone',
      'v.displayName as volunteer',
      'g.residentId',
      // Who it was as the check recorded them, not as the roster says today.
      'g.personName as residentName',
      'g.buildingName as building',
      'g.unit',
      'g.room',
      'g.temperatureC',
      'g.temperatureNormal',
      'x.reason as voidReason',
      'x.createdAt as voidedAt',
    ]);
}
export type GateCheckRow = Awaited<ReturnType<ReturnType<typeof gateCheckRows>['execute']>>[number];

/** Gate checks as a manager reads them: newest first, with who, where and what became of them. */
export async function listGateChecks(db: Db, compoundId: number, f: CheckFilter) {
  let q = gateCheckRows(db).where('g.compoundId', '=', compoundId);
  if (f.gateId) q = q.where('g.gateId', '=', f.gateId);
  if (f.from) q = q.where('g.occurredAt', '>=', f.from);
  if (f.to) q = q.where('g.occurredAt', '<', f.to);
  if (f.verdict) q = q.where('g.verdict', '=', f.verdict);
  if (f.direction) q = q.where('g.direction', '=', f.direction);
  if (f.residentId) q = q.where('g.residentId', '=', f.residentId);
  if (f.shiftId) q = q.where('g.shiftId', '=', f.shiftId);
  if (f.ids) q = q.where('g.id', 'in', f.ids.length ? f.ids : ['-']);
  // Reasons are a JSON array of {code,…}: a text match on the code is exact enough and dialect-neutral.
  if (f.reason) q = q.where('g.reasons', 'like', `%"code":"${f.reason.replace(/[^a-z_]/g, '')}"%`);
  if (f.before) {
    const [at, id] = f.before.split('|');
    if (at && id) q = q.where((eb) => eb.or([eb('g.occurredAt', '<', at), eb.and([eb('g.occurredAt', '=', at), eb('g.id', '<', id)])]));
  }
  const rows = await q.orderBy('g.occurredAt', 'desc').orderBy('g.id', 'desc').limit(f.limit + 1).execute();
  const page = rows.slice(0, f.limit);
  const ids = page.map((r) => r.id);
  const conflicts = ids.length ? await db.selectFrom('conflict').select(['gateCheckId', 'kind', 'reviewedAt']).where('gateCheckId', 'in', ids).execute() : [];
  const last = page[page.length - 1];
  return {
    checks: page.map((r) => ({
      ...r,
      passed: r.passed === 1,
      temperatureNormal: r.temperatureNormal === 1,
      // The columns hold what the sync and the online check validated (server/core/sync.ts).
      reasons: JSON.parse(r.reasons) as StoredReason[],
      serverReasons: r.serverReasons ? (JSON.parse(r.serverReasons) as StoredReason[]) : null,
      testStatus: r.testStatus ? (JSON.parse(r.testStatus) as TestStatus) : null,
      visitor: r.visitor ? (JSON.parse(r.visitor) as Visitor) : null,
      conflicts: conflicts.filter((c) => c.gateCheckId === r.id).map((c) => ({ kind: c.kind, reviewed: !!c.reviewedAt })),
    })),
    next: rows.length > f.limit && last ? `${last.occurredAt}|${last.id}` : null,
  };
}

/** A check whose reasons hold a fever (reasons are a JSON array of {code,…}; see listGateChecks). */
const FEVER_LIKE = '%"code":"fever"%';

/** Only checks no correction has voided (for an alias `g` of gate_check). */
export const notVoided = (eb: any) => eb.not(eb.exists(eb.selectFrom('gateCheckVoid as v').select('v.id').whereRef('v.gateCheckId', '=', 'g.id')));

/** `countsAsExit` (server/core/gate-check.ts) as a condition on `gate_check as g`, voided checks excluded. */
export const countsAsExitSql = (eb: any) => eb.and([eb('g.passed', '=', 1), eb('g.direction', '=', 'out'), eb('g.subject', '!=', 'visitor'), notVoided(eb)]);

/** Shifts of a compound in a time range, with their counts. */
export async function listShifts(db: Db, compoundId: number, f: { from?: string | undefined; to?: string | undefined; gateId?: number | undefined }) {
  let q = db
    .selectFrom('shift as s')
    .innerJoin('gate', 'gate.id', 's.gateId')
    .innerJoin('user as u', 'u.id', 's.volunteerId')
    .leftJoin('device as d', 'd.id', 's.deviceId')
    .select(['s.id', 's.startedAt', 's.endedAt', 's.autoClosedAt', 's.handoverNote', 's.gateId', 'gate.name as gate', 'u.displayName as volunteer', 'd.name as device'])
    .where('s.compoundId', '=', compoundId);
  if (f.from) q = q.where('s.startedAt', '>=', f.from);
  if (f.to) q = q.where('s.startedAt', '<', f.to);
  if (f.gateId) q = q.where('s.gateId', '=', f.gateId);
  const shifts = await q.orderBy('s.startedAt', 'desc').limit(500).execute();
  const ids = shifts.map((s) => s.id);
  const counts = ids.length
    ? await db
        .selectFrom('gateCheck as g')
        .select(['g.shiftId', 'g.direction', 'g.passed', 'g.verdict', 'g.subject'])
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('g.shiftId', 'in', ids)
        .where(notVoided)
        .groupBy(['g.shiftId', 'g.direction', 'g.passed', 'g.verdict', 'g.subject'])
        .execute()
    : [];
  const purged = await shiftAggregates(db, ids);
  return shifts.map((s) => {
    const mine = counts.filter((c) => c.shiftId === s.id);
    // The shift's purged checks (retention) count as they did: summary of the aggregate.
    const p = purged.get(s.id)?.summary;
    const sum = (pred: (c: (typeof mine)[number]) => boolean) => mine.filter(pred).reduce((t, c) => t + Number(c.n), 0);
    // denied: the tablet said no (some were let through by an override); the rest by tallyOf.
    const tallied = (t: Tally) => sum((c) => tallyOf(c) === t);
    return {
      ...s,
      counts: {
        total: sum(() => true) + (p?.total ?? 0),
        in: tallied('in') + (p?.in ?? 0),
        out: tallied('out') + (p?.out ?? 0),
        visitors: tallied('visitor') + (p?.visitors ?? 0),
        denied: sum((c) => c.verdict === 'deny') + (p?.deny ?? 0),
        turnedBack: tallied('turnedBack') + (p?.turnedBack ?? 0),
      },
    };
  });
}

/** One shift's log: who, when, what passed, what was denied and why, overrides, visitors, the handover note. */
export async function shiftLog(db: Db, compoundId: number, shiftId: string) {
  const shift = await db
    .selectFrom('shift as s')
    .innerJoin('gate', 'gate.id', 's.gateId')
    .innerJoin('user as u', 'u.id', 's.volunteerId')
    .leftJoin('device as d', 'd.id', 's.deviceId')
    .select(['s.id', 's.startedAt', 's.endedAt', 's.autoClosedAt', 's.handoverNote', 's.gateId', 'gate.name as gate', 's.volunteerId', 'u.displayName as volunteer', 'd.name as device'])
    .where('s.compoundId', '=', compoundId)
    .where('s.id', '=', shiftId)
    .executeTakeFirst();
  if (!shift) return undefined;
  const summary = await shiftSummary(
    db,
    shiftId,
    await db
      .selectFrom('gateCheck as g')
      .select(['g.direction', 'g.verdict', 'g.passed', 'g.subject', 'g.overrideReason', 'g.reasons'])
      .where('g.shiftId', '=', shiftId)
      .where(notVoided)
      .execute(),
  );
  const purged = (await shiftAggregates(db, [shiftId])).get(shiftId);
  const detail = await db
    .selectFrom('gateCheck as g')
    .leftJoin('user as u', 'u.id', 'g.overrideBy')
    .select(['g.id', 'g.occurredAt', 'g.direction', 'g.subject', 'g.verdict', 'g.reasons', 'g.overrideReason', 'g.visitor', 'g.temperatureC', 'g.personName as residentName', 'u.displayName as overrideByName'])
    .where('g.shiftId', '=', shiftId)
    .where((eb) => eb.or([eb('g.overrideReason', 'is not', null), eb('g.subject', '=', 'visitor'), eb('g.reasons', 'like', FEVER_LIKE)]))
    .where(notVoided)
    .orderBy('g.occurredAt')
    .execute();
  // Disinfection rounds finished at the compound while the shift ran.
  const roundsDone = await db
    .selectFrom('disinfectionRecord as r')
    .leftJoin('building as b', (j) => j.onRef('b.id', '=', 'r.targetId').on('r.targetKind', '=', 'building'))
    .leftJoin('point as p', (j) => j.onRef('p.id', '=', 'r.targetId').on('r.targetKind', '=', 'point'))
    .leftJoin('user as u', 'u.id', 'r.operatorId')
    .select(['r.id', 'r.slotDate', 'r.slotTime', 'r.status', 'r.finishedAt', 'r.skipReason', 'b.name as building', 'p.name as point', 'u.displayName as operator'])
    .where('r.compoundId', '=', compoundId)
    .where('r.finishedAt', '>=', shift.startedAt)
    .where('r.finishedAt', '<', shift.endedAt ?? '9999')
    .orderBy('r.finishedAt')
    .execute();
  return {
    shift,
    summary,
    /** Overrides whose checks retention purged: the reasons written, with how many times each. */
    purgedOverrides: Object.entries(purged?.overrideReasons ?? {}).map(([reason, count]) => ({ reason, count })),
    disinfection: roundsDone.map(({ building, point, ...r }) => ({ ...r, place: building ?? point })),
    overrides: detail.filter((d) => d.overrideReason).map((d) => ({ ...d, reasons: JSON.parse(d.reasons) as StoredReason[], visitor: d.visitor ? (JSON.parse(d.visitor) as Visitor) : null })),
    visitors: detail.filter((d) => d.subject === 'visitor').map((d) => ({ id: d.id, occurredAt: d.occurredAt, direction: d.direction, temperatureC: d.temperatureC, ...(JSON.parse(d.visitor!) as Visitor) })),
    /** People turned back with a fever, for the manager to follow up. */
    fevers: detail
      .filter((d) => d.temperatureC !== null && d.reasons.includes('"code":"fever"'))
      .map((d) => ({ id: d.id, occurredAt: d.occurredAt, direction: d.direction, name: d.residentName ?? (d.visitor ? (JSON.parse(d.visitor) as Visitor).name : null), temperatureC: d.temperatureC!, passed: !!d.overrideReason })),
  };
}

export async function listConflicts(db: Db, compoundId: number, status: 'open' | 'reviewed' | 'all') {
  let q = db
    .selectFrom('conflict as c')
    .innerJoin('gateCheck as g', 'g.id', 'c.gateCheckId')
    .innerJoin('gate', 'gate.id', 'g.gateId')
    .leftJoin('device as d', 'd.id', 'g.deviceId')
    .leftJoin('user as u', 'u.id', 'c.reviewedBy')
    .select([
      'c.id',
      'c.kind',
      'c.details',
      'c.createdAt',
      'c.reviewedAt',
      'c.reviewNote',
      'u.displayName as reviewedBy',
      'g.id as checkId',
      'g.occurredAt',
      'g.direction',
      'g.verdict',
      'g.overrideReason',
      'gate.name as gate',
      'd.name as device',
      'g.personName as residentName',
      'g.buildingName as building',
      'g.unit',
      'g.room',
    ])
    .where('c.compoundId', '=', compoundId);
  if (status === 'open') q = q.where('c.reviewedAt', 'is', null);
  if (status === 'reviewed') q = q.where('c.reviewedAt', 'is not', null);
  const rows = await q.orderBy('c.id', 'desc').limit(500).execute();
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as ConflictDetails }));
}

/** The compound a tablet belongs to, as a gate check needs it. */
export async function compoundOfDevice(db: Db, compoundId: number) {
  return db.selectFrom('compound').select(['id', 'name', 'timezone', 'rosterVersion']).where('id', '=', compoundId).executeTakeFirstOrThrow();
}

/** A resident's name and address, for the volunteer's screen (masked by the caller). */
export async function personAddress(db: Db, residentId: number) {
  return db
    .selectFrom('resident as r')
    .innerJoin('household as h', 'h.id', 'r.householdId')
    .innerJoin('building as b', 'b.id', 'h.buildingId')
    .select(['r.name', 'b.name as building', 'h.unit', 'h.room'])
    .where('r.id', '=', residentId)
    .executeTakeFirst();
}

/** A tablet downloaded its roster now (the dashboard shows how old each tablet's roster is). */
export async function noteRosterFetched(db: Db, deviceId: number, at: string): Promise<void> {
  await db.updateTable('device').set({ rosterFetchedAt: at }).where('id', '=', deviceId).execute();
}
