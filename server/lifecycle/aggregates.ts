import { tallyOf } from '../core/gate-check.js';
import { zonedDate, zonedParts } from '../core/time.js';
import type { Db } from '../db/database.js';
import { type CheckSummary, summarize } from '../core/gate-check.js';

/**
 * What purged rows add up to, kept so the figures of a purged day stay what they were. Every reader (the
 * dashboard, the district overview, the daily report, the daily-summary export, the shift list and log)
 * reads a day as "its aggregate + the rows still there": the purge folds a batch of rows into the
 * aggregate and deletes them in one transaction, so the sum is the same before, during and after it, and
 * a record synced late for a purged day is simply folded in by the next purge.
 */

export type Hourly = { hour: number; in: number; out: number; turnedBack: number }[];

export const emptyHourly = (): Hourly => Array.from({ length: 24 }, (_, hour) => ({ hour, in: 0, out: 0, turnedBack: 0 }));

/** a + b, field by field (denials by reason too). */
export function mergeSummaries(a: CheckSummary, b: CheckSummary | null | undefined): CheckSummary {
  if (!b) return a;
  const out = { ...a, denialsByReason: { ...a.denialsByReason } };
  for (const k of ['total', 'in', 'out', 'allow', 'deny', 'review', 'turnedBack', 'overrides', 'visitors', 'fevers'] as const) out[k] = a[k] + (b[k] ?? 0);
  for (const [code, n] of Object.entries(b.denialsByReason ?? {})) out.denialsByReason[code] = (out.denialsByReason[code] ?? 0) + n;
  return out;
}

export function addHourly(a: Hourly, b: Hourly | null | undefined): Hourly {
  if (!b) return a;
  return a.map((h, i) => ({ hour: h.hour, in: h.in + (b[i]?.in ?? 0), out: h.out + (b[i]?.out ?? 0), turnedBack: h.turnedBack + (b[i]?.turnedBack ?? 0) }));
}

export type CheckFacts = { occurredAt: string; direction: string; verdict: string; passed: number; subject: string; overrideReason: string | null; reasons: string };

/** The hours of a set of checks (visitors are counted as visitors, in the summary). */
export function hourlyOf(rows: CheckFacts[], tz: string): Hourly {
  const hourly = emptyHourly();
  for (const r of rows) {
    const tally = tallyOf({ ...r, direction: r.direction as 'in' | 'out' });
    if (tally !== 'visitor') hourly[zonedParts(Date.parse(r.occurredAt), tz).hour]![tally]++;
  }
  return hourly;
}

/** The purged part of one compound's day, all gates together (null: nothing of that day was purged). */
export async function gateDayAggregate(db: Db, compoundId: number, date: string): Promise<{ summary: CheckSummary; hourly: Hourly } | null> {
  const rows = await db.selectFrom('gateDayAggregate').select(['summary', 'hourly']).where('compoundId', '=', compoundId).where('day', '=', date).execute();
  if (!rows.length) return null;
  let summary = summarize([]);
  let hourly = emptyHourly();
  for (const r of rows) {
    summary = mergeSummaries(summary, JSON.parse(r.summary));
    hourly = addHourly(hourly, JSON.parse(r.hourly));
  }
  return { summary, hourly };
}

export interface ShiftAggregate {
  summary: CheckSummary;
  /** The overrides' reasons as the volunteers wrote them, with how many times each. */
  overrideReasons: Record<string, number>;
}

/** The purged part of these shifts' checks, by shift id. */
export async function shiftAggregates(db: Db, shiftIds: string[]): Promise<Map<string, ShiftAggregate>> {
  const out = new Map<string, ShiftAggregate>();
  if (!shiftIds.length) return out;
  const rows = await db.selectFrom('shiftAggregate').selectAll().where('shiftId', 'in', shiftIds).execute();
  for (const r of rows) out.set(r.shiftId, { summary: JSON.parse(r.summary), overrideReasons: JSON.parse(r.overrideReasons) });
  return out;
}

/** A shift's counts: its purged checks' aggregate + the checks still stored. */
export async function shiftSummary(db: Db, shiftId: string, live: CheckFacts[] | Omit<CheckFacts, 'occurredAt'>[]): Promise<CheckSummary> {
  const agg = (await shiftAggregates(db, [shiftId])).get(shiftId);
  return mergeSummaries(summarize(live), agg?.summary);
}

/**
 * Fold a batch of gate checks about to be deleted into the day and shift aggregates (call it in the
 * transaction that deletes them). Voided checks counted for nothing and add nothing.
 */
export async function foldGateChecks(tx: Db, compoundId: number, tz: string, rows: (CheckFacts & { gateId: number; shiftId: string | null; voided: boolean })[]): Promise<void> {
  const byDay = new Map<string, typeof rows>();
  const byShift = new Map<string, typeof rows>();
  for (const r of rows) {
    if (r.voided) continue;
    const key = `${r.gateId}|${zonedDate(Date.parse(r.occurredAt), tz)}`;
    byDay.set(key, [...(byDay.get(key) ?? []), r]);
    if (r.shiftId) byShift.set(r.shiftId, [...(byShift.get(r.shiftId) ?? []), r]);
  }
  for (const [key, group] of byDay) {
    const [gate, day] = key.split('|') as [string, string];
    const gateId = Number(gate);
    const old = await tx.selectFrom('gateDayAggregate').select(['summary', 'hourly']).where('compoundId', '=', compoundId).where('gateId', '=', gateId).where('day', '=', day).executeTakeFirst();
    const summary = JSON.stringify(mergeSummaries(summarize(group), old ? JSON.parse(old.summary) : null));
    const hourly = JSON.stringify(addHourly(hourlyOf(group, tz), old ? JSON.parse(old.hourly) : null));
    if (old) await tx.updateTable('gateDayAggregate').set({ summary, hourly }).where('compoundId', '=', compoundId).where('gateId', '=', gateId).where('day', '=', day).execute();
    else await tx.insertInto('gateDayAggregate').values({ compoundId, gateId, day, summary, hourly }).execute();
  }
  for (const [shiftId, group] of byShift) {
    const old = (await shiftAggregates(tx, [shiftId])).get(shiftId);
    const reasons = { ...(old?.overrideReasons ?? {}) };
    for (const r of group) if (r.overrideReason) reasons[r.overrideReason] = (reasons[r.overrideReason] ?? 0) + 1;
    const summary = JSON.stringify(mergeSummaries(summarize(group), old?.summary));
    if (old) await tx.updateTable('shiftAggregate').set({ summary, overrideReasons: JSON.stringify(reasons) }).where('shiftId', '=', shiftId).execute();
    else await tx.insertInto('shiftAggregate').values({ shiftId, compoundId, summary, overrideReasons: JSON.stringify(reasons) }).execute();
  }
}

export interface DayGridAggregate {
  owed: number;
  counts: Record<string, number>;
  missed: { kind: string; id: number; name: string; time: string }[];
}

/** A purged day's disinfection grid figures (null: the day's rounds are still stored). */
export async function disinfectionDayAggregate(db: Db, compoundId: number, date: string): Promise<DayGridAggregate | null> {
  const r = await db.selectFrom('disinfectionDayAggregate').select('grid').where('compoundId', '=', compoundId).where('day', '=', date).executeTakeFirst();
  return r ? (JSON.parse(r.grid) as DayGridAggregate) : null;
}
