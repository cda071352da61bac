import path from 'node:path';
import { ensureWebBuild } from '../../server/webapp.js';
import { chromiumPath } from './browser.js';

/** Browser tests need the built app; build it once, before any test, when it is missing or stale. */
export default async function setup() {
  if (!chromiumPath()) {
    console.log('Browser tests will be skipped: no Chromium (set CHROMIUM_PATH or install /usr/bin/chromium).');
    return;
  }
  await ensureWebBuild(path.resolve(import.meta.dirname, '../..'), () => {});
}
