import type { Browser, BrowserContext } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placardMessage } from '../../server/core/code.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { hasFfmpeg, makeCameraVideo } from '../helpers/camera.js';
import { uuidv7 } from '../../server/core/uuid.js';
import { buildScene, enrollTablet, placesStandSince, type Scene, sync } from '../helpers/gate.js';
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

describe.skipIf(!chromiumPath())('rounds at 16:02: no slot before it begins, no missed slots before a place existed (issue 12)', () => {
  let server: Server;
  let browser: Browser;
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const at = (local: string) => new Date(`2026-11-28T${local}:00+08:00`).toISOString();

  it('the tablet offers the latest slot that has begun, not 18:00; the grid shows a building added at 15:48 owing nothing that morning', async () => {
    // 1号楼 has stood for weeks; 20号楼 is added at 15:48; the volunteer comes at 16:02.
    server = await startServer({ now: at('15:48') });
    const s = await buildScene(server);
    await placesStandSince(server);
    await s.manager.post(`/api/compounds/${s.compoundId}/buildings`, { name: '20号楼' });
    const { tablet } = await enrollTablet(server, s.manager, s.compoundId);
    const round = (slotTime: string, finished: string, skipReason: string | null = null) => ({
      kind: 'disinfection',
      id: uuidv7(Date.parse(at(finished))),
      at: at(finished),
      volunteerId: s.volunteerId,
      target: { kind: 'building', id: s.buildingId },
      slotDate: '2026-11-28',
      slotTime,
      status: skipReason ? 'skipped' : 'done',
      items: [{ key: 'public', label: '公共区域', done: !skipReason }],
      skipReason,
      startedAt: at(finished),
      finishedAt: at(finished),
      via: 'placard',
    });
    // 06:00 was not done; 10:00 was skipped with a reason; 14:00 was done on time.
    const res = await sync(server, tablet, [round('10:00', '10:20', '消毒液用完'), round('14:00', '14:40')]);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'accepted']);
    server.clock.set(at('16:02'));

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await server.clock.shareWith(context);
    const page = await context.newPage();
    const made = await s.manager.post(`/api/compounds/${s.compoundId}/devices`, { name: '东门平板' });
    await openTabletAtGate(page, server.url, { enrollmentCode: made.body.enrollmentCode });
    await page.getByRole('button', { name: '消杀', exact: true }).click();
    await page.locator('.t-chip', { hasText: '1号楼' }).click();
    const sheet = page.getByTestId('round-sheet');
    await sheet.waitFor();
    const slot = (time: string) => sheet.getByRole('radio', { name: new RegExp(`^${time}`) });
    // Once the tablet has the server's rounds of the day: 10:00 skipped, 14:00 done already.
    await expect.poll(() => slot('14:00').textContent()).toBe('14:00已完成');
    await expect(slot('10:00').textContent()).resolves.toBe('10:00已跳过');
    // 14:00 is the latest slot that has begun: the round is for it, never for 18:00.
    await expect(slot('14:00').getAttribute('aria-checked')).resolves.toBe('true');
    await expect(slot('18:00').isDisabled()).resolves.toBe(true);
    for (const box of await page.locator('.t-checklist input[type=checkbox]').all()) await box.check();
    await shot(page, 'tablet-disinfection-slots');
    await page.getByRole('button', { name: /完成消杀/ }).click();
    await sheet.waitFor({ state: 'detached' });
    await page.getByTestId('pending').getByText('待同步 0').waitFor({ timeout: 30_000 });
    const stored = await server.database.db.selectFrom('disinfectionRecord').select(['slotTime', 'status']).orderBy('finishedAt', 'desc').executeTakeFirstOrThrow();
    expect(stored).toEqual({ slotTime: '14:00', status: 'done' });

    // The new building on the tablet: the morning is not its own.
    await page.getByRole('button', { name: '消杀', exact: true }).click();
    await page.locator('.t-chip', { hasText: '20号楼' }).click();
    await sheet.waitFor();
    await expect.poll(() => slot('06:00').textContent()).toBe('06:00不计');
    await expect(slot('14:00').getAttribute('aria-checked')).resolves.toBe('true');
    await expect(slot('14:00').textContent()).resolves.toBe('14:00进行中');

    // The manager's grid.
    const office = await context.newPage();
    await office.goto(`${server.url}/login`);
    await office.fill('input[name=username]', 'mgr');
    await office.fill('input[name=password]', 'correct horse battery');
    await office.click('button[type=submit]');
    await office.waitForURL('**/dashboard');
    await office.goto(`${server.url}/compounds/${s.compoundId}/disinfection`);
    const grid = office.getByTestId('disinfection-grid');
    await grid.waitFor();
    const states = async (name: string) => grid.locator('tr', { hasText: name }).locator('td.cell').evaluateAll((tds) => tds.map((td) => `${td.getAttribute('data-state')}:${td.querySelector('span')?.textContent}`));
    await expect(states('20号楼')).resolves.toEqual(['none:不计', 'none:不计', 'due:进行中', 'upcoming:未开始']);
    await expect(states('1号楼')).resolves.toEqual(['missed:漏消', 'skipped:已跳过（消毒液用完）', 'done:已完成', 'upcoming:未开始']);
    await expect(office.getByTestId('missed').textContent()).resolves.toBe('今日漏消 1 处： 1号楼 06:00');
    await shot(office, 'office-disinfection-new-building');
    // The dashboard counts alike.
    await office.goto(`${server.url}/compounds/${s.compoundId}/dashboard`);
    await expect(office.locator('p.missed').textContent()).resolves.toBe('漏消：1号楼 06:00');
  }, 90_000);
});
