import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zonedDate } from '../../server/core/time.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { buildScene, checkRecord, enrollTablet, type Scene, sync } from '../helpers/gate.js';
import { startServer } from '../helpers/server.js';
import { shot } from '../helpers/shots.js';
import { openTabletAtGate, until } from '../helpers/tablet.js';

const chromium = chromiumPath();
if (!chromium) console.log('Skipping the testing-rounds browser test: no Chromium.');

type Server = Awaited<ReturnType<typeof startServer>>;

// Issue 15: a manager opens a round's coverage and prints a building's door-to-door list; a volunteer
// ticks a resident off on the tablet offline; after sync the coverage counts them. Then the positive
// case: the alert, its gate contacts and the building's dossier.
describe.skipIf(!chromium)('a testing round, from the coverage grid to the door and back', () => {
  let server: Server;
  let s: Scene;
  let browser: Browser;
  let office: Page;
  let officeContext: BrowserContext;

  beforeAll(async () => {
    server = await startServer();
    s = await buildScene(server);
    const cid = s.compoundId;
    const b2 = (await s.manager.post(`/api/compounds/${cid}/buildings`, { name: '2号楼', unitCount: 2 })).body.item.id;
    const sampled = new Date(server.clock.ms() - 5 * 3_600_000).toISOString();
    const rooms = [['孙七', '1', '101'], ['周八', '1', '102'], ['吴九', '2', '201'], ['郑十', '2', '202'], ['钱一', '2', '301'], ['冯二', '1', '401']] as const;
    for (const [i, [name, unit, room]] of rooms.entries()) {
      const r = (await s.manager.post(`/api/compounds/${cid}/residents`, { buildingId: b2, unit, room, name, phone: `1390000010${i}` })).body.resident;
      if (i < 3) await s.manager.post(`/api/compounds/${cid}/residents/${r.id}/tests`, { sampledAt: sampled, result: 'negative' });
      if (i === 4) await s.manager.request('PUT', `/api/compounds/${cid}/residents/${r.id}/exemption`, { reason: 'bedridden', note: '长期卧床' });
    }
    const today = zonedDate(server.clock.ms(), 'Asia/Shanghai');
    expect((await s.manager.post(`/api/compounds/${cid}/rounds`, { name: '第1轮全员核酸', startsOn: today, endsOn: today })).status).toBe(201);
    browser = await launchChromium();
    officeContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    await server.clock.shareWith(officeContext);
    office = await officeContext.newPage();
    await office.goto(`${server.url}/login`);
    await office.fill('input[name=username]', 'mgr');
    await office.fill('input[name=password]', 'correct horse battery');
    await office.click('button[type=submit]');
    await office.waitForURL('**/dashboard');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const total = () => office.getByTestId('coverage-total').textContent();

  it('coverage grid → printed door-to-door list → tick-off on the tablet offline → counted after sync', async () => {
    await office.goto(`${server.url}/compounds/${s.compoundId}/rounds`);
    const grid = office.getByTestId('coverage');
    await grid.waitFor();
    // 1号楼: 赵六 untested of 4; 2号楼: 郑十 and 冯二 untested, 钱一 exempt. 10 residents, 9 due, 6 tested.
    await expect(grid.locator('tr[data-building="1号楼"]').textContent()).resolves.toMatch(/^1号楼 ?4 ?3 ?3 ?0 ?0 ?1 ?0 ?75%/);
    await expect(total()).resolves.toMatch(/全小区合计 ?10 ?6 ?6 ?0 ?0 ?3 ?1 ?66\.7%/);
    await shot(office, 'office-rounds-coverage');

    // The volunteers' sheet of 1号楼: masked names, by room, a box to tick.
    const [sheet] = await Promise.all([office.waitForEvent('popup'), grid.locator('tr[data-building="1号楼"]').getByTestId('d2d-print').click()]);
    await sheet.waitForLoadState();
    await expect(sheet.locator('table.d2d tbody').textContent()).resolves.toMatch(/2601赵\*139\*\*\*\*0004☐/);
    await expect(sheet.content()).resolves.not.toMatch(/赵六/);
    await shot(sheet, 'print-door-to-door');
    await sheet.close();
    const printed = await server.database.db.selectFrom('auditLog').select('details').where('action', '=', 'export').execute();
    expect(printed.map((a) => JSON.parse(a.details!))).toEqual([expect.objectContaining({ dataset: 'door-to-door', format: 'print', masked: true, people: 1 })]);

    // The tablet at the door, with no network.
    const tabletContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await server.clock.shareWith(tabletContext);
    const tablet = await tabletContext.newPage();
    const made = await s.manager.post(`/api/compounds/${s.compoundId}/devices`, { name: '东门平板' });
    await openTabletAtGate(tablet, server.url, { enrollmentCode: made.body.enrollmentCode });
    await tablet.getByTestId('pending').getByText('待同步 0').waitFor({ timeout: 30_000 });
    await tabletContext.setOffline(true);
    await tablet.getByRole('button', { name: '上门核查' }).click();
    const doors = tablet.getByTestId('doors');
    await doors.locator('li').first().waitFor();
    await expect(tablet.getByTestId('doors-summary').textContent()).resolves.toBe('第1轮全员核酸：本楼栋未检 1 人');
    await expect(doors.textContent()).resolves.toMatch(/2-601赵\*已上门采样/);
    await shot(tablet, 'tablet-door-to-door');
    await doors.getByRole('button', { name: '已上门采样' }).click();
    await doors.locator('li').waitFor({ state: 'detached' });
    await expect(tablet.getByTestId('doors-summary').textContent()).resolves.toBe('第1轮全员核酸：本楼栋未检 0 人');
    await tablet.getByRole('button', { name: '返回' }).click();
    await tablet.getByTestId('pending').getByText('待同步 1').waitFor();
    expect(await server.database.db.selectFrom('testResult').select('id').where('source', '=', 'home').execute()).toEqual([]);
    // The sheet's tick survives a reload offline: 赵六 is still off the list.
    await tablet.reload();
    await tablet.getByRole('button', { name: '上门核查' }).click();
    await tablet.getByTestId('doors-summary').waitFor();
    await expect(tablet.getByTestId('doors-summary').textContent()).resolves.toBe('第1轮全员核酸：本楼栋未检 0 人');
    await tablet.getByRole('button', { name: '返回' }).click();

    await tabletContext.setOffline(false);
    await tablet.getByTestId('pending').getByText('待同步 0').waitFor({ timeout: 30_000 });
    const home = await server.database.db.selectFrom('testResult').select(['residentId', 'result']).where('source', '=', 'home').execute();
    expect(home).toEqual([{ residentId: s.people.zhao.residentId, result: 'pending' }]);
    await office.reload();
    await grid.waitFor();
    await until(() => total(), (text) => /66\.7%/.test(text ?? '') === false);
    await expect(grid.locator('tr[data-building="1号楼"]').textContent()).resolves.toMatch(/^1号楼 ?4 ?4 ?3 ?0 ?1 ?0 ?0 ?100%/);
    await expect(total()).resolves.toMatch(/全小区合计 ?10 ?7 ?6 ?0 ?1 ?2 ?1 ?77\.8%/);
    await tabletContext.close();
  }, 150_000);

  it('a positive result: the alert on the dashboard, one-step quarantine, the gate contacts, the dossier', async () => {
    const cid = s.compoundId;
    const { tablet } = await enrollTablet(server, s.manager, cid);
    const t0 = server.clock.ms() - 2 * 3_600_000;
    await sync(server, tablet, [
      checkRecord(s, { person: 'wang', atMs: t0, direction: 'out' }),
      checkRecord(s, { person: 'zhang', atMs: t0 + 3 * 60_000, direction: 'out' }),
      checkRecord(s, { person: 'li', atMs: t0 + 7 * 60_000, direction: 'out' }),
      checkRecord(s, { atMs: t0 + 4 * 60_000, subject: 'visitor', code: null, direction: 'in', visitor: { name: '刘快递', phone: '13700000000', reason: '送件' } }),
    ]);
    await office.goto(`${server.url}/compounds/${cid}/dashboard`);
    await office.getByTestId('figures').waitFor();
    // Entered through this server (the live feed is per server process), from the manager's own page.
    const entered = await office.evaluate(
      async ([url, body]) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status,
      [`/api/compounds/${cid}/residents/${s.people.wang.residentId}/tests`, JSON.stringify({ sampledAt: new Date(server.clock.ms() - 3_600_000).toISOString(), result: 'positive' })] as const,
    );
    expect(entered).toBe(201);
    // Pushed by the live feed: no reload.
    const alerts = office.getByTestId('alerts');
    await alerts.getByText(/王五 · 1号楼 2-502/).waitFor({ timeout: 10_000 });
    await shot(office, 'office-dashboard-alert');
    await alerts.getByRole('button', { name: '一键居家隔离' }).click();
    await alerts.getByText(/已居家隔离至/).waitFor();
    const h = await server.database.db.selectFrom('household').select('quarantineUntil').where('id', '=', s.people.wang.householdId).executeTakeFirstOrThrow();
    expect(h.quarantineUntil).not.toBeNull();

    await alerts.getByRole('link', { name: '门岗时空伴随' }).click();
    await office.waitForURL(`**/compounds/${cid}/contacts/${s.people.wang.residentId}`);
    const table = office.getByTestId('contacts');
    await table.waitFor();
    await expect(office.getByTestId('contacts-summary').textContent()).resolves.toMatch(/同一门岗通行者 3 人、2 户/);
    await expect(table.textContent()).resolves.toMatch(/李四[\s\S]*张三[\s\S]*刘快递/);
    await shot(office, 'office-gate-contacts');
    await office.fill('input[name=minutes]', '5');
    await office.locator('input[name=minutes]').dispatchEvent('change');
    await office.getByText(/前后 5 分钟内同一门岗通行者 2 人/).waitFor();

    const dossier = await office.context().newPage();
    const from = new Date(t0 - 3_600_000);
    const fmt = (d: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(d);
    await dossier.goto(`${server.url}/api/compounds/${cid}/buildings/${s.buildingId}/dossier?${new URLSearchParams({ from: fmt(from), to: fmt(new Date(server.clock.ms())), others: '1' })}`);
    await expect(dossier.locator('h2').allTextContents()).resolves.toEqual([
      '1号楼居民经门岗通行（3 次，3 人）',
      '同期同门岗其他人员通行（1 次，1 人）',
      '1号楼消杀记录（0 次）',
      '本楼阳性人员的门岗时空伴随（1 人）',
    ]);
    await shot(dossier, 'print-dossier-case');
    await dossier.close();
  }, 120_000);
});
