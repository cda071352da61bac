import type { Kysely } from 'kysely';
import type { SigningKeys } from '../codes/keys.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';

export const ROLES = ['admin', 'supervisor', 'manager', 'volunteer'] as const;
export type Role = (typeof ROLES)[number];

export interface AuthUser {
  id: number;
  role: Role;
  displayName: string;
  username: string | null;
  phone: string | null;
  /** Compounds in the user's scope (managers, volunteers); empty for district-wide roles. */
  compoundIds: number[];
}

export interface AuthDevice {
  id: number;
  compoundId: number;
  name: string;
}

/** Who is calling. Office users carry a cookie session; tablets a bearer token (device or volunteer). */
export type Actor =
  | { kind: 'office'; user: AuthUser; sessionId: string }
  | { kind: 'volunteer'; user: AuthUser; device: AuthDevice; sessionId: string }
  | { kind: 'device'; device: AuthDevice };

/** What every feature is built from; passed to createApp, never imported as a singleton. */
export interface AppDeps {
  database: Database;
  config: Pick<Config, 'timezone' | 'sessionIdleMinutes' | 'trustProxy' | 'secureCookies' | 'logRequests' | 'dataDir'>;
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
}

export type AppEnv = {
  Variables: {
    actor: Actor | null;
    ip: string;
  };
};

export type Db = Kysely<DB>;
