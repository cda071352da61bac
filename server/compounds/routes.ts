import { issue } from '../core/messages.js';
import { Hono } from 'hono';
import { z } from 'zod';
import { officeUser, readableCompounds } from '../auth/access.js';
import { canonicalZone, isZoneName } from '../core/time.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, json, param, text } from '../http/validate.js';
import * as q from './queries.js';
import * as compounds from './service.js';

// A zone from the list the office offers, spelled as the zone database spells it: a free-text zone
// (asia/shanghai, EST, +08:00) would put every slot and every day's count at the wrong hour.
const timezone = z
  .string()
  .max(64)
  .superRefine((tz, ctx) => {
    if (isZoneName(tz)) return;
    const known = canonicalZone(tz);
    if (known) ctx.addIssue({ code: 'custom', message: issue('time_zone_named'), params: { known } });
    else ctx.addIssue({ code: 'custom', message: issue('time_zone') });
  });
const compoundBody = z.object({ name: text(60), timezone: timezone.optional() });
const cidParam = z.object({ cid: id });
const itemParam = z.object({ cid: id, id });

/** What each kind of place accepts, beyond its name. */
const places = {
  gate: { path: 'gates', body: z.object({ name: text(60) }) },
  building: {
    path: 'buildings',
    body: z.object({
      name: text(60),
      unitCount: z.number().int().min(1).max(50).optional(),
      floorCount: z.number().int().min(1).max(200).optional(),
      elevatorCount: z.number().int().min(0).max(50).optional(),
    }),
  },
  point: { path: 'points', body: z.object({ name: text(60), kind: z.enum(['sampling', 'gate', 'other']) }) },
} as const;

export function compoundRoutes(deps: AppDeps) {
  const db = deps.database.db;
  const tags = ['compounds'];

  return (
    new Hono<AppEnv>()
      .get('/', describe('Compounds in your scope', { tags }), async (c) => {
        const user = officeUser(c);
        return c.json({ compounds: await q.listCompounds(db, readableCompounds(user)) });
      })
      .post('/', describe('Create a compound (admin)', { tags }), json(compoundBody), async (c) => {
        officeUser(c, ['admin']);
        const newId = await compounds.createCompound(deps, c.get('actor'), c.req.valid('json'), c.get('ip'));
        return c.json({ compound: await q.getCompound(db, newId) }, 201);
      })
      // Routes below name a compound (/:cid): app.ts checks its scope for every one of them.
      .get('/:cid', describe('One compound', { tags }), param(cidParam), async (c) => c.json({ compound: await q.getCompound(db, c.req.valid('param').cid) }))
      .patch('/:cid', describe('Rename a compound or change its time zone', { tags }), param(cidParam), json(compoundBody.partial()), async (c) => {
        const { cid } = c.req.valid('param');
        await compounds.updateCompound(deps, c.get('actor'), cid, c.req.valid('json'), c.get('ip'));
        return c.json({ compound: await q.getCompound(db, cid) });
      })
      .route('/:cid/gates', placeRoutes(deps, 'gate', places.gate))
      .route('/:cid/buildings', placeRoutes(deps, 'building', places.building))
      .route('/:cid/points', placeRoutes(deps, 'point', places.point))
  );
}

/** One kind of place (gates, buildings, points): list, add, change, delete; the same four routes each. */
function placeRoutes<T extends q.PlaceTable, B extends z.ZodObject<{ name: ReturnType<typeof text> }>>(deps: AppDeps, table: T, spec: { path: string; body: B }) {
  const db = deps.database.db;
  const tags = [spec.path];

  return new Hono<AppEnv>()
    .get('/', describe(`List the compound's ${spec.path}`, { tags }), param(cidParam), async (c) => {
      const { cid } = c.req.valid('param');
      await q.getCompound(db, cid);
      return c.json({ items: await q.listPlaces(db, table, cid) });
    })
    .post('/', describe(`Add a ${table}`, { tags }), param(cidParam), json(spec.body), async (c) => {
      const { cid } = c.req.valid('param');
      const body = c.req.valid('json') as Record<string, unknown> & { name: string };
      const newId = await compounds.addPlace(deps, c.get('actor'), table, cid, body, c.get('ip'));
      return c.json({ item: await q.getPlace(db, table, cid, newId) }, 201);
    })
    .patch('/:id', describe(`Change a ${table}`, { tags }), param(itemParam), json(spec.body.partial()), async (c) => {
      const { cid, id: itemId } = c.req.valid('param');
      await compounds.changePlace(deps, c.get('actor'), table, cid, itemId, c.req.valid('json'), c.get('ip'));
      return c.json({ item: await q.getPlace(db, table, cid, itemId) });
    })
    .delete('/:id', describe(`Delete a ${table} nothing refers to yet`, { tags }), param(itemParam), async (c) => {
      const { cid, id: itemId } = c.req.valid('param');
      await compounds.removePlace(deps, c.get('actor'), table, cid, itemId, c.get('ip'));
      return c.json({ ok: true });
    });
}
