import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzerOf } from '../../server/gate/analysis.js';
import { chromiumPath, chromiumPerTest } from '../helpers/browser.js';
import { hasFfmpeg, type Segment } from '../helpers/camera.js';
import { buildScene, type Scene } from '../helpers/gate.js';
import { startServer } from '../helpers/server.js';
import { shot } from '../helpers/shots.js';
import { openTabletAtGate, until } from '../helpers/tablet.js';

/**
 * A day at a real gate: the tablet says online only when it is, a pass held up in front of the camera is
 * one passage, the verdicts read without colour, and visitors are decided by the rules.
 */
const ready = !!chromiumPath() && hasFfmpeg();
if (!ready) console.log('Skipping gate-day browser tests: they need Chromium (CHROMIUM_PATH or /usr/bin/chromium) and ffmpeg.');

type Server = Awaited<ReturnType<typeof startServer>>;
const TABLET = { width: 1280, height: 800 };

async function onDuty(page: Page, server: Server, s: Scene, direction: '进' | '出' = '出') {
  const made = await s.manager.post(`/api/compounds/${s.compoundId}/devices`, { name: `平板${Math.random().toString(36).slice(2, 6)}` });
  await openTabletAtGate(page, server.url, { enrollmentCode: made.body.enrollmentCode, direction });
}

async function checksOf(server: Server, since: string) {
  await analyzerOf(server.deps).drain();
  return server.database.db
    .selectFrom('gateCheck')
    .leftJoin('resident', 'resident.id', 'gateCheck.residentId')
    .select(['gateCheck.id', 'resident.name', 'gateCheck.verdict', 'gateCheck.passed', 'gateCheck.direction', 'gateCheck.subject', 'gateCheck.reasons', 'gateCheck.visitor', 'gateCheck.testStatus', 'gateCheck.overrideReason'])
    .where('gateCheck.receivedAt', '>', since)
    .orderBy('gateCheck.occurredAt')
    .execute();
}

/** WCAG relative luminance of a computed `rgb(r, g, b)`. */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => Number(v) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const contrast = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

describe.skipIf(!ready)('a day at a real gate, in Chromium', () => {
  let server: Server;
  let s: Scene;
  const chromium = chromiumPerTest();

  beforeAll(async () => {
    server = await startServer();
    s = await buildScene(server);
  });
  afterAll(() => server?.stop());

  const open = (camera?: Segment[]) => chromium({ ...(camera ? { camera } : {}), viewport: TABLET, clock: server.clock, cameraOrigin: server.url });

  // One retry, on a server of its own each time: the first browser test of a run has failed on CI now and
  // then (the camera read nothing for a minute; once a step timed out after 张三 had gone out), and a retry
  // on the shared server then found 张三 and 王五 already outside (禁止 2).
  it('a pass held up for 30 s is one record, shown again as 刚刚已核验; the next person at once is a new record', { retry: 1, timeout: 180_000 }, async () => {
    const server = await startServer();
    try {
      await heldPass(server, await buildScene(server));
    } finally {
      await server.stop();
    }
  });

  async function heldPass(server: Server, s: Scene) {
    const { page } = await chromium({ camera: [
      { text: null, seconds: 3 },
      { text: s.people.zhang.code, seconds: 45 },
      { text: s.people.wang.code, seconds: 5 },
      { text: null, seconds: 90 },
    ], viewport: TABLET, clock: server.clock, cameraOrigin: server.url });
    const since = server.clock.now.toISOString();
    await onDuty(page, server, s);

    // 张三 is let out; the camera keeps reading the pass, and the verdict comes back marked as a repeat.
    // (The camera starts and decodes slowly on a busy 2-core machine: give its first read time, and wait
    // for 张三's own verdict, not whoever the camera reads first.)
    await page
      .locator('[data-testid=verdict][data-verdict=allow]', { hasText: '张*' })
      .waitFor({ timeout: 60_000 })
      .catch(async (err) => {
        // Seen twice, first in a run and not reproduced since: the camera read nothing. Say what the screen showed.
        console.log(`No verdict for 张三; the screen said: ${(await page.locator('body').innerText()).replace(/\s+/g, ' ').slice(0, 400)}`);
        throw err;
      });
    const repeat = page.locator('[data-testid=verdict][data-repeat=true]', { hasText: '张*' });
    await repeat.waitFor({ timeout: 30_000 });
    await expect(repeat.textContent()).resolves.toMatch(/刚刚已核验[\s\S]*通行[\s\S]*张\*/);
    await shot(page, 'tablet-verdict-repeat');

    // 王五 follows at once: a new person, a new record.
    await page.locator('[data-testid=verdict]', { hasText: '王*' }).waitFor({ timeout: 60_000 });
    await page.waitForSelector('[data-testid=verdict]', { state: 'detached', timeout: 15_000 });
    await expect(page.getByTestId('counts').textContent()).resolves.toMatch(/进 0.*出 2.*禁止 0/);
    const checks = await until(() => checksOf(server, since), (c) => c.length >= 2);
    await new Promise((r) => setTimeout(r, 1_500)); // nothing more arrives
    expect((await checksOf(server, since)).map((c) => [c.name, c.verdict, c.direction])).toEqual([
      ['张三', 'allow', 'out'],
      ['王五', 'allow', 'out'],
    ]);
    expect(checks.length).toBe(2);
  }

  it('says 在线 only while requests reach the server: offline for 2 minutes with nothing to send, and after a reload offline, the real last sync', async () => {
    const { page, context } = await open();
    await onDuty(page, server, s);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    const state = page.getByTestId('online-state');
    await state.getByText('在线').waitFor({ timeout: 15_000 });
    await page.getByTestId('pending').getByText('待同步 0').waitFor({ timeout: 15_000 });
    const lastSync = page.getByTestId('last-sync');
    const synced = (await lastSync.textContent())!;
    expect(synced).toMatch(/上次同步 \d\d:\d\d/);

    await context.setOffline(true);
    await state.getByText('离线').waitFor({ timeout: 5_000 });
    // Two minutes with an empty outbox: the tablet keeps trying, reaches nothing, and says so throughout.
    for (let i = 0; i < 12; i++) {
      await page.clock.fastForward(10_000);
      await page.waitForTimeout(250);
      await expect(state.textContent()).resolves.toBe('离线');
      await expect(lastSync.textContent()).resolves.toBe(synced);
    }
    await shot(page, 'tablet-offline-status');

    // Reloaded with no network: the app opens from its cache and knows when it last synced.
    await page.reload();
    await page.waitForSelector('[data-testid=counts]', { timeout: 15_000 });
    await expect(state.textContent()).resolves.toBe('离线');
    await expect(lastSync.textContent()).resolves.toBe(synced);

    // Back online: 在线 once a request is answered, with a fresh last sync.
    await context.setOffline(false);
    await state.getByText('在线').waitFor({ timeout: 20_000 });

    // A network that is up but does not reach the server (the browser still says online) is offline too.
    await context.route('**/api/**', (route) => route.abort('connectionrefused'));
    for (let i = 0; i < 10 && (await state.textContent()) !== '离线'; i++) {
      await page.clock.fastForward(15_000);
      await page.waitForTimeout(300);
    }
    await expect(state.textContent()).resolves.toBe('离线');
  }, 90_000);

  it('shows each verdict with its own shape and a background of its own lightness; the chosen direction looks the same on both screens', async () => {
    const { page } = await open();
    // A pass issued after the tablet took its roster is a "review" (check by hand).
    const late = await s.manager.post(`/api/compounds/${s.compoundId}/residents`, { buildingId: s.buildingId, unit: '1', room: '902', name: '钱七' });
    const made = await s.manager.post(`/api/compounds/${s.compoundId}/devices`, { name: '西门平板' });
    await page.goto(`${server.url}/tablet`);
    await page.fill('input[name=enrollmentCode]', made.body.enrollmentCode);
    await page.click('button[type=submit]');
    await page.fill('input[name=phone]', '13800000001');
    for (const d of '123456') await page.click(`.t-keypad button:text-is("${d}")`);
    await page.click('.t-keypad button[type=submit]');
    await page.getByRole('button', { name: '东门' }).waitFor();
    await page.getByRole('radio', { name: '进' }).click();
    const chosen = async () => page.locator('[role=radio][aria-checked=true]').evaluate((e) => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color, getComputedStyle(e, '::before').content]);
    const onGateScreen = await chosen();
    await page.getByRole('button', { name: '东门' }).click();
    await page.waitForSelector('[data-testid=counts]');
    expect(await chosen()).toEqual(onGateScreen);
    expect(onGateScreen[2]).toContain('✓');
    const pass = (await s.manager.post(`/api/compounds/${s.compoundId}/residents/${late.body.resident.id}/pass`)).body.pass;

    const seen: Record<string, number> = {};
    for (const [code, verdict] of [
      [s.people.li.code, 'allow'],
      [s.people.zhao.code, 'deny'],
      [pass.code, 'review'],
    ] as const) {
      await page.keyboard.type(`${code}\n`, { delay: 3 });
      const v = page.locator(`[data-testid=verdict][data-verdict=${verdict}]`);
      await v.waitFor();
      const shape = v.locator(`svg[data-shape=${verdict}]`);
      const box = (await shape.boundingBox())!;
      expect(box.width).toBeGreaterThan(100);
      seen[verdict] = luminance(await v.evaluate((e) => getComputedStyle(e).backgroundColor));
      await shot(page, `tablet-verdict-shape-${verdict}`);
      await v.click();
      await page.waitForSelector('[data-testid=verdict]', { state: 'detached' });
    }
    // Told apart by lightness alone: no two backgrounds closer than 1.8:1 (green and red were 1.07:1).
    expect(contrast(seen.allow!, seen.deny!)).toBeGreaterThan(1.8);
    expect(contrast(seen.allow!, seen.review!)).toBeGreaterThan(1.8);
    expect(contrast(seen.deny!, seen.review!)).toBeGreaterThan(1.8);

    // A volunteer who double-taps a looked-up resident lets one person in, once; looking them up again
    // at once shows that verdict again.
    const since = server.clock.now.toISOString();
    const lookUpZhang = async (how: 'click' | 'dblclick') => {
      await page.getByRole('button', { name: '无码登记' }).click();
      await page.fill('input[name=room]', '301');
      await page.getByRole('button', { name: /张\*/ })[how]();
    };
    await lookUpZhang('dblclick'); // the second tap may land on the verdict, which it then dismisses
    await until(() => checksOf(server, since), (c) => c.some((x) => x.subject === 'manual'));
    await page.waitForSelector('[data-testid=verdict]', { state: 'detached', timeout: 10_000 });
    await lookUpZhang('click');
    await page.getByTestId('verdict-repeat').waitFor();
    await page.getByTestId('verdict').click();
    const manual = async () => (await checksOf(server, since)).filter((c) => c.subject === 'manual');
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await manual()).map((c) => [c.name, c.subject, c.direction, c.verdict])).toEqual([['张三', 'manual', 'in', 'allow']]);
  }, 90_000);

  it('decides a visitor by the rules: the direction asked, the test on their phone, overridable; counted as a visitor, never as an exit', async () => {
    const { page } = await open();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    const since = server.clock.now.toISOString();
    const dashboard = async () => (await s.manager.get(`/api/compounds/${s.compoundId}/dashboard`)).body.summary;
    const before = await dashboard();
    // Two households with room 301 in 1号楼 (units 1 and 2): the host needs its unit.
    await s.manager.post(`/api/compounds/${s.compoundId}/residents`, { buildingId: s.buildingId, unit: '2', room: '301', name: '郑八' });
    await onDuty(page, server, s, '进');

    // Registered on the entry lane, leaving: the form asks which way.
    await page.getByRole('button', { name: '访客登记' }).click();
    const phone = page.locator('input[name=visitorPhone]');
    await phone.fill('abc');
    expect(await phone.evaluate((e: HTMLInputElement) => e.validity.patternMismatch)).toBe(true);
    await phone.fill('137 1234 5678');
    expect(await phone.evaluate((e: HTMLInputElement) => e.validity.valid)).toBe(true);
    await page.getByRole('radio', { name: '离开' }).click();
    await page.fill('input[name=visitorName]', '孙快递');
    await page.getByRole('button', { name: '快递', exact: true }).click();
    await page.fill('input[name=hostRoom]', '301');
    await page.click('button[name=test-negative]');
    await page.click('button[name=within-24]');
    await page.getByRole('button', { name: '核验并登记' }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toMatch(/该楼有多户是这个房号（1、2单元），请填写单元/);
    await page.fill('input[name=hostUnit]', '1');
    await shot(page, 'tablet-visitor-form');
    await page.getByRole('button', { name: '核验并登记' }).click();
    const allowed = page.locator('[data-testid=verdict][data-verdict=allow]');
    await allowed.waitFor();
    await expect(allowed.textContent()).resolves.toMatch(/访客 孙\*[\s\S]*137\*\*\*\*5678 · 快递[\s\S]*核酸阴性 · 24小时内/);
    await shot(page, 'tablet-visitor-verdict');
    await allowed.click();

    // No test on their phone: denied, and the default policy does not let a volunteer override that.
    await page.getByRole('button', { name: '访客登记' }).click();
    await page.fill('input[name=visitorName]', '周亲属');
    await page.fill('input[name=visitorPhone]', '13612345678');
    await page.fill('input[name=hostUnit]', '1');
    await page.fill('input[name=hostRoom]', '301');
    await page.getByRole('button', { name: '核验并登记' }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toMatch(/请选择访客手机上显示的核酸结果/);
    await page.click('button[name=test-none]');
    await page.getByRole('button', { name: '核验并登记' }).click();
    const denied = page.locator('[data-testid=verdict][data-verdict=deny]');
    await denied.waitFor();
    await expect(denied.textContent()).resolves.toMatch(/无核酸检测记录/);
    expect(await denied.getByRole('button', { name: /放行/ }).count()).toBe(0);
    await denied.click();

    // A test older than the window: denied, and overridden with a reason, like anyone's.
    await page.getByRole('button', { name: '访客登记' }).click();
    await page.fill('input[name=visitorName]', '吴医生');
    await page.fill('input[name=visitorPhone]', '13512345678');
    await page.fill('input[name=hostRoom]', '502');
    await page.selectOption('select[name=hostBuilding]', { label: '1号楼' });
    await page.click('button[name=test-negative]');
    await page.click('button[name=within-more]');
    await page.getByRole('button', { name: '核验并登记' }).click();
    const expired = page.locator('[data-testid=verdict][data-verdict=deny]');
    await expired.waitFor();
    await expect(expired.textContent()).resolves.toMatch(/核酸已超时/);
    await expired.getByRole('button', { name: /放行/ }).click();
    await page.fill('input[name=overrideReason]', '上门诊疗，社区医生');
    await page.locator('form button[type=submit]').last().click();
    await page.waitForSelector('[data-testid=verdict]', { state: 'detached' });
    await expect(page.getByTestId('counts').textContent()).resolves.toMatch(/进 0.*出 0.*禁止 1.*访客 2/);

    const checks = await until(() => checksOf(server, since), (c) => c.length >= 3);
    if (checks.length < 3) console.log(await page.evaluate(() => new Promise((resolve) => { const o = indexedDB.open('gatepost'); o.onsuccess = () => { const r = o.result.transaction('outbox').objectStore('outbox').getAll(); r.onsuccess = () => resolve(JSON.stringify(r.result)); }; })));
    expect(checks.map((c) => [c.subject, c.direction, c.verdict, c.passed, JSON.parse(c.reasons).map((r: { code: string }) => r.code).join(), c.overrideReason])).toEqual([
      ['visitor', 'out', 'allow', 1, '', null],
      ['visitor', 'in', 'deny', 0, 'test_missing', null],
      ['visitor', 'in', 'deny', 1, 'test_expired', '上门诊疗，社区医生'],
    ]);
    expect(JSON.parse(checks[0]!.testStatus!)).toMatchObject({ result: 'negative' });
    expect(JSON.parse(checks[0]!.visitor!)).toMatchObject({ name: '孙快递', phone: '13712345678', reason: '快递' });
    // The visitor who left is a visitor on the dashboard, not a household's exit.
    expect(await dashboard()).toMatchObject({ out: before.out, in: before.in, visitors: before.visitors + 2 });
    expect(logs.filter((m) => /pattern/i.test(m))).toEqual([]);
  }, 90_000);
});
