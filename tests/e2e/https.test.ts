import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, chromiumPerTest } from '../helpers/browser.js';
import { hasFfmpeg } from '../helpers/camera.js';
import { buildScene, type Scene } from '../helpers/gate.js';
import { startHttpsServer } from '../helpers/server.js';
import { PASSWORD } from '../helpers/app.js';
import { shot } from '../helpers/shots.js';
import { openTabletAtGate, until } from '../helpers/tablet.js';

// A tablet on the compound's Wi-Fi reaches the office PC by a name that is not localhost. Chromium maps
// gate.test to 127.0.0.1 (no traffic leaves loopback) and trusts the server's certificate by its key, as a
// tablet that installed the installation's CA would.

const ready = !!chromiumPath() && hasFfmpeg();
if (!ready) console.log('Skipping HTTPS browser tests: they need Chromium (CHROMIUM_PATH or /usr/bin/chromium) and ffmpeg.');

type Server = Awaited<ReturnType<typeof startHttpsServer>>;
const TABLET = { width: 1280, height: 800 };
const MAP = '--host-resolver-rules=MAP gate.test 127.0.0.1';

describe.skipIf(!ready)('HTTPS=auto in Chromium, under a name that is not localhost', () => {
  let server: Server;
  let s: Scene;
  const chromium = chromiumPerTest();

  beforeAll(async () => {
    server = await startHttpsServer({ names: ['gate.test'] });
    s = await buildScene(server);
  });
  afterAll(() => server?.stop());

  it('opens /tablet over https://gate.test: the service worker registers and the camera decodes a pass', async () => {
    const origin = `https://gate.test:${server.httpsPort}`;
    const { page } = await chromium({
      camera: [
        { text: null, seconds: 4 },
        { text: s.people.zhang.code, seconds: 4 },
        { text: null, seconds: 30 },
      ],
      extraArgs: [MAP, `--ignore-certificate-errors-spki-list=${server.spki}`],
      viewport: TABLET,
      clock: server.clock,
      cameraOrigin: origin,
    });

    const made = await s.manager.post(`/api/compounds/${s.compoundId}/devices`, { name: '东门平板' });
    await openTabletAtGate(page, origin, { enrollmentCode: made.body.enrollmentCode });
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    expect(await page.evaluate(() => location.origin)).toBe(origin);
    const scope = await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.scope));
    expect(scope).toContain(origin);

    const green = page.locator('[data-testid=verdict][data-verdict=allow]');
    await green.waitFor({ timeout: 25_000 });
    await expect(green.textContent()).resolves.toMatch(/通行[\s\S]*张\*/);
    await shot(page, 'tablet-https-verdict');

    const checks = await until(
      () => server.database.db.selectFrom('gateCheck').select(['residentId', 'verdict']).execute(),
      (c) => c.length >= 1,
    );
    expect(checks).toEqual([{ residentId: s.people.zhang.residentId, verdict: 'allow' }]);
  }, 90_000);

  it('on plain http://gate.test, /tablet explains why the camera will not start instead of a blank scan screen; /connect shows how to trust the CA', async () => {
    const { page } = await chromium({ extraArgs: [MAP], viewport: TABLET });

    await page.goto(`http://gate.test:${server.httpPort}/tablet`);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    await expect(page.locator('h1').textContent()).resolves.toContain('摄像头和离线功能无法在 http:// 下启动');
    expect(await page.locator('[data-testid=counts]').count()).toBe(0);
    expect(await page.locator('input[name=enrollmentCode]').count()).toBe(0);
    const fix = page.getByRole('link', { name: `https://gate.test:${server.httpsPort}/tablet` });
    expect(await fix.getAttribute('href')).toBe(`https://gate.test:${server.httpsPort}/tablet`);
    await shot(page, 'tablet-http-explained');

    await page.getByRole('link', { name: /连接平板/ }).first().click();
    await page.waitForURL(`http://gate.test:${server.httpPort}/connect`);
    await expect(page.locator('h1').textContent()).resolves.toContain('连接平板');
    await expect(page.locator('[data-tablet-url]').textContent()).resolves.toBe(`https://gate.test:${server.httpsPort}/tablet`);
    expect(await page.locator('.qr svg').count()).toBe(1);
    await shot(page, 'https-connect');

    // Anything else on plain HTTP goes to https, same name, same path.
    // (This browser does not trust the certificate: the redirected request is seen, not its answer.)
    const redirected = page.waitForRequest((r) => r.url().startsWith('https://'));
    await page.goto(`http://gate.test:${server.httpPort}/office`).catch(() => {});
    const req = await redirected;
    expect(req.url()).toBe(`https://gate.test:${server.httpsPort}/office`);
    expect(req.redirectedFrom()?.url()).toBe(`http://gate.test:${server.httpPort}/office`);
  }, 60_000);

  it('the office page 连接平板 over https: the certificate to install, its fingerprint, the steps, the tablet addresses', async () => {
    const origin = `https://gate.test:${server.httpsPort}`;
    const { page } = await chromium({ extraArgs: [MAP, `--ignore-certificate-errors-spki-list=${server.spki}`], viewport: { width: 1280, height: 1000 }, clock: server.clock });
    await page.goto(`${origin}/login`);
    await page.fill('input[name=username]', 'mgr');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto(`${origin}/compounds/${s.compoundId}/connect`);
    const connect = page.getByTestId('connect');
    await connect.waitFor();
    const info = (await page.evaluate(() => fetch('/api/connect').then((r) => r.json()))) as { https: { caFingerprint: string; tabletUrls: string[] } };
    await expect(page.getByTestId('ca-fingerprint').textContent()).resolves.toBe(info.https.caFingerprint);
    await expect(page.getByTestId('connect-url').textContent()).resolves.toBe(info.https.tabletUrls[0]);
    await expect(connect.textContent()).resolves.toMatch(/下载证书（Android）[\s\S]*下载描述文件（iPad）[\s\S]*CA 证书[\s\S]*证书信任设置/);
    await expect(page.getByTestId('server-mode').textContent()).resolves.toMatch(/HTTPS（本机证书，端口 \d+）/);
    expect(await page.getByTestId('connect-http').count()).toBe(0);
    // The certificate the page offers is this installation's CA.
    const href = await page.getByRole('link', { name: '下载证书（Android）' }).getAttribute('href');
    const ca = await page.evaluate(async (h) => (await fetch(h!)).status, href);
    expect(ca).toBe(200);
    await shot(page, 'office-connect');
  });
});
