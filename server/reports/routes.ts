import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { Asker } from '../audit/queries.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, localDate, param, query } from '../http/validate.js';
import { dailyReport, dossier } from './service.js';

const lang = z.enum(['zh', 'en']).default('zh');
const asker = (c: Context<AppEnv>): Asker => ({ actor: c.get('actor'), ip: c.get('ip') });

/** Printable A4 reports (HTML with a Print button): a compound's daily report, a building's incident dossier. */
export function reportRoutes(deps: AppDeps) {
  const tags = ['reports'];

  return new Hono<AppEnv>()
    .get(
      '/reports/daily',
      describe("A compound's daily report for printing (A4)", { tags }),
      param(z.object({ cid: id })),
      query(z.object({ date: localDate.optional(), lang })),
      async (c) => c.html(await dailyReport(deps, asker(c), c.req.valid('param').cid, c.req.valid('query'))),
    )
    .get(
      '/buildings/:bid/dossier',
      describe("A building's incident dossier for printing: everyone through the gates in a window with their test status then, and the building's disinfection with photos", { tags }),
      param(z.object({ cid: id, bid: id })),
      query(z.object({ from: z.string().max(30), to: z.string().max(30), lang })),
      async (c) => {
        const { cid, bid } = c.req.valid('param');
        return c.html(await dossier(deps, asker(c), cid, bid, c.req.valid('query')));
      },
    );
}
