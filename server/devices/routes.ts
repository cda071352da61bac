import { Hono } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../audit/queries.js';
import { newEnrollmentCode, normalizeEnrollmentCode, sha256 } from '../auth/secrets.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { AppDeps, AppEnv, Db } from '../http/context.js';
import { describe, id, json, param, text } from '../http/validate.js';

const ENROLLMENT_HOURS = 24;
const cidParam = z.object({ cid: id });
const itemParam = z.object({ cid: id, id });

async function listDevices(db: Db, compoundId: number, now: string) {
  const rows = await db
    .selectFrom('device')
    .select(['id', 'name', 'enrolledAt', 'revokedAt', 'lastSeenAt', 'status', 'enrollmentExpiresAt', 'createdAt'])
    .where('compoundId', '=', compoundId)
    .orderBy('id')
    .execute();
  return rows.map(({ status, enrollmentExpiresAt, ...d }) => ({
    ...d,
    status: status ? JSON.parse(status) : null,
    enrollmentPending: !d.enrolledAt && !d.revokedAt && !!enrollmentExpiresAt && enrollmentExpiresAt > now,
    enrollmentExpiresAt,
  }));
}

function getDevice(db: Db, compoundId: number, deviceId: number) {
  return db.selectFrom('device').selectAll().where('compoundId', '=', compoundId).where('id', '=', deviceId).executeTakeFirst();
}

/** Tablets of a compound: a manager makes a one-time enrollment code, the tablet trades it for a credential. */
export function deviceRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const db = deps.database.db;
  const tags = ['devices'];
  const issueCode = () => {
    const code = newEnrollmentCode();
    const expiresAt = new Date(deps.now().getTime() + ENROLLMENT_HOURS * 3_600_000).toISOString();
    return { code, hash: sha256(normalizeEnrollmentCode(code)), expiresAt };
  };

  app.get('/', describe("The compound's tablets", { tags }), param(cidParam), async (c) =>
    c.json({ devices: await listDevices(db, c.req.valid('param').cid, deps.now().toISOString()) }),
  );

  app.post('/', describe('Register a tablet and get its one-time enrollment code (valid 24 h)', { tags }), param(cidParam), json(z.object({ name: text(60) })), async (c) => {
    const { cid } = c.req.valid('param');
    const at = deps.now().toISOString();
    const code = issueCode();
    const actor = c.get('actor');
    const deviceId = await db.transaction().execute(async (tx) => {
      const r = await tx
        .insertInto('device')
        .values({
          compoundId: cid,
          name: c.req.valid('json').name,
          enrollmentCodeHash: code.hash,
          enrollmentExpiresAt: code.expiresAt,
          createdBy: actor?.kind === 'office' ? actor.user.id : null,
          createdAt: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(tx, { actor, action: 'device.create', entity: 'device', entityId: r.id, compoundId: cid, at, ip: c.get('ip') });
      return r.id;
    });
    const [device] = (await listDevices(db, cid, at)).filter((d) => d.id === deviceId);
    return c.json({ device, enrollmentCode: code.code, enrollmentExpiresAt: code.expiresAt }, 201);
  });

  app.post('/:id/code', describe('A fresh enrollment code for a tablet not yet enrolled', { tags }), param(itemParam), async (c) => {
    const { cid, id: deviceId } = c.req.valid('param');
    const device = await getDevice(db, cid, deviceId);
    if (!device) throw new NotFoundError('The tablet');
    if (device.enrolledAt || device.revokedAt) {
      throw new ConflictError('This tablet is already enrolled or revoked. Register a new tablet instead.', 'already_enrolled');
    }
    const code = issueCode();
    const at = deps.now().toISOString();
    await db.transaction().execute(async (tx) => {
      await tx.updateTable('device').set({ enrollmentCodeHash: code.hash, enrollmentExpiresAt: code.expiresAt }).where('id', '=', deviceId).execute();
      await recordAudit(tx, { actor: c.get('actor'), action: 'device.new_code', entity: 'device', entityId: deviceId, compoundId: cid, at, ip: c.get('ip') });
    });
    return c.json({ enrollmentCode: code.code, enrollmentExpiresAt: code.expiresAt });
  });

  app.post('/:id/revoke', describe('Revoke a tablet (lost, stolen, retired): its credential and sessions stop working', { tags }), param(itemParam), async (c) => {
    const { cid, id: deviceId } = c.req.valid('param');
    const device = await getDevice(db, cid, deviceId);
    if (!device) throw new NotFoundError('The tablet');
    const at = deps.now().toISOString();
    await db.transaction().execute(async (tx) => {
      await tx
        .updateTable('device')
        .set({ revokedAt: device.revokedAt ?? at, tokenHash: null, enrollmentCodeHash: null, enrollmentExpiresAt: null })
        .where('id', '=', deviceId)
        .execute();
      await tx.deleteFrom('session').where('deviceId', '=', deviceId).execute();
      await recordAudit(tx, { actor: c.get('actor'), action: 'device.revoke', entity: 'device', entityId: deviceId, compoundId: cid, at, ip: c.get('ip') });
    });
    const [updated] = (await listDevices(db, cid, at)).filter((d) => d.id === deviceId);
    return c.json({ device: updated });
  });

  return app;
}
