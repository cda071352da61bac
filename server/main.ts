import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { DEFAULT_COST } from './auth/secrets.js';
import { signingKeys } from './codes/keys.js';
import { loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { ensureWebBuild } from './webapp.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function appVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
}

/** config → database → migrate → web build → serve. */
async function main() {
  const config = loadConfig();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const database = await openDatabase(config);
  const applied = await migrateToLatest(database);
  if (applied.length) console.log(`Migrated: ${applied.join(', ')}`);
  const webDist = await ensureWebBuild(ROOT);
  const app = createApp({
    database,
    config,
    now: () => new Date(),
    keys: signingKeys(database.db, () => new Date()),
    passwordCost: DEFAULT_COST,
    version: appVersion(),
    webDist,
    log: (line) => console.log(line),
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    const where = database.kind === 'sqlite' ? database.file : 'PostgreSQL';
    console.log(`Gatepost ${appVersion()} on http://localhost:${info.port} (database: ${where})`);
  });
  const stop = () => {
    server.close();
    database.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
