import { recordAudit } from '../audit/queries.js';
import { deleteDeviceSessions } from '../auth/queries.js';
import { newEnrollmentCode, normalizeEnrollmentCode, sha256 } from '../auth/secrets.js';
import { AppError, NotFoundError } from '../errors.js';
import type { Actor } from '../auth/actor.js';
import type { AppDeps } from '../deps.js';
import * as q from './queries.js';

const ENROLLMENT_HOURS = 24;

/** Only the hash is stored: the code itself is shown once, to the manager who asked for it. */
function issueCode(deps: AppDeps) {
  const code = newEnrollmentCode();
  const expiresAt = new Date(deps.now().getTime() + ENROLLMENT_HOURS * 3_600_000).toISOString();
  return { code, hash: sha256(normalizeEnrollmentCode(code)), expiresAt };
}

export async function registerDevice(deps: AppDeps, actor: Actor | null, cid: number, name: string, ip: string) {
  const at = deps.now().toISOString();
  const code = issueCode(deps);
  const deviceId = await deps.database.db.transaction().execute(async (tx) => {
    const id = await q.insertDevice(tx, {
      compoundId: cid,
      name,
      enrollmentCodeHash: code.hash,
      enrollmentExpiresAt: code.expiresAt,
      createdBy: actor?.kind === 'office' ? actor.user.id : null,
      createdAt: at,
    });
    await recordAudit(tx, { actor, action: 'device.create', entity: 'device', entityId: id, compoundId: cid, at, ip });
    return id;
  });
  // Written just above: it is there.
  const device = (await q.listDevices(deps.database.db, cid, at, { id: deviceId }))[0]!;
  return { device, enrollmentCode: code.code, enrollmentExpiresAt: code.expiresAt };
}

export async function renewEnrollmentCode(deps: AppDeps, actor: Actor | null, cid: number, deviceId: number, ip: string) {
  const db = deps.database.db;
  const device = await q.getDevice(db, cid, deviceId);
  if (!device) throw new NotFoundError('tablet');
  if (device.enrolledAt || device.revokedAt) {
    throw new AppError(409, 'already_enrolled');
  }
  const code = issueCode(deps);
  const at = deps.now().toISOString();
  await db.transaction().execute(async (tx) => {
    await q.setEnrollmentCode(tx, deviceId, code);
    await recordAudit(tx, { actor, action: 'device.new_code', entity: 'device', entityId: deviceId, compoundId: cid, at, ip });
  });
  return { enrollmentCode: code.code, enrollmentExpiresAt: code.expiresAt };
}

/** Its credential and every volunteer session on it end together, so a lost tablet is locked out at once. */
export async function revokeDevice(deps: AppDeps, actor: Actor | null, cid: number, deviceId: number, ip: string) {
  const db = deps.database.db;
  const device = await q.getDevice(db, cid, deviceId);
  if (!device) throw new NotFoundError('tablet');
  const at = deps.now().toISOString();
  await db.transaction().execute(async (tx) => {
    await q.markDeviceRevoked(tx, deviceId, device.revokedAt ?? at);
    await deleteDeviceSessions(tx, deviceId);
    await recordAudit(tx, { actor, action: 'device.revoke', entity: 'device', entityId: deviceId, compoundId: cid, at, ip });
  });
  const [revoked] = await q.listDevices(db, cid, at, { id: deviceId });
  return revoked;
}
