import { Hono } from 'hono';
import { z } from 'zod';
import { officeUser } from '../auth/access.js';
import { REASON_CODES } from '../core/reasons.js';
import { NotFoundError } from '../errors.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, json, param, query } from '../http/validate.js';
import { listConflicts, listGateChecks, listShifts, shiftLog } from './queries.js';
import { reviewConflict, voidCheck } from './service.js';

const cidParam = z.object({ cid: id });
const time = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

/** What managers read and reconcile: gate checks, shift logs, conflicts; and corrections from the office. */
export function gateRoutes(deps: AppDeps) {
  const reader = deps.database.reader;
  const tags = ['gate checks'];

  return new Hono<AppEnv>()
    .get(
      '/gate-checks',
      describe('Gate checks, newest first; filter by gate, time, verdict, reason, resident, direction, shift; page with `before`', { tags }),
      param(cidParam),
      query(
        z.object({
          gateId: id.optional(),
          from: time.optional(),
          to: time.optional(),
          verdict: z.enum(['allow', 'deny', 'review']).optional(),
          reason: z.enum(REASON_CODES as [string, ...string[]]).optional(),
          residentId: id.optional(),
          direction: z.enum(['in', 'out']).optional(),
          shiftId: z.string().max(40).optional(),
          before: z.string().max(80).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
      ),
      async (c) => c.json(await listGateChecks(reader, c.req.valid('param').cid, c.req.valid('query'))),
    )
    .post(
      '/gate-checks/:checkId/void',
      describe('Void a gate check (a correction): the check is kept, marked void with the reason', { tags }),
      param(z.object({ cid: id, checkId: z.string().max(40) })),
      json(z.object({ reason: z.string().trim().min(1).max(200) })),
      async (c) => {
        const { cid, checkId } = c.req.valid('param');
        await voidCheck(deps, { actor: c.get('actor'), ip: c.get('ip'), user: officeUser(c) }, cid, checkId, c.req.valid('json').reason);
        return c.json({ ok: true });
      },
    )
    .get(
      '/shifts',
      describe('Shifts (a volunteer at a gate) in a time range, with counts', { tags: ['shifts'] }),
      param(cidParam),
      query(z.object({ from: time.optional(), to: time.optional(), gateId: id.optional() })),
      async (c) => c.json({ shifts: await listShifts(reader, c.req.valid('param').cid, c.req.valid('query')) }),
    )
    .get('/shifts/:shiftId', describe("One shift's log: counts, denials by reason, overrides, visitors, handover note", { tags: ['shifts'] }), param(z.object({ cid: id, shiftId: z.string().max(40) })), async (c) => {
      const { cid, shiftId } = c.req.valid('param');
      const log = await shiftLog(reader, cid, shiftId);
      if (!log) throw new NotFoundError('shift');
      return c.json(log);
    })
    .get(
      '/conflicts',
      describe('What the server found against records offline tablets let through (to reconcile)', { tags: ['conflicts'] }),
      param(cidParam),
      query(z.object({ status: z.enum(['open', 'reviewed', 'all']).default('open') })),
      async (c) => c.json({ conflicts: await listConflicts(reader, c.req.valid('param').cid, c.req.valid('query').status) }),
    )
    .post(
      '/conflicts/:id/review',
      describe('Mark a conflict reviewed, with a note', { tags: ['conflicts'] }),
      param(z.object({ cid: id, id })),
      json(z.object({ note: z.string().trim().min(1).max(500) })),
      async (c) => {
        const { cid, id: conflictId } = c.req.valid('param');
        await reviewConflict(deps, { actor: c.get('actor'), ip: c.get('ip'), user: officeUser(c) }, cid, conflictId, c.req.valid('json').note);
        return c.json({ ok: true });
      },
    );
}
