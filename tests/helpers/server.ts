import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import type { AppDeps } from '../../server/deps.js';
import { webDistDir } from '../../server/webapp.js';
import { makeTestApp, type TestApp } from './app.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The real app on a real port (for the browser), on a fresh database. Its clock starts at the test's
 * instant and flows: share it with the browser (`server.clock.shareWith(context)`) so page and server agree.
 * `config` overrides the test settings (e.g. `{ trustProxy: true, secureCookies: true }` behind a proxy).
 */
export async function startServer(
  opts: { file?: string; now?: string; config?: Partial<AppDeps['config']> } = {},
): Promise<TestApp & { url: string; stop(): Promise<void> }> {
  const t = await makeTestApp(opts);
  Object.assign(t.deps.config, opts.config);
  t.clock.run();
  t.deps.webDist = webDistDir(ROOT);
  // Rebuild the app so it serves the built web pages.
  const { createApp } = await import('../../server/app.js');
  const app = createApp(t.deps);
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    ...t,
    app,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
}
