import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { appVersion, createDeps, ROOT } from './deps.js';
import { listen } from './http/listen.js';
import { serverJobs } from './jobs/all.js';
import { lockDataDir } from './lifecycle/backup.js';
import { installationFingerprint } from './lifecycle/certificate.js';
import { showFingerprint } from './core/certificate.js';
import { startScheduler } from './jobs/scheduler.js';
import { tabletUrls } from './tls/connect.js';
import { ensureWebBuild } from './webapp.js';

/**
 * config → database → migrate → web build → serve. `npm start` runs it bundled (scripts/start.mjs).
 * Tests start it as a child process (tests/helpers/instance.ts) with their own clock and without the web app.
 */
export async function main(o: { now?: () => Date; webApp?: boolean } = {}) {
  const config = loadConfig();
  fs.mkdirSync(config.dataDir, { recursive: true });
  // `npm run restore` refuses a data folder a server is using: this says who uses it.
  const unlock = config.databaseUrl ? () => {} : lockDataDir(config.dataDir);
  const database = await openDatabase(config);
  const applied = await migrateToLatest(database);
  if (applied.length) console.log(`Migrated: ${applied.join(', ')}`);
  const webDist = o.webApp === false ? undefined : await ensureWebBuild(ROOT);
  const deps = createDeps(database, config, { ...(webDist ? { webDist } : {}), ...(o.now ? { now: o.now } : {}) });
  await deps.keys.currentKid(); // make the signing key on first start, before any request needs it
  // Written down at set-up: deletion certificates are verified against it (npm run verify-certificate).
  console.log(`Signing key fingerprint: ${showFingerprint((await installationFingerprint(deps.keys)).fingerprint)}`);
  // Scheduled work (the analysis catch-up: batches synced before a restart and not yet analysed; idle
  // shifts, retention, backups), once across the instances on this database; what is overdue runs at start.
  const scheduler = startScheduler(deps, serverJobs(deps));
  const listening = await listen(config, (https) => {
    deps.https = https;
    return createApp(deps);
  });
  const where = database.kind === 'sqlite' ? database.file : 'PostgreSQL';
  console.log(`Gatepost ${appVersion()} on http://localhost:${listening.httpPort} (database: ${where})`);
  if (listening.https) {
    console.log(`HTTPS on port ${listening.httpsPort}; tablets: open http://<this PC>:${listening.httpPort}/connect`);
    for (const url of tabletUrls(listening.https)) console.log(`  ${url}`);
  }
  const stop = () => {
    scheduler
      .stop()
      .catch(() => {})
      .finally(() =>
        listening.close().finally(() =>
          database.close().finally(() => {
            unlock();
            process.exit(0);
          }),
        ),
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch(fail);
}

export function fail(err: unknown): never {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
