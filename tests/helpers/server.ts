import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import type { AppDeps } from '../../server/deps.js';
import { listen } from '../../server/http/listen.js';
import { spkiHash } from '../../server/tls/certs.js';
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

/**
 * The real app as `HTTPS=auto` serves it, on a fresh database and a fresh data folder: HTTPS on one loopback
 * port (its certificate also names `names`, e.g. gate.test), plain HTTP on another. `spki` is the base64
 * SHA-256 of the certificate's public key, for Chromium's --ignore-certificate-errors-spki-list.
 */
export async function startHttpsServer(o: { names: string[]; now?: string }) {
  const t = await makeTestApp(o.now ? { now: o.now } : {});
  t.clock.run();
  t.deps.webDist = webDistDir(ROOT);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatepost-https-'));
  const { createApp } = await import('../../server/app.js');
  const up = await listen(
    { port: 0, host: '127.0.0.1', dataDir, https: 'auto', httpsPort: 0, httpsNames: o.names },
    (https) => {
      t.deps.https = https;
      return createApp(t.deps);
    },
    { now: () => t.clock.now, log: () => {} },
  );
  const https = t.deps.https;
  if (!https) throw new Error('HTTPS did not start');
  return {
    ...t,
    httpPort: up.httpPort,
    httpsPort: up.httpsPort as number,
    spki: spkiHash(https.state().certPem),
    async stop() {
      await up.close();
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
