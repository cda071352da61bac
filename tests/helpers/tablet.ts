import type { Page } from 'playwright-core';

/**
 * The volunteer's first minute on a tablet, through the real screens: enroll with the manager's code,
 * sign in with phone and PIN, pick the gate. Resolves on the scan screen (unless `waitForScan` is false).
 */
export async function openTabletAtGate(
  page: Page,
  url: string,
  o: { enrollmentCode: string; phone?: string; pin?: string; gate?: string; direction?: '进' | '出'; waitForScan?: boolean },
): Promise<void> {
  await page.goto(`${url}/tablet`);
  await page.fill('input[name=enrollmentCode]', o.enrollmentCode);
  await page.click('button[type=submit]');
  await page.fill('input[name=phone]', o.phone ?? '13800000001');
  await page.fill('input[name=pin]', o.pin ?? '123456');
  await page.click('.t-keypad button[type=submit]');
  if (o.direction) await page.getByRole('radio', { name: o.direction }).click();
  await page.getByRole('button', { name: o.gate ?? '东门' }).click();
  if (o.waitForScan !== false) await page.waitForSelector('[data-testid=counts]');
}

/** Ask `fn` until `ok` says yes (the tablet syncs within a moment), or `ms` have passed: then its last answer. */
export async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}
