import { Hono } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../audit/queries.js';
import { issue } from '../core/messages.js';
import { EXEMPTION_REASONS } from '../core/rounds.js';
import type { AppDeps } from '../deps.js';
import { csvStream, type Column, xlsxStream } from '../exports/format.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, json, localDate, param, query, text } from '../http/validate.js';
import { listExemptions } from './queries.js';
import { doorToDoorHtml } from './pages.js';
import { type DoorToDoorRow, clearExemption, coverageTrend, createRound, doorToDoor, roundCoverage, setExemption, updateRound } from './service.js';

const cidParam = z.object({ cid: id });
const itemParam = z.object({ cid: id, id });
const roundBody = z.object({
  name: text(60),
  startsOn: localDate,
  endsOn: localDate,
  /** null or absent: the whole compound. */
  buildingIds: z.array(id).min(1, issue('too_few')).max(500).nullish(),
});

const DOOR_COLUMNS: Column<DoorToDoorRow>[] = [
  { zh: '楼栋', en: 'Building', width: 12, value: (r) => r.building },
  { zh: '单元', en: 'Unit', width: 8, value: (r) => r.unit },
  { zh: '房号', en: 'Room', width: 8, value: (r) => r.room },
  { zh: '姓名', en: 'Name', width: 12, value: (r) => r.name },
  { zh: '手机号', en: 'Phone', width: 14, value: (r) => r.phone },
  { zh: '已采样', en: 'Sampled', width: 8, value: () => '' },
  { zh: '备注', en: 'Note', width: 30, value: () => '' },
];

async function* each<T>(rows: T[]) {
  yield* rows;
}

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

/** Testing rounds: the rounds, their coverage and trend, exemptions, and the door-to-door list. */
export function roundRoutes(deps: AppDeps) {
  const db = deps.database.db;
  const tags = ['testing rounds'];

  return new Hono<AppEnv>()
    .get('/rounds', describe('Testing rounds, with each one’s total coverage (the trend, oldest first)', { tags }), param(cidParam), async (c) => c.json({ rounds: await coverageTrend(db, c.req.valid('param').cid) }))
    .post('/rounds', describe('A new testing round: a date window (local dates, inclusive) and the buildings (all when absent)', { tags }), param(cidParam), json(roundBody), async (c) => {
      const { cid } = c.req.valid('param');
      const b = c.req.valid('json');
      const newId = await createRound(deps, c.get('actor'), cid, { ...b, buildingIds: b.buildingIds ?? null }, c.get('ip'));
      return c.json({ id: newId }, 201);
    })
    .patch('/rounds/:id', describe('Change a round’s name, window or buildings (its coverage is counted again)', { tags }), param(itemParam), json(roundBody.partial()), async (c) => {
      const { cid, id: roundId } = c.req.valid('param');
      await updateRound(deps, c.get('actor'), cid, roundId, c.req.valid('json'), c.get('ip'));
      return c.json({ ok: true });
    })
    .get('/rounds/:id/coverage', describe('A round’s coverage per building and unit (tested / untested / positive / pending / exempt), and the compound’s total', { tags }), param(itemParam), async (c) => {
      const { cid, id: roundId } = c.req.valid('param');
      return c.json(await roundCoverage(db, cid, roundId));
    })
    .get(
      '/rounds/:id/door-to-door',
      describe('The untested residents of a building (or unit) in a round, by room: JSON, an A4 sheet (format=print) or CSV/XLSX. Names masked with masked=1 (for volunteers); printing and exports are audited', { tags }),
      param(itemParam),
      query(z.object({ buildingId: id, unit: z.string().trim().max(10).optional(), format: z.enum(['json', 'print', 'csv', 'xlsx']).default('json'), masked: z.enum(['0', '1']).default('0'), lang: z.enum(['zh', 'en']).default('zh') })),
      async (c) => {
        const { cid, id: roundId } = c.req.valid('param');
        const q = c.req.valid('query');
        const d = await doorToDoor(deps.database.reader, cid, roundId, { buildingId: q.buildingId, unit: q.unit || undefined, masked: q.masked === '1', actor: c.get('actor') });
        if (q.format === 'json') return c.json(d);
        await recordAudit(db, {
          actor: c.get('actor'),
          action: 'export',
          entity: 'report',
          entityId: 'door-to-door',
          compoundId: cid,
          details: { dataset: 'door-to-door', roundId, round: d.round.name, buildingId: d.building.id, building: d.building.name, unit: d.unit, people: d.rows.length, format: q.format, masked: d.masked },
          ip: c.get('ip'),
          at: deps.now().toISOString(),
        });
        if (q.format === 'print') return c.html(doorToDoorHtml(d, q.lang, deps.now().getTime()));
        const file = `${q.lang === 'zh' ? '上门核查名单' : 'door-to-door'}_${d.round.name}_${d.building.name}${d.unit ? `_${d.unit}` : ''}.${q.format}`;
        const stream = q.format === 'csv' ? csvStream(DOOR_COLUMNS, each(d.rows), { lang: q.lang }) : xlsxStream(DOOR_COLUMNS, each(d.rows), { lang: q.lang, sheetName: q.lang === 'zh' ? '上门核查' : 'door-to-door' });
        return c.body(stream, 200, {
          'Content-Type': CONTENT_TYPES[q.format],
          'Content-Disposition': `attachment; filename="door-to-door.${q.format}"; filename*=UTF-8''${encodeURIComponent(file)}`,
          'Cache-Control': 'no-store, no-transform',
        });
      },
    )
    .get('/exemptions', describe('Residents exempt from testing, with their reasons', { tags }), param(cidParam), async (c) => c.json({ exemptions: await listExemptions(db, c.req.valid('param').cid) }))
    .put(
      '/residents/:id/exemption',
      describe('Flag a resident exempt from testing (bedridden, infant, away, other), with an optional note', { tags }),
      param(itemParam),
      json(z.object({ reason: z.enum(EXEMPTION_REASONS), note: z.string().trim().max(200).nullish() })),
      async (c) => {
        const { cid, id: residentId } = c.req.valid('param');
        const b = c.req.valid('json');
        await setExemption(deps, c.get('actor'), cid, residentId, { reason: b.reason, note: b.note || null }, c.get('ip'));
        return c.json({ ok: true });
      },
    )
    .delete('/residents/:id/exemption', describe('End a resident’s testing exemption', { tags }), param(itemParam), async (c) => {
      const { cid, id: residentId } = c.req.valid('param');
      await clearExemption(deps, c.get('actor'), cid, residentId, c.get('ip'));
      return c.json({ ok: true });
    });
}
