// audit: small enough that its one query lives in queries.ts and it has no service.
import { Hono } from 'hono';
import { z } from 'zod';
import { officeUser, readableCompounds } from '../auth/access.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, query } from '../http/validate.js';
import { listAuditEntries } from './queries.js';

const auditQuery = z.object({
  compoundId: id.optional(),
  userId: id.optional(),
  action: z.string().trim().max(60).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  before: id.optional().describe('Page backwards: entries with an id below this one'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The audit log is read here and nowhere written but through recordAudit; no route edits it. */
export function auditRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', describe('The audit log, newest first (managers: their compounds)', { tags: ['audit'] }), query(auditQuery), async (c) => {
      const user = officeUser(c, ['admin', 'supervisor', 'manager']);
      return c.json(await listAuditEntries(deps.database.reader, c.req.valid('query'), readableCompounds(user)));
    });
}
