import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// `npm run bench [-- name]`: run every bench/*.bench.ts (or those whose name contains `name`), one after another.
const dir = import.meta.dirname;
const filter = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();
if (!files.length) console.log('No benchmarks match.');
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const mod = await import(pathToFileURL(path.join(dir, f)).href);
  await mod.run();
}
