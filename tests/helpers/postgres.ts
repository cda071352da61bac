import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { openPostgres } from '../../server/db/postgres.js';

export const PG_URL = process.env.TEST_DATABASE_URL;
if (!PG_URL) console.log('Skipping PostgreSQL tests: TEST_DATABASE_URL is not set (.ci/run sets it).');

/**
 * The database kind the helpers give a test that does not ask for one: SQLite, or PostgreSQL in the
 * 'api-pg' pass (vitest.config.ts sets GATEPOST_TEST_DB there), which runs every API test again on it.
 */
export const TEST_DB: 'sqlite' | 'postgres' = process.env.GATEPOST_TEST_DB === 'postgres' && PG_URL ? 'postgres' : 'sqlite';

/** One statement on the test server's own database (create or drop a database). */
export async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** The migrated template of the 'api-pg' pass (tests/helpers/pg-template.ts), when there is one. */
function template(): string | undefined {
  if (TEST_DB !== 'postgres') return undefined;
  try {
    return inject('pgTemplate' as never) as string | undefined;
  } catch {
    return undefined;
  }
}

/** Database names of one run of the pass: its global teardown drops every one a test left behind. */
export const runPrefix = (run: string) => `gp_test_${run}_`;

async function createDatabase(migrated: boolean): Promise<string> {
  const tmpl = template();
  const name = `${tmpl ? runPrefix(tmpl.slice('gp_tmpl_'.length)) : 'gp_test_'}${randomBytes(6).toString('hex')}`;
  await admin(migrated && tmpl ? `create database ${name} template ${tmpl}` : `create database ${name}`);
  return name;
}

/**
 * In the pass, the copy of the template for the next test is made while the test before runs (a copy
 * takes a quarter of a second; two hundred tests each waiting for one would add a minute).
 */
let prepared: Promise<string> | null = null;

async function nextDatabase(migrated: boolean): Promise<string> {
  if (!migrated || !template()) return createDatabase(false);
  const mine = prepared ?? createDatabase(true);
  prepared = createDatabase(true);
  prepared.catch(() => {}); // a failure surfaces when a test takes it
  return mine;
}

async function dropDatabase(name: string): Promise<void> {
  // The pools' sockets close a moment after they end: wait for them rather than cut them off (a
  // connection the server terminates under an idle pool client is an uncaught error in this process).
  for (let tries = 0; ; tries++) {
    try {
      await admin(`drop database if exists ${name}`);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '55006' || tries >= 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * A fresh database of its own on the test PostgreSQL server (`url` opens more connections to it, as a
 * second server instance would), dropped by `drop()`. Empty; or with `migrated`, migrated already in the
 * 'api-pg' pass (a copy of its template; elsewhere the caller migrates it). A database per test, not a
 * schema: test files run in parallel, and nothing of one (migrations, advisory locks, LISTEN/NOTIFY
 * channels) can touch another.
 *
 * In the pass, `drop()` closes the connections and leaves the DROP DATABASE to run on its own (it waits
 * for a checkpoint, up to seconds on a busy machine); the pass's teardown drops whatever is left.
 */
export async function freshPostgres(o: { migrated?: boolean } = {}): Promise<{ database: Database; url: string; drop: () => Promise<void> }> {
  const name = await nextDatabase(!!o.migrated);
  const url = new URL(PG_URL!);
  url.pathname = `/${name}`;
  // A test's commits need not wait for the disk (a crash loses a test database, nothing else): commits on
  // a shared, busy machine otherwise take most of a PostgreSQL test's time.
  url.searchParams.set('options', '-c synchronous_commit=off');
  const database = openPostgres(url.toString());
  return {
    database,
    url: url.toString(),
    drop: async () => {
      await database.close();
      if (template()) dropDatabase(name).catch(() => {});
      else await dropDatabase(name);
    },
  };
}
