import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { Asker } from '../audit/queries.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, localDate, param, query } from '../http/validate.js';
import { dailyReport, dossierPage, dossierXlsx } from './service.js';

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
      describe(
        "A building's incident dossier (print, or format=xlsx): its own residents' passages in a window, others' at the same gates apart (others=1), phones masked unless your role may see them, the building's disinfection with photos, and the gate contacts of its positive residents",
        { tags },
      ),
      param(z.object({ cid: id, bid: id })),
      query(z.object({ from: z.string().max(30), to: z.string().max(30), lang, others: z.enum(['0', '1']).default('0'), format: z.enum(['print', 'xlsx']).default('print') })),
      async (c) => {
        const { cid, bid } = c.req.valid('param');
        const q = c.req.valid('query');
        const opts = { from: q.from, to: q.to, lang: q.lang, others: q.others === '1' };
        if (q.format === 'print') return c.html(await dossierPage(deps, asker(c), cid, bid, opts));
        const x = await dossierXlsx(deps, asker(c), cid, bid, opts);
        return c.body(x.bytes as Uint8Array<ArrayBuffer>, 200, {
          'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'Content-Disposition': `attachment; filename="dossier.xlsx"; filename*=UTF-8''${encodeURIComponent(x.file)}`,
          'Cache-Control': 'no-store',
        });
      },
    );
}
