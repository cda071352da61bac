import type { Browser, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, zonedDate } from '../../server/core/time.js';
import { PASSWORD } from '../helpers/app.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { buildScene, checkRecord, enrollTablet, type Scene, sync } from '../helpers/gate.js';
import { startServer } from '../helpers/server.js';
import { shot } from '../helpers/shots.js';

const chromium = chromiumPath();
if (!chromium) console.log('Skipping the office set-up browser test: no Chromium.');

/** Issue 12's smaller items, on the pages where managers and volunteers meet them. */
describe.skipIf(!chromium)('setting a compound up (issue 12)', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let s: Scene;
  let browser: Browser;
  let page: Page;
  let today: string;

  beforeAll(async () => {
    server = await startServer();
    s = await buildScene(server);
    today = zonedDate(server.clock.ms(), 'Asia/Shanghai');
    for (const name of ['10号楼', '2号楼', '19号楼']) await s.manager.post(`/api/compounds/${s.compoundId}/buildings`, { name });
    // Three people out a moment ago (today, whatever the hour the suite runs at): a small count for the chart.
    const { tablet } = await enrollTablet(server, s.manager, s.compoundId);
    const now = server.clock.ms();
    await sync(server, tablet, [
      checkRecord(s, { atMs: now - 3000, person: 'zhang' }),
      checkRecord(s, { atMs: now - 2000, person: 'li' }),
      checkRecord(s, { atMs: now - 1000, person: 'wang' }),
    ]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await server.clock.shareWith(page.context());
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const signIn = async (username: string, password = PASSWORD) => {
    await page.goto(`${server.url}/login`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
  };

  it('the sign-in page sends volunteers to the tablet, and says so when a phone number is typed', async () => {
    await page.goto(`${server.url}/login`);
    const link = page.getByTestId('tablet-link');
    await expect(link.textContent()).resolves.toContain('门岗志愿者？');
    await expect(link.locator('a').getAttribute('href')).resolves.toBe('/tablet');
    await signIn('13800000001', '123456');
    await page.getByTestId('volunteer-phone-hint').waitFor();
    await expect(page.getByTestId('volunteer-phone-hint').textContent()).resolves.toMatch(/志愿者请在门岗平板上登录.*\/tablet/);
    await shot(page, 'login-volunteer');
  });

  it('a registered tablet comes with the address to open on it, and its QR code', async () => {
    await signIn('mgr');
    await page.waitForURL('**/dashboard');
    await page.goto(`${server.url}/compounds/${s.compoundId}/devices`);
    const url = `${server.url}/tablet`;
    await expect(page.getByTestId('tablet-address').textContent()).resolves.toContain(url);
    await page.fill('input[name=deviceName]', '西门平板');
    await page.click('button:has-text("创建")');
    await page.getByTestId('enrollment-code').waitFor();
    await expect(page.getByTestId('tablet-url').textContent()).resolves.toBe(url);
    // The QR is the very code of that address.
    const paths = (svg: string) => [...svg.matchAll(/ d="([^"]+)"/g)].map((m) => m[1]);
    const drawn = await page.locator('.tablet-address .qr').innerHTML();
    expect(paths(drawn)).toEqual(paths(await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })));
    expect(paths(drawn).length).toBeGreaterThan(0);
    await shot(page, 'compound-devices-address');
  });

  it('a manager adds a volunteer from the compound', async () => {
    await page.locator('nav.tabs a', { hasText: '志愿者' }).click();
    await page.waitForURL(/\/volunteers$/);
    await page.getByTestId('volunteers').getByText('张志愿').waitFor();
    await page.fill('input[name=displayName]', '王志愿');
    await page.fill('input[name=phone]', '13800000099');
    await page.fill('input[name=pin]', '135790');
    await page.click('button:has-text("添加志愿者")');
    await page.getByTestId('volunteers').getByText('13800000099').waitFor();
    await shot(page, 'compound-volunteers');
  });

  it('buildings are listed as people count them', async () => {
    await page.locator('nav.tabs a', { hasText: '楼栋' }).click();
    await page.locator('td', { hasText: '19号楼' }).waitFor();
    const names = await page.locator('table tbody tr td:first-child').allTextContents();
    expect(names).toEqual(['1号楼', '2号楼', '10号楼', '19号楼']);
    await shot(page, 'compound-buildings-sorted');
  });

  it("the dashboard's chart counts in whole, evenly spaced ticks", async () => {
    await page.locator('nav.tabs a', { hasText: '概览' }).click();
    const axis = page.getByTestId('hourly-chart').getByTestId('y-axis');
    await axis.waitFor();
    await expect(axis.locator('text').allTextContents()).resolves.toEqual(['0', '1', '2', '3']);
    await shot(page, 'office-dashboard-small');
  });

  it('dates read YYYY-MM-DD in Chinese and English, and a date typed any other way is refused in words', async () => {
    await page.locator('nav.tabs a', { hasText: '消杀' }).click();
    const date = page.locator('input[name=date]');
    await page.getByTestId('disinfection-grid').waitFor();
    await expect(date.inputValue()).resolves.toBe(today);
    await expect(date.getAttribute('type')).resolves.toBe('text');
    const sheetLink = page.getByRole('link', { name: '记录表' }).first();
    await date.fill('11/29/2026');
    await page.getByRole('alert').getByText('请按 年-月-日 输入，如 2026-11-29').waitFor();
    // The form it is in will not submit with the last good date while this one is wrong.
    await expect.poll(() => date.evaluate((e: HTMLInputElement) => e.validity.customError)).toBe(true);
    await shot(page, 'office-date-field');
    // Nothing changed: the grid still shows the day it showed.
    await expect(sheetLink.getAttribute('href')).resolves.toContain(`date=${today}`);
    const yesterday = addDays(today, -1);
    await date.fill(yesterday);
    await expect.poll(() => sheetLink.getAttribute('href')).toContain(`date=${yesterday}`);
    await expect(page.getByRole('alert').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'English' }).click();
    await expect(date.inputValue()).resolves.toBe(yesterday);
    await date.fill('2026-02-30');
    await page.getByRole('alert').getByText('Type the date as YYYY-MM-DD, e.g. 2026-11-29').waitFor();
    await page.getByRole('button', { name: '中文' }).click();
  });

  it('the time zone of a compound is picked from a list, Asia/Shanghai first', async () => {
    await page.getByRole('button', { name: '退出' }).click();
    await page.waitForURL('**/login');
    await signIn('admin');
    await page.waitForURL('**/compounds');
    const zone = page.locator('select[name=timezone]');
    await expect(zone.inputValue()).resolves.toBe('Asia/Shanghai');
    const options = await zone.locator('option').allTextContents();
    expect(options[0]).toBe('Asia/Shanghai');
    expect(options.length).toBeGreaterThan(300);
    expect(options).toContain('Europe/Berlin');
    await page.fill('input[name=name]', '乌鲁木齐新区');
    await zone.selectOption('Asia/Urumqi');
    await page.click('button:has-text("创建")');
    await page.getByRole('link', { name: /乌鲁木齐新区/ }).getByText('Asia/Urumqi').waitFor();
    await shot(page, 'compounds-time-zone');
  });
});
