import { DIRECTION_WORDS, type Lang, reasonLabel, VERDICT_WORDS } from '../core/i18n.js';
import { addDays, formatLocal, zonedToUtc } from '../core/time.js';
import { type DailyRow, dailySummary } from '../dashboard/queries.js';
import type SQLite from 'better-sqlite3';
import { breathe } from '../db/breathe.js';
import { iterateRows } from '../db/bulk.js';
import type { summarize } from '../core/gate-check.js';
import { type GateCheckRow, gateCheckRows, notVoided } from '../gate/queries.js';
import { shiftSummary } from '../lifecycle/aggregates.js';
import type { Db } from '../db/database.js';
import type { Column } from './format.js';

/** What an export covers: compounds (each read in its own time zone) and local dates, both ends included. */
export interface ExportScope {
  compounds: { id: number; name: string; timezone: string }[];
  from: string;
  to: string;
  now: Date;
}

export interface Dataset<R> {
  title: [string, string];
  columns: (lang: Lang) => Column<R>[];
  /** `raw`: the same connection's better-sqlite3 handle (SQLite), for a faster read where a dataset has one. */
  rows: (db: Db, scope: ExportScope, raw?: SQLite.Database) => AsyncIterable<R>;
}

const pick = (pair: readonly [string, string], lang: Lang) => pair[lang === 'zh' ? 0 : 1];
const yesNo = (v: boolean, lang: Lang) => (lang === 'zh' ? (v ? '是' : '否') : v ? 'yes' : 'no');
/**
 * A UTC minute (`YYYY-MM-DDTHH:MM`) as the compound's wall clock shows it: an export of a day's 40,000 checks asks
 * this three times a row, and rows come in time order, so consecutive rows mostly share their minute
 * (the export profile had the zone arithmetic at a fifth of a CSV export).
 */
const minutes = new Map<string, Map<string, string>>();
function localMinute(key: string, tz: string): string {
  let zone = minutes.get(tz);
  if (!zone) {
    zone = new Map();
    minutes.set(tz, zone);
  }
  let text = zone.get(key);
  if (text === undefined) {
    text = formatLocal(Date.parse(`${key}Z`), tz);
    if (zone.size > 50_000) zone.clear();
    zone.set(key, text);
  }
  return text;
}
/** Stored times are `toISOString` texts: their first 16 characters name the UTC minute (zones differ by whole minutes). */
const ISO_MINUTE = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;
const local = (iso: string | null, tz: string) => (iso ? (ISO_MINUTE.test(iso) ? localMinute(iso.slice(0, 16), tz) : formatLocal(Date.parse(iso), tz)) : null);
/** `f` of a row, worked out once per row though several columns ask (a JSON field read by two columns). */
function perRow<R extends object, T>(f: (r: R) => T): (r: R) => T {
  let last: R | undefined;
  let value: T;
  return (r) => {
    if (r !== last) {
      value = f(r);
      last = r;
    }
    return value;
  };
}
/** The UTC instants that bound a compound's local dates [from, to]. */
const bounds = (scope: ExportScope, tz: string) => ({
  start: new Date(zonedToUtc(scope.from, tz)).toISOString(),
  end: new Date(zonedToUtc(addDays(scope.to, 1), tz)).toISOString(),
});
const STREAM_CHUNK = 1000;

// ---------------------------------------------------------------------------------------------------------
// Gate checks: one row per check, as it was recorded.

function gateCheckQuery(db: Db, compoundId: number, start: string, end: string) {
  return gateCheckRows(db).where('g.compoundId', '=', compoundId).where('g.occurredAt', '>=', start).where('g.occurredAt', '<', end).orderBy('g.occurredAt').orderBy('g.id');
}

const SUBJECT_WORDS = { code: ['扫码', 'Scanned'], manual: ['查询登记', 'Looked up'], visitor: ['访客', 'Visitor'] } as const;
const RESULT_WORDS = { negative: ['阴性', 'negative'], positive: ['阳性', 'positive'], pending: ['待出结果', 'pending'] } as const;

export const gateChecks: Dataset<GateCheckRow> = {
  title: ['门岗核验记录', 'Gate checks'],
  columns: (lang) => {
    const test = perRow((r: GateCheckRow) => (r.testStatus ? (JSON.parse(r.testStatus) as { result: keyof typeof RESULT_WORDS; sampledAt: number; ageHours: number }) : null));
    const visitor = perRow((r: GateCheckRow) => (r.visitor ? (JSON.parse(r.visitor) as { name: string; reason: string }) : null));
    return [
      { zh: '时间', en: 'Time', width: 17, value: (r) => local(r.occurredAt, r.timezone) },
      { zh: '小区', en: 'Compound', width: 14, value: (r) => r.compound },
      { zh: '门岗', en: 'Gate', value: (r) => r.gate },
      { zh: '方向', en: 'Direction', width: 8, value: (r) => pick(DIRECTION_WORDS[r.direction], lang) },
      { zh: '方式', en: 'How', width: 10, value: (r) => pick(SUBJECT_WORDS[r.subject as keyof typeof SUBJECT_WORDS], lang) },
      { zh: '姓名', en: 'Name', width: 12, value: (r) => r.residentName ?? visitor(r)?.name ?? null },
      { zh: '楼栋', en: 'Building', width: 10, value: (r) => r.building },
      { zh: '单元', en: 'Unit', width: 8, value: (r) => r.unit },
      { zh: '房号', en: 'Room', width: 8, value: (r) => r.room },
      { zh: '核酸结果', en: 'Test result', width: 10, value: (r) => { const t = test(r); return t ? pick(RESULT_WORDS[t.result], lang) : null; } },
      { zh: '采样时间', en: 'Sampled at', width: 17, value: (r) => { const t = test(r); return t ? localMinute(new Date(t.sampledAt).toISOString().slice(0, 16), r.timezone) : null; } },
      { zh: '体温(°C)', en: 'Temperature (°C)', width: 9, value: (r) => (r.temperatureC !== null ? r.temperatureC.toFixed(1) : r.temperatureNormal ? pick(['正常', 'normal'], lang) : null) },
      { zh: '核验结论', en: 'Verdict', width: 10, value: (r) => pick(VERDICT_WORDS[r.verdict], lang) },
      { zh: '原因', en: 'Reasons', width: 24, value: (r) => (JSON.parse(r.reasons) as { code: string }[]).map((x) => reasonLabel(x.code, lang)).join(lang === 'zh' ? '；' : '; ') || null },
      { zh: '是否通行', en: 'Passed', width: 8, value: (r) => yesNo(r.passed === 1, lang) },
      { zh: '人工放行原因', en: 'Override reason', width: 16, value: (r) => r.overrideReason },
      { zh: '访客事由', en: 'Visit reason', width: 12, value: (r) => visitor(r)?.reason ?? null },
      { zh: '志愿者', en: 'Volunteer', width: 10, value: (r) => r.volunteer },
      { zh: '同步时间', en: 'Received', width: 17, value: (r) => local(r.receivedAt, r.timezone) },
      { zh: '作废原因', en: 'Voided because', width: 14, value: (r) => r.voidReason },
      { zh: '规则版本', en: 'Policy version', width: 8, value: (r) => r.policyVersion },
      { zh: '记录编号', en: 'Record id', width: 38, value: (r) => r.id },
    ];
  },
  async *rows(db, scope, raw) {
    for (const c of scope.compounds) {
      const { start, end } = bounds(scope, c.timezone);
      const query = gateCheckQuery(db, c.id, start, end);
      if (raw) yield* iterateRows<GateCheckRow>(raw, query.compile());
      else yield* query.stream(STREAM_CHUNK);
    }
  },
};

// ---------------------------------------------------------------------------------------------------------
// Daily summaries: one row per compound and local date.

export const dailySummaries: Dataset<DailyRow> = {
  title: ['每日汇总', 'Daily summaries'],
  columns: () => [
    { zh: '日期', en: 'Date', width: 11, value: (r) => r.date },
    { zh: '小区', en: 'Compound', width: 14, value: (r) => r.compound },
    { zh: '进', en: 'In', width: 7, value: (r) => r.in },
    { zh: '出', en: 'Out', width: 7, value: (r) => r.out },
    { zh: '劝返', en: 'Turned back', width: 7, value: (r) => r.turnedBack },
    { zh: '禁止', en: 'Denied', width: 7, value: (r) => r.deny },
    { zh: '人工核验', en: 'Checked by hand', width: 9, value: (r) => r.review },
    { zh: '人工放行', en: 'Overrides', width: 9, value: (r) => r.overrides },
    { zh: '访客', en: 'Visitors', width: 7, value: (r) => r.visitors },
    { zh: '体温异常', en: 'Fevers', width: 8, value: (r) => r.fevers },
    { zh: '应消杀轮次', en: 'Rounds due', width: 10, value: (r) => r.slots },
    { zh: '按时完成', en: 'On time', width: 9, value: (r) => r.done },
    { zh: '超时完成', en: 'Late', width: 9, value: (r) => r.late },
    { zh: '漏消', en: 'Missed', width: 7, value: (r) => r.missed },
    { zh: '已跳过', en: 'Skipped', width: 7, value: (r) => r.skipped },
  ],
  async *rows(db, scope) {
    for (const c of scope.compounds) {
      for (let date = scope.from; date <= scope.to; date = addDays(date, 1)) {
        yield await dailySummary(db, c, date, scope.now);
        await breathe();
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------------------
// Disinfection records: one row per round recorded.

function disinfectionQuery(db: Db, compoundId: number, from: string, to: string) {
  return db
    .selectFrom('disinfectionRecord as r')
    .innerJoin('compound as c', 'c.id', 'r.compoundId')
    .leftJoin('building as b', (j) => j.onRef('b.id', '=', 'r.targetId').on('r.targetKind', '=', 'building'))
    .leftJoin('point as p', (j) => j.onRef('p.id', '=', 'r.targetId').on('r.targetKind', '=', 'point'))
    .leftJoin('user as u', 'u.id', 'r.operatorId')
    .leftJoin('disinfectionPhoto as ph', 'ph.recordId', 'r.id')
    .select([
      'r.id',
      'r.slotDate',
      'r.slotTime',
      'r.status',
      'r.items',
      'r.disinfectant',
      'r.concentration',
      'r.note',
      'r.skipReason',
      'r.startedAt',
      'r.finishedAt',
      'r.via',
      'r.receivedAt',
      'c.name as compound',
      'c.timezone',
      'b.name as building',
      'p.name as point',
      'u.displayName as operator',
      'ph.size as photoSize',
    ])
    .where('r.compoundId', '=', compoundId)
    .where('r.slotDate', '>=', from)
    .where('r.slotDate', '<=', to)
    .orderBy('r.slotDate')
    .orderBy('r.slotTime')
    .orderBy('r.finishedAt');
}
export type DisinfectionRow = Awaited<ReturnType<ReturnType<typeof disinfectionQuery>['execute']>>[number];

export const disinfectionRecords: Dataset<DisinfectionRow> = {
  title: ['消杀记录', 'Disinfection records'],
  columns: (lang) => [
    { zh: '日期', en: 'Date', width: 11, value: (r) => r.slotDate },
    { zh: '时段', en: 'Slot', width: 7, value: (r) => r.slotTime },
    { zh: '小区', en: 'Compound', width: 14, value: (r) => r.compound },
    { zh: '楼栋/点位', en: 'Building / point', width: 14, value: (r) => r.building ?? r.point },
    { zh: '状态', en: 'Status', width: 8, value: (r) => (r.status === 'done' ? (lang === 'zh' ? '已消杀' : 'done') : lang === 'zh' ? '已跳过' : 'skipped') },
    {
      zh: '消毒区域',
      en: 'Areas',
      width: 36,
      value: (r) => (JSON.parse(r.items) as { label: string; done: boolean }[]).filter((i) => i.done).map((i) => i.label).join(lang === 'zh' ? '、' : ', ') || null,
    },
    { zh: '消毒剂', en: 'Disinfectant', width: 12, value: (r) => r.disinfectant },
    { zh: '浓度', en: 'Concentration', width: 10, value: (r) => r.concentration },
    { zh: '备注', en: 'Note', width: 20, value: (r) => r.note },
    { zh: '跳过原因', en: 'Why skipped', width: 16, value: (r) => r.skipReason },
    { zh: '消杀人', en: 'Done by', width: 10, value: (r) => r.operator },
    { zh: '开始时间', en: 'Started', width: 17, value: (r) => local(r.startedAt, r.timezone) },
    { zh: '完成时间', en: 'Finished', width: 17, value: (r) => local(r.finishedAt, r.timezone) },
    { zh: '方式', en: 'How', width: 8, value: (r) => (r.via === 'placard' ? (lang === 'zh' ? '扫码' : 'placard') : lang === 'zh' ? '手动选择' : 'picked by hand') },
    { zh: '照片', en: 'Photo', width: 6, value: (r) => yesNo(r.photoSize !== null, lang) },
    { zh: '同步时间', en: 'Received', width: 17, value: (r) => local(r.receivedAt, r.timezone) },
    { zh: '记录编号', en: 'Record id', width: 38, value: (r) => r.id },
  ],
  async *rows(db, scope) {
    for (const c of scope.compounds) yield* disinfectionQuery(db, c.id, scope.from, scope.to).stream(STREAM_CHUNK);
  },
};

// ---------------------------------------------------------------------------------------------------------
// Shift logs: one row per shift with its counts.

function shiftQuery(db: Db, compoundId: number, start: string, end: string) {
  return db
    .selectFrom('shift as s')
    .innerJoin('compound as c', 'c.id', 's.compoundId')
    .innerJoin('gate', 'gate.id', 's.gateId')
    .innerJoin('user as u', 'u.id', 's.volunteerId')
    .leftJoin('device as d', 'd.id', 's.deviceId')
    .select(['s.id', 's.startedAt', 's.endedAt', 's.autoClosedAt', 's.handoverNote', 'c.name as compound', 'c.timezone', 'gate.name as gate', 'u.displayName as volunteer', 'd.name as device'])
    .where('s.compoundId', '=', compoundId)
    .where('s.startedAt', '>=', start)
    .where('s.startedAt', '<', end)
    .orderBy('s.startedAt');
}
type ShiftBase = Awaited<ReturnType<ReturnType<typeof shiftQuery>['execute']>>[number];
export type ShiftRow = ShiftBase & { counts: ReturnType<typeof summarize> };

export const shiftLogs: Dataset<ShiftRow> = {
  title: ['班次日志', 'Shift logs'],
  columns: (lang) => [
    { zh: '小区', en: 'Compound', width: 14, value: (r) => r.compound },
    { zh: '门岗', en: 'Gate', value: (r) => r.gate },
    { zh: '志愿者', en: 'Volunteer', width: 10, value: (r) => r.volunteer },
    { zh: '平板', en: 'Tablet', value: (r) => r.device },
    { zh: '上岗时间', en: 'Started', width: 17, value: (r) => local(r.startedAt, r.timezone) },
    { zh: '交班时间', en: 'Ended', width: 17, value: (r) => local(r.endedAt, r.timezone) },
    {
      zh: '结束方式',
      en: 'How it ended',
      width: 10,
      value: (r) => (r.autoClosedAt ? pick(['自动结束', 'closed automatically'], lang) : r.endedAt ? pick(['交班', 'handed over'], lang) : pick(['在岗', 'on duty'], lang)),
    },
    { zh: '核验总数', en: 'Checks', width: 9, value: (r) => r.counts.total },
    { zh: '进', en: 'In', width: 7, value: (r) => r.counts.in },
    { zh: '出', en: 'Out', width: 7, value: (r) => r.counts.out },
    { zh: '劝返', en: 'Turned back', width: 7, value: (r) => r.counts.turnedBack },
    { zh: '人工放行', en: 'Overrides', width: 9, value: (r) => r.counts.overrides },
    { zh: '访客', en: 'Visitors', width: 7, value: (r) => r.counts.visitors },
    { zh: '体温异常', en: 'Fevers', width: 8, value: (r) => r.counts.fevers },
    { zh: '交接备注', en: 'Handover note', width: 30, value: (r) => r.handoverNote },
  ],
  async *rows(db, scope) {
    for (const c of scope.compounds) {
      const { start, end } = bounds(scope, c.timezone);
      // Shifts are few (a few a day per gate); each one's counts are a second query, which a stream
      // holding the connection would block, so the list is read whole.
      for (const s of await shiftQuery(db, c.id, start, end).execute()) {
        const counts = await shiftSummary(
          db,
          s.id,
          await db
            .selectFrom('gateCheck as g')
            .select(['g.direction', 'g.verdict', 'g.passed', 'g.subject', 'g.overrideReason', 'g.reasons'])
            .where('g.shiftId', '=', s.id)
            .where(notVoided)
            .execute(),
        );
        yield { ...s, counts };
      }
    }
  },
};

export const DATASETS = { 'gate-checks': gateChecks, 'daily-summaries': dailySummaries, disinfection: disinfectionRecords, shifts: shiftLogs } as const;
export type DatasetName = keyof typeof DATASETS;
