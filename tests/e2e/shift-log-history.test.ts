import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../server/core/policy.js';
import { uuidv7 } from '../../server/core/uuid.js';
import { closeIdleShifts } from '../../server/gate/shift-sweep.js';
import { officeClient, PASSWORD } from '../helpers/app.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { buildScene, checkRecord, enrollTablet, type Scene } from '../helpers/gate.js';
import { startServer } from '../helpers/server.js';
import { shot } from '../helpers/shots.js';

const chromium = chromiumPath();
if (!chromium) console.log('Skipping shift-log browser tests: no Chromium (set CHROMIUM_PATH or install /usr/bin/chromium).');

const H = 3_600_000;

// What a manager reads the morning after: a shift whose tablet went silent, closed automatically, with
// its fever and its people as they were at the gate.
describe.skipIf(!chromium)('the shift log in Chromium', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let s: Scene;
  let shiftId: string;

  beforeAll(async () => {
    // 07:00 in Shanghai: the shift and its automatic end fall on the same local day.
    server = await startServer({ now: '2026-11-27T23:00:00.000Z' });
    s = await buildScene(server);
    await s.manager.request('PUT', `/api/compounds/${s.compoundId}/policy`, { rules: { ...defaultPolicy('2026-11-01'), temperature: { entry: { required: true }, exit: { required: true }, feverC: 37.3 } } });
    const { tablet } = await enrollTablet(server, s.manager, s.compoundId);
    const t0 = s.now();
    shiftId = uuidv7(t0);
    const res = await tablet.post('/api/device/sync', {
      sentAt: new Date(t0).toISOString(),
      records: [
        { kind: 'shift_start', id: shiftId, at: new Date(t0).toISOString(), gateId: s.gateA, volunteerId: s.volunteerId },
        checkRecord(s, { atMs: t0 + 60_000, shiftId, person: 'wang', temperatureC: 37.8, verdict: 'deny', reasons: [{ code: 'fever', temperatureC: 37.8, thresholdC: 37.3 }], passed: false, policyVersion: 2 }),
      ],
    });
    expect(res.body.results.map((r: any) => r.status)).toEqual(['accepted', 'accepted']);
    // 王五 is renamed later; the log still shows who was at the gate.
    await s.manager.patch(`/api/compounds/${s.compoundId}/residents/${s.people.wang.residentId}`, { name: '王五一' });
    // The tablet goes silent; thirteen hours on, the sweep closes the shift.
    server.clock.advance(13 * H);
    expect(await closeIdleShifts(server.deps)).toEqual([shiftId]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows 自动结束 in the list and on the log, with the fever and the name as it was', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    await server.clock.shareWith(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/login`);
    await page.fill('input[name=username]', 'mgr');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));

    await page.goto(`${server.url}/compounds/${s.compoundId}/shifts`);
    const list = page.getByTestId('shift-list');
    await list.waitFor();
    await expect(list.textContent()).resolves.toMatch(/07:00–07:01\s*自动结束/);
    await list.locator('a').first().click();
    const log = page.getByTestId('shift-log');
    await log.waitFor();
    await expect(page.getByTestId('shift-auto-closed').textContent()).resolves.toMatch(/自动结束[\s\S]*最后一次活动/);
    const fevers = await page.getByTestId('shift-fevers').textContent();
    expect(fevers).toMatch(/07:01\s*出\s*王五\s*37\.8 °C\s*劝返/);
    expect(fevers).not.toContain('王五一');
    await expect(log.textContent()).resolves.toMatch(/体温异常\s*1/);
    await shot(page, 'office-shift-log-auto-closed');

    await page.goto(`${server.url}/compounds/${s.compoundId}/policy`);
    await page.locator('input[name=feverC]').waitFor();
    await expect(page.locator('input[name=feverC]').inputValue()).resolves.toBe('37.3');
    await expect(page.locator('input[name=exitTemperature]').isChecked()).resolves.toBe(true);
    await shot(page, 'office-policy-temperature');
    expect(errors).toEqual([]);
    // The page's own API agrees (and the manager's session, made after the clock moved, is fine).
    const m = await officeClient(server, 'mgr');
    expect((await m.get(`/api/compounds/${s.compoundId}/shifts/${shiftId}`)).body.shift.autoClosedAt).not.toBeNull();
    await context.close();
  }, 60_000);
});
