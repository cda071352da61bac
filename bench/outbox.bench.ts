import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import SQLite from 'better-sqlite3';
import { serverProcess } from './sync.bench.js';
import { uuidv7 } from '../server/core/uuid.js';
import { ensureWebBuild } from '../server/webapp.js';
import { CHROMIUM_ARGS, chromiumPath } from '../tests/helpers/browser.js';
import { buildScene, checkRecord } from '../tests/helpers/gate.js';
import { ROOT, startServer } from '../tests/helpers/server.js';
import { openTabletAtGate } from '../tests/helpers/tablet.js';
import { fmt, median, table } from './lib.js';

/**
 * A tablet after three days offline: 12,000 records waiting in its outbox (a busy gate makes ~4,000 a
 * day) against an empty one, in the real app in Chromium, watched from outside the page: a wedge scan
 * (Enter → verdict painted), the status bar's count after it (Enter → count painted), a reload (to the
 * scan screen with the count shown); then back online, the first sync: all 12,000 delivered, in order,
 * while wedge scans keep being decided. `BENCH_OUTBOX` sets the number waiting (12,000).
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WAITING = Number(process.env.BENCH_OUTBOX ?? 12_000);

/** Runs in the page before its scripts: when Enter was pressed, when a verdict and the count were painted. */
const OBSERVER = () => {
  const w = window as unknown as Record<string, number | string | undefined>;
  addEventListener('keydown', (e) => {
    if (e.key === 'Enter') w.__enterAt = performance.now();
  }, true);
  let had = false;
  let count: string | null = null;
  new MutationObserver(() => {
    const has = !!document.querySelector('[data-testid=verdict]');
    if (has && !had) requestAnimationFrame(() => setTimeout(() => (w.__paintedAt = performance.now()), 0));
    had = has;
    const text = document.querySelector('[data-testid=pending]')?.textContent ?? null;
    if (text !== count) {
      count = text;
      requestAnimationFrame(() => setTimeout(() => {
        w.__countAt = performance.now();
        w.__count = text ?? '';
      }, 0));
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
};

const waiting = (page: Page) => page.evaluate(() => Number(/\d+/.exec(document.querySelector('[data-testid=pending]')?.textContent ?? '')?.[0] ?? -1));

/** Fill the tablet's outbox with these records, as if it had made them (the page's own IndexedDB). */
async function fillOutbox(page: Page, records: unknown[]) {
  await page.evaluate(
    (records) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('gatepost');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('outbox', 'readwrite');
          const store = tx.objectStore('outbox');
          store.clear();
          for (const r of records as { id: string }[]) store.add({ id: r.id, record: r, createdAt: Date.now(), status: 'pending' });
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    records,
  );
}

/** One wedge scan: Enter → verdict painted, and Enter → the status bar's count painted anew. */
async function wedgeScan(page: Page, code: string, expectCount: number | null): Promise<{ verdict: number; count: number | null }> {
  await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    w.__enterAt = w.__paintedAt = w.__countAt = undefined;
  });
  // The scanner's burst, as the page receives it (typed from here, each key would wait for this
  // process, busy serving the sync, and the tablet would rightly take it for a person typing).
  await page.evaluate((code) => {
    for (const key of `${code}\n`) window.dispatchEvent(new KeyboardEvent('keydown', { key: key === '\n' ? 'Enter' : key, bubbles: true }));
  }, code);
  const verdict = await page.waitForFunction(() => {
    const w = window as unknown as Record<string, number>;
    return w.__paintedAt && w.__enterAt ? w.__paintedAt - w.__enterAt : 0;
  }, undefined, { polling: 10, timeout: 30_000 });
  let count: number | null = null;
  if (expectCount !== null) {
    const h = await page.waitForFunction((n) => {
      const w = window as unknown as Record<string, number | string>;
      return String(w.__count ?? '').includes(String(n)) && w.__countAt ? (w.__countAt as number) - (w.__enterAt as number) : 0;
    }, expectCount, { polling: 10, timeout: 30_000 });
    count = (await h.jsonValue()) as number;
  }
  // Dismissed with a tap (an allow also goes by itself after 2 s).
  await page.click('[data-testid=verdict]', { timeout: 1_000 }).catch(() => {});
  await page.waitForSelector('[data-testid=verdict]', { state: 'detached', timeout: 10_000 });
  return { verdict: (await verdict.jsonValue()) as number, count };
}

/** Reload: navigation start → the scan screen showing the count of `n` waiting. */
async function reload(page: Page, n: number): Promise<number> {
  await page.reload();
  const h = await page.waitForFunction((n) => {
    const el = document.querySelector('[data-testid=pending]');
    return document.querySelector('[data-testid=counts]') && el && new RegExp(`(^|\\D)${n}(\\D|$)`).test(el.textContent ?? '') ? performance.now() : 0;
  }, n, { polling: 10, timeout: 60_000 });
  return (await h.jsonValue()) as number;
}

export async function run() {
  const executablePath = chromiumPath();
  if (!executablePath) {
    console.log('Skipped: no Chromium (set CHROMIUM_PATH or install /usr/bin/chromium).');
    return;
  }
  const dist = await ensureWebBuild(ROOT, () => {});
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gatepost-bench-outbox-'));
  // The compound is built through the API in this process, then served by a server in its own process
  // (bundled, as `npm start` runs it), so that serving the sync never holds up the browser's driver.
  const file = path.join(profile, 'bench.db');
  const setup = await startServer({ file, now: new Date().toISOString() });
  const s = await buildScene(setup);
  const launch = () => chromium.launchPersistentContext(profile, { executablePath, headless: true, args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'], viewport: { width: 1280, height: 800 } });
  let ctx: BrowserContext | null = await launch();
  let server: Awaited<ReturnType<typeof serverProcess>> | null = null;
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.addInitScript(OBSERVER);
    // Rules that let the same few people through again and again (no anti-passback, no household quota
    // to speak of, repeats after 5 s): every scan here is an allow, in both columns alike.
    const policy = (await s.manager.get(`/api/compounds/${s.compoundId}/policy`)).body.current.rules;
    const changed = await s.manager.request('PUT', `/api/compounds/${s.compoundId}/policy`, { rules: { ...policy, antiPassback: false, exitQuota: { ...policy.exitQuota, exits: 20, days: 1 }, repeatScanSeconds: 5 } });
    if (changed.status !== 200) throw new Error(`policy: ${JSON.stringify(changed.body)}`);
    if (process.env.BENCH_DEBUG) page.on('response', (r) => r.url().includes('/api/device/sync') && console.log(r.status(), new Date().toISOString()));
    // Ten people, each scanned at most once in a run of ten scans (a pass seen again within seconds is a
    // repeat: shown again, recorded once, and the count would not move).
    const codes = [s.people.zhang.code, s.people.li.code, s.people.wang.code];
    const sampled = new Date(s.now() - 6 * 3_600_000).toISOString();
    for (let i = 0; i < 7; i++) {
      const r = (await s.manager.post(`/api/compounds/${s.compoundId}/residents`, { buildingId: s.buildingId, unit: '1', room: `${10 + i}01`, name: `测试${i}`, phone: `1390000100${i}` })).body.resident;
      await s.manager.post(`/api/compounds/${s.compoundId}/residents/${r.id}/tests`, { sampledAt: sampled, result: 'negative' });
      await s.manager.post(`/api/compounds/${s.compoundId}/passes/issue`, {});
      codes.push((await s.manager.get(`/api/compounds/${s.compoundId}/passes?residentId=${r.id}`)).body.passes[0].code);
    }
    const made = await s.manager.post(`/api/compounds/${s.compoundId}/devices`, { name: 'bench' });
    await setup.stop();
    process.env.WEB_DIST = dist;
    server = await serverProcess(file);
    await openTabletAtGate(page, server.url, { enrollmentCode: made.body.enrollmentCode });
    await ctx.setOffline(true);


    // Three days of a busy gate, in the order the tablet made them (uuidv7: time first).
    const start = s.now() - 40 * 3_600_000;
    const backlog = Array.from({ length: WAITING }, (_, i) => {
      const at = start + Math.floor((i * 39 * 3_600_000) / WAITING);
      return { ...checkRecord(s, { person: (['zhang', 'li', 'wang'] as const)[i % 3], atMs: at, direction: i % 2 ? 'in' : 'out' }), id: uuidv7(at) };
    });

    const results: Record<number, { verdict: number[]; count: number[]; reload: number[] }> = {};
    for (const n of [0, WAITING]) {
      await fillOutbox(page, backlog.slice(0, n));
      const r = { verdict: [] as number[], count: [] as number[], reload: [] as number[] };
      results[n] = r;
      for (let i = 0; i < RUNS; i++) r.reload.push(await reload(page, n));
      // Each scan adds one: the count moves from n to n+1, n+2, …
      await reload(page, n);
      for (let i = 0; i < RUNS; i++) {
        const scan = await wedgeScan(page, codes[i % codes.length]!, n + i + 1);
        r.verdict.push(scan.verdict);
        r.count.push(scan.count!);
      }
    }

    const m = (xs: number[]) => Math.round(median(xs));
    const ratio = (k: 'verdict' | 'count' | 'reload') => fmt(median(results[WAITING]![k]) / median(results[0]![k]), 2);
    console.log(`\nA tablet with ${fmt(WAITING)} records waiting against an empty outbox (offline; Chromium, watched from outside the page), median of ${RUNS}:`);
    table([
      ['what', 'ms with 0 waiting', `ms with ${fmt(WAITING)}`, 'ratio (aim ≤ 1.1)', `runs (${fmt(WAITING)})`],
      ['wedge scan: Enter → verdict painted', m(results[0]!.verdict), m(results[WAITING]!.verdict), ratio('verdict'), results[WAITING]!.verdict.map(Math.round).join(' ')],
      ['… Enter → status bar count painted', m(results[0]!.count), m(results[WAITING]!.count), ratio('count'), results[WAITING]!.count.map(Math.round).join(' ')],
      ['reload → scan screen with the count', m(results[0]!.reload), m(results[WAITING]!.reload), ratio('reload'), results[WAITING]!.reload.map(Math.round).join(' ')],
    ]);
    // Back online with the 12,000 (and the scans just made) waiting: the first sync, with scans going on.
    await fillOutbox(page, backlog);
    await reload(page, WAITING);
    const syncStart = performance.now();
    await ctx.setOffline(false);
    const during: number[] = [];
    let left = WAITING;
    for (let i = 0; left > 0 && performance.now() - syncStart < 600_000; i++) {
      try {
        during.push((await wedgeScan(page, codes[i % codes.length]!, null)).verdict);
      } catch (err) {
        await page.screenshot({ path: path.join(ROOT, '.tmp', 'outbox-bench-failed.png') });
        console.log(`a scan during the sync was not decided (${(err as Error).message.split('\n')[0]}); ${await waiting(page)} waiting; screenshot in .tmp/outbox-bench-failed.png`);
        during.push(Number.NaN);
      }
      left = await waiting(page);
    }
    const syncSeconds = (performance.now() - syncStart) / 1000;
    const conn = new SQLite(file, { readonly: true });
    const stored = (conn.prepare('select id from gate_check where device_id is not null order by rowid').all() as { id: string }[]).map((r) => r.id);
    conn.close();
    const backlogIds = backlog.map((b) => b.id);
    const inBacklog = new Set(backlogIds);
    const got = stored.filter((id) => inBacklog.has(id));
    const inOrder = got.length === backlogIds.length && got.every((id, i) => id === backlogIds[i]);

    console.log(
      `First sync back online: ${fmt(got.length)} of ${fmt(WAITING)} delivered ${inOrder ? 'in order' : 'OUT OF ORDER'} in ${fmt(syncSeconds, 1)} s; ${during.length} wedge scans decided meanwhile, Enter → verdict median ${m(during)} ms, max ${Math.round(Math.max(...during))} ms.`,
    );
  } finally {
    await ctx?.close();
    ctx = null;
    await server?.stop();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
