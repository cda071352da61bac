import type { Actor, Db } from '../http/context.js';

export interface AuditInput {
  actor: Actor | null;
  action: string;
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
