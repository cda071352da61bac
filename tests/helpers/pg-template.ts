import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../../server/db/postgres.js';
import { migrateToLatest } from '../../server/db/migrate.js';

/**
 * Global setup of the 'api-pg' pass: one database migrated through the real migrations, which every test
 * copies (CREATE DATABASE … TEMPLATE) instead of migrating its own; dropped at the end with every copy
 * a worker left behind.
 */
export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return;
  const run = randomBytes(4).toString('hex');
  const name = `gp_tmpl_${run}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const database = openPostgres(u.toString());
  try {
    await migrateToLatest(database);
  } finally {
    await database.close();
  }
  project.provide('pgTemplate' as never, name as never);
  return async () => {
    const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where datname like $1', [`gp_test_${run}\\_%`]);
    await admin.end();
    // Several at a time: each DROP DATABASE waits for a checkpoint, and drops waiting together share one.
    const names = [...rows.map((r) => r.datname), name];
    const dropOne = async () => {
      for (let next = names.shift(); next; next = names.shift()) {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`drop database if exists ${next} with (force)`).finally(() => c.end());
      }
    };
    await Promise.all(Array.from({ length: 8 }, dropOne));
  };
}
