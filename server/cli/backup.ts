import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openSqlite } from '../db/database.js';
import { createDeps } from '../deps.js';
import { backupNow } from '../lifecycle/backup.js';

// `npm run backup -- --to DIR`: a consistent copy of the data folder's SQLite database (a server may be
// running on it and writing: SQLite's online backup API takes a snapshot), recorded in its backup list.
const { values } = parseArgs({ options: { to: { type: 'string' } } });
const config = loadConfig();
if (config.databaseUrl) {
  console.error('DATABASE_URL is set: PostgreSQL is backed up with pg_dump (see the README).');
  process.exit(1);
}
if (!values.to) {
  console.error('Usage: npm run backup -- --to DIR');
  process.exit(1);
}
const database = openSqlite(path.join(config.dataDir, 'gatepost.db'));
try {
  const made = await backupNow(createDeps(database, config, { log: () => {} }), { kind: 'command', dir: path.resolve(values.to) });
  console.log(`Backed up to ${made.file} (${made.size.toLocaleString('en-US')} bytes)`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await database.close();
}
