import fs from 'node:fs';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../server/auth/secrets.js';
import { seedDemo } from '../../server/demo/seed.js';
import { TEST_COST } from '../helpers/app.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { hasFfmpeg, makeCameraVideo } from '../helpers/camera.js';
import { startServer } from '../helpers/server.js';
import { shot } from '../helpers/shots.js';
import { openTabletAtGate } from '../helpers/tablet.js';

const ready = !!chromiumPath() && hasFfmpeg();
if (!ready) console.log('Skipping the office browser tour: it needs Chromium and ffmpeg.');

type Server = Awaited<ReturnType<typeof startServer>>;
const PASSWORD = 'gatepost-demo';

/**
 * The office side on the demo district, as its users live it: a manager watches the dashboard while a
 * volunteer scans at the gate, then walks every page; a supervisor compares the compounds and exports.
 * Every page must render without a script error.
 */
describe.skipIf(!ready)('the office, on the demo district', () => {
  let server: Server;
  let browser: Browser;
  let tabletBrowser: Browser | undefined;
  let dispose: (() => void) | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startServer({ file: undefined });
    await seedDemo(server.database, { timezone: 'Asia/Shanghai', now: server.clock.now, days: 3, hash: (s) => hashSecret(s, TEST_COST) });
  }, 300_000);
  afterAll(async () => {
    await tabletBrowser?.close().catch(() => {});
    await browser?.close();
    dispose?.();
    await server?.stop();
  });

  async function signIn(username: string, viewport = { width: 1280, height: 900 }, locale = 'zh-CN'): Promise<Page> {
    const context = await browser.newContext({ viewport, locale, acceptDownloads: true });
    await server.clock.shareWith(context);
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    // From here on, any script error or failed API call on a page is a bug.
    page.on('pageerror', (e) => errors.push(`${username} ${page.url()}: ${e.message}`));
    page.on('response', (r) => {
      if (r.url().includes('/api/') && r.status() >= 400) errors.push(`${username} ${r.status()} ${r.url()}`);
    });
    return page;
  }

  it('a manager sees a scan made on a tablet appear on the dashboard, live', async () => {
    const db = server.database.db;
    const compound = await db.selectFrom('compound').select(['id', 'name']).orderBy('id').executeTakeFirstOrThrow();
    const person = await db
      .selectFrom('pass as p')
      .innerJoin('resident as r', 'r.id', 'p.residentId')
      .select(['p.code', 'r.name'])
      .where('p.compoundId', '=', compound.id)
      .where('p.status', '=', 'active')
      .orderBy('p.id', 'desc')
      .executeTakeFirstOrThrow();
    browser = await launchChromium();

    // The manager lands on their compound's dashboard.
    const office = await signIn('manager1');
    await office.waitForURL(`**/compounds/${compound.id}/dashboard`);
    await office.getByTestId('hourly-chart').waitFor();
    await office.getByText('实时更新中').waitFor();
    expect(await office.locator('[data-testid=live-feed] tr').count()).toBeGreaterThan(0);

    // A tablet at the east gate: enrolled, a volunteer signs in, the pass is shown to the camera.
    const made = await fetch(`${server.url}/api/compounds/${compound.id}/devices`, {
      method: 'POST',
      headers: { cookie: (await office.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; '), origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '东门平板' }),
    }).then((r) => r.json());
    // The tablet is a browser of its own, launched now, whose camera shows the pass for a good while (a
    // scan repeated after the verdict is a second check of the same person, which the test allows).
    const video = await makeCameraVideo([{ text: null, seconds: 3 }, { text: person.code, seconds: 40 }, { text: null, seconds: 60 }]);
    dispose = video.dispose;
    tabletBrowser = await launchChromium({ camera: video.path });
    const tabletContext = await tabletBrowser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await server.clock.shareWith(tabletContext);
    await tabletContext.grantPermissions(['camera'], { origin: server.url });
    const tablet = await tabletContext.newPage();
    await openTabletAtGate(tablet, server.url, { enrollmentCode: made.enrollmentCode, phone: '13801000001', waitForScan: false });
    await tablet.getByTestId('verdict').waitFor({ timeout: 30_000 });

    // The dashboard shows it at the top of the feed without a reload.
    const top = office.locator('[data-testid=live-feed] tr').first();
    await expect.poll(async () => top.textContent(), { timeout: 20_000 }).toContain(person.name);
    await expect(top.textContent()).resolves.toContain('东门');
    await shot(office, 'office-dashboard');
    await tabletBrowser.close();
  }, 120_000);

  it("a manager walks the compound's pages: shift logs, roster, policy, reconciliation, exports, audit, print views", async () => {
    const page = await signIn('manager1');
    const cid = (await server.database.db.selectFrom('compound').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
    const visit = async (path: string, ready: string, name: string) => {
      await page.goto(`${server.url}${path}`);
      await page.locator(ready).first().waitFor();
      await shot(page, name);
    };
    await visit(`/compounds/${cid}/shifts`, '[data-testid=shift-list]', 'office-shifts');
    await page.locator('[data-testid=shift-list] a').first().click();
    await page.getByTestId('shift-log').waitFor();
    await expect(page.getByTestId('shift-log').textContent()).resolves.toMatch(/交接备注/);
    await shot(page, 'office-shift-log');
    await visit(`/compounds/${cid}/residents`, 'table', 'office-residents');
    await visit(`/compounds/${cid}/passes`, 'table', 'office-passes');
    await visit(`/compounds/${cid}/tests`, 'table', 'office-tests');
    await visit(`/compounds/${cid}/policy`, 'form', 'office-policy');
    await visit(`/compounds/${cid}/conflicts`, 'table', 'office-conflicts');
    await visit('/audit', 'table', 'office-audit');
    await visit('/exports', '[data-testid=download]', 'office-exports');

    // The daily report and a building's dossier, as printed.
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(server.clock.now);
    await page.goto(`${server.url}/api/compounds/${cid}/reports/daily?date=${today}`);
    await expect(page.locator('h1').textContent()).resolves.toContain('门岗与消杀日报');
    await shot(page, 'print-daily-report');
    const building = await server.database.db.selectFrom('building').select('id').where('compoundId', '=', cid).orderBy('id').executeTakeFirstOrThrow();
    await page.goto(`${server.url}/api/compounds/${cid}/buildings/${building.id}/dossier?from=${today}%2006:00&to=${today}%2009:00`);
    await expect(page.locator('h2').first().textContent()).resolves.toMatch(/居民经门岗通行/);
    await shot(page, 'print-dossier');
  }, 120_000);

  it('a supervisor compares the compounds, sorts them, drills down, and downloads an export that opens', async () => {
    const page = await signIn('supervisor');
    await page.waitForURL('**/overview');
    const table = page.getByTestId('overview');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(6);
    await shot(page, 'office-overview');
    // Sorted by name, then drill into the first compound.
    await page.locator('button[data-sort=compound]').click();
    const first = table.locator('tbody tr').first().locator('a');
    const name = await first.textContent();
    await first.click();
    await page.waitForURL('**/dashboard');
    await expect(page.locator('h1').textContent()).resolves.toContain(name!);

    await page.goto(`${server.url}/exports`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    const file = await download.path();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(fs.readFileSync(file) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(1).value).toBe('时间');
    expect(ws.rowCount).toBeGreaterThan(1000);
    const audit = await server.database.db.selectFrom('auditLog').select('details').where('action', '=', 'export').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details!)).toMatchObject({ dataset: 'gate-checks', format: 'xlsx' });

    // English, for the README.
    const en = await signIn('manager1', { width: 1280, height: 900 }, 'en-US');
    await en.getByRole('button', { name: 'English' }).click();
    await en.getByTestId('hourly-chart').waitFor();
    await en.getByText('Live gate checks').waitFor();
    await shot(en, 'office-dashboard-en');
  }, 120_000);

  it('no page had a script error or a failed API call', () => {
    expect(errors).toEqual([]);
  });
});
