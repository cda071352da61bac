import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { shot } from '../helpers/shots.js';

const chromium = chromiumPath();
if (!chromium) console.log('Skipping browser tests: no Chromium (set CHROMIUM_PATH or install /usr/bin/chromium).');

describe.skipIf(!chromium)('office pages in Chromium', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await server.clock.shareWith(page.context());
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('first run: the setup screen creates the admin, who lands signed in', async () => {
    await page.goto(server.url);
    await page.waitForURL('**/setup');
    await expect(page.getByRole('heading', { name: '首次使用：创建管理员' }).isVisible()).resolves.toBe(true);
    // Gate tablets need HTTPS: the first screen says this server serves plain HTTP, and how to change that.
    await expect(page.getByTestId('setup-https').textContent()).resolves.toMatch(/门岗平板需要 HTTPS[\s\S]*仅 HTTP[\s\S]*HTTPS=auto npm start/);
    await shot(page, 'setup');
    await page.fill('input[name=displayName]', '王主任');
    await page.fill('input[name=password]', 'a long password');
    await page.fill('input[name=again]', 'a long password');
    await page.click('button[type=submit]');
    await page.waitForURL('**/compounds');
    await page.getByText('王主任 · 管理员').waitFor();
  });

  it('creates a compound, a gate, a building and a volunteer through the pages', async () => {
    await page.fill('input[name=name]', '崇文佳苑一区');
    await page.click('button:has-text("创建")');
    await page.getByRole('link', { name: /崇文佳苑一区/ }).click();
    await page.waitForURL(/\/compounds\/\d+$/);
    await page.locator('nav.tabs a', { hasText: '门岗' }).click();
    await page.waitForURL(/\/compounds\/\d+\/gates$/);
    await shot(page, 'compound-gates');

    await page.fill('form.panel input[name=name]', '东门');
    await page.click('form.panel button:has-text("添加")');
    await page.locator('td', { hasText: '东门' }).waitFor();

    await page.getByRole('link', { name: '楼栋' }).click();
    await page.fill('form.panel input[name=name]', '1号楼');
    await page.fill('form.panel input[name=elevatorCount]', '2');
    await page.click('form.panel button:has-text("添加")');
    await page.locator('td', { hasText: '1号楼' }).waitFor();
    await shot(page, 'compound-buildings');
    // A server error, in the UI's language (issue 12, item 10): the same name again is refused in Chinese.
    await page.fill('form.panel input[name=name]', '1号楼');
    await page.click('form.panel button:has-text("添加")');
    const refused = page.getByRole('alert');
    await refused.getByText('本小区已有名为“1号楼”的楼栋，请换一个名称。').waitFor();
    expect(await refused.textContent()).not.toMatch(/[A-Za-z]{3,}/);
    await shot(page, 'error-name-taken-zh');

    await page.getByRole('link', { name: '平板', exact: true }).click();
    await page.fill('input[name=deviceName]', '东门平板1');
    await page.click('form.panel button:has-text("创建")');
    const code = await page.getByTestId('enrollment-code').textContent();
    expect(code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    await shot(page, 'compound-devices');

    await page.getByRole('link', { name: '用户' }).click();
    await page.fill('form input[name=displayName]', '张小三');
    await page.fill('form input[name=phone]', '13800000001');
    await page.fill('form input[name=pin]', '123456');
    await page.check('label.check:has-text("崇文佳苑一区") input');
    await page.click('form button:has-text("创建")');
    await page.locator('td', { hasText: '张小三' }).waitFor();
    await shot(page, 'users');

    const db = server.database.db;
    expect(await db.selectFrom('gate').select('name').execute()).toEqual([{ name: '东门' }]);
    expect(await db.selectFrom('building').select(['name', 'elevatorCount']).execute()).toEqual([{ name: '1号楼', elevatorCount: 2 }]);
    const vol = await db.selectFrom('user').select(['role', 'phone']).where('displayName', '=', '张小三').executeTakeFirst();
    expect(vol).toEqual({ role: 'volunteer', phone: '13800000001' });
  });

  it('shows the audit log as sentences, in Chinese and then in English', async () => {
    await page.getByRole('link', { name: '审计日志' }).click();
    await page.getByRole('heading', { name: '审计日志' }).waitFor();
    await page.getByRole('cell', { name: '王主任 添加了楼栋“1号楼”' }).waitFor();
    await page.getByRole('cell', { name: '王主任 新建了志愿者账号“张小三”' }).waitFor();
    const events = await page.locator('td[data-action]').allTextContents();
    expect(events.length).toBeGreaterThan(4);
    for (const text of events) {
      expect(text).toMatch(/[\u4e00-\u9fff]/);
      expect(text).not.toMatch(/[{}]|\b[a-z]+\.[a-z_]+\b|[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}/);
    }
    await shot(page, 'audit-zh');

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByRole('cell', { name: '王主任 added the building "1号楼"' }).waitFor();
    await page.getByRole('cell', { name: '王主任 created the volunteer account "张小三"' }).waitFor();
    await shot(page, 'audit-en');
  });

  it('signs out and back in through the login page; a wrong password is told in words', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'wrong password');
    await page.click('button[type=submit]');
    await page.getByRole('alert').getByText('Wrong username or password').waitFor();
    await shot(page, 'login-error-en');
    await page.fill('input[name=password]', 'a long password');
    await page.click('button[type=submit]');
    await page.waitForURL('**/compounds');
  });
});
