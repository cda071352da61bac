import { issue } from '../core/messages.js';
import { Hono } from 'hono';
import { z } from 'zod';
import { deviceOf, volunteerOf } from '../auth/access.js';
import { SyncBatchSchema, TemperatureSchema } from '../core/sync.js';
import { UUID_V7 } from '../core/uuid.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, json, query } from '../http/validate.js';
import { buildRoster } from '../roster/service.js';
import { analyzerOf } from './analysis.js';
import { type AcceptedCheck, ingestBatch } from './ingest.js';
import type { AlertView } from '../alerts/queries.js';
import { compoundOfDevice, noteRosterFetched } from './queries.js';
import { checkOnline } from './service.js';

/** What enrolled tablets call: the roster, the sync of their outbox, and a live one-at-a-time check. */
export function deviceGateRoutes(deps: AppDeps, onAccepted: (r: AcceptedCheck[]) => void, onAlerts: (a: AlertView[]) => void = () => {}) {
  const analyzer = analyzerOf(deps);
  const db = deps.database.db;
  const tags = ['tablets'];

  return new Hono<AppEnv>()
    .get('/me', describe('The enrolled tablet: who it is and its compound', { tags, auth: 'device' }), async (c) => {
      const device = deviceOf(c);
      const { id, name, timezone } = await compoundOfDevice(db, device.compoundId);
      return c.json({ device, compound: { id, name, timezone } });
    })
    .get(
      '/roster',
      describe("The compound's roster for deciding offline: a full snapshot, or the changes after version `since`", { tags, auth: 'device' }),
      query(z.object({ since: z.coerce.number().int().min(0).optional() })),
      async (c) => {
        const device = deviceOf(c);
        const roster = await buildRoster(deps, device.compoundId, c.req.valid('query').since ?? null);
        await noteRosterFetched(db, device.id, deps.now().toISOString());
        return c.json(roster);
      },
    )
    .post(
      '/sync',
      describe('Upload records made on the tablet. Idempotent on record id; the answer lists each record as accepted, duplicate or rejected', { tags, auth: 'device' }),
      json(SyncBatchSchema),
      async (c) => {
        const device = deviceOf(c);
        const result = await ingestBatch(deps, device, c.req.valid('json'));
        analyzer.schedule();
        onAccepted(result.accepted);
        if (result.alerts.length) onAlerts(result.alerts);
        return c.json({ results: result.results, rosterVersion: result.rosterVersion });
      },
    )
    .post(
      '/checks',
      describe('Online check: the server decides on its live data and records the check (one at a time)', { tags, auth: 'volunteer' }),
      json(
        z
          .object({
            id: z.string().regex(UUID_V7).optional(),
            gateId: id,
            shiftId: z.string().regex(UUID_V7).nullish(),
            direction: z.enum(['in', 'out']),
            code: z.string().max(300).optional(),
            residentId: id.optional(),
            override: z.object({ reason: z.string().trim().min(1).max(200) }).optional(),
            /** Body temperature taken at the gate, °C. */
            temperatureC: TemperatureSchema.optional(),
            /** A normal temperature confirmed with one tap (instead of the number). */
            temperatureNormal: z.boolean().optional(),
          })
          .refine((b) => !!b.code !== !!b.residentId, issue('code_or_resident'))
          .refine((b) => !(b.temperatureNormal && b.temperatureC !== undefined), { message: issue('temperature_or_normal'), path: ['temperatureNormal'] }),
      ),
      async (c) => {
        const { result, response } = await checkOnline(deps, volunteerOf(c), c.req.valid('json'));
        analyzer.schedule();
        onAccepted(result.accepted);
        return c.json(response);
      },
    );
}
