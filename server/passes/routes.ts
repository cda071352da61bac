import { Hono } from 'hono';
import { z } from 'zod';
import { ownOrigin } from '../auth/middleware.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, json, param, query } from '../http/validate.js';
import { listResidentPasses } from './queries.js';
import * as passes from './service.js';
import { qrSvg } from './sheet.js';

const cidParam = z.object({ cid: id });
const itemParam = z.object({ cid: id, id });

export function passRoutes(deps: AppDeps) {
  const db = deps.database.db;
  const tags = ['passes'];

  return new Hono<AppEnv>()
    .get('/passes', describe("A resident's passes (current and revoked)", { tags }), param(cidParam), query(z.object({ residentId: id })), async (c) =>
      c.json({ passes: await listResidentPasses(db, c.req.valid('param').cid, c.req.valid('query').residentId) }),
    )
    .post('/residents/:id/pass', describe('Issue a resident a pass (revokes the one they had)', { tags }), param(itemParam), async (c) => {
      const { cid, id: residentId } = c.req.valid('param');
      return c.json({ pass: await passes.issuePass(deps, c.get('actor'), cid, residentId, c.get('ip')) }, 201);
    })
    .post('/passes/issue', describe('Issue passes to every resident (of a building) who has none', { tags }), param(cidParam), json(z.object({ buildingId: id.optional() })), async (c) => {
      const { cid } = c.req.valid('param');
      return c.json({ issued: await passes.issueMissingPasses(deps, c.get('actor'), cid, c.req.valid('json').buildingId, c.get('ip')) });
    })
    .post('/passes/:id/revoke', describe('Revoke a pass: tablets refuse it after their next roster', { tags }), param(itemParam), json(z.object({ reason: z.string().trim().min(1).max(200) })), async (c) => {
      const { cid, id: passId } = c.req.valid('param');
      await passes.revokePass(deps, c.get('actor'), cid, passId, c.req.valid('json').reason, c.get('ip'));
      return c.json({ ok: true });
    })
    .get('/passes/:id/qr.svg', describe("A pass's QR code as SVG", { tags }), param(itemParam), async (c) => {
      const { cid, id: passId } = c.req.valid('param');
      const code = await passes.passCode(db, cid, passId);
      return c.body(await qrSvg(code), 200, { 'content-type': 'image/svg+xml', 'cache-control': 'private, max-age=3600' });
    })
    .get(
      '/buildings/:id/pass-sheet',
      describe('Printable A4 sheet of pass cards for a building (HTML)', { tags }),
      param(itemParam),
      query(z.object({ lang: z.enum(['zh', 'en']).default('zh') })),
      async (c) => {
        const { cid, id: buildingId } = c.req.valid('param');
        const origin = ownOrigin(deps, c.req.url, c.req.header('x-forwarded-proto'));
        return c.html(await passes.buildingPassSheet(deps, c.get('actor'), cid, buildingId, c.req.valid('query').lang, origin, c.get('ip')), 200, { 'cache-control': 'no-store' });
      },
    );
}
