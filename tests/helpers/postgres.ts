import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../../server/db/database.js';
import { openPostgres } from '../../server/db/postgres.js';

export const PG_URL = process.env.TEST_DATABASE_URL;
if (!PG_URL) console.log('Skipping PostgreSQL tests: TEST_DATABASE_URL is not set (.ci/run sets it).');

/**
 * A fresh, empty database of its own on the test PostgreSQL server (`url` opens more connections to it,
 * as a second server instance would); dropped again by `drop()`. A database per test, not a schema:
 * test files run in parallel, and nothing of one (migrations, locks, catalog look-ups) can touch another.
 */
export async function freshPostgres(): Promise<{ database: Database; url: string; drop: () => Promise<void> }> {
  const name = `gp_test_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(PG_URL!);
  url.pathname = `/${name}`;
  const database = openPostgres(url.toString());
  return {
    database,
    url: url.toString(),
    drop: async () => {
      await database.close();
      // The pools' sockets close a moment after they end: wait for them rather than cut them off (a
      // connection the server terminates under an idle pool client is an uncaught error in this process).
      for (let tries = 0; ; tries++) {
        try {
          await admin(`drop database ${name}`);
          return;
        } catch (err) {
          if ((err as { code?: string }).code !== '55006' || tries >= 50) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
}
