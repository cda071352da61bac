import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzerOf } from '../../server/gate/analysis.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { buildScene, type Scene } from '../helpers/gate.js';
import { startServer } from '../helpers/server.js';
import { shot } from '../helpers/shots.js';
import { openTabletAtGate } from '../helpers/tablet.js';

const chromium = chromiumPath();
if (!chromium) console.log('Skipping tablet screen tests: no Chromium (set CHROMIUM_PATH or install /usr/bin/chromium).');

type Server = Awaited<ReturnType<typeof startServer>>;

/**
 * Every tablet screen, in both languages, driven the way a volunteer would (a scanner gun for codes), with
 * what each one records checked on the server: looking a resident up, registering a visitor, overriding
 * a denial with a reason, and the handover note at the end of the shift.
 */
describe.skipIf(!chromium)('tablet screens', () => {
  let server: Server;
  let s: Scene;
  let browser: Browser;
  let page: Page;
  const wedge = (code: string) => page.keyboard.type(`${code}\n`, { delay: 3 });

  beforeAll(async () => {
    server = await startServer();
    s = await buildScene(server);
    browser = await launchChromium({ extraArgs: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await server.clock.shareWith(context);
    page = await context.newPage();
    const made = await s.manager.post(`/api/compounds/${s.compoundId}/devices`, { name: '东门平板' });
    await openTabletAtGate(page, server.url, { enrollmentCode: made.body.enrollmentCode });
    // One clock: the page's "now" is the server's (the test's instant, not today), within a moment.
    expect(Math.abs((await page.evaluate(() => Date.now())) - server.clock.ms())).toBeLessThan(5_000);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const checks = async () => {
    await analyzerOf(server.deps).drain();
    return server.database.db.selectFrom('gateCheck').selectAll().orderBy('occurredAt').execute();
  };
  /** The server's newest check, once it is the one `ok` expects (the tablet syncs within a moment). */
  const lastCheck = async (ok: (c: Awaited<ReturnType<typeof checks>>[number]) => boolean) => {
    const end = Date.now() + 15_000;
    for (;;) {
      const last = (await checks()).at(-1);
      if ((last && ok(last)) || Date.now() > end) return last!;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const dismiss = async () => {
    await page.getByTestId('verdict').click();
    await page.waitForSelector('[data-testid=verdict]', { state: 'detached' });
  };

  it('a genuine pass issued after the roster was downloaded asks for a check by hand (amber)', async () => {
    const r = await s.manager.post(`/api/compounds/${s.compoundId}/residents`, { buildingId: s.buildingId, unit: '1', room: '901', name: '孙七' });
    const pass = await s.manager.post(`/api/compounds/${s.compoundId}/residents/${r.body.resident.id}/pass`);
    await wedge(pass.body.pass.code);
    const amber = page.locator('[data-testid=verdict][data-verdict=review]');
    await amber.waitFor();
    await expect(amber.textContent()).resolves.toMatch(/人工核验[\s\S]*新发放的通行码/);
    await shot(page, 'tablet-verdict-review');
    await page.getByRole('button', { name: '放行（说明原因）' }).click();
    await page.getByRole('button', { name: '物业确认' }).click();
    await page.waitForSelector('[data-testid=verdict]', { state: 'detached' });
    const last = await lastCheck((c) => c.verdict === 'review');
    expect(last).toMatchObject({ verdict: 'review', overrideReason: '物业确认', passed: 1 });
  });

  it('an override of a denial the policy allows, with a typed reason', async () => {
    await page.getByRole('radio', { name: '进' }).click();
    await wedge(s.people.wang.code); // in: allowed
    await page.locator('[data-testid=verdict][data-verdict=allow]').waitFor();
    await dismiss();
    const before = await lastCheck((c) => c.residentId === s.people.wang.residentId && c.direction === 'in');
    await wedge(s.people.wang.code); // the same pass again within the repeat window: shown again, not recorded
    await page.getByTestId('verdict-repeat').waitFor();
    await dismiss();
    await page.waitForTimeout(1_000);
    expect((await lastCheck(() => true)).id).toBe(before.id);
    await page.clock.fastForward(31_000); // past the window (30 s by default)
    await wedge(s.people.wang.code); // in again without going out: already inside
    const red = page.locator('[data-testid=verdict][data-verdict=deny]');
    await red.waitFor();
    await expect(red.textContent()).resolves.toMatch(/已在小区内/);
    await page.getByRole('button', { name: '放行（说明原因）' }).click();
    await shot(page, 'tablet-override');
    await page.fill('input[name=overrideReason]', '陪同老人，刚才一起进入');
    await page.getByRole('button', { name: '确定' }).click();
    const last = await lastCheck((c) => c.overrideReason === '陪同老人，刚才一起进入');
    expect(last).toMatchObject({ verdict: 'deny', overrideReason: '陪同老人，刚才一起进入', passed: 1, direction: 'in' });
    await page.getByRole('radio', { name: '出' }).click();
  }, 40_000);

  it('no code: finds the resident by building and room and decides as for a scan', async () => {
    await page.getByRole('button', { name: '无码登记' }).click();
    await page.fill('input[name=room]', '301');
    await page.getByRole('button', { name: /李\*/ }).waitFor();
    await shot(page, 'tablet-lookup');
    await page.getByRole('button', { name: /李\*/ }).click();
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor();
    await expect(verdict.textContent()).resolves.toMatch(/李\*/);
    await dismiss();
    const last = await lastCheck((c) => c.subject === 'manual');
    expect(last).toMatchObject({ subject: 'manual', residentId: s.people.li.residentId });
  });

  it('registers a visitor with the test their phone shows, decided and shown with the phone masked', async () => {
    await page.getByRole('button', { name: '访客登记' }).click();
    await page.fill('input[name=visitorName]', '快递刘师傅');
    await page.fill('input[name=visitorPhone]', '13512345678');
    await page.getByRole('button', { name: '医护' }).click();
    await page.fill('input[name=hostRoom]', '502');
    await page.click('button[name=test-negative]');
    await page.click('button[name=within-48]');
    await shot(page, 'tablet-visitor');
    await page.getByRole('button', { name: '核验并登记' }).click();
    const verdict = page.locator('[data-testid=verdict][data-verdict=allow]');
    await verdict.waitFor();
    await expect(verdict.textContent()).resolves.toMatch(/访客 快\*+傅[\s\S]*135\*\*\*\*5678 · 医护/);
    await dismiss();
    const last = await lastCheck((c) => c.subject === 'visitor');
    expect(last.subject).toBe('visitor');
    expect(JSON.parse(last.visitor!)).toEqual({ name: '快递刘师傅', phone: '13512345678', reason: '医护' });
    expect(last.householdId).toBe(s.people.wang.householdId);
  });

  it('shows the sync panel, and switches to English', async () => {
    await page.getByTestId('pending').click();
    await page.getByRole('button', { name: '立即同步' }).waitFor();
    await shot(page, 'tablet-sync');
    await page.getByRole('button', { name: '返回' }).click();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByText('Hold the pass up to the camera').waitFor();
    await shot(page, 'tablet-scan-en');
    await wedge(s.people.zhao.code);
    await page.locator('[data-testid=verdict][data-verdict=deny]').waitFor();
    await expect(page.getByTestId('verdict').textContent()).resolves.toMatch(/Deny[\s\S]*No test result on record/);
    await shot(page, 'tablet-verdict-deny-en');
    await dismiss();
    await page.setViewportSize({ width: 800, height: 1280 });
    await shot(page, 'tablet-scan-portrait-en');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'tablet-scan-phone-en');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: '中文' }).click();
  });

  it('ends the shift with a handover note that reaches the shift log', async () => {
    await page.getByRole('button', { name: '交班' }).click();
    await page.fill('textarea[name=handover]', '东门栏杆松动，已报修；消毒液剩半桶');
    await shot(page, 'tablet-end-shift');
    await page.getByRole('button', { name: '交班并退出' }).click();
    await page.waitForSelector('input[name=phone]');
    await shot(page, 'tablet-signed-out');
    await server.database.db.selectFrom('shift').select('endedAt').execute();
    const until = Date.now() + 10_000;
    let shifts: { handoverNote: string | null }[] = [];
    while (Date.now() < until) {
      shifts = await server.database.db.selectFrom('shift').select('handoverNote').where('endedAt', 'is not', null).execute();
      if (shifts.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(shifts).toEqual([{ handoverNote: '东门栏杆松动，已报修；消毒液剩半桶' }]);
  });
});
