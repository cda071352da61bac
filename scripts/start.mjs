// `npm start`: run the server as plain JavaScript. The TypeScript sources are bundled with esbuild into
// build/server.mjs when that is missing or older than them (a fraction of a second), so the running
// server carries no TypeScript loader: it starts faster and idles in less memory than under tsx.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'build', 'server.mjs');
const inputs = ['server', 'migrations', 'package-lock.json'];

function newest(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((m, e) => Math.max(m, newest(path.join(p, e))), st.mtimeMs);
}

const built = fs.existsSync(out) ? fs.statSync(out).mtimeMs : 0;
if (inputs.some((i) => newest(path.join(root, i)) > built)) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [path.join(root, 'server', 'main.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Packages stay in node_modules (better-sqlite3 is native; vite is loaded only to build the web app).
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}
const { main, fail } = await import(out);
await main().catch(fail);
