import { Hono } from 'hono';
import { z } from 'zod';
import { assertRead, officeUser, readableCompounds } from '../auth/access.js';
import { compoundsIn } from '../dashboard/queries.js';
import { daysBetween } from '../core/time.js';
import { AppError, ValidationError, NotFoundError, fieldIssue } from '../errors.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, localDate as date, param, query } from '../http/validate.js';
import { DATASETS, type DatasetName, type ExportScope } from './datasets.js';
import { csvStream, xlsxStream } from './format.js';
import { auditExport } from './service.js';

/** Downloads one person may have running at once. */
const MAX_EXPORTS_PER_USER = 3;

/** Two years at most in one file: a longer range is a mistake more often than a need. */
const MAX_DAYS = 731;

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

/**
 * Exports for supervisors and managers: gate checks, daily summaries, disinfection records and shift
 * logs, as CSV or XLSX, streamed from a read-only connection. Every export is written to the audit log
 * before its first byte leaves.
 */
export function exportRoutes(deps: AppDeps, o: { stalledDownloadMs?: number } = {}) {
  const tags = ['exports'];
  // Each download holds a read connection (a snapshot of the database) while it runs: a few per person.
  const running = new Map<number, number>();

  return new Hono<AppEnv>()
    .get(
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
        if (q.from > q.to) throw new ValidationError([fieldIssue('to', 'ends_before_start')]);
        if (daysBetween(q.from, q.to) >= MAX_DAYS) throw new ValidationError([fieldIssue('to', 'range_too_long', { maxDays: MAX_DAYS })]);
        if (q.compoundId) assertRead(user, q.compoundId);
        const compounds = await compoundsIn(deps.database.db, q.compoundId ? [q.compoundId] : readableCompounds(user));
        if (q.compoundId && !compounds.length) throw new NotFoundError('compound');
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
        const mine = running.get(user.id) ?? 0;
        if (mine >= MAX_EXPORTS_PER_USER) {
          throw new AppError(429, 'too_many_exports', { count: mine });
        }
        // One audit line per compound exported, so each compound's log shows every export of its data.
        await auditExport(deps, { actor: c.get('actor'), ip: c.get('ip') }, name, compounds, { format: q.format, from: q.from, to: q.to, lang: q.lang });
        const reader = deps.database.longReader();
        running.set(user.id, mine + 1);
        let released = false;
        const opts = {
          lang: q.lang,
          sheetName: title,
          stallMs: o.stalledDownloadMs,
          onEnd: async () => {
            if (released) return;
            released = true;
            const left = (running.get(user.id) ?? 1) - 1;
            if (left > 0) running.set(user.id, left);
            else running.delete(user.id);
            await reader.release();
          },
        };
        const columns = dataset.columns(q.lang) as Parameters<typeof csvStream>[0];
        const rows = dataset.rows(reader.db, scope, reader.sqlite) as AsyncIterable<unknown>;
        const body = q.format === 'csv' ? csvStream(columns, rows, opts) : xlsxStream(columns, rows, opts);
        return c.body(body, 200, headers);
      },
    );
}
