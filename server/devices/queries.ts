import type { Db } from '../db/database.js';

/** A compound's tablets as the office sees them: never a token or code hash. */
export async function listDevices(db: Db, compoundId: number, now: string, only?: { id: number }) {
  let q = db
    .selectFrom('device')
    .select(['id', 'name', 'enrolledAt', 'revokedAt', 'lastSeenAt', 'status', 'enrollmentExpiresAt', 'createdAt'])
    .where('compoundId', '=', compoundId)
    .orderBy('id');
  if (only) q = q.where('id', '=', only.id);
  const rows = await q.execute();
  return rows.map(({ status, enrollmentExpiresAt, ...d }) => ({
    ...d,
    status: status ? JSON.parse(status) : null,
    enrollmentPending: !d.enrolledAt && !d.revokedAt && !!enrollmentExpiresAt && enrollmentExpiresAt > now,
    enrollmentExpiresAt,
  }));
}

export function getDevice(db: Db, compoundId: number, deviceId: number) {
  return db.selectFrom('device').selectAll().where('compoundId', '=', compoundId).where('id', '=', deviceId).executeTakeFirst();
}

export async function insertDevice(
  db: Db,
  d: { compoundId: number; name: string; enrollmentCodeHash: string; enrollmentExpiresAt: string; createdBy: number | null; createdAt: string },
): Promise<number> {
  const r = await db.insertInto('device').values(d).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function setEnrollmentCode(db: Db, deviceId: number, code: { hash: string; expiresAt: string }): Promise<void> {
  await db.updateTable('device').set({ enrollmentCodeHash: code.hash, enrollmentExpiresAt: code.expiresAt }).where('id', '=', deviceId).execute();
}

/** Drop every secret the tablet could still use; the first revocation time is kept. */
export async function markDeviceRevoked(db: Db, deviceId: number, revokedAt: string): Promise<void> {
  await db
    .updateTable('device')
    .set({ revokedAt, tokenHash: null, enrollmentCodeHash: null, enrollmentExpiresAt: null })
    .where('id', '=', deviceId)
    .execute();
}
