import fs from 'node:fs';
import { type Browser, chromium, type LaunchOptions } from 'playwright-core';

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
