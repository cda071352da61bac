import { PostgresAdapter, sql } from 'kysely';
import { summarize } from '../core/gate-check.js';
import { addDays, zonedToUtc } from '../core/time.js';
import { breathe } from '../db/breathe.js';
import { districtGrids, grid } from '../disinfection/queries.js';
import { notVoided } from '../gate/queries.js';
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
  return (await districtTablets(db, [compoundId], now)).get(compoundId) ?? [];
}

/** The tablets of several compounds (one read), by compound, each list as `tablets` gives it. */
async function districtTablets(db: Db, compoundIds: number[], now: Date) {
  const rows = await db
    .selectFrom('device')
    .select(['compoundId', 'id', 'name', 'lastSeenAt', 'rosterFetchedAt', 'status', 'enrolledAt'])
    .where('compoundId', 'in', compoundIds.length ? compoundIds : [0])
    .where('revokedAt', 'is', null)
    .where('enrolledAt', 'is not', null)
    .execute();
  const out = new Map<number, ReturnType<typeof tabletOf>[]>();
  for (const d of sortNaturally(rows)) out.set(d.compoundId, [...(out.get(d.compoundId) ?? []), tabletOf(d, now)]);
  return out;
}

function tabletOf(d: { id: number; name: string; lastSeenAt: string | null; rosterFetchedAt: string | null; status: string | null }, now: Date) {
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

/** Gate counts per compound per local day, the voided left out (tallyOf, summarize), for `dailyGateCounts`. */
interface GateDay {
  compoundId: number;
  day: string;
  in: number;
  out: number;
  turnedBack: number;
  visitors: number;
  overrides: number;
}

const TALLY = sql`
  sum(case when g.passed = 1 and g.subject <> 'visitor' and g.direction = 'in' then 1 else 0 end),
  sum(case when g.passed = 1 and g.subject <> 'visitor' and g.direction = 'out' then 1 else 0 end),
  sum(case when g.passed = 0 then 1 else 0 end),
  sum(case when g.passed = 1 and g.subject = 'visitor' then 1 else 0 end),
  sum(case when g.override_reason is not null then 1 else 0 end)`;
const DAY_CHECKS = sql`from gate_check g
  where g.compound_id = d.compound_id and g.occurred_at >= d.start_at and g.occurred_at < d.end_at
    and not exists (select 1 from gate_check_void v where v.gate_check_id = g.id)`;

/**
 * The gate counts of every compound on every day of a range: each compound's local days as time ranges (a
 * VALUES list, the compound's own time zone), and for each range one read of its checks on the covering
 * index (compound_id, occurred_at, …; migrations/0009). The same tally as `summarize` (core/gate-check.ts
 * tallyOf). The aggregate is per range, not a join grouped afterwards: written as a join, both planners
 * read the whole table once per statement and matched every check against each of its compound's days
 * (SQLite: a scan of the index with an automatic index on the days' compound; PostgreSQL: a hash join on
 * the compound, the time range a filter), 31 tries a check, ~90% of the overview's time. PostgreSQL: a
 * LATERAL subquery; SQLite has none, so a scalar subquery gives the five sums as one JSON array. A day
 * without checks comes back as nulls (zero).
 */
async function dailyGateCounts(db: Db, compounds: CompoundRef[], days: string[]): Promise<Map<string, GateDay>> {
  const out = new Map<string, GateDay>();
  const ranges = compounds.flatMap((c) => days.map((d) => ({ c: c.id, d, ...dayBounds(d, c.timezone) })));
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  // A few hundred compound-days a statement keeps within either database's limit on parameters.
  for (let i = 0; i < ranges.length; i += 500) {
    const part = ranges.slice(i, i + 500);
    const values = sql.join(part.map((r) => sql`(cast(${r.c} as integer), ${r.d}, ${r.start}, ${r.end})`));
    const daysCte = sql`with days (compound_id, day, start_at, end_at) as (values ${values})`;
    const rows: { compoundId: number; day: string; t: (number | string | null)[] }[] = pg
      ? (
          await sql<{ compoundId: number; day: string; t: (number | string | null)[] }>`${daysCte}
            select d.compound_id, d.day, t.t from days d cross join lateral (select array[${TALLY}] as t ${DAY_CHECKS}) t`.execute(db)
        ).rows
      : (await sql<{ compoundId: number; day: string; t: string | null }>`${daysCte}
            select d.compound_id, d.day, (select json_array(${TALLY}) ${DAY_CHECKS}) as t from days d`.execute(db)).rows.map((r) => ({ ...r, t: r.t ? (JSON.parse(r.t) as (number | null)[]) : [] }));
    for (const r of rows) {
      const [ins, outs, turnedBack, visitors, overrides] = [0, 1, 2, 3, 4].map((k) => Number(r.t?.[k] ?? 0)) as [number, number, number, number, number];
      out.set(`${r.compoundId}|${r.day}`, { compoundId: Number(r.compoundId), day: r.day, in: ins, out: outs, turnedBack, visitors, overrides });
    }
  }
  return out;
}

/**
 * The district over a date range: one row per compound (totals) and a series per compound per day. The
 * gate counts of all compounds and days are one statement (per 500 compound-days), the open conflicts another;
 * the disinfection grids of all compounds one read of their schedules, places and rounds, the tablets one more.
 */
export async function districtOverview(db: Db, compounds: CompoundRef[], from: string, to: string, now: Date) {
  const dates: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) dates.push(d);
  const gate = await dailyGateCounts(db, compounds, dates);
  const ids = compounds.length ? compounds.map((c) => c.id) : [0];
  // Purged days: their counts live on in the daily aggregates (server/lifecycle), added to what is stored.
  for (const a of await db.selectFrom('gateDayAggregate').select(['compoundId', 'day', 'summary']).where('compoundId', 'in', ids).where('day', '>=', from).where('day', '<=', to).execute()) {
    const s = JSON.parse(a.summary) as { in: number; out: number; turnedBack: number; visitors: number; overrides: number };
    const key = `${a.compoundId}|${a.day}`;
    const n = gate.get(key) ?? { compoundId: a.compoundId, day: a.day, in: 0, out: 0, turnedBack: 0, visitors: 0, overrides: 0 };
    gate.set(key, { ...n, in: n.in + s.in, out: n.out + s.out, turnedBack: n.turnedBack + s.turnedBack, visitors: n.visitors + s.visitors, overrides: n.overrides + s.overrides });
  }
  const purgedGrids = new Map(
    (await db.selectFrom('disinfectionDayAggregate').select(['compoundId', 'day', 'grid']).where('compoundId', 'in', ids).where('day', '>=', from).where('day', '<=', to).execute()).map((r) => [
      `${r.compoundId}|${r.day}`,
      JSON.parse(r.grid) as { counts: Record<string, number> },
    ]),
  );
  const conflicts = new Map(
    (await db.selectFrom('conflict').select(['compoundId', (eb) => eb.fn.countAll<number>().as('n')]).where('compoundId', 'in', ids).where('reviewedAt', 'is', null).groupBy('compoundId').execute()).map((r) => [r.compoundId, Number(r.n)]),
  );
  // Every compound's grids and tablets in one read each, not a read per compound.
  const allGrids = await districtGrids(db, compounds.map((c) => c.id), dates, now);
  const allTablets = await districtTablets(db, compounds.map((c) => c.id), now);
  const rows = [];
  for (const c of compounds) {
    const grid = allGrids.get(c.id)!;
    const days = dates.map((date) => {
      const g = purgedGrids.get(`${c.id}|${date}`) ?? grid.get(date)!;
      const n = gate.get(`${c.id}|${date}`);
      return { date, in: n?.in ?? 0, out: n?.out ?? 0, turnedBack: n?.turnedBack ?? 0, visitors: n?.visitors ?? 0, overrides: n?.overrides ?? 0, done: g.counts.done, late: g.counts.late, missed: g.counts.missed, skipped: g.counts.skipped };
    });
    const total = (k: Exclude<keyof (typeof days)[number], 'date'>) => days.reduce((t, d) => t + d[k], 0);
    const devices = allTablets.get(c.id) ?? [];
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
      conflictsOpen: conflicts.get(c.id) ?? 0,
      days: days.map((d) => {
        const fin = d.done + d.late;
        const due = fin + d.missed + d.skipped;
        return { date: d.date, passed: d.in + d.out, turnedBack: d.turnedBack, disinfectionRate: due ? fin / due : null };
      }),
    });
    await breathe();
  }
  return { from, to, rows };
}

/** The compounds of a scope (undefined: all), by id. */
export async function compoundsIn(db: Db, scope: number[] | undefined) {
  let q = db.selectFrom('compound').select(['id', 'name', 'timezone']).orderBy('id');
  if (scope) q = q.where('id', 'in', scope.length ? scope : [0]);
  return q.execute();
}
