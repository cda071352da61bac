import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { Database } from './database.js';
import type { Tables } from './schema.js';

// COUNT(*) and other int8 results come back as strings by default; every count we keep fits in a double.
pg.types.setTypeParser(20, (v) => Number(v));

/** Open a PostgreSQL database (city-wide deployments: several stateless servers share it). */
export function openPostgres(url: string, opts: { schema?: string } = {}): Database {
  const make = (max: number) => {
    // A schema (tests: one per test) is set for every connection at connect time, before any query.
    const options = opts.schema ? `-c search_path=${opts.schema.replace(/[^a-z0-9_]/gi, '')}` : undefined;
    const pool = new pg.Pool({ connectionString: url, max, ...(options ? { options } : {}) });
    return new Kysely<Tables>({ dialect: new PostgresDialect({ pool, cursor: Cursor }), plugins: [new CamelCasePlugin()] });
  };
  const db = make(10);
  const reader = make(4);
  return {
    kind: 'postgres',
    ...(opts.schema ? { schema: opts.schema } : {}),
    db,
    reader,
    // The reader is a pool: a stream checks one connection out and gives it back when it ends.
    longReader: () => ({ db: reader, release: async () => {} }),
    async close() {
      await reader.destroy();
      await db.destroy();
    },
  };
}
