import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

/** Screenshots for people to look at: written only when SCREENSHOT_DIR is set (docs/screenshots in the README). */
export async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.SCREENSHOT_DIR;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
