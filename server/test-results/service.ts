import { recordAudit } from '../audit/queries.js';
import type { TestResultValue } from '../core/decide.js';
import { parseLocalDateTime } from '../core/time.js';
import type { MessageCode } from '../core/messages.js';
import { NotFoundError, rowReason } from '../errors.js';
import type { Actor } from '../auth/actor.js';
import type { AppDeps } from '../deps.js';
import type { Db } from '../db/database.js';
import { eventLoopPace } from '../imports/pace.js';
import { type Sheet, mapColumns } from '../imports/spreadsheet.js';
import { buildingsByName } from '../residents/queries.js';
import type { ImportMode } from '../residents/service.js';
import { bumpRosterVersion } from '../roster/version.js';
import type { AlertView } from '../alerts/queries.js';
import { testResultsStored } from '../rounds/service.js';

const RESULT_WORDS: Record<string, TestResultValue> = {
  阴性: 'negative', negative: 'negative', neg: 'negative', '-': 'negative', 阴: 'negative',
  阳性: 'positive', positive: 'positive', pos: 'positive', '+': 'positive', 阳: 'positive',
  待出: 'pending', 待检: 'pending', 检测中: 'pending', 未出: 'pending', pending: 'pending',
};

export function parseResult(text: string): TestResultValue | null {
  return RESULT_WORDS[text.trim().toLowerCase()] ?? null;
}

export const TEST_COLUMNS = {
  building: ['楼栋', '楼号', '楼', 'building'],
  unit: ['单元', 'unit'],
  room: ['房号', '房间号', '门牌号', 'room'],
  name: ['姓名', '名字', '受检人', 'name'],
  phone: ['手机号', '手机', '电话', '联系电话', 'phone'],
  sampledAt: ['采样时间', '采样日期', '采集时间', 'sampled at', 'sampledat', 'sampled'],
  result: ['结果', '检测结果', '核酸结果', 'result'],
};

/** The columns a testing round is read by (fails in words when a required one is missing); readSheet keeps only their cells. */
export const testColumns = (headers: string[]) => mapColumns(headers, TEST_COLUMNS, ['name', 'sampledAt', 'result']);

export interface TestImportRow {
  line: number;
  status: 'imported' | 'unmatched' | 'rejected';
  name?: string;
  /** Why a row is skipped or matched nobody: its catalogued code and params, and their English text. */
  reason?: string;
  code?: MessageCode;
  params?: unknown;
  residentId?: number;
}

export interface TestImportReport {
  roundId: number | null;
  rows: TestImportRow[];
  imported: number;
  unmatched: number;
  rejected: number;
  applied: boolean;
  message: string;
  /** Positive results among those imported raise alerts (shown on the dashboards). */
  alerts?: AlertView[];
}

/**
 * A testing round from the station's spreadsheet: each row is matched to a resident by address and name,
 * else by phone. Unmatched rows (people of other compounds, typos) are reported and never block the rest;
 * malformed rows (no time, unknown result) block the whole file in strict mode.
 */
export async function importTestRound(
  deps: AppDeps,
  actor: Actor | null,
  compoundId: number,
  sheet: Sheet,
  opts: { name: string; mode: ImportMode; dryRun: boolean; fileName: string },
  ip: string,
): Promise<TestImportReport> {
  const db = deps.database.db;
  const cols = testColumns(sheet.headers);
  const compound = await db.selectFrom('compound').select('timezone').where('id', '=', compoundId).executeTakeFirstOrThrow();
  const buildings = await buildingsByName(db, compoundId);
  const people = await db
    .selectFrom('resident as r')
    .innerJoin('household as h', 'h.id', 'r.householdId')
    .select(['r.id', 'r.name', 'r.phone', 'h.buildingId', 'h.unit', 'h.room'])
    .where('r.compoundId', '=', compoundId)
    .where('r.deletedAt', 'is', null)
    .execute();
  const byAddressName = new Map(people.map((p) => [`${p.buildingId}|${p.unit}|${p.room}|${p.name}`, p.id]));
  const byPhone = new Map<string, number[]>();
  for (const p of people) if (p.phone) byPhone.set(p.phone, [...(byPhone.get(p.phone) ?? []), p.id]);
  const byName = new Map<string, number[]>();
  for (const p of people) byName.set(p.name, [...(byName.get(p.name) ?? []), p.id]);

  const rows: TestImportRow[] = [];
  const good: { residentId: number; sampledAt: string; result: TestResultValue }[] = [];
  // Some 8 µs a row (the station's local time to UTC, the matching): without these turns a 200,000-row
  // file would hold the event loop for a second and a half.
  const pace = eventLoopPace();
  for (const { line, cells } of sheet.rows) {
    if (pace.due()) await pace.turn();
    const get = (f: keyof typeof TEST_COLUMNS) => (cols[f] ? (cells[cols[f]!] ?? '') : '');
    const name = get('name');
    const sampled = parseLocalDateTime(get('sampledAt'), compound.timezone);
    const result = parseResult(get('result'));
    if (!name) {
      rows.push({ line, status: 'rejected', ...rowReason('row_name_empty') });
      continue;
    }
    if (sampled === null) {
      rows.push({ line, status: 'rejected', name, ...rowReason('row_bad_sample_time', { value: get('sampledAt') }) });
      continue;
    }
    if (!result) {
      rows.push({ line, status: 'rejected', name, ...rowReason('row_bad_result', { value: get('result') }) });
      continue;
    }
    const building = buildings.get(get('building'));
    const unit = get('unit').replace(/单元$/, '') || '1';
    const room = get('room').replace(/(室|号)$/, '');
    const phone = get('phone').replace(/[\s-]/g, '');
    let residentId = building ? byAddressName.get(`${building.id}|${unit}|${room}|${name}`) : undefined;
    if (!residentId && phone) {
      const candidates = (byPhone.get(phone) ?? []).filter((id) => (byName.get(name) ?? []).includes(id));
      if (candidates.length === 1) residentId = candidates[0];
    }
    if (!residentId) {
      rows.push({ line, status: 'unmatched', name, ...rowReason('row_no_match') });
      continue;
    }
    rows.push({ line, status: 'imported', name, residentId });
    good.push({ residentId, sampledAt: new Date(sampled).toISOString(), result });
  }

  const count = (s: TestImportRow['status']) => rows.filter((r) => r.status === s).length;
  const rejected = count('rejected');
  const apply = !opts.dryRun && (opts.mode === 'valid_rows' || rejected === 0) && good.length > 0;
  let roundId: number | null = null;
  const at = deps.now().toISOString();
  const report: TestImportReport = {
    roundId,
    rows,
    imported: apply ? good.length : 0,
    unmatched: count('unmatched'),
    rejected,
    applied: apply,
    message: apply
      ? `Imported ${good.length} results; ${count('unmatched')} rows matched nobody${rejected ? `, ${rejected} malformed rows skipped` : ''}.`
      : opts.dryRun
        ? `Preview only: ${good.length} rows would be imported, ${count('unmatched')} match nobody, ${rejected} are malformed.`
        : rejected
          ? `Nothing was imported: ${rejected} row(s) are malformed. Fix them, or choose to import the valid rows only.`
          : 'No row matched a resident: nothing to import.',
  };
  if (apply) {
    roundId = await db.transaction().execute(async (tx) => {
      const rv = await bumpRosterVersion(tx, compoundId);
      const round = await tx
        .insertInto('testRound')
        .values({
          compoundId,
          name: opts.name,
          fileName: opts.fileName,
          importedAt: at,
          importedBy: actor && actor.kind !== 'device' ? actor.user.id : null,
          matched: good.length,
          unmatched: count('unmatched'),
          report: JSON.stringify({ ...report, roundId: null }),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (let i = 0; i < good.length; i += 500) {
        await tx
          .insertInto('testResult')
          .values(good.slice(i, i + 500).map((g) => ({ compoundId, ...g, source: 'import' as const, roundId: round.id, recordedBy: null, deviceId: null, recordId: null, createdAt: at, rv })))
          .execute();
      }
      await recordAudit(tx, { actor, action: 'test_round.import', entity: 'test_round', entityId: round.id, compoundId, details: { file: opts.fileName, imported: good.length, unmatched: report.unmatched, rejected }, at, ip });
      // Its rounds' coverage counted again, and an alert for each positive result.
      const positives = await tx.selectFrom('testResult').select('id').where('roundId', '=', round.id).where('result', '=', 'positive').execute();
      report.alerts = await testResultsStored(tx, compoundId, { ids: positives.map((p) => p.id), sampledAts: [...new Set(good.map((g) => g.sampledAt))] }, actor, at, ip);
      return round.id;
    });
    report.roundId = roundId;
  }
  return report;
}

/** A result entered by hand in the office (a paper certificate, a phone call from the station). */
export async function recordTestResult(
  deps: AppDeps,
  actor: Actor | null,
  compoundId: number,
  residentId: number,
  input: { sampledAt: string; result: TestResultValue },
  ip: string,
) {
  const db = deps.database.db;
  const resident = await db.selectFrom('resident').select('id').where('compoundId', '=', compoundId).where('id', '=', residentId).where('deletedAt', 'is', null).executeTakeFirst();
  if (!resident) throw new NotFoundError('resident');
  const at = deps.now().toISOString();
  return db.transaction().execute(async (tx) => {
    const rv = await bumpRosterVersion(tx, compoundId);
    const r = await tx
      .insertInto('testResult')
      .values({ compoundId, residentId, sampledAt: input.sampledAt, result: input.result, source: 'manual', roundId: null, recordedBy: actor && actor.kind !== 'device' ? actor.user.id : null, deviceId: null, recordId: null, createdAt: at, rv })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(tx, { actor, action: 'test_result.record', entity: 'test_result', entityId: r.id, compoundId, details: { residentId, ...input }, at, ip });
    const alerts = await testResultsStored(tx, compoundId, { ids: [r.id], sampledAts: [input.sampledAt], residentIds: [residentId] }, actor, at, ip);
    return { id: r.id, alerts };
  });
}

export function testHistory(db: Db, compoundId: number, residentId: number) {
  return db
    .selectFrom('testResult as t')
    .leftJoin('testRound as r', 'r.id', 't.roundId')
    .select(['t.id', 't.sampledAt', 't.result', 't.source', 't.createdAt', 'r.name as round'])
    .where('t.compoundId', '=', compoundId)
    .where('t.residentId', '=', residentId)
    .orderBy('t.sampledAt', 'desc')
    .execute();
}
