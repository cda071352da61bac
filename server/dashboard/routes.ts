import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { officeUser, readableCompounds } from '../auth/access.js';
import { sessionStillReads } from '../auth/service.js';
import { daysBetween, zonedDate } from '../core/time.js';
import { ValidationError, fieldIssue } from '../errors.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, localDate as date, param, query } from '../http/validate.js';
import type { LiveFeed } from './live.js';
import { compoundDashboard, compoundsIn, districtOverview } from './queries.js';
import { getCompound } from '../compounds/queries.js';

const cidParam = z.object({ cid: id });
const MAX_OVERVIEW_DAYS = 31;

/** The manager's dashboard of a compound, its live feed, and the supervisor's district overview. */
export function dashboardRoutes(deps: AppDeps, live: LiveFeed) {
  const tags = ['dashboards'];
  const db = deps.database.reader;

  return new Hono<AppEnv>()
    .get(
      '/compounds/:cid/dashboard',
      describe("A compound's day at a glance: traffic by hour, denials by reason, overrides, visitors, tablets, disinfection", { tags }),
      param(cidParam),
      query(z.object({ date: date.optional() })),
      async (c) => {
        const compound = await getCompound(db, c.req.valid('param').cid);
        const day = c.req.valid('query').date ?? zonedDate(deps.now().getTime(), compound.timezone);
        return c.json(await compoundDashboard(db, compound, day, deps.now()));
      },
    )
    .get(
      '/compounds/:cid/live',
      describe(
        "Server-sent events: each gate check the compound's tablets sync, as it arrives (event `check`). Open feeds are capped per sign-in and per server (429 `too_many_live_feeds`); a client that stops reading is disconnected and reconnects",
        { tags },
      ),
      param(cidParam),
      async (c) => {
        const { cid } = c.req.valid('param');
        await getCompound(db, cid);
        const user = officeUser(c);
        const actor = c.get('actor');
        const sessionId = actor?.kind === 'office' ? actor.sessionId : '';
        c.header('Cache-Control', 'no-cache, no-transform');
        c.header('X-Accel-Buffering', 'no');
        // A HEAD (download managers, link checkers) gets the headers, not a subscription nobody reads.
        if (c.req.method === 'HEAD') return c.body(null, 200, { 'Content-Type': 'text/event-stream' });
        // Counted (and refused with a 429 past the caps) before the stream starts, so a refusal is plain JSON.
        const listener = live.listen(cid, sessionId, user.id);
        return streamSSE(c, async (stream) => {
          stream.onAbort(() => listener.close());
          // A dropped listener's writes are stuck behind a client that does not read: abort, do not wait.
          listener.onDrop(() => stream.abort());
          // A heartbeat keeps proxies from closing a quiet feed and tells the page it is alive; the sign-in is
          // checked at that pace whether the feed is quiet or busy (a busy gate must not keep a signed-out
          // manager's feed going).
          const every = live.limits.sessionCheckMs;
          let checkedAt = performance.now();
          try {
            // PostgreSQL: 'ready' once this server hears every server's syncs (its LISTEN is up).
            await live.subscribed().catch(() => {});
            await stream.writeSSE({ event: 'ready', data: JSON.stringify({ compoundId: cid }) });
            for (;;) {
              const next = await listener.next(every);
              if (next === 'closed') break;
              if (next === 'idle' || performance.now() - checkedAt >= every) {
                checkedAt = performance.now();
                // Signed out, expired, or taken off the compound since the feed opened: the feed ends.
                if (!(await sessionStillReads(deps, sessionId, cid))) {
                  await stream.writeSSE({ event: 'end', data: 'session' });
                  break;
                }
              }
              if (next === 'idle') await stream.writeSSE({ event: 'ping', data: deps.now().toISOString() });
              else await stream.write(next);
            }
          } finally {
            listener.close();
            if (listener.dropped) stream.abort();
            else await stream.close();
          }
        });
      },
    )
    .get(
      '/overview',
      describe('The district (or your compounds) over a date range: one row per compound, and a series per day', { tags }),
      query(z.object({ from: date, to: date })),
      async (c) => {
        const user = officeUser(c, ['admin', 'supervisor', 'manager']);
        const { from, to } = c.req.valid('query');
        if (from > to) throw new ValidationError([fieldIssue('to', 'ends_before_start')]);
        if (daysBetween(from, to) >= MAX_OVERVIEW_DAYS) throw new ValidationError([fieldIssue('to', 'range_too_long', { maxDays: MAX_OVERVIEW_DAYS })]);
        return c.json(await districtOverview(db, await compoundsIn(db, readableCompounds(user)), from, to, deps.now()));
      },
    );
}
