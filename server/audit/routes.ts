import { Hono } from 'hono';
import { z } from 'zod';
import { officeUser, readableCompounds } from '../auth/access.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { describe, id, query } from '../http/validate.js';

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
  const app = new Hono<AppEnv>();
  app.get('/', describe('The audit log, newest first (managers: their compounds)', { tags: ['audit'] }), query(auditQuery), async (c) => {
    const user = officeUser(c, ['admin', 'supervisor', 'manager']);
    const f = c.req.valid('query');
    const scope = readableCompounds(user);
    let q = deps.database.reader
      .selectFrom('auditLog')
      .leftJoin('user', 'user.id', 'auditLog.userId')
      .leftJoin('device', 'device.id', 'auditLog.deviceId')
      .select([
        'auditLog.id',
        'auditLog.at',
        'auditLog.action',
        'auditLog.entity',
        'auditLog.entityId',
        'auditLog.compoundId',
        'auditLog.details',
        'auditLog.ip',
        'auditLog.userId',
        'user.displayName as userName',
        'auditLog.deviceId',
        'device.name as deviceName',
      ])
      .orderBy('auditLog.id', 'desc')
      .limit(f.limit + 1);
    if (scope) q = q.where('auditLog.compoundId', 'in', scope.length ? scope : [-1]);
    if (f.compoundId) q = q.where('auditLog.compoundId', '=', f.compoundId);
    if (f.userId) q = q.where('auditLog.userId', '=', f.userId);
    if (f.action) q = q.where('auditLog.action', 'like', `${f.action.replace(/[%_]/g, '')}%`);
    if (f.from) q = q.where('auditLog.at', '>=', new Date(f.from).toISOString());
    if (f.to) q = q.where('auditLog.at', '<', new Date(f.to).toISOString());
    if (f.before) q = q.where('auditLog.id', '<', f.before);
    const rows = await q.execute();
    const more = rows.length > f.limit;
    const entries = rows.slice(0, f.limit).map((r) => ({ ...r, details: r.details ? JSON.parse(r.details) : null }));
    return c.json({ entries, nextBefore: more ? entries[entries.length - 1]!.id : null });
  });
  return app;
}
