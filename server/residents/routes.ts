import { issue } from '../core/messages.js';
import { PHONE_PATTERN } from '../core/mask.js';
import { Hono } from 'hono';
import { z } from 'zod';
import { isDateString } from '../core/time.js';
import { AppError, NotFoundError } from '../errors.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, form, formFlag, id, json, param, query, text, uploadedFile } from '../http/validate.js';
import { LIMITS_DOC, readSheet } from '../imports/spreadsheet.js';
import { listHouseholds, listResidents } from './queries.js';
import * as residents from './service.js';

const cidParam = z.object({ cid: id });
const itemParam = z.object({ cid: id, id });
const phone = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(z.string().refine((s) => s === '' || PHONE_PATTERN.test(s), issue('phone_format')))
  .transform((s) => s || null);
const residentBody = z.object({
  buildingId: id,
  unit: text(10),
  room: text(10),
  name: text(40),
  phone: phone.nullish(),
  note: z.string().trim().max(200).nullish(),
});

export function residentRoutes(deps: AppDeps) {
  const db = deps.database.db;
  const tags = ['residents'];

  return new Hono<AppEnv>()
    .get(
      '/residents',
      describe('Residents with address, pass and latest test; search by name, phone or room', { tags }),
      param(cidParam),
      query(z.object({ q: z.string().trim().max(40).optional(), buildingId: id.optional(), householdId: id.optional(), limit: z.coerce.number().int().min(1).max(500).default(50), offset: z.coerce.number().int().min(0).default(0) })),
      async (c) => c.json(await listResidents(db, c.req.valid('param').cid, c.req.valid('query'))),
    )
    .post('/residents', describe('Add a resident (their household is made if new)', { tags }), param(cidParam), json(residentBody), async (c) => {
      const { cid } = c.req.valid('param');
      const newId = await residents.createResident(deps, c.get('actor'), cid, c.req.valid('json'), c.get('ip'));
      // Written just above: it is there.
      const created = (await listResidents(db, cid, { id: newId, limit: 1, offset: 0 })).residents[0]!;
      return c.json({ resident: created }, 201);
    })
    .patch('/residents/:id', describe("Change a resident's name, phone or note", { tags }), param(itemParam), json(residentBody.pick({ name: true, phone: true, note: true }).extend({ noPhone: z.boolean() }).partial()), async (c) => {
      const { cid, id: residentId } = c.req.valid('param');
      const { noPhone, ...rest } = c.req.valid('json');
      await residents.updateResident(deps, c.get('actor'), cid, residentId, { ...rest, ...(noPhone === undefined ? {} : { noPhone: noPhone ? 1 : 0 }) }, c.get('ip'));
      return c.json({ ok: true });
    })
    .delete('/residents/:id', describe('Remove a resident who moved out (history kept, pass revoked)', { tags }), param(itemParam), async (c) => {
      const { cid, id: residentId } = c.req.valid('param');
      await residents.removeResident(deps, c.get('actor'), cid, residentId, c.get('ip'));
      return c.json({ ok: true });
    })
    .get('/households', describe('Households, optionally of one building', { tags }), param(cidParam), query(z.object({ buildingId: id.optional() })), async (c) =>
      c.json({ households: await listHouseholds(db, c.req.valid('param').cid, c.req.valid('query').buildingId) }),
    )
    .patch(
      '/households/:id',
      describe('Flag a household under home quarantine until a date (inclusive), or clear it with null', { tags }),
      param(itemParam),
      json(z.object({ quarantineUntil: z.string().refine(isDateString, issue('date_format')).nullable(), quarantineNote: z.string().trim().max(200).nullish() })),
      async (c) => {
        const { cid, id: householdId } = c.req.valid('param');
        const body = c.req.valid('json');
        await residents.setQuarantine(deps, c.get('actor'), cid, householdId, body.quarantineUntil, body.quarantineNote ?? null, c.get('ip'));
        const [h] = (await listHouseholds(db, cid)).filter((x) => x.id === householdId);
        if (!h) throw new NotFoundError('household');
        return c.json({ household: h });
      },
    )
    .post(
      '/imports/residents',
      describe('Import residents from CSV (UTF-8 or GB18030) or XLSX: a row-by-row report. mode=strict writes nothing if any row is bad; mode=valid_rows imports the good rows; dryRun previews.', { tags, description: LIMITS_DOC }),
      param(cidParam),
      form(z.object({ file: uploadedFile, mode: z.enum(['strict', 'valid_rows']).default('strict'), dryRun: formFlag })),
      async (c) => {
        const { cid } = c.req.valid('param');
        const body = c.req.valid('form');
        const sheet = await readSheet({ name: body.file.name, bytes: new Uint8Array(await body.file.arrayBuffer()) }, { columns: residents.residentColumns });
        const report = await residents.importResidents(deps, c.get('actor'), cid, sheet, { mode: body.mode, dryRun: body.dryRun, fileName: body.file.name }, c.get('ip'));
        if (!report.applied && !body.dryRun && report.rejected) throw new AppError(422, 'import_rejected', { rejected: report.rejected }, report);
        return c.json(report);
      },
    );
}
