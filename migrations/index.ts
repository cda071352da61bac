import type { Migration } from 'kysely';
import * as m0001 from './0001-foundation.js';
import * as m0002 from './0002-gate-core.js';

/** Every migration, in order. A new one is added here by hand: the order is explicit, never a directory scan. */
export const migrations: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-gate-core': m0002,
};
