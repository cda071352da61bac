import { Hono } from 'hono';
import { z } from 'zod';
import type { Context } from 'hono';
import { deviceOf } from '../auth/access.js';
import { getCompound } from '../compounds/queries.js';
import { ChecklistSchema, SlotSpecsSchema, TEMPLATE_TARGETS } from '../core/disinfection.js';
import { zonedDate } from '../core/time.js';
import { NotFoundError } from '../errors.js';
import type { Asker } from '../audit/queries.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, json, localDate as date, param, query } from '../http/validate.js';
import { grid, photoOf, rounds, schedules, templates } from './queries.js';
import { changeSchedule, changeTemplate, dailySheetPage, placardPage, storePhoto } from './service.js';

const cidParam = z.object({ cid: id });
const placeParam = z.object({ cid: id, kind: z.enum(['buildings', 'points']), id });
const lang = z.object({ lang: z.enum(['zh', 'en']).default('zh') });
const asker = (c: Context<AppEnv>): Asker => ({ actor: c.get('actor'), ip: c.get('ip') });

/** Managers: the schedule, the checklists, the day's grid, a place's history with photos, placards and sheets. */
export function disinfectionRoutes(deps: AppDeps) {
  const db = deps.database.db;
  const reader = deps.database.reader;
  const tags = ['disinfection'];

  return new Hono<AppEnv>()
    .get('/disinfection/schedule', describe('The daily slots, with every earlier version', { tags }), param(cidParam), async (c) => {
      const versions = await schedules(db, c.req.valid('param').cid);
      return c.json({ current: versions[versions.length - 1], versions: versions.map((v) => ({ ...v, effectiveFrom: new Date(v.effectiveFrom).toISOString() })) });
    })
    .put(
      '/disinfection/schedule',
      describe('Change the daily slots from now (or a later moment) on; slots already begun keep their schedule', { tags }),
      param(cidParam),
      json(z.object({ slots: SlotSpecsSchema, effectiveFrom: z.iso.datetime({ offset: true }).optional() })),
      async (c) => c.json({ current: await changeSchedule(deps, asker(c), c.req.valid('param').cid, c.req.valid('json')) }),
    )
    .get('/disinfection/templates', describe('Checklist templates: for buildings and each kind of point', { tags }), param(cidParam), async (c) =>
      c.json({ templates: await templates(db, c.req.valid('param').cid) }),
    )
    .put(
      '/disinfection/templates/:target',
      describe('Change a checklist template (building, point:sampling, point:gate, point:other)', { tags }),
      param(z.object({ cid: id, target: z.enum(TEMPLATE_TARGETS) })),
      json(z.object({ items: ChecklistSchema })),
      async (c) => {
        const { cid, target } = c.req.valid('param');
        return c.json({ templates: await changeTemplate(deps, asker(c), cid, target, c.req.valid('json').items) });
      },
    )
    .get(
      '/disinfection/grid',
      describe("A day's grid: every building and point × every slot, coloured by state, with who and when; the missed list", { tags }),
      param(cidParam),
      query(z.object({ date: date.optional() })),
      async (c) => {
        const { cid } = c.req.valid('param');
        const compound = await getCompound(reader, cid);
        const day = c.req.valid('query').date ?? zonedDate(deps.now().getTime(), compound.timezone);
        return c.json(await grid(reader, cid, day, deps.now()));
      },
    )
    .get(
      '/disinfection/records',
      describe("Rounds, newest first: a place's history (with photos), or a date range", { tags }),
      param(cidParam),
      query(z.object({ targetKind: z.enum(['building', 'point']).optional(), targetId: id.optional(), from: date.optional(), to: date.optional(), limit: z.coerce.number().int().min(1).max(2000).default(200) })),
      async (c) => {
        const { cid } = c.req.valid('param');
        const f = c.req.valid('query');
        const target = f.targetKind && f.targetId ? { kind: f.targetKind, id: f.targetId } : undefined;
        return c.json({ records: await rounds(reader, cid, { ...(target ? { target } : {}), ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}), limit: f.limit }) });
      },
    )
    .get('/disinfection/records/:recordId/photo', describe("A round's photo", { tags }), param(z.object({ cid: id, recordId: z.string().max(40) })), async (c) => {
      const { cid, recordId } = c.req.valid('param');
      const photo = await photoOf(reader, cid, recordId);
      if (!photo) throw new NotFoundError('photo');
      // Only ever an image: a sandbox policy and an attachment-safe disposition, besides nosniff, so even a
      // photo whose bytes also read as a page (a comment segment holding HTML) can never run as one.
      return c.body(new Uint8Array(photo.bytes), 200, {
        'content-type': photo.contentType,
        'cache-control': 'private, max-age=86400',
        'content-security-policy': "sandbox; default-src 'none'",
        'content-disposition': `inline; filename="round-${recordId}.${photo.contentType === 'image/png' ? 'png' : 'jpg'}"`,
      });
    })
    .get('/:kind/:id/placard', describe('The A4 placard of a building or point: its QR and the slot times (HTML)', { tags }), param(placeParam), query(lang), async (c) => {
      const { cid, kind, id: placeId } = c.req.valid('param');
      return c.html(await placardPage(deps, cid, kind, placeId, c.req.valid('query').lang));
    })
    .get(
      '/:kind/:id/disinfection-sheet',
      describe("A place's daily record sheet (消毒记录表) for posting in the lobby (HTML)", { tags }),
      param(placeParam),
      query(lang.extend({ date: date.optional() })),
      async (c) => {
        const { cid, kind, id: placeId } = c.req.valid('param');
        return c.html(await dailySheetPage(deps, cid, kind, placeId, c.req.valid('query')));
      },
    );
}

/** Tablets: today's rounds of their compound, and the photos that follow a round. */
export function disinfectionDeviceRoutes(deps: AppDeps) {
  const tags = ['tablets'];

  return new Hono<AppEnv>()
    .get('/disinfection', describe("The compound's rounds of a day (what the tablet did not record itself)", { tags, auth: 'device' }), query(z.object({ date })), async (c) => {
      const device = deviceOf(c);
      const list = await rounds(deps.database.reader, device.compoundId, { dates: [c.req.valid('query').date] });
      return c.json({
        rounds: list.map((r) => ({ id: r.id, target: { kind: r.targetKind, id: r.targetId }, slotTime: r.slotTime, status: r.status, finishedAt: r.finishedAt, operator: r.operator })),
      });
    })
    .put(
      '/photos/:recordId',
      describe("Upload a round's photo (JPEG or PNG, up to 512 KB) after the round itself has synced; sending it again is harmless", { tags, auth: 'device' }),
      param(z.object({ recordId: z.string().max(40) })),
      async (c) => c.json(await storePhoto(deps, deviceOf(c), c.req.valid('param').recordId, new Uint8Array(await c.req.arrayBuffer()))),
    );
}
