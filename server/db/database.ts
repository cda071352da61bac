import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import type { Tables } from './schema.js';

/** A connection or a transaction: what every query helper takes (`Database` is the whole handle). */
export type Db = Kysely<Tables>;

export type DatabaseKind = 'sqlite' | 'postgres';

/**
 * The application's database handles.
 * - `db` is the one writer: every insert/update and every short read.
 * - `reader` is for long reads (exports, reports): on SQLite a separate read-only connection, so a long
 *   iterate never holds the writer and blocks the gates' sync.
 */
export interface Database {
  kind: DatabaseKind;
  db: Kysely<Tables>;
  reader: Kysely<Tables>;
  /**
   * A read-only handle for one long streamed read (an export), released when it is done. On SQLite a
   * connection of its own: a stream holds its connection to the end, and must not hold the shared reader.
   */
  longReader(): { db: Kysely<Tables>; release(): Promise<void>; /** Its own better-sqlite3 connection (SQLite only), for a raw iterate. */ sqlite?: SQLite.Database };
  /**
   * PostgreSQL's LISTEN/NOTIFY, for what several server instances on one database must all hear (the live
   * feed); undefined on SQLite, where one process is the whole server.
   */
  pubsub?: PubSub;
  /** PostgreSQL schema holding the tables (tests use one per run); undefined: the default. */
  schema?: string;
  /** Where the SQLite file lives (undefined in memory or on PostgreSQL); used by backups. */
  file?: string;
  /** The raw better-sqlite3 writer (SQLite only), for pragmas, online backup and benchmarks. */
  sqlite?: SQLite.Database;
  close(): Promise<void>;
}

export interface PubSub {
  /** Deliver `payload` (under 8,000 bytes) to every listener of `channel` on the database, this process's too. */
  notify(channel: string, payload: string): Promise<void>;
  /**
   * Hear `channel` on a connection of its own, from when the promise resolves; `onLost` when that connection
   * breaks (what was sent meanwhile is not heard). Returns the function that stops listening.
   */
  listen(channel: string, onMessage: (payload: string) => void, onLost: (err: Error) => void): Promise<() => Promise<void>>;
}

const plugins = [new CamelCasePlugin()];

function applyWriterPragmas(conn: SQLite.Database, inMemory: boolean): void {
  if (!inMemory) conn.pragma('journal_mode = WAL');
  // FULL: an acknowledged gate record must survive a power cut at the gate's server.
  conn.pragma('synchronous = FULL');
  conn.pragma('foreign_keys = ON');
  conn.pragma('busy_timeout = 5000');
}

/** Open (creating if needed) the SQLite database at `file`, or an in-memory one for ':memory:'. */
export function openSqlite(file: string): Database {
  const inMemory = file === ':memory:';
  if (!inMemory) fs.mkdirSync(path.dirname(file), { recursive: true });
  const writer = new SQLite(file);
  applyWriterPragmas(writer, inMemory);
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: writer }), plugins });

  const openConn = () => {
    const conn = new SQLite(file, { readonly: true, fileMustExist: true });
    conn.pragma('busy_timeout = 5000');
    conn.pragma('query_only = ON');
    return conn;
  };
  const kyselyOn = (conn: SQLite.Database) => new Kysely<Tables>({ dialect: new SqliteDialect({ database: conn }), plugins });
  const reader = inMemory ? db : kyselyOn(openConn());
  return {
    kind: 'sqlite',
    db,
    reader,
    longReader() {
      if (inMemory) return { db, sqlite: writer, release: async () => {} };
      const conn = openConn();
      const own = kyselyOn(conn);
      return { db: own, sqlite: conn, release: () => own.destroy() };
    },
    file: inMemory ? undefined : file,
    sqlite: writer,
    async close() {
      if (reader !== db) await reader.destroy();
      await db.destroy();
    },
  };
}

/** Open the database the configuration names: PostgreSQL when a URL is given, else SQLite in the data folder. */
export async function openDatabase(opts: { dataDir: string; databaseUrl?: string | undefined }): Promise<Database> {
  if (opts.databaseUrl) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(opts.databaseUrl);
  }
  return openSqlite(path.join(opts.dataDir, 'gatepost.db'));
}
