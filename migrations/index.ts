import type { Migration } from 'kysely';
import * as m0001 from './0001-foundation.js';
import * as m0002 from './0002-gate-core.js';
import * as m0003 from './0003-disinfection.js';
import * as m0004 from './0004-office.js';
import * as m0005 from './0005-gate-history.js';
import * as m0006 from './0006-lifecycle.js';
import * as m0007 from './0007-testing-rounds.js';
import * as m0008 from './0008-phone-pass.js';
import * as m0009 from './0009-city-scale.js';

/** Every migration, in order. A new one is added here by hand: the order is explicit, never a directory scan. */
export const migrations: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-gate-core': m0002,
  '0003-disinfection': m0003,
  '0004-office': m0004,
  '0005-gate-history': m0005,
  '0006-lifecycle': m0006,
  '0007-testing-rounds': m0007,
  '0008-phone-pass': m0008,
  '0009-city-scale': m0009,
};
