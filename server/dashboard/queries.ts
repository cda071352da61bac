import { addDays, zonedToUtc } from '../core/time.js';
import { breathe } from '../db/breathe.js';
import { grid } from '../disinfection/queries.js';
import { notVoided, summarize } from '../gate/queries.js';
import type { Db } from '../db/database.js';
import { sortNaturally } from '../core/natural.js';
import { addHourly, disinfectionDayAggregate, gateDayAggregate, hourlyOf, mergeSummaries } from '../lifecycle/aggregates.js';

type CompoundRef = { id: number; name: string; timezone: string };

/** A tablet counts as online when it was heard from within this long (it fetches its roster every 2 min). */
export const ONLINE_WITHIN_MS = 5 * 60_000;

const dayBounds = (date: string, tz: string) => ({ start: new Date(zonedToUtc(date, tz)).toISOString(), end: new Date(zonedToUtc(addDays(date, 1), tz)).toISOString() });

function dayChecks(db: Db, compoundId: number, date: string, tz: string) {
  const { start, end } = dayBounds(date, tz);
  return db
    .selectFrom('gateCheck as g')
    .select(['g.occurredAt', 'g.direction', 'g.verdict', 'g.passed', 'g.subject', 'g.overrideReason', 'g.reasons'])
    .where('g.compoundId', '=', compoundId)
    .where('g.occurredAt', '>=', start)
    .where('g.occurredAt', '<', end)
    .where(notVoided)
    .execute();
}

/** A day's gate figures: what was purged of it (its aggregate) plus the checks still stored. */
async function dayFigures(db: Db, c: CompoundRef, date: string) {
  const checks = await dayChecks(db, c.id, date, c.timezone);
  const purged = await gateDayAggregate(db, c.id, date);
  return { summary: mergeSummaries(summarize(checks), purged?.summary), hourly: addHourly(hourlyOf(checks, c.timezone), purged?.hourly) };
}

/** A day's disinfection figures: the grid, or what it was when the day's rounds were purged. */
async function dayGrid(db: Db, c: CompoundRef, date: string, now: Date) {
  const purged = await disinfectionDayAggregate(db, c.id, date);
  if (purged) return { owed: purged.owed, counts: purged.counts as Awaited<ReturnType<typeof grid>>['counts'], missed: purged.missed as Awaited<ReturnType<typeof grid>>['missed'] };
  return grid(db, c.id, date, now);
}

export interface DailyRow {
  date: string;
  compound: string;
  in: number;
  out: number;
  turnedBack: number;
  deny: number;
  review: number;
  overrides: number;
  visitors: number;
  fevers: number;
  slots: number;
  done: number;
  late: number;
  missed: number;
  skipped: number;
}

/** One compound's day: gate counts (voided checks left out) and the disinfection grid's states. */
export async function dailySummary(db: Db, c: CompoundRef, date: string, now: Date): Promise<DailyRow> {
  const s = (await dayFigures(db, c, date)).summary;
  const g = await dayGrid(db, c, date, now);
  return {
    date,
    compound: c.name,
    in: s.in,
    out: s.out,
    turnedBack: s.turnedBack,
    deny: s.deny,
    review: s.review,
    overrides: s.overrides,
    visitors: s.visitors,
    fevers: s.fevers,
    slots: g.owed,
    done: g.counts.done,
    late: g.counts.late,
    missed: g.counts.missed,
    skipped: g.counts.skipped,
  };
}

/** The compound's tablets: online, records waiting, roster age, last seen. */
export async function tablets(db: Db, compoundId: number, now: Date) {
  const rows = await db
    .selectFrom('device')
    .select(['id', 'name', 'lastSeenAt', 'rosterFetchedAt', 'status', 'enrolledAt'])
    .where('compoundId', '=', compoundId)
    .where('revokedAt', 'is', null)
    .where('enrolledAt', 'is not', null)
    .execute();
  return sortNaturally(rows).map((d) => {
    const status = d.status ? (JSON.parse(d.status) as { pending?: number; appVersion?: string; reportedAt?: string }) : {};
    return {
      id: d.id,
      name: d.name,
      online: !!d.lastSeenAt && now.getTime() - Date.parse(d.lastSeenAt) < ONLINE_WITHIN_MS,
      lastSeenAt: d.lastSeenAt,
      pending: status.pending ?? null,
      pendingReportedAt: status.reportedAt ?? null,
      appVersion: status.appVersion ?? null,
      rosterFetchedAt: d.rosterFetchedAt,
      rosterAgeMinutes: d.rosterFetchedAt ? Math.floor((now.getTime() - Date.parse(d.rosterFetchedAt)) / 60_000) : null,
    };
  });
}

async function openConflicts(db: Db, compoundId: number): Promise<number> {
  const r = await db.selectFrom('conflict').select((eb) => eb.fn.countAll<number>().as('n')).where('compoundId', '=', compoundId).where('reviewedAt', 'is', null).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** A manager's day at a glance: traffic by hour, denials, overrides, visitors, tablets, disinfection. */
export async function compoundDashboard(db: Db, c: CompoundRef, date: string, now: Date) {
  const { summary, hourly } = await dayFigures(db, c, date);
  const { start, end } = dayBounds(date, c.timezone);
  const overrides = await db
    .selectFrom('gateCheck as g')
    .innerJoin('gate', 'gate.id', 'g.gateId')
    .leftJoin('user as u', 'u.id', 'g.volunteerId')
    .select(['g.id', 'g.occurredAt', 'g.direction', 'g.reasons', 'g.overrideReason', 'gate.name as gate', 'g.personName as residentName', 'u.displayName as volunteer'])
    .where('g.compoundId', '=', c.id)
    .where('g.occurredAt', '>=', start)
    .where('g.occurredAt', '<', end)
    .where('g.overrideReason', 'is not', null)
    .where(notVoided)
    .orderBy('g.occurredAt', 'desc')
    .limit(50)
    .execute();
  const g = await dayGrid(db, c, date, now);
  return {
    compound: c,
    date,
    summary,
    hourly,
    overrides: overrides.map((o) => ({ ...o, reasons: JSON.parse(o.reasons) as { code: string }[] })),
    tablets: await tablets(db, c.id, now),
    disinfection: { counts: g.counts, slots: g.owed, missed: g.missed },
    conflictsOpen: await openConflicts(db, c.id),
  };
}

/** The district over a date range: one row per compound (totals) and a series per compound per day. */
export async function districtOverview(db: Db, compounds: CompoundRef[], from: string, to: string, now: Date) {
  const rows = [];
  for (const c of compounds) {
    const days: DailyRow[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) {
      days.push(await dailySummary(db, c, d, now));
      await breathe();
    }
    const total = (k: keyof Omit<DailyRow, 'date' | 'compound'>) => days.reduce((t, d) => t + d[k], 0);
    const devices = await tablets(db, c.id, now);
    const finished = total('done') + total('late');
    const past = finished + total('missed') + total('skipped');
    rows.push({
      compoundId: c.id,
      compound: c.name,
      in: total('in'),
      out: total('out'),
      turnedBack: total('turnedBack'),
      overrides: total('overrides'),
      visitors: total('visitors'),
      disinfection: { done: total('done'), late: total('late'), missed: total('missed'), skipped: total('skipped'), rate: past ? finished / past : null },
      tablets: { online: devices.filter((d) => d.online).length, total: devices.length, pending: devices.reduce((t, d) => t + (d.pending ?? 0), 0) },
      conflictsOpen: await openConflicts(db, c.id),
      days: days.map((d) => {
        const fin = d.done + d.late;
        const due = fin + d.missed + d.skipped;
        return { date: d.date, passed: d.in + d.out, turnedBack: d.turnedBack, disinfectionRate: due ? fin / due : null };
      }),
    });
  }
  return { from, to, rows };
}

/** The compounds of a scope (undefined: all), by id. */
export async function compoundsIn(db: Db, scope: number[] | undefined) {
  let q = db.selectFrom('compound').select(['id', 'name', 'timezone']).orderBy('id');
  if (scope) q = q.where('id', 'in', scope.length ? scope : [0]);
  return q.execute();
}
