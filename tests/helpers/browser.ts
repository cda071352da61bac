import fs from 'node:fs';
import { type Browser, type BrowserContext, chromium, type LaunchOptions, type Page } from 'playwright-core';
import { afterEach } from 'vitest';
import { makeCameraVideo, type Segment } from './camera.js';

/** Chromium for end-to-end tests: CHROMIUM_PATH, else Debian's /usr/bin/chromium; undefined when neither exists. */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];
  return candidates.find((p) => fs.existsSync(p));
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** Launch headless Chromium; `camera` feeds a Y4M file to getUserMedia as the fake camera. */
export function launchChromium(opts: { camera?: string; extraArgs?: string[] } = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('No Chromium found (set CHROMIUM_PATH or apt-get install chromium)');
  const args = [...CHROMIUM_ARGS, ...(opts.extraArgs ?? [])];
  if (opts.camera) {
    args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${opts.camera}`);
  }
  const launch: LaunchOptions = { executablePath, args, headless: true };
  return chromium.launch(launch);
}

/**
 * A Chromium for each test of a describe block, closed after the test (with its fake-camera video):
 * `open()` launches it — with a fake camera showing `camera`, if given —, shares the test's clock into the
 * page (`clock`), grants the camera to `cameraOrigin`, and opens a page. Call it at the describe level.
 */
export function chromiumPerTest() {
  let browser: Browser | undefined;
  let dispose: (() => void) | undefined;
  afterEach(async () => {
    await browser?.close();
    dispose?.();
    browser = undefined;
    dispose = undefined;
  });
  return async (o: {
    camera?: Segment[];
    extraArgs?: string[];
    viewport?: { width: number; height: number };
    locale?: string;
    clock?: { shareWith(context: BrowserContext): Promise<void> };
    cameraOrigin?: string;
  } = {}): Promise<{ page: Page; context: BrowserContext }> => {
    const video = o.camera ? await makeCameraVideo(o.camera) : undefined;
    dispose = video?.dispose;
    browser = await launchChromium({ ...(video ? { camera: video.path } : {}), ...(o.extraArgs ? { extraArgs: o.extraArgs } : {}) });
    const context = await browser.newContext({ viewport: o.viewport ?? { width: 1280, height: 800 }, locale: o.locale ?? 'zh-CN' });
    if (o.clock) await o.clock.shareWith(context);
    if (video && o.cameraOrigin) await context.grantPermissions(['camera'], { origin: o.cameraOrigin });
    return { page: await context.newPage(), context };
  };
}
