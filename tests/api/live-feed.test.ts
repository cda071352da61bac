import type { Hono } from 'hono';
import type { KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { LiveFeedLimits } from '../../server/dashboard/live.js';
import { analyzerOf } from '../../server/gate/analysis.js';
import type { AppDeps } from '../../server/deps.js';
import type { AppEnv } from '../../server/http/context.js';
import { Client, makeTestApp, officeClient, ORIGIN, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, type Scene } from '../helpers/gate.js';

// The live feed under load (issue 10, item 5): the tablet's answer never waits for dashboards, the rows
// of a batch are read once for everyone watching, a dashboard that stops reading is let go, and there
// are only so many feeds a sign-in (and the server) may hold open.

let t: TestApp;
let s: Scene;
let tabletAuth: Client['auth'];
const open: Feed[] = [];

beforeEach(async () => {
  t = await makeTestApp({ now: '2026-11-28T08:00:00.000Z' });
  s = await buildScene(t);
  tabletAuth = (await enrollTablet(t, s.manager, s.compoundId, '东门平板')).tablet.auth;
});
afterEach(async () => {
  for (const f of open.splice(0)) await f.close();
  await t.close();
});

interface Feed {
  status: number;
  body: any;
  text: () => string;
  /** Read until the text so far matches, or fail after `ms`. */
  until(pattern: RegExp, ms?: number): Promise<void>;
  /** Read until the server ends the stream; false if it is still open after `ms`. */
  ended(ms: number): Promise<boolean>;
  close(): Promise<void>;
}

async function openFeed(app: Hono<AppEnv>, who: Client, compoundId = s.compoundId): Promise<Feed> {
  const res = await app.request(`${ORIGIN}/api/compounds/${compoundId}/live`, { headers: { cookie: `gp_session=${who.auth.cookie}`, origin: ORIGIN } });
  if (res.status !== 200) {
    const body = await res.json();
    return { status: res.status, body, text: () => '', until: async () => {}, ended: async () => true, close: async () => {} };
  }
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let done = false;
  let reading: Promise<void> | null = null;
  // One read at a time; a read still waiting when a deadline passes carries on and is awaited next time.
  const readOnce = () => {
    reading ??= reader.read().then(({ value, done: d }) => {
      reading = null;
      if (d) done = true;
      else text += decoder.decode(value, { stream: true });
    });
    return reading;
  };
  const within = (ms: number) => new Promise<'late'>((r) => setTimeout(() => r('late'), ms));
  const feed: Feed = {
    status: 200,
    body: null,
    text: () => text,
    async until(pattern, ms = 3_000) {
      const deadline = within(ms);
      while (!pattern.test(text)) {
        if (done) throw new Error(`feed ended before ${pattern}: ${text}`);
        if ((await Promise.race([readOnce(), deadline])) === 'late') throw new Error(`no ${pattern} within ${ms} ms: ${text.slice(-300)}`);
      }
    },
    async ended(ms) {
      const deadline = within(ms);
      while (!done) if ((await Promise.race([readOnce(), deadline])) === 'late') return false;
      return true;
    },
    async close() {
      await reader.cancel().catch(() => {});
    },
  };
  open.push(feed);
  return feed;
}

/** The app again on the same database, with the live feed's limits of a test. */
function appWith(deps: AppDeps, liveFeed: Partial<LiveFeedLimits>) {
  return createApp(deps, { liveFeed });
}

/**
 * The app again on the same database, its reader counting (and, if asked, slowing) the read of gate-check
 * rows: `order` lists each such read as 'rows', beside whatever the test writes there.
 */
function countingRowReads(o: { slowMs?: number } = {}) {
  const order: string[] = [];
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      // gateCheckRows is the only query that joins the server's analysis of each check.
      if (args.node.kind === 'SelectQueryNode' && /gate_?check_?analysis/i.test(JSON.stringify(args.node))) {
        order.push('rows');
        // better-sqlite3 is synchronous: a slow read holds the whole process, just like this.
        const until = performance.now() + (o.slowMs ?? 0);
        while (performance.now() < until);
      }
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  const deps: AppDeps = { ...t.deps, database: { ...t.deps.database, reader: t.deps.database.reader.withPlugin(plugin) } };
  return { app: createApp(deps), deps, order, reads: () => order.filter((x) => x === 'rows').length };
}

async function syncOn(app: Hono<AppEnv>, deps: AppDeps, records: unknown[]) {
  const res = await new Client(app, tabletAuth).post('/api/device/sync', { sentAt: t.clock.now.toISOString(), records });
  await analyzerOf(deps).drain();
  return res;
}

describe('live feed limits', () => {
  it('lets one sign-in hold 5 live feeds; the 6th is a 429 that says to close other dashboard tabs', async () => {
    const five = [];
    for (let i = 0; i < 5; i++) five.push(await openFeed(t.app, s.manager));
    expect(five.map((f) => f.status)).toEqual([200, 200, 200, 200, 200]);
    for (const f of five) await f.until(/event: ready/);

    const sixth = await openFeed(t.app, s.manager);
    expect(sixth.status).toBe(429);
    expect(sixth.body.error.code).toBe('too_many_live_feeds');
    expect(sixth.body.error.message).toMatch(/close other dashboard tabs/i);

    // Another sign-in (another browser) has feeds of its own.
    const elsewhere = await officeClient(t, 'mgr');
    expect((await openFeed(t.app, elsewhere)).status).toBe(200);
    // Closing a tab frees its place.
    await five[0]!.close();
    const again = await openFeed(t.app, s.manager);
    expect(again.status).toBe(200);
    await again.until(/event: ready/);
  });

  it('one account cannot take every feed by signing in again and again', async () => {
    const app = appWith(t.deps, { perSession: 5, perUser: 7 });
    const first = await officeClient(t, 'mgr');
    const second = await officeClient(t, 'mgr');
    const feeds = [];
    for (let i = 0; i < 5; i++) feeds.push(await openFeed(app, first));
    for (let i = 0; i < 2; i++) feeds.push(await openFeed(app, second));
    expect(feeds.map((f) => f.status)).toEqual(Array(7).fill(200));
    const third = await officeClient(t, 'mgr');
    const refused = await openFeed(app, third);
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(/Your account already has 7 live dashboards/);
    await feeds[0]!.close();
    await new Promise((r) => setTimeout(r, 50));
    expect((await openFeed(app, third)).status).toBe(200);
  });

  it('holds at most the configured number of live feeds in all', async () => {
    const app = appWith(t.deps, { total: 3 });
    const admin = await officeClient(t, 'admin');
    const feeds = [await openFeed(app, s.manager), await openFeed(app, s.manager), await openFeed(app, admin)];
    expect(feeds.map((f) => f.status)).toEqual([200, 200, 200]);
    const fourth = await openFeed(app, await officeClient(t, 'mgr'));
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe('too_many_live_feeds');
    expect(fourth.body.error.message).toMatch(/server.*3 live feeds/i);
    await feeds[2]!.close();
    expect((await openFeed(app, admin)).status).toBe(200);
  });
});

describe('live feed fan-out', () => {
  it('reads the rows of a batch once and sends the same event text to every dashboard of the compound', async () => {
    const { app, deps, reads } = countingRowReads();
    const admin = await officeClient(t, 'admin');
    const feeds = [await openFeed(app, s.manager), await openFeed(app, s.manager), await openFeed(app, s.manager), await openFeed(app, admin)];
    for (const f of feeds) await f.until(/event: ready/);
    const records = [checkRecord(s, { person: 'li', direction: 'out' }), checkRecord(s, { person: 'zhang', direction: 'in', atMs: s.now() + 1_000 }), checkRecord(s, { person: 'wang', atMs: s.now() + 2_000 })];
    expect((await syncOn(app, deps, records)).status).toBe(200);
    for (const f of feeds) await f.until(new RegExp(`id: ${records[2]!.id}\\n`));

    expect(reads()).toBe(1);
    const events = (f: Feed) => f.text().slice(f.text().indexOf('event: check'));
    for (const f of feeds) expect(events(f)).toBe(events(feeds[0]!));
    // Oldest first, with what a manager reads about each check.
    const ids = [...events(feeds[0]!).matchAll(/^id: (.*)$/gm)].map((m) => m[1]);
    expect(ids).toEqual(records.map((r) => r.id));
    const first = JSON.parse(events(feeds[0]!).split('\n').find((l) => l.startsWith('data: '))!.slice(6));
    expect(first).toMatchObject({ id: records[0]!.id, gate: '东门', residentName: '李四', direction: 'out' });
  });

  it("answers the tablet before any dashboard's rows are read, however slow that read", async () => {
    const { app, deps, order } = countingRowReads({ slowMs: 300 });
    const feeds = [await openFeed(app, s.manager), await openFeed(app, s.manager), await openFeed(app, s.manager)];
    for (const f of feeds) await f.until(/event: ready/);
    const record = checkRecord(s, { person: 'li' });
    const started = performance.now();
    const res = await new Client(app, tabletAuth).post('/api/device/sync', { sentAt: t.clock.now.toISOString(), records: [record] });
    const took = performance.now() - started;
    order.push('answered');
    await analyzerOf(deps).drain();
    expect(res.status).toBe(200);
    expect(res.body.results[0].status).toBe('accepted');
    expect(took).toBeLessThan(300);
    for (const f of feeds) await f.until(new RegExp(`id: ${record.id}`));
    expect(order).toEqual(['answered', 'rows']);
  });

  it('drops a dashboard that stops reading instead of buffering for it, and keeps serving the others', async () => {
    const app = appWith(t.deps, { maxPendingBytes: 2_000 });
    const reading = await openFeed(app, s.manager);
    const stalled = await openFeed(app, s.manager);
    await reading.until(/event: ready/);
    await stalled.until(/event: ready/);
    // Separate batches, each one event chunk of its own; the stalled feed reads none of them.
    const sent = [];
    for (let i = 0; i < 6; i++) {
      const batch = [checkRecord(s, { person: 'li', atMs: s.now() + i * 10_000 }), checkRecord(s, { person: 'wang', atMs: s.now() + i * 10_000 + 1 })];
      await syncOn(app, t.deps, batch);
      await reading.until(new RegExp(`id: ${batch[1]!.id}`));
      sent.push(...batch);
    }
    expect(await stalled.ended(2_000)).toBe(true);
    // What it had taken before it stopped reading is there; the rest was never queued for it.
    const got = [...stalled.text().matchAll(/^id: (.*)$/gm)].length;
    expect(got).toBeLessThan(sent.length);

    // The reading dashboard has everything and is still live.
    const more = checkRecord(s, { person: 'zhang', atMs: s.now() + 100_000 });
    await syncOn(app, t.deps, [more]);
    await reading.until(new RegExp(`id: ${more.id}`));
    expect([...reading.text().matchAll(/^id: (.*)$/gm)].length).toBe(sent.length + 1);
  });

  it('a busy feed ends too when its sign-in does: the session is checked between events, not only when quiet', async () => {
    const app = appWith(t.deps, { sessionCheckMs: 200 });
    const manager = await officeClient(t, 'mgr');
    const feed = await openFeed(app, manager);
    await feed.until(/event: ready/);
    expect((await manager.post('/api/auth/logout')).status).toBeLessThan(300);
    // Checks keep arriving faster than the heartbeat: the feed is never idle.
    for (let i = 0; i < 8 && !/event: end/.test(feed.text()); i++) {
      const batch = [checkRecord(s, { person: 'li', atMs: s.now() + i * 10_000 })];
      await syncOn(app, t.deps, batch);
      await new Promise((r) => setTimeout(r, 60));
      await feed.until(/id: |event: end/, 1_000).catch(() => {});
    }
    expect(await feed.ended(2_000)).toBe(true);
    expect(feed.text()).toMatch(/event: end\ndata: session/);
    // No check synced after the sign-out's first re-check reached it.
    const after = feed.text().split('event: end')[1] ?? '';
    expect(after).not.toMatch(/id: /);
  });
});
