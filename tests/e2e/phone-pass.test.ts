import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePhoneCode } from '../../server/core/phone-code.js';
import { analyzerOf } from '../../server/gate/analysis.js';
import { verifyPhoneSignature } from '../../server/phone/verify.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { PASSWORD } from '../helpers/app.js';
import { buildScene, type Scene } from '../helpers/gate.js';
import { startServer } from '../helpers/server.js';
import { shot } from '../helpers/shots.js';
import { openTabletAtGate, until } from '../helpers/tablet.js';

const chromium = chromiumPath();
if (!chromium) console.log('Skipping the phone pass browser test: no Chromium (set CHROMIUM_PATH or install /usr/bin/chromium).');

type Server = Awaited<ReturnType<typeof startServer>>;

/**
 * The resident's phone and the gate's tablet, two pages of one Chromium sharing the test's clock: the
 * phone activates its pass from the card's link, the tablet's roster learns its key, the tablet goes
 * offline and lets the live rotating code through (typed in by a scanner gun: a video of a code that
 * changes every 15 s is impractical) but sends a code captured 2 minutes earlier to a check by hand;
 * back online, the resident page shows the household's exit used.
 */
describe.skipIf(!chromium)('the phone pass in Chromium', () => {
  let server: Server;
  let s: Scene;
  let browser: Browser;
  let phoneCtx: BrowserContext;
  let tabletCtx: BrowserContext;
  let phone: Page;
  let tablet: Page;

  beforeAll(async () => {
    server = await startServer();
    s = await buildScene(server);
    // phone.test: a name that is not localhost, so a page there is not a secure context (no Web Crypto).
    browser = await launchChromium({ extraArgs: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--host-resolver-rules=MAP phone.test 127.0.0.1'] });
    phoneCtx = await browser.newContext({ viewport: { width: 390, height: 780 }, locale: 'zh-CN', deviceScaleFactor: 2 });
    tabletCtx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await server.clock.shareWith(phoneCtx);
    await server.clock.shareWith(tabletCtx);
    phone = await phoneCtx.newPage();
    tablet = await tabletCtx.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Both pages' clocks move together (the server's flows on: a tablet's records keep their own time). */
  const fastForward = async (ms: number) => {
    await phone.clock.fastForward(ms);
    await tablet.clock.fastForward(ms);
  };
  const wedge = (code: string) => tablet.keyboard.type(`${code}\n`, { delay: 2 });
  const shownCode = () => phone.locator('.p-qr').getAttribute('data-code');
  /** The phone keys in the tablet's stored roster (IndexedDB), pass id -> key. */
  const tabletPhoneKeys = () =>
    tablet.evaluate(
      () =>
        new Promise<[number, string][]>((resolve, reject) => {
          const open = indexedDB.open('gatepost');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('kv').objectStore('kv').get('roster');
            get.onsuccess = () => resolve([...((get.result?.phoneKeys as Map<number, string> | undefined) ?? new Map())]);
            get.onerror = () => reject(get.error);
          };
        }),
    );

  it('activate on the phone, the tablet learns the key, offline: live code allowed, a 2-minute-old code expired; the resident page shows the quota used', async () => {
    // The tablet is on duty at 东门, going out, with the roster as it stands (no phones yet).
    const made = await s.manager.post(`/api/compounds/${s.compoundId}/devices`, { name: '东门平板' });
    await openTabletAtGate(tablet, server.url, { enrollmentCode: made.body.enrollmentCode, direction: '出' });

    // In the office, the manager opens 张三's pass and makes a phone activation code (a QR for the phone).
    const officeCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    await server.clock.shareWith(officeCtx);
    const office = await officeCtx.newPage();
    await office.goto(`${server.url}/login`);
    await office.fill('input[name=username]', 'mgr');
    await office.fill('input[name=password]', PASSWORD);
    await office.click('button[type=submit]');
    await office.waitForURL((u) => !u.pathname.startsWith('/login'));
    await office.goto(`${server.url}/compounds/${s.compoundId}/passes`);
    await office.locator('[data-testid=passes] tr', { hasText: '张三' }).getByRole('button', { name: '记录' }).click();
    await office.getByTestId('phone-panel').getByText('尚未绑定手机').waitFor();
    await office.getByRole('button', { name: '生成手机激活码' }).click();
    const href = await office.locator('.phone-link').getAttribute('data-url');
    await office.locator('.phone-link svg').waitFor();
    await shot(office, 'office-phone-link');
    const url = new URL(href!);
    expect(url.pathname).toBe('/phone/');
    await phone.goto(`${server.url}${url.pathname}${url.hash}`);
    await phone.getByRole('button', { name: '启用' }).waitFor();
    await expect(phone.locator('.p-facts').textContent()).resolves.toMatch(/崇文佳苑一区[\s\S]*1号楼 1单元301[\s\S]*张\*/);
    await shot(phone, 'phone-activate');
    // 127.0.0.1 is a secure context: the key is Web Crypto's own (the test below takes the other path).
    expect(await phone.evaluate(() => window.isSecureContext)).toBe(true);
    await phone.getByRole('button', { name: '启用' }).click();
    await until(shownCode, (c) => !!c?.startsWith('GM1.'));
    // The used link left the address bar; the key is the server's record of this phone.
    expect(new URL(phone.url()).hash).toBe('');
    const binding = await server.database.db.selectFrom('phoneBinding').select(['passId', 'publicKey']).where('unboundAt', 'is', null).executeTakeFirstOrThrow();
    expect(binding.passId).toBe(s.people.zhang.passId);
    await office.reload();
    await office.locator('[data-testid=passes] tr', { hasText: '张三' }).getByRole('button', { name: '记录' }).click();
    await office.getByTestId('phone-panel').getByText(/已绑定手机/).waitFor();
    await officeCtx.close();

    // The code captured now will be shown 2 minutes later (a screenshot, a photo of the screen).
    const captured = (await shownCode())!;
    await phone.locator('[data-field=test]').waitFor();
    await shot(phone, 'phone-pass');

    // The tablet's next sync brings the roster's news: the phone's public key.
    await tablet.clock.fastForward(31_000);
    await phone.clock.fastForward(31_000);
    const keys = await until(tabletPhoneKeys, (k) => k.length > 0);
    expect(keys).toEqual([[s.people.zhang.passId, binding.publicKey]]);

    // Offline from here on; two minutes pass.
    await tabletCtx.setOffline(true);
    await fastForward(120_000 - 31_000);
    await tablet.getByText('离线').first().waitFor();

    // The phone's live code (it needs no network): allowed.
    const live = await until(shownCode, (c) => !!c && c !== captured);
    await wedge(live!);
    const green = tablet.locator('[data-testid=verdict][data-verdict=allow]');
    await green.waitFor();
    await expect(green.textContent()).resolves.toMatch(/通行[\s\S]*张\*[\s\S]*手机动态码/);
    await shot(tablet, 'tablet-phone-allow');
    await tablet.getByTestId('verdict').click();
    await tablet.waitForSelector('[data-testid=verdict]', { state: 'detached' });

    // The code captured 2 minutes earlier: a check by hand, "the code expired", with how old it is.
    await wedge(captured);
    const amber = tablet.locator('[data-testid=verdict][data-verdict=review]');
    await amber.waitFor();
    const said = await amber.textContent();
    expect(said).toMatch(/人工核验/);
    expect(said).toContain('动态码已过期，请出示实时码');
    expect(said).toMatch(/比本机时间慢2分钟/);
    expect(said).toMatch(/张\*/); // whose pass it is, for the check by hand
    await shot(tablet, 'tablet-phone-expired');
    await tablet.getByTestId('verdict').click();

    // Back online: both checks reach the server, whose own re-run agrees with the tablet.
    await tabletCtx.setOffline(false);
    await tablet.clock.fastForward(31_000);
    const checks = await until(
      async () => {
        await analyzerOf(server.deps).drain();
        return server.database.db.selectFrom('gateCheck as g').innerJoin('gateCheckAnalysis as a', 'a.gateCheckId', 'g.id').select(['g.verdict', 'g.passed', 'g.reasons', 'a.verdict as serverVerdict']).orderBy('g.occurredAt').execute();
      },
      (c) => c.length === 2,
    );
    expect(checks.map((c) => [c.verdict, c.serverVerdict, c.passed])).toEqual([
      ['allow', 'allow', 1],
      ['review', 'review', 0],
    ]);
    expect(JSON.parse(checks[1]!.reasons)[0].code).toBe('phone_code_expired');

    // The resident opens the page again: the household's one exit of the period is used.
    await phone.reload();
    await until(
      () => phone.locator('[data-field=quota]').textContent(),
      (t) => !!t?.includes('已用 1/1 次'),
    );
    await expect(phone.locator('[data-field=go-out]').textContent()).resolves.toMatch(/今天不可外出，下次可外出：\d\d-\d\d/);
    await expect(phone.locator('.p-passages').textContent()).resolves.toMatch(/东门 · 出/);
    const page = (await phone.locator('main').textContent())!;
    for (const other of ['李', '王', '赵']) expect(page).not.toContain(other);
    await shot(phone, 'phone-resident');

    // Offline, the phone keeps its last copy and says how old it is; the code still changes.
    await phone.evaluate(() => navigator.serviceWorker.ready.then(() => true)); // the app shell is cached
    await phoneCtx.setOffline(true);
    await phone.clock.runFor(61_000); // its once-a-minute refresh fails
    await phone.locator('.p-offline').waitFor();
    await expect(phone.locator('.p-offline').textContent()).resolves.toMatch(/离线 · 以下为1分钟前的信息/);
    await expect(phone.locator('[data-field=quota]').textContent()).resolves.toContain('已用 1/1 次');
    await shot(phone, 'phone-offline');
    // Opened again with no network at all (the installed app's start URL): the service worker's copy of
    // the page, the pass from IndexedDB, a live code, and the last copy of the resident page.
    await phone.reload();
    const again = await until(shownCode, (c) => !!c?.startsWith('GM1.'));
    expect(parsePhoneCode(again!)?.passId).toBe(s.people.zhang.passId);
    await expect(phone.locator('[data-field=quota]').textContent()).resolves.toContain('已用 1/1 次');
    await expect(phone.locator('.p-offline').textContent()).resolves.toMatch(/离线/);
  }, 120_000);

  it('a phone on a plain http:// address (no Web Crypto there) makes its key with @noble/ed25519, and its codes verify', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 780 }, locale: 'zh-CN' });
    await server.clock.shareWith(ctx);
    const page = await ctx.newPage();
    const link = await s.manager.post(`/api/compounds/${s.compoundId}/passes/${s.people.wang.passId}/activation`, {});
    const url = new URL(link.body.url);
    await page.goto(`http://phone.test:${new URL(server.url).port}${url.pathname}${url.hash}`);
    expect(await page.evaluate(() => [window.isSecureContext, !!globalThis.crypto?.subtle])).toEqual([false, false]);
    await page.getByRole('button', { name: '启用' }).click();
    const code = await until(
      () => page.locator('.p-qr').getAttribute('data-code'),
      (c) => !!c?.startsWith('GM1.'),
    );
    const parsed = parsePhoneCode(code!)!;
    expect(parsed.passId).toBe(s.people.wang.passId);
    const bound = await server.database.db.selectFrom('phoneBinding').select('publicKey').where('passId', '=', s.people.wang.passId).where('unboundAt', 'is', null).executeTakeFirstOrThrow();
    expect(verifyPhoneSignature(bound.publicKey, parsed.message, parsed.signature)).toBe(true);
    // The resident page answers its signed requests too.
    await page.locator('[data-field=test]').waitFor();
    await ctx.close();
  }, 60_000);
});
