import fs from 'node:fs';
import path from 'node:path';
import { hashSecret } from '../auth/secrets.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { seedDemo } from '../demo/seed.js';

// `npm run demo [-- --reset]`: fill a fresh data folder with the deterministic demo district.
const config = loadConfig();
const reset = process.argv.includes('--reset');
const file = path.join(config.dataDir, 'gatepost.db');
if (!config.databaseUrl && reset) {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}
fs.mkdirSync(config.dataDir, { recursive: true });
const database = await openDatabase(config);
try {
  await migrateToLatest(database);
  const users = await database.db.selectFrom('user').select('id').limit(1).execute();
  if (users.length) {
    console.error(`The database already has data (${database.file ?? 'PostgreSQL'}). Run "npm run demo -- --reset" to replace it, or set DATA_DIR to a fresh folder.`);
    process.exitCode = 1;
  } else {
    const started = Date.now();
    const summary = await seedDemo(database, { timezone: config.timezone, now: new Date(), hash: (s) => hashSecret(s), log: console.log });
    console.log(summary.join('\n'));
    console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s. Start the server with: npm start`);
  }
} finally {
  await database.close();
}
