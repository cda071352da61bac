import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyzerOf } from '../../server/gate/analysis.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { hasFfmpeg, makeCameraVideo } from '../helpers/camera.js';
import { buildScene, type Scene } from '../helpers/gate.js';
import { startServer } from '../helpers/server.js';
import { shot } from '../helpers/shots.js';
import { until } from '../helpers/tablet.js';

const ready = !!chromiumPath() && hasFfmpeg();
if (!ready) console.log('Skipping tablet browser tests: they need Chromium (CHROMIUM_PATH or /usr/bin/chromium) and ffmpeg.');

type Server = Awaited<ReturnType<typeof startServer>>;
const TABLET = { width: 1280, height: 800 };

/** Enroll through the page, sign in with the keypad, start a shift at 东门 going out. */
async function onDuty(page: Page, server: Server, s: Scene) {
  const made = await s.manager.post(`/api/compounds/${s.compoundId}/devices`, { name: '东门平板' });
  await page.goto(`${server.url}/tablet`);
  await page.fill('input[name=enrollmentCode]', made.body.enrollmentCode);
  await shot(page, 'tablet-enroll');
  await page.click('button[type=submit]');
  await page.waitForSelector('input[name=phone]');
  await page.fill('input[name=phone]', '13800000001');
  for (const d of '123456') await page.click(`.t-keypad button:text-is("${d}")`);
  await shot(page, 'tablet-signin');
  await page.click('.t-keypad button[type=submit]');
  await page.getByRole('button', { name: '东门' }).waitFor();
  await shot(page, 'tablet-gate');
  await page.getByRole('button', { name: '东门' }).click();
  await page.waitForSelector('[data-testid=counts]');
}

async function serverChecks(server: Server) {
  await analyzerOf(server.deps).drain();
  return server.database.db
    .selectFrom('gateCheck')
    .leftJoin('resident', 'resident.id', 'gateCheck.residentId')
    .select(['gateCheck.id', 'resident.name', 'gateCheck.verdict', 'gateCheck.passed', 'gateCheck.direction', 'gateCheck.subject', 'gateCheck.reasons'])
    .orderBy('gateCheck.occurredAt')
    .execute();
}

describe.skipIf(!ready)('the gate tablet in Chromium', () => {
  let server: Server;
  let s: Scene;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let disposeVideo: (() => void) | undefined;

  beforeAll(async () => {
    server = await startServer();
    s = await buildScene(server);
  });
  afterEach(async () => {
    await context?.close();
    await browser?.close();
    disposeVideo?.();
    disposeVideo = undefined;
    browser = undefined;
    context = undefined;
  });
  afterAll(() => server?.stop());

  it('scans a real pass through the camera: green, recorded on the server; a pass with no test: red, with the reason', async () => {
    const video = await makeCameraVideo([
      { text: s.people.zhang.code, seconds: 3 },
      { text: null, seconds: 3 },
      { text: s.people.zhao.code, seconds: 3 },
      { text: null, seconds: 40 },
    ]);
    disposeVideo = video.dispose;
    browser = await launchChromium({ camera: video.path });
    context = await browser.newContext({ viewport: TABLET, locale: 'zh-CN' });
    await server.clock.shareWith(context);
    await context.grantPermissions(['camera'], { origin: server.url });
    const page = await context.newPage();
    await onDuty(page, server, s);

    const green = page.locator('[data-testid=verdict][data-verdict=allow]');
    await green.waitFor({ timeout: 20_000 });
    await expect(green.textContent()).resolves.toMatch(/通行[\s\S]*张\*[\s\S]*1号楼 1单元301[\s\S]*核酸阴性/);
    await shot(page, 'tablet-verdict-allow');

    const red = page.locator('[data-testid=verdict][data-verdict=deny]');
    await red.waitFor({ timeout: 20_000 });
    await expect(red.textContent()).resolves.toMatch(/禁止[\s\S]*赵\*[\s\S]*无核酸检测记录/);
    await shot(page, 'tablet-verdict-deny');

    const checks = await until(() => serverChecks(server), (c) => c.length >= 2);
    expect(checks.map((c) => [c.name, c.verdict, c.passed, c.direction])).toEqual([
      ['张三', 'allow', 1, 'out'],
      ['赵六', 'deny', 0, 'out'],
    ]);
    expect(JSON.parse(checks[1]!.reasons)).toEqual([{ code: 'test_missing' }]);
    await page.waitForSelector('[data-testid=verdict]', { state: 'detached', timeout: 10_000 });
    await expect(page.getByTestId('counts').textContent()).resolves.toMatch(/进 0.*出 1.*禁止 1/);
    await shot(page, 'tablet-scan');
  }, 90_000);

  it('offline: scans 20 codes, survives a reload, and delivers exactly 20 checks once online; a scanner gun works too', async () => {
    // Twenty residents of one building, each with a pass, made before the tablet downloads its roster.
    const codes: string[] = [];
    for (let i = 1; i <= 20; i++) {
      const r = await s.manager.post(`/api/compounds/${s.compoundId}/residents`, { buildingId: s.buildingId, unit: '2', room: String(700 + i), name: `测试${String.fromCharCode(0x4e00 + i)}${i}` });
      const pass = await s.manager.post(`/api/compounds/${s.compoundId}/residents/${r.body.resident.id}/pass`);
      codes.push(pass.body.pass.code);
    }
    const before = (await serverChecks(server)).length;
    // A blank start long enough that, when the video loops, the camera is off before the codes come again.
    const video = await makeCameraVideo([{ text: null, seconds: 15 }, ...codes.flatMap((text) => [{ text, seconds: 3 }, { text: null, seconds: 0.6 }]), { text: null, seconds: 2 }]);
    disposeVideo = video.dispose;
    browser = await launchChromium({ camera: video.path });
    context = await browser.newContext({ viewport: TABLET, locale: 'zh-CN' });
    await server.clock.shareWith(context);
    await context.grantPermissions(['camera'], { origin: server.url });
    const page = await context.newPage();
    await onDuty(page, server, s);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));

    await context.setOffline(true);
    await page.getByTestId('online-state').getByText('离线').waitFor({ timeout: 10_000 }).catch(() => {});
    const counted = async () => {
      const text = (await page.getByTestId('counts').textContent()) ?? '';
      return [...text.matchAll(/\d+/g)].reduce((n, m) => n + Number(m[0]), 0);
    };
    // The camera reads the codes as the video shows them (~3.6 s each after 15 s of nothing). A decoder
    // now and then misses one (ZXing on a busy 2-core machine); a volunteer who sees no verdict scans that
    // pass again with the scanner gun, which is what this test does for any the camera missed.
    const videoEnds = Date.now() + 15_000 + codes.length * 3_600 + 8_000;
    const fromCamera = await until(counted, (n) => n >= 20 || Date.now() > videoEnds, 140_000);
    expect(fromCamera).toBeGreaterThanOrEqual(15);
    await page.waitForSelector('[data-testid=verdict]', { state: 'detached', timeout: 10_000 });
    await page.getByTestId('camera-toggle').click(); // off before the video starts over (remembered)
    const queued: string[] = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const open = indexedDB.open('gatepost');
          open.onsuccess = () => {
            const req = open.result.transaction('outbox').objectStore('outbox').getAll();
            req.onsuccess = () => resolve(req.result.map((e: { record: { code?: string } }) => e.record.code ?? ''));
          };
        }),
    );
    for (const code of codes.filter((c) => !queued.includes(c))) {
      await page.keyboard.type(`${code}\n`, { delay: 3 });
      await page.getByTestId('verdict').waitFor();
      await page.getByTestId('verdict').click();
    }
    expect(await until(counted, (n) => n >= 20, 20_000)).toBe(20);
    await shot(page, 'tablet-offline');
    // Nothing reached the server.
    expect((await serverChecks(server)).length).toBe(before);

    // Reload with no network: the installed app still opens, with everything it holds.
    await page.waitForSelector('[data-testid=verdict]', { state: 'detached', timeout: 10_000 });
    await page.reload();
    await page.waitForSelector('[data-testid=counts]', { timeout: 15_000 });
    await expect(page.getByTestId('pending').textContent()).resolves.toMatch(/待同步 2[01]/); // 20 checks (+ the shift start if it had not gone yet)
    await expect(counted()).resolves.toBe(20);

    await context.setOffline(false);
    await page.getByTestId('pending').getByText('待同步 0').waitFor({ timeout: 30_000 });
    const after = await until(() => serverChecks(server), (c) => c.length >= before + 20);
    expect(after.length).toBe(before + 20);
    const mine = after.slice(before);
    expect(new Set(mine.map((c) => c.id)).size).toBe(20);
    expect(mine.map((c) => c.name).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `测试${String.fromCharCode(0x4e00 + i + 1)}${i + 1}`).sort(),
    );

    // A scanner gun types the code and Enter, with the camera off.
    await page.keyboard.type(`${s.people.wang.code}\n`, { delay: 4 });
    const green = page.locator('[data-testid=verdict][data-verdict=allow]');
    await green.waitFor();
    await expect(green.textContent()).resolves.toMatch(/王\*/);
    const last = await until(() => serverChecks(server), (c) => c.length >= before + 21);
    expect(last.at(-1)).toMatchObject({ name: '王五', verdict: 'allow', passed: 1 });
  }, 260_000);
});
