import type { Browser, BrowserContext } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placardMessage } from '../../server/core/code.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { hasFfmpeg, makeCameraVideo } from '../helpers/camera.js';
import { buildScene, type Scene } from '../helpers/gate.js';
import { startServer } from '../helpers/server.js';
import { shot } from '../helpers/shots.js';
import { openTabletAtGate } from '../helpers/tablet.js';

const ready = !!chromiumPath() && hasFfmpeg();
if (!ready) console.log('Skipping the disinfection browser test: it needs Chromium and ffmpeg.');

type Server = Awaited<ReturnType<typeof startServer>>;

describe.skipIf(!ready)('a disinfection round, from the placard to the grid', () => {
  let server: Server;
  let s: Scene;
  let browser: Browser;
  let context: BrowserContext;
  let dispose: () => void;

  beforeAll(async () => {
    server = await startServer();
    s = await buildScene(server);
    // Rounds every two hours, so that whatever the time of day, one is due now.
    const slots = Array.from({ length: 12 }, (_, i) => ({ time: `${String(i * 2).padStart(2, '0')}:00`, onTimeMinutes: 120 }));
    await server.database.db
      .insertInto('disinfectionSchedule')
      .values({ compoundId: s.compoundId, version: 1, slots: JSON.stringify(slots), effectiveFrom: '1970-01-01T00:00:00.000Z', createdAt: server.clock.now.toISOString(), createdBy: null })
      .execute();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    dispose?.();
    await server?.stop();
  });

  it('scans the placard, ticks the checklist with a photo offline, syncs, and the grid shows the slot done', async () => {
    const code = await server.deps.keys.sign(
      placardMessage({ kid: await server.deps.keys.currentKid(), target: { kind: 'building', id: s.buildingId }, compoundId: s.compoundId, issuedAt: server.clock.ms() }),
    );
    const video = await makeCameraVideo([{ text: null, seconds: 3 }, { text: code, seconds: 6 }, { text: null, seconds: 120 }]);
    dispose = video.dispose;
    browser = await launchChromium({ camera: video.path });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await server.clock.shareWith(context);
    await context.grantPermissions(['camera'], { origin: server.url });
    const page = await context.newPage();
    const made = await s.manager.post(`/api/compounds/${s.compoundId}/devices`, { name: '东门平板' });
    await openTabletAtGate(page, server.url, { enrollmentCode: made.body.enrollmentCode });
    // The shift's start is on the server before the network goes, so the only record waiting is the round.
    await page.getByTestId('pending').getByText('待同步 0').waitFor({ timeout: 30_000 });
    await context.setOffline(true);

    // The placard on the camera opens the building's rounds.
    const sheet = page.getByTestId('round-sheet');
    await sheet.waitFor({ timeout: 30_000 });
    await expect(sheet.textContent()).resolves.toMatch(/1号楼/);
    await expect(sheet.textContent()).resolves.not.toMatch(/手动选择/);
    for (const box of await page.locator('.t-checklist input[type=checkbox]').all()) await box.check();
    await page.fill('input[name=concentration]', '1000 mg/L');
    await page.fill('input[name=note]', '电梯按钮重点擦拭');
    const png = await QRCode.toBuffer('photo of a clean lobby', { width: 900 });
    await page.setInputFiles('input[name=photo]', { name: 'lobby.png', mimeType: 'image/png', buffer: png });
    await page.getByTestId('photo-preview').waitFor();
    await shot(page, 'tablet-disinfection');
    await page.getByRole('button', { name: /完成消杀/ }).click();
    await sheet.waitFor({ state: 'detached' });
    await page.getByTestId('pending').getByText('待同步 1').waitFor();
    expect(await server.database.db.selectFrom('disinfectionRecord').select('id').execute()).toEqual([]);

    await context.setOffline(false);
    await page.getByTestId('pending').getByText('待同步 0').waitFor({ timeout: 30_000 });
    const until = Date.now() + 20_000;
    while (Date.now() < until && !(await server.database.db.selectFrom('disinfectionPhoto').select('recordId').executeTakeFirst())) await page.waitForTimeout(300);
    const stored = await server.database.db.selectFrom('disinfectionRecord').selectAll().executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ targetKind: 'building', targetId: s.buildingId, status: 'done', via: 'placard', concentration: '1000 mg/L', note: '电梯按钮重点擦拭', disinfectant: '含氯消毒剂' });
    const photo = await server.database.db.selectFrom('disinfectionPhoto').select(['contentType', 'size']).executeTakeFirstOrThrow();
    expect(photo.contentType).toBe('image/jpeg');
    expect(photo.size).toBeLessThanOrEqual(200 * 1024);

    // The manager's grid: the slot is done, by this volunteer, with the photo.
    const officeContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await server.clock.shareWith(officeContext);
    const office = await officeContext.newPage();
    await office.goto(`${server.url}/login`);
    await office.fill('input[name=username]', 'mgr');
    await office.fill('input[name=password]', 'correct horse battery');
    await office.click('button[type=submit]');
    await office.waitForURL('**/dashboard');
    await office.goto(`${server.url}/compounds/${s.compoundId}/disinfection`);
    const grid = office.getByTestId('disinfection-grid');
    await grid.waitFor();
    const cell = grid.locator('tr', { hasText: '1号楼' }).locator(`td[data-state=done]`);
    await cell.waitFor();
    await expect(cell.textContent()).resolves.toMatch(/张志愿.*有照片/);
    await shot(office, 'office-disinfection-grid');
    await grid.getByRole('button', { name: '1号楼' }).click();
    await office.getByTestId('place-history').locator('img').waitFor();
    await shot(office, 'office-disinfection-history');

    // The printed placard and the day's sheet.
    await office.goto(`${server.url}/api/compounds/${s.compoundId}/buildings/${s.buildingId}/placard`);
    await office.locator('.qr svg').waitFor();
    await shot(office, 'print-placard');
    await office.goto(`${server.url}/api/compounds/${s.compoundId}/buildings/${s.buildingId}/disinfection-sheet`);
    await expect(office.locator('tbody').textContent()).resolves.toMatch(/张志愿/);
    await shot(office, 'print-disinfection-sheet');
  }, 120_000);
});
