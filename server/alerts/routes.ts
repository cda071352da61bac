import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { officeUser, readableCompounds } from '../auth/access.js';
import { recordAudit } from '../audit/queries.js';
import { getCompound } from '../compounds/queries.js';
import { zonedDate } from '../core/time.js';
import type { AppDeps } from '../deps.js';
import { fieldIssue, NotFoundError, ValidationError } from '../errors.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, json, localDate, param, query } from '../http/validate.js';
import { setQuarantine } from '../residents/service.js';
import { CONTACT_DEFAULTS, CONTACT_LIMITS, gateContacts } from './contacts.js';
import { contactsFile, maskContacts } from './exports.js';
import { getAlert, listAlerts } from './queries.js';

const cidParam = z.object({ cid: id });
const itemParam = z.object({ cid: id, id });
const contactsQuery = z.object({
  minutes: z.coerce.number().int().min(1).max(CONTACT_LIMITS.minutes).default(CONTACT_DEFAULTS.minutes),
  days: z.coerce.number().int().min(1).max(CONTACT_LIMITS.days).default(CONTACT_DEFAULTS.days),
});

/** A compound's positive alerts, one-step quarantine from an alert, and gate contacts. */
export function alertRoutes(deps: AppDeps) {
  const db = deps.database.db;
  const tags = ['positive cases'];

  const routes = new Hono<AppEnv>()
    .get('/alerts', describe('Positive alerts of the compound, newest first', { tags }), param(cidParam), async (c) => c.json({ alerts: await listAlerts(db, { compoundIds: [c.req.valid('param').cid] }) }))
    .post(
      '/alerts/:id/quarantine',
      describe('Put the household of a positive alert under home quarantine until a date (inclusive): one step, audited, in the next roster delta', { tags }),
      param(itemParam),
      json(z.object({ until: localDate, note: z.string().trim().max(200).nullish() })),
      async (c) => {
        const { cid, id: alertId } = c.req.valid('param');
        const { until, note } = c.req.valid('json');
        const alert = await getAlert(db, cid, alertId);
        if (!alert) throw new NotFoundError('alert');
        const compound = await getCompound(db, cid);
        if (until < zonedDate(deps.now().getTime(), compound.timezone)) throw new ValidationError([fieldIssue('until', 'date_in_past')]);
        const actor = c.get('actor');
        await setQuarantine(deps, actor, cid, alert.householdId, until, note || `阳性预警 #${alertId}`, c.get('ip'));
        const at = deps.now().toISOString();
        await db.transaction().execute(async (tx) => {
          await tx.updateTable('alert').set({ quarantineUntil: until, handledAt: at, handledBy: actor?.kind === 'office' ? actor.user.id : null }).where('id', '=', alertId).execute();
          await recordAudit(tx, { actor, action: 'alert.quarantine', entity: 'alert', entityId: alertId, compoundId: cid, details: { householdId: alert.householdId, until }, at, ip: c.get('ip') });
        });
        return c.json({ alert: await getAlert(db, cid, alertId) });
      },
    )
    .get(
      '/residents/:id/contacts',
      describe('Gate contacts (时空伴随): everyone through the same gate within ±minutes of the resident’s passages over the last days, grouped by household; every view audited', { tags }),
      param(itemParam),
      query(contactsQuery),
      async (c) => {
        const { cid, id: residentId } = c.req.valid('param');
        const { contacts } = await loadContacts(c, cid, residentId, c.req.valid('query'), 'json');
        return c.json(maskContacts(contacts, c.get('actor')));
      },
    )
    .get(
      '/residents/:id/contacts/export',
      describe('The gate contacts printable (format=print) or as CSV/XLSX, one row per passage; audited as an export', { tags }),
      param(itemParam),
      query(contactsQuery.extend({ format: z.enum(['print', 'csv', 'xlsx']).default('print'), lang: z.enum(['zh', 'en']).default('zh') })),
      async (c) => {
        const { cid, id: residentId } = c.req.valid('param');
        const q = c.req.valid('query');
        const { compound, contacts } = await loadContacts(c, cid, residentId, q, q.format);
        const file = contactsFile(compound, contacts, c.get('actor'), q.format, q.lang, deps.now().getTime());
        if ('html' in file) return c.html(file.html as Promise<string>);
        return c.body(file.stream, 200, file.headers);
      },
    );
  return routes;

  /** The contacts, audited before they leave: a view, or an export in its format. */
  async function loadContacts(c: Context<AppEnv>, cid: number, residentId: number, q: { minutes: number; days: number }, format: 'json' | 'print' | 'csv' | 'xlsx') {
    const compound = await getCompound(db, cid);
    const contacts = await gateContacts(deps.database.reader, cid, residentId, { minutes: q.minutes, days: q.days, to: deps.now().getTime() });
    if (!contacts) throw new NotFoundError('resident');
    const details = { residentId, minutes: q.minutes, days: q.days, people: contacts.people };
    await recordAudit(db, {
      actor: c.get('actor'),
      ...(format === 'json' ? { action: 'contacts.view' as const, details } : { action: 'export' as const, details: { dataset: 'gate-contacts', format, ...details } }),
      entity: 'resident',
      entityId: residentId,
      compoundId: cid,
      ip: c.get('ip'),
      at: deps.now().toISOString(),
    });
    return { compound, contacts };
  }
}

/** The district's alerts: what the overview polls (`after`: the last id it has), in the caller's scope. */
export function districtAlertRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get(
    '/',
    describe('Positive alerts of every compound in your scope, newest first; `after` gives only newer ones (the overview polls it)', { tags: ['positive cases'] }),
    query(z.object({ after: z.coerce.number().int().min(0).optional() })),
    async (c) => {
      const user = officeUser(c, ['admin', 'supervisor', 'manager']);
      return c.json({ alerts: await listAlerts(deps.database.reader, { compoundIds: readableCompounds(user), afterId: c.req.valid('query').after, limit: 50 }) });
    },
  );
}
