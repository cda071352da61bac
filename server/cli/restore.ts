import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { restoreBackup } from '../lifecycle/backup.js';

// `npm run restore -- FILE [--data DIR]`: check a backup (integrity, schema version) and put it in place
// as the data folder's database (DATA_DIR, or --data). Refused while a server uses that folder.
const { values, positionals } = parseArgs({ allowPositionals: true, options: { data: { type: 'string' } } });
const file = positionals[0];
if (!file) {
  console.error('Usage: npm run restore -- FILE [--data DIR]');
  process.exit(1);
}
const dataDir = values.data ? path.resolve(values.data) : loadConfig().dataDir;
try {
  const r = restoreBackup(path.resolve(file), dataDir);
  console.log(`Restored ${file} into ${r.restored} (integrity ok, ${r.migrations} migrations)${r.keptPrevious ? `; the previous database is kept as ${r.keptPrevious}` : ''}`);
  console.log('Start the server on this data folder: it applies any newer migrations.');
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
