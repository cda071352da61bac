import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_COST } from './auth/secrets.js';
import { signingKeys } from './codes/keys.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { AppDeps } from './http/context.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function appVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
}

/** The dependencies of a real run (the server, the demo, benchmarks): real clock, real key store. */
export function createDeps(
  database: Database,
  config: AppDeps['config'],
  o: { now?: () => Date; webDist?: string; log?: (line: string) => void } = {},
): AppDeps {
  const now = o.now ?? (() => new Date());
  return {
    database,
    config,
    now,
    keys: signingKeys(database.db, now),
    passwordCost: DEFAULT_COST,
    version: appVersion(),
    webDist: o.webDist,
    log: o.log ?? ((line) => console.log(line)),
  };
}

export type { Config };
