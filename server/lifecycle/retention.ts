import { recordAudit } from '../audit/queries.js';
import type { Actor } from '../auth/actor.js';
import { lifecycleConfig, type RetentionDefaults } from '../config.js';
import { addDays, zonedDate, zonedToUtc } from '../core/time.js';
import { breathe } from '../db/breathe.js';
import type { Db } from '../db/database.js';
import type { AppDeps } from '../deps.js';
import { grid } from '../disinfection/queries.js';
import { isDue, type Job } from '../jobs/scheduler.js';
import { sealRoundsBefore } from '../rounds/queries.js';
import { foldGateChecks } from './aggregates.js';

/**
 * Retention: each compound keeps gate checks (visitors are gate checks), disinfection photos and test
 * results for so many days, and disinfection records and shift logs longer. A purge removes whole local
 * days older than that (today and the N days before it stay), in batches of PURGE_BATCH rows, each batch
 * one short transaction that folds its rows into the aggregates (server/lifecycle/aggregates.ts) and
 * deletes them, with the event loop let go between batches so tablets' syncs are answered meanwhile.
 */

export const PURGE_BATCH = 500;

export type RetentionKind = keyof RetentionDefaults;
export const RETENTION_KINDS: RetentionKind[] = ['gateDays', 'photoDays', 'testDays', 'recordDays'];

export interface Retention extends RetentionDefaults {
  /** Which values are the compound's own (the rest are the configured defaults). */
  own: Record<RetentionKind, boolean>;
  defaults: RetentionDefaults;
  lastPurgeAt: string | null;
  lastPurge: PurgeReport | null;
}

export interface PurgeReport {
  /** Rows removed per kind. */
  counts: { gateChecks: number; visitors: number; photos: number; testResults: number; disinfectionRecords: number; shifts: number };
  /** Oldest and newest time of what was removed, per kind (null: nothing). */
  ranges: Partial<Record<'gateChecks' | 'photos' | 'testResults' | 'disinfectionRecords' | 'shifts', { from: string; to: string }>>;
  /** The first local day each kind keeps. */
  keepsFrom: Record<RetentionKind, string>;
}

export async function retentionOf(db: Db, compoundId: number, defaults: RetentionDefaults): Promise<Retention> {
  const row = await db.selectFrom('retentionSetting').selectAll().where('compoundId', '=', compoundId).executeTakeFirst();
  const own = Object.fromEntries(RETENTION_KINDS.map((k) => [k, row?.[k] != null])) as Record<RetentionKind, boolean>;
  const value = (k: RetentionKind) => row?.[k] ?? defaults[k];
  return {
    gateDays: value('gateDays'),
    photoDays: value('photoDays'),
    testDays: value('testDays'),
    recordDays: value('recordDays'),
    own,
    defaults,
    lastPurgeAt: row?.lastPurgeAt ?? null,
    lastPurge: row?.lastPurge ? (JSON.parse(row.lastPurge) as PurgeReport) : null,
  };
}

/** Set a compound's retention (null: back to the default), audited. */
export async function updateRetention(deps: AppDeps, asker: { actor: Actor | null; ip: string }, compoundId: number, patch: Partial<Record<RetentionKind, number | null>>) {
  const at = deps.now().toISOString();
  const actorId = asker.actor?.kind === 'office' ? asker.actor.user.id : null;
  await deps.database.db.transaction().execute(async (tx) => {
    await tx.insertInto('retentionSetting').values({ compoundId }).onConflict((oc) => oc.column('compoundId').doNothing()).execute();
    await tx.updateTable('retentionSetting').set({ ...patch, updatedAt: at, updatedBy: actorId }).where('compoundId', '=', compoundId).execute();
    await recordAudit(tx, { actor: asker.actor, action: 'retention.update', entity: 'compound', entityId: compoundId, compoundId, details: patch, ip: asker.ip, at });
  });
  return retentionOf(deps.database.db, compoundId, lifecycleConfig(deps.config).retention);
}

/** The instant before which each kind is removed: the start of (today − days) in the compound's zone. */
export function cutoffsOf(r: RetentionDefaults, tz: string, now: Date): Record<RetentionKind, { day: string; iso: string }> {
  const today = zonedDate(now.getTime(), tz);
  const at = (days: number) => {
    const day = addDays(today, -days);
    return { day, iso: new Date(zonedToUtc(day, tz)).toISOString() };
  };
  return { gateDays: at(r.gateDays), photoDays: at(r.photoDays), testDays: at(r.testDays), recordDays: at(r.recordDays) };
}

const widen = (range: { from: string; to: string } | undefined, times: string[]) => {
  if (!times.length) return range;
  const sorted = [...times].sort();
  const from = sorted[0]!;
  const to = sorted[sorted.length - 1]!;
  return { from: range && range.from < from ? range.from : from, to: range && range.to > to ? range.to : to };
};

/** Delete the gate checks of a compound older than `before`, a batch at a time, folded into the aggregates first. */
export async function purgeGateChecks(db: Db, compound: { id: number; timezone: string }, before: string, report: PurgeReport): Promise<void> {
  for (;;) {
    const n = await db.transaction().execute(async (tx) => {
      const rows = await tx
        .selectFrom('gateCheck as g')
        .select(['g.id', 'g.gateId', 'g.shiftId', 'g.occurredAt', 'g.direction', 'g.verdict', 'g.passed', 'g.subject', 'g.overrideReason', 'g.reasons'])
        .select((eb) => eb.exists(eb.selectFrom('gateCheckVoid as v').select('v.id').whereRef('v.gateCheckId', '=', 'g.id')).as('voided'))
        .where('g.compoundId', '=', compound.id)
        .where('g.occurredAt', '<', before)
        .orderBy('g.occurredAt')
        .limit(PURGE_BATCH)
        .execute();
      if (!rows.length) return 0;
      await foldGateChecks(tx, compound.id, compound.timezone, rows.map((r) => ({ ...r, voided: !!Number(r.voided) })));
      const ids = rows.map((r) => r.id);
      await tx.deleteFrom('gateCheckAnalysis').where('gateCheckId', 'in', ids).execute();
      await tx.deleteFrom('gateCheckVoid').where('gateCheckId', 'in', ids).execute();
      await tx.deleteFrom('conflict').where('gateCheckId', 'in', ids).execute();
      await tx.deleteFrom('gateCheck').where('id', 'in', ids).execute();
      report.counts.gateChecks += rows.length;
      report.counts.visitors += rows.filter((r) => r.subject === 'visitor').length;
      report.ranges.gateChecks = widen(report.ranges.gateChecks, rows.map((r) => r.occurredAt));
      return rows.length;
    });
    if (n < PURGE_BATCH) return;
    await breathe();
  }
}

export async function purgePhotos(db: Db, compoundId: number, before: string, report: PurgeReport): Promise<void> {
  for (;;) {
    const rows = await db
      .selectFrom('disinfectionPhoto as p')
      .innerJoin('disinfectionRecord as r', 'r.id', 'p.recordId')
      .select(['p.recordId', 'r.finishedAt'])
      .where('r.compoundId', '=', compoundId)
      .where('r.finishedAt', '<', before)
      .limit(PURGE_BATCH)
      .execute();
    if (!rows.length) return;
    await db.deleteFrom('disinfectionPhoto').where('recordId', 'in', rows.map((r) => r.recordId)).execute();
    report.counts.photos += rows.length;
    report.ranges.photos = widen(report.ranges.photos, rows.map((r) => r.finishedAt));
    if (rows.length < PURGE_BATCH) return;
    await breathe();
  }
}

export async function purgeTestResults(db: Db, compound: { id: number; timezone: string }, before: string, report: PurgeReport, at: string): Promise<void> {
  // What the rows count for outlives them: the testing rounds they fall in are counted one last time and
  // sealed (server/rounds, round_coverage), so the coverage grid and the trend stay as they were.
  await sealRoundsBefore(db, compound.id, before, at);
  for (;;) {
    const n = await db.transaction().execute(async (tx) => {
      const rows = await tx.selectFrom('testResult').select(['id', 'sampledAt']).where('compoundId', '=', compound.id).where('sampledAt', '<', before).orderBy('id').limit(PURGE_BATCH).execute();
      if (!rows.length) return 0;
      await tx.deleteFrom('testResult').where('id', 'in', rows.map((r) => r.id)).execute();
      report.counts.testResults += rows.length;
      report.ranges.testResults = widen(report.ranges.testResults, rows.map((r) => r.sampledAt));
      return rows.length;
    });
    if (n < PURGE_BATCH) return;
    await breathe();
  }
}

/** Disinfection records (and their photos) of days before `beforeDay`: each day's grid is kept first. */
async function purgeRecords(db: Db, compoundId: number, beforeDay: string, now: Date, report: PurgeReport): Promise<void> {
  const days = await db.selectFrom('disinfectionRecord').select('slotDate').distinct().where('compoundId', '=', compoundId).where('slotDate', '<', beforeDay).orderBy('slotDate').execute();
  for (const { slotDate } of days) {
    const existing = await db.selectFrom('disinfectionDayAggregate').select('day').where('compoundId', '=', compoundId).where('day', '=', slotDate).executeTakeFirst();
    if (!existing) {
      const g = await grid(db, compoundId, slotDate, now);
      await db.insertInto('disinfectionDayAggregate').values({ compoundId, day: slotDate, grid: JSON.stringify({ owed: g.owed, counts: g.counts, missed: g.missed }) }).execute();
    }
    for (;;) {
      const rows = await db.selectFrom('disinfectionRecord').select(['id', 'finishedAt']).where('compoundId', '=', compoundId).where('slotDate', '=', slotDate).limit(PURGE_BATCH).execute();
      if (!rows.length) break;
      const ids = rows.map((r) => r.id);
      await db.transaction().execute(async (tx) => {
        const photos = await tx.deleteFrom('disinfectionPhoto').where('recordId', 'in', ids).executeTakeFirst();
        report.counts.photos += Number(photos.numDeletedRows);
        await tx.deleteFrom('disinfectionRecord').where('id', 'in', ids).execute();
      });
      report.counts.disinfectionRecords += rows.length;
      report.ranges.disinfectionRecords = widen(report.ranges.disinfectionRecords, rows.map((r) => r.finishedAt));
      await breathe();
    }
  }
}

/** Shifts (with their aggregates) that began before `before` and have ended. */
async function purgeShifts(db: Db, compoundId: number, before: string, report: PurgeReport): Promise<void> {
  for (;;) {
    const rows = await db.selectFrom('shift').select(['id', 'startedAt']).where('compoundId', '=', compoundId).where('startedAt', '<', before).where('endedAt', 'is not', null).limit(PURGE_BATCH).execute();
    if (!rows.length) return;
    const ids = rows.map((r) => r.id);
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom('shiftAggregate').where('shiftId', 'in', ids).execute();
      await tx.deleteFrom('shift').where('id', 'in', ids).execute();
    });
    report.counts.shifts += rows.length;
    report.ranges.shifts = widen(report.ranges.shifts, rows.map((r) => r.startedAt));
    if (rows.length < PURGE_BATCH) return;
    await breathe();
  }
}

/** Purge one compound as its retention says, and record it (audit row, last purge). */
export async function purgeCompound(deps: AppDeps, compound: { id: number; timezone: string }): Promise<PurgeReport> {
  const db = deps.database.db;
  const now = deps.now();
  const r = await retentionOf(db, compound.id, lifecycleConfig(deps.config).retention);
  const cut = cutoffsOf(r, compound.timezone, now);
  const report: PurgeReport = {
    counts: { gateChecks: 0, visitors: 0, photos: 0, testResults: 0, disinfectionRecords: 0, shifts: 0 },
    ranges: {},
    keepsFrom: { gateDays: cut.gateDays.day, photoDays: cut.photoDays.day, testDays: cut.testDays.day, recordDays: cut.recordDays.day },
  };
  await purgeGateChecks(db, compound, cut.gateDays.iso, report);
  await purgePhotos(db, compound.id, cut.photoDays.iso, report);
  await purgeTestResults(db, compound, cut.testDays.iso, report, now.toISOString());
  await purgeRecords(db, compound.id, cut.recordDays.day, now, report);
  // A shift's log outlives its checks (shift aggregates) for as long as disinfection records are kept.
  await purgeShifts(db, compound.id, cut.recordDays.iso, report);
  const at = deps.now().toISOString();
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('retentionSetting').values({ compoundId: compound.id }).onConflict((oc) => oc.column('compoundId').doNothing()).execute();
    await tx.updateTable('retentionSetting').set({ lastPurgeAt: at, lastPurge: JSON.stringify(report) }).where('compoundId', '=', compound.id).execute();
    await recordAudit(tx, { actor: null, action: 'retention.purge', entity: 'compound', entityId: compound.id, compoundId: compound.id, details: report, at });
  });
  return report;
}

/**
 * The daily purge, as a scheduled job: it looks every hour and purges each compound once a day, after
 * PURGE_HOUR in that compound's own time zone (and at start when that was missed).
 */
export const retentionJob: Job = {
  name: 'retention',
  every: { ms: 60 * 60_000 },
  async run(deps) {
    const { purgeHour } = lifecycleConfig(deps.config);
    const compounds = await deps.database.db
      .selectFrom('compound as c')
      .leftJoin('retentionSetting as r', 'r.compoundId', 'c.id')
      .select(['c.id', 'c.timezone', 'r.lastPurgeAt'])
      .orderBy('c.id')
      .execute();
    for (const c of compounds) {
      const daily: Job = { name: 'retention', every: { dailyAtHour: purgeHour, timezone: c.timezone }, run: async () => {} };
      if (!isDue(daily, c.lastPurgeAt, deps.now(), c.timezone)) continue;
      const report = await purgeCompound(deps, c);
      const n = Object.values(report.counts).reduce((a, b) => a + b, 0);
      if (n) deps.log(`Retention: compound ${c.id} purged ${JSON.stringify(report.counts)}`);
      await breathe();
    }
  },
};
