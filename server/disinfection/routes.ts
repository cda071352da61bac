import { Hono } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../audit/queries.js';
import { deviceOf } from '../auth/access.js';
import { placardMessage } from '../core/code.js';
import { ChecklistSchema, SlotSpecsSchema, slotState, slotsOfDay, TEMPLATE_TARGETS } from '../core/disinfection.js';
import { zonedDate } from '../core/time.js';
import { AppError, NotFoundError, ValidationError } from '../errors.js';
import type { AppDeps, AppEnv, Db } from '../http/context.js';
import { describe, id, json, localDate as date, param, query } from '../http/validate.js';
import { imageInfo } from './photo.js';
import { dailySheetHtml, placardHtml } from './placards.js';
import { grid, insertSchedule, type Place, places, rounds, schedules, templates } from './queries.js';

const cidParam = z.object({ cid: id });
const placeParam = z.object({ cid: id, kind: z.enum(['buildings', 'points']), id });
const lang = z.object({ lang: z.enum(['zh', 'en']).default('zh') });

/** Photos arrive shrunk on the tablet (≤ 200 KB); the server takes up to this much. */
export const MAX_PHOTO_BYTES = 512 * 1024;

async function findPlace(db: Db, compoundId: number, kind: 'buildings' | 'points', placeId: number): Promise<Place & { compound: string; timezone: string }> {
  const compound = await db.selectFrom('compound').select(['name', 'timezone']).where('id', '=', compoundId).executeTakeFirstOrThrow();
  const p = (await places(db, compoundId)).find((x) => x.kind === (kind === 'buildings' ? 'building' : 'point') && x.id === placeId);
  if (!p) throw new NotFoundError(kind === 'buildings' ? 'The building' : 'The point');
  return { ...p, compound: compound.name, timezone: compound.timezone };
}

/** Managers: the schedule, the checklists, the day's grid, a place's history with photos, placards and sheets. */
export function disinfectionRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const db = deps.database.db;
  const reader = deps.database.reader;
  const tags = ['disinfection'];

  app.get('/disinfection/schedule', describe('The daily slots, with every earlier version', { tags }), param(cidParam), async (c) => {
    const versions = await schedules(db, c.req.valid('param').cid);
    return c.json({ current: versions[versions.length - 1], versions: versions.map((v) => ({ ...v, effectiveFrom: new Date(v.effectiveFrom).toISOString() })) });
  });

  app.put(
    '/disinfection/schedule',
    describe('Change the daily slots from now (or a later moment) on; slots already begun keep their schedule', { tags }),
    param(cidParam),
    json(z.object({ slots: SlotSpecsSchema, effectiveFrom: z.iso.datetime({ offset: true }).optional() })),
    async (c) => {
      const { cid } = c.req.valid('param');
      const body = c.req.valid('json');
      const now = deps.now();
      const from = body.effectiveFrom ? new Date(body.effectiveFrom) : now;
      if (from.getTime() < now.getTime() - 60_000) throw new ValidationError('A schedule change cannot start in the past: it would rewrite rounds already due.', [{ path: 'effectiveFrom', message: 'in the past' }]);
      const slots = [...body.slots].sort((a, b) => a.time.localeCompare(b.time));
      const actor = c.get('actor');
      const at = now.toISOString();
      const version = await db.transaction().execute(async (tx) => {
        const v = await insertSchedule(tx, cid, slots, from.toISOString(), at, actor?.kind === 'office' ? actor.user.id : null);
        await recordAudit(tx, { actor, action: 'disinfection.schedule', entity: 'disinfection_schedule', entityId: v, compoundId: cid, details: { slots, effectiveFrom: from.toISOString() }, at, ip: c.get('ip') });
        return v;
      });
      return c.json({ current: { version, slots, effectiveFrom: from.toISOString() } });
    },
  );

  app.get('/disinfection/templates', describe('Checklist templates: for buildings and each kind of point', { tags }), param(cidParam), async (c) =>
    c.json({ templates: await templates(db, c.req.valid('param').cid) }),
  );

  app.put(
    '/disinfection/templates/:target',
    describe('Change a checklist template (building, point:sampling, point:gate, point:other)', { tags }),
    param(z.object({ cid: id, target: z.enum(TEMPLATE_TARGETS) })),
    json(z.object({ items: ChecklistSchema })),
    async (c) => {
      const { cid, target } = c.req.valid('param');
      const items = c.req.valid('json').items;
      const actor = c.get('actor');
      const at = deps.now().toISOString();
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('checklistTemplate')
          .values({ compoundId: cid, target, items: JSON.stringify(items), updatedAt: at, updatedBy: actor?.kind === 'office' ? actor.user.id : null })
          .onConflict((oc) => oc.columns(['compoundId', 'target']).doUpdateSet({ items: JSON.stringify(items), updatedAt: at }))
          .execute();
        await recordAudit(tx, { actor, action: 'disinfection.template', entity: 'checklist_template', entityId: target, compoundId: cid, details: { items }, at, ip: c.get('ip') });
      });
      return c.json({ templates: await templates(db, cid) });
    },
  );

  app.get(
    '/disinfection/grid',
    describe("A day's grid: every building and point × every slot, coloured by state, with who and when; the missed list", { tags }),
    param(cidParam),
    query(z.object({ date: date.optional() })),
    async (c) => {
      const { cid } = c.req.valid('param');
      const compound = await reader.selectFrom('compound').select('timezone').where('id', '=', cid).executeTakeFirstOrThrow();
      const day = c.req.valid('query').date ?? zonedDate(deps.now().getTime(), compound.timezone);
      return c.json(await grid(reader, cid, day, deps.now()));
    },
  );

  app.get(
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
  );

  app.get('/disinfection/records/:recordId/photo', describe("A round's photo", { tags }), param(z.object({ cid: id, recordId: z.string().max(40) })), async (c) => {
    const { cid, recordId } = c.req.valid('param');
    const photo = await reader
      .selectFrom('disinfectionPhoto as p')
      .innerJoin('disinfectionRecord as r', 'r.id', 'p.recordId')
      .select(['p.bytes', 'p.contentType'])
      .where('r.compoundId', '=', cid)
      .where('p.recordId', '=', recordId)
      .executeTakeFirst();
    if (!photo) throw new NotFoundError('The photo');
    return c.body(new Uint8Array(photo.bytes), 200, { 'content-type': photo.contentType, 'cache-control': 'private, max-age=86400' });
  });

  app.get('/:kind/:id/placard', describe('The A4 placard of a building or point: its QR and the slot times (HTML)', { tags }), param(placeParam), query(lang), async (c) => {
    const { cid, kind, id: placeId } = c.req.valid('param');
    const p = await findPlace(db, cid, kind, placeId);
    await deps.keys.currentKid();
    const code = await deps.keys.sign(placardMessage({ kid: await deps.keys.currentKid(), target: { kind: p.kind, id: p.id }, compoundId: cid, issuedAt: deps.now().getTime() }));
    const versions = await schedules(db, cid);
    return c.html(await placardHtml({ compound: p.compound, place: p.name, code, slots: versions[versions.length - 1]!.slots, lang: c.req.valid('query').lang }));
  });

  app.get(
    '/:kind/:id/disinfection-sheet',
    describe("A place's daily record sheet (消毒记录表) for posting in the lobby (HTML)", { tags }),
    param(placeParam),
    query(lang.extend({ date: date.optional() })),
    async (c) => {
      const { cid, kind, id: placeId } = c.req.valid('param');
      const p = await findPlace(reader, cid, kind, placeId);
      const day = c.req.valid('query').date ?? zonedDate(deps.now().getTime(), p.timezone);
      const mine = await rounds(reader, cid, { dates: [day], target: { kind: p.kind, id: p.id } });
      const slots = slotsOfDay(day, p.timezone, await schedules(db, cid)).map((s) => ({
        ...s,
        state: slotState(s, mine.filter((r) => r.slotTime === s.time).map((r) => ({ status: r.status, finishedAt: Date.parse(r.finishedAt) })), deps.now().getTime()),
      }));
      return c.html(dailySheetHtml({ compound: p.compound, place: p.name, date: day, tz: p.timezone, slots, rounds: [...mine].reverse(), lang: c.req.valid('query').lang }));
    },
  );

  return app;
}

/** Tablets: today's rounds of their compound, and the photos that follow a round. */
export function disinfectionDeviceRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const db = deps.database.db;
  const tags = ['tablets'];

  app.get('/disinfection', describe("The compound's rounds of a day (what the tablet did not record itself)", { tags, auth: 'device' }), query(z.object({ date })), async (c) => {
    const device = deviceOf(c);
    const list = await rounds(deps.database.reader, device.compoundId, { dates: [c.req.valid('query').date] });
    return c.json({
      rounds: list.map((r) => ({ id: r.id, target: { kind: r.targetKind, id: r.targetId }, slotTime: r.slotTime, status: r.status, finishedAt: r.finishedAt, operator: r.operator })),
    });
  });

  app.put(
    '/photos/:recordId',
    describe("Upload a round's photo (JPEG or PNG, up to 512 KB) after the round itself has synced; sending it again is harmless", { tags, auth: 'device' }),
    param(z.object({ recordId: z.string().max(40) })),
    async (c) => {
      const device = deviceOf(c);
      const { recordId } = c.req.valid('param');
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      if (bytes.length > MAX_PHOTO_BYTES) throw new AppError(413, 'photo_too_large', `The photo is ${Math.round(bytes.length / 1024)} KB; at most ${MAX_PHOTO_BYTES / 1024} KB. Take it again (the app shrinks it).`);
      const info = await imageInfo(bytes);
      if (!info) throw new AppError(415, 'not_an_image', 'This is not a complete JPEG or PNG image.');
      const record = await db.selectFrom('disinfectionRecord').select(['id', 'compoundId']).where('id', '=', recordId).executeTakeFirst();
      if (!record || record.compoundId !== device.compoundId) {
        throw new AppError(404, 'round_not_synced', 'That round is not on the server yet: send the round first, then its photo.');
      }
      const existing = await db.selectFrom('disinfectionPhoto').select('recordId').where('recordId', '=', recordId).executeTakeFirst();
      if (!existing) {
        await db
          .insertInto('disinfectionPhoto')
          .values({ recordId, contentType: info.type, bytes, size: bytes.length, width: info.width, height: info.height, receivedAt: deps.now().toISOString() })
          .onConflict((oc) => oc.column('recordId').doNothing())
          .execute();
      }
      return c.json({ ok: true, status: existing ? 'duplicate' : 'accepted', width: info.width, height: info.height });
    },
  );

  return app;
}
