import { Hono } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../audit/queries.js';
import { assertRead, officeUser } from '../auth/access.js';
import { daysBetween } from '../core/time.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { describe, id, localDate as date, param, query } from '../http/validate.js';
import { DATASETS, type DatasetName, type ExportScope } from './datasets.js';
import { csvStream, xlsxStream } from './format.js';

/** Two years at most in one file: a longer range is a mistake more often than a need. */
const MAX_DAYS = 731;

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

/**
 * Exports for supervisors and managers: gate checks, daily summaries, disinfection records and shift
 * logs, as CSV or XLSX, streamed from a read-only connection. Every export is written to the audit log
 * before its first byte leaves.
 */
export function exportRoutes(deps: AppDeps, o: { stalledDownloadMs?: number } = {}) {
  const app = new Hono<AppEnv>();
  const tags = ['exports'];

  app.get(
    '/:dataset',
    describe('Export a dataset (gate-checks, daily-summaries, disinfection, shifts) for local dates from–to, one compound or all in your scope', { tags }),
    param(z.object({ dataset: z.enum(Object.keys(DATASETS) as [DatasetName, ...DatasetName[]]) })),
    query(
      z.object({
        from: date,
        to: date,
        compoundId: id.optional(),
        format: z.enum(['csv', 'xlsx']).default('csv'),
        lang: z.enum(['zh', 'en']).default('zh'),
      }),
    ),
    async (c) => {
      const user = officeUser(c, ['admin', 'supervisor', 'manager']);
      const { dataset: name } = c.req.valid('param');
      const q = c.req.valid('query');
      if (q.from > q.to) throw new ValidationError('The range ends before it starts: "to" must be on or after "from".', [{ path: 'to', message: 'before from' }]);
      if (daysBetween(q.from, q.to) >= MAX_DAYS) throw new ValidationError(`At most ${MAX_DAYS} days in one export: split the range.`, [{ path: 'to', message: 'range too long' }]);
      if (q.compoundId) assertRead(user, q.compoundId);

      const db = deps.database.db;
      let cq = db.selectFrom('compound').select(['id', 'name', 'timezone']).orderBy('id');
      if (q.compoundId) cq = cq.where('id', '=', q.compoundId);
      else if (user.role === 'manager') cq = cq.where('id', 'in', user.compoundIds.length ? user.compoundIds : [0]);
      const compounds = await cq.execute();
      if (q.compoundId && !compounds.length) throw new NotFoundError('The compound');

      const dataset = DATASETS[name];
      const scope: ExportScope = { compounds, from: q.from, to: q.to, now: deps.now() };
      const title = dataset.title[q.lang === 'zh' ? 0 : 1];
      const where = q.compoundId ? compounds[0]!.name : q.lang === 'zh' ? '全部小区' : 'all compounds';
      const file = `${title}_${where}_${q.from}_${q.to}.${q.format}`;
      const headers = {
        'Content-Type': CONTENT_TYPES[q.format],
        'Content-Disposition': `attachment; filename="export.${q.format}"; filename*=UTF-8''${encodeURIComponent(file)}`,
        // no-transform: not gzipped on the way out (Node's CompressionStream takes input without ever
        // pushing back, so a gzipped export would pile up in memory when the client reads slowly).
        'Cache-Control': 'no-store, no-transform',
      };
      // A HEAD (download managers ask first) gets the headers: no rows read, nothing exported, nothing audited.
      if (c.req.method === 'HEAD') return c.body(null, 200, headers);

      // One audit line per compound exported, so each compound's log shows every export of its data.
      const at = deps.now().toISOString();
      const details = { dataset: name, format: q.format, from: q.from, to: q.to, compoundIds: compounds.map((x) => x.id), lang: q.lang };
      await db.transaction().execute(async (tx) => {
        for (const compound of compounds.length ? compounds : [null]) {
          await recordAudit(tx, { actor: c.get('actor'), action: 'export', entity: 'export', entityId: name, compoundId: compound?.id ?? null, details, ip: c.get('ip'), at });
        }
      });

      const reader = deps.database.longReader();
      let released = false;
      const opts = {
        lang: q.lang,
        sheetName: title,
        stallMs: o.stalledDownloadMs,
        onEnd: async () => {
          if (released) return;
          released = true;
          await reader.release();
        },
      };
      const columns = dataset.columns(q.lang) as Parameters<typeof csvStream>[0];
      const rows = dataset.rows(reader.db, scope) as AsyncIterable<unknown>;
      const body = q.format === 'csv' ? csvStream(columns, rows, opts) : xlsxStream(columns, rows, opts);
      return c.body(body, 200, headers);
    },
  );
  return app;
}
