import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../../server/db/database.js';
import { openPostgres } from '../../server/db/postgres.js';

export const PG_URL = process.env.TEST_DATABASE_URL;
if (!PG_URL) console.log('Skipping PostgreSQL tests: TEST_DATABASE_URL is not set (.ci/run sets it).');

/** A fresh, empty schema on the test PostgreSQL server; dropped again by `drop()`. */
export async function freshPostgres(): Promise<{ database: Database; drop: () => Promise<void> }> {
  const schema = `gp_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const database = openPostgres(PG_URL!, { schema });
  return {
    database,
    drop: async () => {
      await database.close();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}
