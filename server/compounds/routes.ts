import { Hono } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../audit/queries.js';
import { officeUser, readableCompounds } from '../auth/access.js';
import { isTimeZone } from '../config.js';
import { defaultPolicy } from '../core/policy.js';
import { zonedDate } from '../core/time.js';
import { insertPolicyVersion } from '../policy/queries.js';
import { constraintKind } from '../db/errors.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { describe, id, json, param, text } from '../http/validate.js';
import * as q from './queries.js';

const timezone = z.string().refine(isTimeZone, 'not a known time zone, e.g. Asia/Shanghai');
const compoundBody = z.object({ name: text(60), timezone: timezone.optional() });
const cidParam = z.object({ cid: id });
const itemParam = z.object({ cid: id, id });

/** What each kind of place accepts, beyond its name. */
const places = {
  gate: { entity: 'gate', path: 'gates', label: 'gate', body: z.object({ name: text(60) }) },
  building: {
    entity: 'building',
    path: 'buildings',
    label: 'building',
    body: z.object({
      name: text(60),
      unitCount: z.number().int().min(1).max(50).optional(),
      floorCount: z.number().int().min(1).max(200).optional(),
      elevatorCount: z.number().int().min(0).max(50).optional(),
    }),
  },
  point: {
    entity: 'point',
    path: 'points',
    label: 'point',
    body: z.object({ name: text(60), kind: z.enum(['sampling', 'gate', 'other']) }),
  },
} as const;

async function unique<T>(label: string, name: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (constraintKind(err) === 'unique') {
      throw new ConflictError(`A ${label} named "${name}" already exists here. Choose another name.`, 'name_taken');
    }
    if (constraintKind(err) === 'foreign_key') {
      throw new ConflictError(`This ${label} is still referenced by other records and cannot be deleted.`, 'in_use');
    }
    throw err;
  }
}

export function compoundRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const db = deps.database.db;
  const tags = ['compounds'];

  app.get('/', describe('Compounds in your scope', { tags }), async (c) => {
    const user = officeUser(c);
    return c.json({ compounds: await q.listCompounds(db, readableCompounds(user)) });
  });

  app.post('/', describe('Create a compound (admin)', { tags }), json(compoundBody), async (c) => {
    officeUser(c, ['admin']);
    const body = c.req.valid('json');
    const at = deps.now().toISOString();
    const newId = await unique('compound', body.name, () =>
      db.transaction().execute(async (tx) => {
        const timezone = body.timezone ?? deps.config.timezone;
        const cid = await q.insertCompound(tx, { name: body.name, timezone, at });
        const actor = c.get('actor');
        await insertPolicyVersion(tx, cid, defaultPolicy(zonedDate(deps.now().getTime(), timezone)), at, actor?.kind === 'office' ? actor.user.id : null, 'default');
        await recordAudit(tx, { actor: c.get('actor'), action: 'compound.create', entity: 'compound', entityId: cid, compoundId: cid, details: body, at, ip: c.get('ip') });
        return cid;
      }),
    );
    return c.json({ compound: await q.getCompound(db, newId) }, 201);
  });

  // Routes below name a compound (/:cid): app.ts checks its scope for every one of them.
  app.get('/:cid', describe('One compound', { tags }), param(cidParam), async (c) => {
    const compound = await q.getCompound(db, c.req.valid('param').cid);
    if (!compound) throw new NotFoundError('The compound');
    return c.json({ compound });
  });

  app.patch('/:cid', describe('Rename a compound or change its time zone', { tags }), param(cidParam), json(compoundBody.partial()), async (c) => {
    const { cid } = c.req.valid('param');
    const body = c.req.valid('json');
    if (!(await q.getCompound(db, cid))) throw new NotFoundError('The compound');
    const at = deps.now().toISOString();
    await unique('compound', body.name, () =>
      db.transaction().execute(async (tx) => {
        await q.updateCompound(tx, cid, body, at);
        await recordAudit(tx, { actor: c.get('actor'), action: 'compound.update', entity: 'compound', entityId: cid, compoundId: cid, details: body, at, ip: c.get('ip') });
      }),
    );
    return c.json({ compound: await q.getCompound(db, cid) });
  });

  for (const [table, spec] of Object.entries(places) as [q.PlaceTable, (typeof places)[q.PlaceTable]][]) {
    const t = [spec.path];
    const base = `/:cid/${spec.path}`;
    const audit = (c: any, action: string, entityId: number, cid: number, details?: unknown) =>
      recordAudit(db, { actor: c.get('actor'), action: `${spec.entity}.${action}`, entity: spec.entity, entityId, compoundId: cid, details, at: deps.now().toISOString(), ip: c.get('ip') });

    app.get(base, describe(`List the compound's ${spec.path}`, { tags: t }), param(cidParam), async (c) => {
      const { cid } = c.req.valid('param');
      if (!(await q.getCompound(db, cid))) throw new NotFoundError('The compound');
      return c.json({ items: await q.listPlaces(db, table, cid) });
    });

    app.post(base, describe(`Add a ${spec.label}`, { tags: t }), param(cidParam), json(spec.body), async (c) => {
      const { cid } = c.req.valid('param');
      const body = c.req.valid('json') as Record<string, unknown> & { name: string };
      if (!(await q.getCompound(db, cid))) throw new NotFoundError('The compound');
      const at = deps.now().toISOString();
      const newId = await unique(spec.label, body.name, () =>
        q.insertPlace(db, table, { ...body, compoundId: cid, createdAt: at, updatedAt: at }),
      );
      await audit(c, 'create', newId, cid, body);
      return c.json({ item: await q.getPlace(db, table, cid, newId) }, 201);
    });

    app.patch(`${base}/:id`, describe(`Change a ${spec.label}`, { tags: t }), param(itemParam), json(spec.body.partial()), async (c) => {
      const { cid, id: itemId } = c.req.valid('param');
      const body = c.req.valid('json') as Record<string, unknown> & { name?: string };
      if (!(await q.getPlace(db, table, cid, itemId))) throw new NotFoundError(`The ${spec.label}`);
      await unique(spec.label, body.name, () =>
        q.updatePlace(db, table, cid, itemId, { ...body, updatedAt: deps.now().toISOString() }),
      );
      await audit(c, 'update', itemId, cid, body);
      return c.json({ item: await q.getPlace(db, table, cid, itemId) });
    });

    app.delete(`${base}/:id`, describe(`Delete a ${spec.label} nothing refers to yet`, { tags: t }), param(itemParam), async (c) => {
      const { cid, id: itemId } = c.req.valid('param');
      if (!(await q.getPlace(db, table, cid, itemId))) throw new NotFoundError(`The ${spec.label}`);
      await unique(spec.label, undefined, () => q.deletePlace(db, table, cid, itemId));
      await audit(c, 'delete', itemId, cid);
      return c.json({ ok: true });
    });
  }

  return app;
}
