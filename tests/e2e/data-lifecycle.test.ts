import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzerOf } from '../../server/gate/analysis.js';
import { purgeCompound } from '../../server/lifecycle/retention.js';
import { PASSWORD } from '../helpers/app.js';
import { chromiumPath, chromiumPerTest } from '../helpers/browser.js';
import { buildScene } from '../helpers/gate.js';
import { startServer } from '../helpers/server.js';
import { shot } from '../helpers/shots.js';

const chromium = chromiumPath();

describe.skipIf(!chromium)('数据管理 and 数据保留 in Chromium', () => {
  const open = chromiumPerTest();
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let dir = '';
  afterEach(async () => {
    if (server) await analyzerOf(server.deps).drain();
    await server?.stop();
    server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('retention and its last purge; back up now; end of lockdown with the typed name; the certificate printed and verified', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatepost-data-e2e-'));
    server = await startServer({ file: path.join(dir, 'gatepost.db'), config: { dataDir: dir } });
    const s = await buildScene(server);
    // An old test result, so the last purge removed something.
    const old = new Date(server.clock.now.getTime() - 40 * 86_400_000).toISOString();
    await server.database.db.insertInto('testResult').values({ compoundId: s.compoundId, residentId: s.people.zhao.residentId, sampledAt: old, result: 'negative', source: 'manual', roundId: null, recordedBy: null, deviceId: null, recordId: null, createdAt: old }).execute();
    await purgeCompound(server.deps, { id: s.compoundId, timezone: 'Asia/Shanghai' });

    const { page } = await open({ clock: server.clock, viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/login`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));

    // 数据保留: the compound's days, defaults marked, and the last purge.
    await page.goto(`${server.url}/compounds/${s.compoundId}/retention`);
    await page.getByTestId('last-purge').getByText(/核酸结果 1/).waitFor({ timeout: 15_000 }).catch(async (e) => {
      console.log(await page.locator('body').textContent());
      throw e;
    });
    await page.click('button:has-text("修改保留期限")');
    await page.locator('input[name=gateDays]').waitFor({ timeout: 5000 }).catch(async (e) => {
      console.log(await page.getByTestId('retention').innerHTML());
      throw e;
    });
    await page.fill('input[name=gateDays]', '14');
    await page.click('button:has-text("保存")');
    await page.getByText('本小区设置').waitFor();
    await shot(page, 'compound-retention');

    // 数据管理: the fingerprint, back up now.
    await page.goto(`${server.url}/data`);
    const fingerprint = (await page.getByTestId('key-fingerprint').textContent())!.trim();
    expect(fingerprint).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    await page.getByTestId('backup-now').click();
    await page.getByTestId('backups').locator('code', { hasText: /^gatepost-\d{8}T\d{6}Z\.db$/ }).waitFor();

    // End of lockdown: the button stays off until the name is typed exactly.
    const end = page.getByTestId('end-lockdown');
    await end.locator('select[name=compoundId]').selectOption({ label: '崇文佳苑一区' });
    await end.locator('input[name=confirm]').fill('崇文佳苑');
    await expect(end.locator('button[type=submit]').isDisabled()).resolves.toBe(true);
    await end.locator('input[name=confirm]').fill('崇文佳苑一区');
    await shot(page, 'data-admin');
    await end.locator('button[type=submit]').click();
    const row = page.getByTestId('certificates').locator('tr', { hasText: '崇文佳苑一区' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('居民 4');
    await page.getByTestId('backups').getByText('还没有备份').waitFor(); // the purge deleted the backup it held

    // The printable certificate.
    const id = (await server.database.db.selectFrom('deletionCertificate').select('id').executeTakeFirstOrThrow()).id;
    const print = await page.context().newPage();
    await print.goto(`${server.url}/api/lifecycle/certificates/${id}/print`);
    await print.getByText(fingerprint).waitFor();
    await shot(print, 'deletion-certificate');
    await print.close();

    // Verified in the office page, offline in the browser: the file as issued, then with one byte changed.
    const json = await page.evaluate(async (u) => (await fetch(u)).text(), `/api/lifecycle/certificates/${id}`);
    const good = path.join(dir, 'certificate.json');
    fs.writeFileSync(good, json);
    const verify = page.getByTestId('verify-certificate');
    await verify.getByTestId('verify-file').setInputFiles(good);
    await verify.locator('button[type=submit]').click();
    await expect(verify.getByTestId('verify-result').textContent()).resolves.toMatch(/^✓ 有效/);
    await shot(page, 'data-certificate-verified');
    const bad = path.join(dir, 'certificate-changed.json');
    fs.writeFileSync(bad, json.replace('"residents": 4', '"residents": 2'));
    await verify.getByTestId('verify-file').setInputFiles(bad);
    await verify.locator('button[type=submit]').click();
    await expect(verify.getByTestId('verify-result').textContent()).resolves.toMatch(/✕ 无效.*签名与内容不符/);
    expect(errors).toEqual([]);
  }, 90_000);
});
