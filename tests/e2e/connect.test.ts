import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/app.js';
import { chromiumPath, chromiumPerTest } from '../helpers/browser.js';
import { buildScene, type Scene } from '../helpers/gate.js';
import { startServer } from '../helpers/server.js';
import { shot } from '../helpers/shots.js';

/**
 * A tablet that opens the plain http:// address of the office PC (the common first day) is told why the
 * camera will not start and how to fix it, instead of a scan screen that silently shows nothing; the
 * office page 连接平板 says the same from the manager's side. (HTTPS=auto itself: tests/e2e/https.test.ts.)
 */
const ready = !!chromiumPath();
if (!ready) console.log('Skipping connect browser tests: no Chromium (set CHROMIUM_PATH or install /usr/bin/chromium).');

type Server = Awaited<ReturnType<typeof startServer>>;

describe.skipIf(!ready)('connecting a tablet, in Chromium', () => {
  let server: Server;
  let s: Scene;
  const chromium = chromiumPerTest();

  beforeAll(async () => {
    server = await startServer();
    s = await buildScene(server);
  });
  afterAll(() => server?.stop());

  it('a tablet on a plain http:// host name sees why the camera will not start, and may go on with a scanner gun', async () => {
    // gate.test is the office PC's name on the compound's network (mapped to this machine's loopback).
    const { page } = await chromium({ extraArgs: ['--host-resolver-rules=MAP gate.test 127.0.0.1'], clock: server.clock });
    const port = new URL(server.url).port;
    await page.goto(`http://gate.test:${port}/tablet`);
    const why = page.getByTestId('insecure');
    await why.waitFor();
    await expect(why.textContent()).resolves.toMatch(/此地址打不开摄像头[\s\S]*http:\/\/gate\.test[\s\S]*https:\/\//);
    await expect(page.locator('input[name=enrollmentCode]').count()).resolves.toBe(0);
    await shot(page, 'tablet-http-insecure');
    await why.getByRole('button', { name: /仍然继续/ }).click();
    await page.locator('input[name=enrollmentCode]').waitFor();
  });

  it('the office page 连接平板 gives the address and the steps, and says when the server serves plain http only', async () => {
    const { page } = await chromium({ viewport: { width: 1280, height: 900 }, clock: server.clock });
    await page.goto(`${server.url}/login`);
    await page.fill('input[name=username]', 'mgr');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 5_000 });
    await page.goto(`${server.url}/compounds/${s.compoundId}/devices`);
    await page.getByTestId('connect-link').getByRole('link').click({ timeout: 5_000 });
    const connect = page.getByTestId('connect');
    await connect.waitFor({ timeout: 5_000 });
    await expect(page.getByTestId('connect-url').textContent()).resolves.toBe(`${server.url}/tablet`);
    await expect(page.getByTestId('connect-http').textContent()).resolves.toMatch(/HTTPS=auto/);
    await expect(page.getByTestId('server-mode').textContent()).resolves.toMatch(/仅 HTTP/);
    await shot(page, 'office-connect-http');
  });
});
