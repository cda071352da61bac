import { Hono } from 'hono';
import { z } from 'zod';
import { NotFoundError } from '../errors.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { describe, id, json, param, query } from '../http/validate.js';
import { naturally } from '../residents/queries.js';
import * as passes from './service.js';
import { passSheetHtml, qrSvg } from './sheet.js';

const cidParam = z.object({ cid: id });
const itemParam = z.object({ cid: id, id });

export function passRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const db = deps.database.db;
  const tags = ['passes'];

  app.get('/passes', describe("A resident's passes (current and revoked)", { tags }), param(cidParam), query(z.object({ residentId: id })), async (c) => {
    const rows = await db
      .selectFrom('pass')
      .select(['id', 'residentId', 'status', 'issuedAt', 'revokedAt', 'revokeReason', 'code'])
      .where('compoundId', '=', c.req.valid('param').cid)
      .where('residentId', '=', c.req.valid('query').residentId)
      .orderBy('id', 'desc')
      .execute();
    return c.json({ passes: rows });
  });

  app.post('/residents/:id/pass', describe('Issue a resident a pass (revokes the one they had)', { tags }), param(itemParam), async (c) => {
    const { cid, id: residentId } = c.req.valid('param');
    return c.json({ pass: await passes.issuePass(deps, c.get('actor'), cid, residentId, c.get('ip')) }, 201);
  });

  app.post('/passes/issue', describe('Issue passes to every resident (of a building) who has none', { tags }), param(cidParam), json(z.object({ buildingId: id.optional() })), async (c) => {
    const { cid } = c.req.valid('param');
    return c.json({ issued: await passes.issueMissingPasses(deps, c.get('actor'), cid, c.req.valid('json').buildingId, c.get('ip')) });
  });

  app.post('/passes/:id/revoke', describe('Revoke a pass: tablets refuse it after their next roster', { tags }), param(itemParam), json(z.object({ reason: z.string().trim().min(1).max(200) })), async (c) => {
    const { cid, id: passId } = c.req.valid('param');
    await passes.revokePass(deps, c.get('actor'), cid, passId, c.req.valid('json').reason, c.get('ip'));
    return c.json({ ok: true });
  });

  app.get('/passes/:id/qr.svg', describe("A pass's QR code as SVG", { tags }), param(itemParam), async (c) => {
    const { cid, id: passId } = c.req.valid('param');
    const pass = await db.selectFrom('pass').select('code').where('compoundId', '=', cid).where('id', '=', passId).executeTakeFirst();
    if (!pass) throw new NotFoundError('The pass');
    return c.body(await qrSvg(pass.code), 200, { 'content-type': 'image/svg+xml', 'cache-control': 'private, max-age=3600' });
  });

  app.get(
    '/buildings/:id/pass-sheet',
    describe('Printable A4 sheet of pass cards for a building (HTML)', { tags }),
    param(itemParam),
    query(z.object({ lang: z.enum(['zh', 'en']).default('zh') })),
    async (c) => {
      const { cid, id: buildingId } = c.req.valid('param');
      const building = await db
        .selectFrom('building')
        .innerJoin('compound', 'compound.id', 'building.compoundId')
        .select(['building.name', 'compound.name as compound'])
        .where('building.compoundId', '=', cid)
        .where('building.id', '=', buildingId)
        .executeTakeFirst();
      if (!building) throw new NotFoundError('The building');
      const cards = await db
        .selectFrom('pass as p')
        .innerJoin('resident as r', 'r.id', 'p.residentId')
        .innerJoin('household as h', 'h.id', 'r.householdId')
        .select(['p.id as passId', 'p.code', 'r.name', 'h.unit', 'h.room'])
        .where('h.buildingId', '=', buildingId)
        .where('p.status', '=', 'active')
        .orderBy('h.unit')
        .orderBy(naturally('h.room'))
        .orderBy('h.room')
        .orderBy('r.id')
        .execute();
      const page = await passSheetHtml({
        compound: building.compound,
        building: building.name,
        cards: cards.map((x) => ({ ...x, building: building.name })),
        lang: c.req.valid('query').lang,
      });
      return c.html(page);
    },
  );

  return app;
}
