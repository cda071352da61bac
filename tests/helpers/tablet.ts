import type { Page } from 'playwright-core';

/**
 * The volunteer's first minute on a tablet, through the real screens: enroll with the manager's code,
 * sign in with phone and PIN, pick the gate. Resolves on the scan screen (unless `waitForScan` is false).
 */
export async function openTabletAtGate(
  page: Page,
  url: string,
  o: { enrollmentCode: string; phone?: string; pin?: string; gate?: string; waitForScan?: boolean },
): Promise<void> {
  await page.goto(`${url}/tablet`);
  await page.fill('input[name=enrollmentCode]', o.enrollmentCode);
  await page.click('button[type=submit]');
  await page.fill('input[name=phone]', o.phone ?? '13800000001');
  await page.fill('input[name=pin]', o.pin ?? '123456');
  await page.click('.t-keypad button[type=submit]');
  await page.getByRole('button', { name: o.gate ?? '东门' }).click();
  if (o.waitForScan !== false) await page.waitForSelector('[data-testid=counts]');
}
