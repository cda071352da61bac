import type { Actor } from '../auth/actor.js';
import type { AuditAction } from '../core/audit.js';
import type { Db } from '../db/database.js';

/** Who asks, from where: what an audit row records of the caller. */
export interface Asker {
  actor: Actor | null;
  ip: string;
}

export interface AuditInput {
  actor: Actor | null;
  /** One of AUDIT_ACTIONS (server/core/audit.ts), each with its sentence for the log page. */
  action: AuditAction;
  entity?: string;
  entityId?: string | number;
  compoundId?: number | null;
  details?: unknown;
  ip?: string;
  at: string;
}

/** Append one line to the audit log (call it inside the transaction of the change it records). */
export async function recordAudit(db: Db, e: AuditInput): Promise<void> {
  const user = e.actor && e.actor.kind !== 'device' ? e.actor.user.id : null;
  const device = e.actor && e.actor.kind !== 'office' ? e.actor.device.id : null;
  await db
    .insertInto('auditLog')
    .values({
      at: e.at,
      userId: user,
      deviceId: device,
      action: e.action,
      entity: e.entity ?? null,
      entityId: e.entityId === undefined ? null : String(e.entityId),
      compoundId: e.compoundId ?? null,
      details: e.details === undefined ? null : JSON.stringify(e.details),
      ip: e.ip ?? null,
    })
    .execute();
}

export interface AuditFilter {
  compoundId?: number | undefined;
  userId?: number | undefined;
  /** A prefix of the action, e.g. `device.` for every device entry. */
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  before?: number | undefined;
  limit: number;
}

/**
 * The log newest first, a page at a time: `nextBefore` is the id to ask `before` for the next page, null on
 * the last. `scope` (the compounds the reader may see; undefined: all) applies on top of the filter.
 */
export async function listAuditEntries(db: Db, f: AuditFilter, scope: number[] | undefined) {
  let q = db
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
  // LIKE's wildcards are dropped from the prefix, so a filter cannot match more than it says.
  if (f.action) q = q.where('auditLog.action', 'like', `${f.action.replace(/[%_]/g, '')}%`);
  if (f.from) q = q.where('auditLog.at', '>=', new Date(f.from).toISOString());
  if (f.to) q = q.where('auditLog.at', '<', new Date(f.to).toISOString());
  if (f.before) q = q.where('auditLog.id', '<', f.before);
  const rows = await q.execute();
  const more = rows.length > f.limit;
  const entries = rows.slice(0, f.limit).map((r) => ({ ...r, details: r.details ? JSON.parse(r.details) : null }));
  return { entries, nextBefore: more ? entries[entries.length - 1]!.id : null };
}
