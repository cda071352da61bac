import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_COST } from './auth/secrets.js';
import { type SigningKeys, signingKeys } from './codes/keys.js';
import type { Config } from './config.js';
import type { HttpsStatus } from './tls/connect.js';
import type { Database } from './db/database.js';

/** What every feature is built from; passed to createApp, never imported as a singleton. */
export interface AppDeps {
  database: Database;
  config: Pick<Config, 'timezone' | 'sessionIdleMinutes' | 'trustProxy' | 'secureCookies' | 'logRequests' | 'dataDir' | 'shiftIdleHours'> &
    /** Data lifecycle (server/lifecycle); absent: the defaults (lifecycleConfig). */
    Partial<Pick<Config, 'retention' | 'purgeHour' | 'backup'>>;
  /** The current time; tests move it. */
  now: () => Date;
  /** Ed25519 keys that sign passes and placards. */
  keys: SigningKeys;
  /** log2 of scrypt's N for new password/PIN hashes. */
  passwordCost: number;
  version: string;
  /** Folder of the built web app, served at / when present. */
  webDist?: string | undefined;
  log: (line: string) => void;
  /** HTTPS served by Gatepost itself (HTTPS=auto): its port and certificate; undefined when off. */
  https?: HttpsStatus | undefined;
}

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
