import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { Database, PubSub } from './database.js';
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
  const listening = new Set<pg.Client>();
  const pubsub: PubSub = {
    async notify(channel, payload) {
      await sql`select pg_notify(${channel}, ${payload})`.execute(db);
    },
    async listen(channel, onMessage, onLost) {
      // LISTEN holds its connection for as long as it listens: a client of its own, not one of the pool's.
      const client = new pg.Client({ connectionString: url });
      let stopped = false;
      client.on('notification', (n) => {
        if (n.channel === channel && n.payload !== undefined) onMessage(n.payload);
      });
      client.on('error', (err) => {
        if (stopped) return;
        stopped = true;
        listening.delete(client);
        client.end().catch(() => {});
        onLost(err);
      });
      await client.connect();
      listening.add(client);
      await client.query(`listen "${channel.replace(/"/g, '')}"`);
      return async () => {
        if (stopped) return;
        stopped = true;
        listening.delete(client);
        await client.end().catch(() => {});
      };
    },
  };
  return {
    kind: 'postgres',
    ...(opts.schema ? { schema: opts.schema } : {}),
    db,
    reader,
    pubsub,
    // The reader is a pool: a stream checks one connection out and gives it back when it ends.
    longReader: () => ({ db: reader, release: async () => {} }),
    async close() {
      await Promise.all([...listening].map((c) => c.end().catch(() => {})));
      listening.clear();
      await reader.destroy();
      await db.destroy();
    },
  };
}
