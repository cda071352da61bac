import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../audit/queries.js';
import { addDays, parseLocalDateTime, zonedDate, zonedToUtc } from '../core/time.js';
import { compoundDashboard } from '../dashboard/queries.js';
import { rounds } from '../disinfection/queries.js';
import { ValidationError, NotFoundError } from '../errors.js';
import { listShifts, notVoided } from '../gate/queries.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { describe, id, localDate, param, query } from '../http/validate.js';
import { type DossierPassage, dailyReportHtml, dossierHtml } from './pages.js';

const lang = z.enum(['zh', 'en']).default('zh');
const MAX_DOSSIER_DAYS = 31;

/** Printable A4 reports (HTML with a Print button): a compound's daily report, a building's incident dossier. */
export function reportRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const tags = ['reports'];
  const db = deps.database.reader;

  async function compoundOf(cid: number) {
    const c = await db.selectFrom('compound').select(['id', 'name', 'timezone']).where('id', '=', cid).executeTakeFirst();
    if (!c) throw new NotFoundError('The compound');
    return c;
  }

  const audit = (c: Context<AppEnv>, cid: number, details: Record<string, unknown>) =>
    recordAudit(deps.database.db, { actor: c.get('actor'), action: 'export', entity: 'report', entityId: String(details.dataset), compoundId: cid, details, ip: c.get('ip'), at: deps.now().toISOString() });

  app.get(
    '/reports/daily',
    describe("A compound's daily report for printing (A4)", { tags }),
    param(z.object({ cid: id })),
    query(z.object({ date: localDate.optional(), lang })),
    async (c) => {
      const compound = await compoundOf(c.req.valid('param').cid);
      const q = c.req.valid('query');
      const date = q.date ?? zonedDate(deps.now().getTime(), compound.timezone);
      const d = await compoundDashboard(db, compound, date, deps.now());
      // Shifts that began on this local date.
      const shifts = (await listShifts(db, compound.id, { from: new Date(zonedToUtc(date, compound.timezone)).toISOString(), to: new Date(zonedToUtc(addDays(date, 1), compound.timezone)).toISOString() })).filter((s) => zonedDate(Date.parse(s.startedAt), compound.timezone) === date).reverse();
      await audit(c, compound.id, { dataset: 'daily-report', date, format: 'print' });
      return c.html(dailyReportHtml(d, shifts, q.lang, deps.now().getTime()));
    },
  );

  app.get(
    '/buildings/:bid/dossier',
    describe("A building's incident dossier for printing: everyone through the gates in a window with their test status then, and the building's disinfection with photos", { tags }),
    param(z.object({ cid: id, bid: id })),
    query(z.object({ from: z.string().max(30), to: z.string().max(30), lang })),
    async (c) => {
      const { cid, bid } = c.req.valid('param');
      const q = c.req.valid('query');
      const compound = await compoundOf(cid);
      const building = await db.selectFrom('building').select(['id', 'name']).where('id', '=', bid).where('compoundId', '=', cid).executeTakeFirst();
      if (!building) throw new NotFoundError('The building (in this compound)');
      const from = parseLocalDateTime(q.from, compound.timezone);
      const to = parseLocalDateTime(q.to, compound.timezone);
      const issues = [
        ...(from === null ? [{ path: 'from', message: 'a date and time like 2026-11-28 08:00' }] : []),
        ...(to === null ? [{ path: 'to', message: 'a date and time like 2026-11-28 20:00' }] : []),
      ];
      if (issues.length) throw new ValidationError('Give the window as local dates and times, like 2026-11-28 08:00.', issues);
      if (to! <= from!) throw new ValidationError('The window ends before it starts: "to" must be after "from".', [{ path: 'to', message: 'before from' }]);
      if (to! - from! > MAX_DOSSIER_DAYS * 86_400_000) throw new ValidationError(`At most ${MAX_DOSSIER_DAYS} days in one dossier.`, [{ path: 'to', message: 'window too long' }]);

      const rows = await db
        .selectFrom('gateCheck as g')
        .innerJoin('gate', 'gate.id', 'g.gateId')
        .leftJoin('resident as r', 'r.id', 'g.residentId')
        .leftJoin('household as h', 'h.id', 'g.householdId')
        .leftJoin('building as b', 'b.id', 'h.buildingId')
        .select(['g.occurredAt', 'gate.name as gate', 'g.direction', 'g.subject', 'g.verdict', 'g.overrideReason', 'g.visitor', 'g.testStatus', 'r.name', 'r.phone', 'b.name as building', 'h.unit', 'h.room'])
        .where('g.compoundId', '=', cid)
        .where('g.passed', '=', 1)
        .where('g.occurredAt', '>=', new Date(from!).toISOString())
        .where('g.occurredAt', '<', new Date(to!).toISOString())
        .where(notVoided)
        .orderBy('g.occurredAt')
        .execute();
      const passages: DossierPassage[] = rows.map((r) => {
        const visitor = r.visitor ? (JSON.parse(r.visitor) as { name: string; phone: string }) : null;
        return {
          occurredAt: r.occurredAt,
          gate: r.gate,
          direction: r.direction,
          subject: r.subject,
          verdict: r.verdict,
          overrideReason: r.overrideReason,
          name: r.name ?? visitor?.name ?? null,
          phone: r.phone ?? visitor?.phone ?? null,
          building: r.building,
          unit: r.unit,
          room: r.room,
          testStatus: r.testStatus ? JSON.parse(r.testStatus) : null,
        };
      });
      const tz = compound.timezone;
      const recs = (await rounds(db, cid, { target: { kind: 'building', id: bid }, from: zonedDate(from! - 86_400_000, tz), to: zonedDate(to!, tz) }))
        .filter((r) => Date.parse(r.finishedAt) >= from! && Date.parse(r.finishedAt) < to!)
        .reverse();
      await audit(c, cid, { dataset: 'dossier', buildingId: bid, from: new Date(from!).toISOString(), to: new Date(to!).toISOString(), passages: passages.length, format: 'print' });
      return c.html(dossierHtml({ compound, building, from: from!, to: to!, passages, rounds: recs, lang: q.lang, printedAt: deps.now().getTime() }));
    },
  );
  return app;
}
