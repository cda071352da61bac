import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { appVersion, createDeps, ROOT } from './deps.js';
import { analyzerOf } from './gate/analysis.js';
import { startShiftSweep } from './gate/shift-sweep.js';
import { ensureWebBuild } from './webapp.js';

/** config → database → migrate → web build → serve. `npm start` runs it bundled (scripts/start.mjs). */
export async function main() {
  const config = loadConfig();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const database = await openDatabase(config);
  const applied = await migrateToLatest(database);
  if (applied.length) console.log(`Migrated: ${applied.join(', ')}`);
  const webDist = await ensureWebBuild(ROOT);
  const deps = createDeps(database, config, { webDist });
  await deps.keys.currentKid(); // make the signing key on first start, before any request needs it
  const app = createApp(deps);
  analyzerOf(deps).schedule(); // batches synced before a restart and not yet analysed
  const stopSweep = startShiftSweep(deps); // shifts whose tablet went silent end by themselves
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    const where = database.kind === 'sqlite' ? database.file : 'PostgreSQL';
    console.log(`Gatepost ${appVersion()} on http://localhost:${info.port} (database: ${where})`);
  });
  const stop = () => {
    stopSweep();
    server.close();
    database.close().finally(() => process.exit(0));
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
