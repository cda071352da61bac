import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';

/** Inputs of the web build: when any is newer than the last build, `npm start` builds again. */
const INPUTS = ['web/src', 'web/index.html', 'web/vite.config.ts', 'web/public', 'server/core', 'package-lock.json'];

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

export function webDistDir(root: string): string {
  return path.join(root, 'web', 'dist');
}

/** Is the built app missing or older than its sources? */
export function isWebBuildStale(root: string): boolean {
  const stamp = path.join(webDistDir(root), 'index.html');
  if (!fs.existsSync(stamp)) return true;
  const built = fs.statSync(stamp).mtimeMs;
  return INPUTS.some((i) => newestMtime(path.join(root, i)) > built);
}

/**
 * Build the web app with Vite when it is missing or stale; returns the dist folder. The build runs in a
 * process of its own, so the server does not keep Vite's few hundred megabytes after it.
 */
export async function ensureWebBuild(root: string, log: (s: string) => void = console.log): Promise<string> {
  const dist = webDistDir(root);
  if (isWebBuildStale(root)) {
    log('Building the web app (first start or sources changed)…');
    const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
    const child = spawn(process.execPath, [vite, 'build', '--config', path.join(root, 'web', 'vite.config.ts'), '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`The web app did not build (vite exited with ${code}).`);
    log('Web app built.');
  }
  return dist;
}
