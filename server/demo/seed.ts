import type { Database } from '../db/database.js';
import { DEMO_PASSWORD, DEMO_PIN, seedDistrict } from './district.js';
import { Random } from './random.js';

/**
 * The whole demo, step by step, from one seed. Returns lines to print: what was made and how to sign in.
 */
export async function seedDemo(
  database: Database,
  opts: { timezone: string; now: Date; hash: (secret: string) => Promise<string>; seed?: number },
): Promise<string[]> {
  const rng = new Random(opts.seed ?? 20220104);
  const db = database.db;
  const at = opts.now.toISOString();
  const [passwordHash, pinHash] = await Promise.all([opts.hash(DEMO_PASSWORD), opts.hash(DEMO_PIN)]);
  const district = await db.transaction().execute((tx) => seedDistrict(tx, rng, { at, timezone: opts.timezone, passwordHash, pinHash }));
  const lines = [
    `Demo district: ${district.compounds.length} compounds, ${district.buildings} buildings, ${district.households} households, ${district.residents} residents.`,
    '',
    'Sign in (office: http://localhost:8080/login; tablets: phone number + PIN):',
    ...district.logins.map((l) => `  ${l.role.padEnd(10)} ${l.login.padEnd(14)} ${l.secret.padEnd(16)} ${l.scope}`),
  ];
  return lines;
}
