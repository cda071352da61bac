import { Hono } from 'hono';
import { z } from 'zod';
import { AppError, NotFoundError } from '../errors.js';
import type { AppDeps } from '../deps.js';
import type { AlertView } from '../alerts/queries.js';
import type { AppEnv } from '../http/context.js';
import { describe, form, formFlag, id, json, param, uploadedFile } from '../http/validate.js';
import { LIMITS_DOC, readSheet } from '../imports/spreadsheet.js';
import { getTestRound, listTestRounds } from './queries.js';
import { importTestRound, recordTestResult, testColumns, testHistory } from './service.js';

const cidParam = z.object({ cid: id });
const itemParam = z.object({ cid: id, id });

export function testResultRoutes(deps: AppDeps, onAlerts: (alerts: AlertView[]) => void = () => {}) {
  const db = deps.database.db;
  const tags = ['test results'];

  return new Hono<AppEnv>()
    .get('/residents/:id/tests', describe("A resident's test history, newest sampling first", { tags }), param(itemParam), async (c) => {
      const { cid, id: residentId } = c.req.valid('param');
      return c.json({ tests: await testHistory(db, cid, residentId) });
    })
    .post(
      '/residents/:id/tests',
      describe('Enter one test result by hand', { tags }),
      param(itemParam),
      json(z.object({ sampledAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString()), result: z.enum(['negative', 'positive', 'pending']) })),
      async (c) => {
        const { cid, id: residentId } = c.req.valid('param');
        const { id: newId, alerts } = await recordTestResult(deps, c.get('actor'), cid, residentId, c.req.valid('json'), c.get('ip'));
        onAlerts(alerts);
        return c.json({ id: newId, alerts: alerts.length }, 201);
      },
    )
    .get('/test-rounds', describe('Imported testing rounds', { tags }), param(cidParam), async (c) => c.json({ rounds: await listTestRounds(db, c.req.valid('param').cid) }))
    .get('/test-rounds/:id', describe('One round with its import report', { tags }), param(itemParam), async (c) => {
      const { cid, id: roundId } = c.req.valid('param');
      const round = await getTestRound(db, cid, roundId);
      if (!round) throw new NotFoundError('testing_round');
      return c.json({ round });
    })
    .post(
      '/imports/tests',
      describe("Import a testing round from the station's CSV/XLSX: matched by address and name, or phone and name; unmatched rows reported", { tags, description: LIMITS_DOC }),
      param(cidParam),
      form(z.object({ file: uploadedFile, name: z.string().trim().max(60).optional(), mode: z.enum(['strict', 'valid_rows']).default('strict'), dryRun: formFlag })),
      async (c) => {
        const { cid } = c.req.valid('param');
        const body = c.req.valid('form');
        const sheet = await readSheet({ name: body.file.name, bytes: new Uint8Array(await body.file.arrayBuffer()) }, { columns: testColumns });
        const report = await importTestRound(
          deps,
          c.get('actor'),
          cid,
          sheet,
          { name: body.name || body.file.name.replace(/\.(csv|xlsx)$/i, ''), mode: body.mode, dryRun: body.dryRun, fileName: body.file.name },
          c.get('ip'),
        );
        if (!report.applied && !body.dryRun && report.rejected) throw new AppError(422, 'import_rejected', { rejected: report.rejected }, report);
        if (report.alerts) onAlerts(report.alerts);
        return c.json(report);
      },
    );
}
