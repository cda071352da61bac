import { CompiledQuery, type Kysely, PostgresAdapter, sql } from 'kysely';
import type SQLite from 'better-sqlite3';
import type { DatabaseKind } from './database.js';

/**
 * Insert many rows with one statement, without building a query tree per value: the sync path stores
 * thousands of gate checks a second, and the query builder's per-value work dominated its time there.
 * Rows are plain objects with camelCase keys (as everywhere in the app); columns become snake_case.
 * `onConflict`: the key column(s) whose conflicts are skipped (idempotent inserts). `returning`: a column
 * whose values come back for the rows actually inserted (a skipped conflict returns nothing), so a caller
 * can tell what it stored from what was there already, atomically, on both dialects.
 */
export async function bulkInsert(db: Kysely<any>, table: string, rows: Record<string, unknown>[], opts: { onConflict?: string[]; returning?: string } = {}): Promise<unknown[]> {
  const returned: unknown[] = [];
  if (!rows.length) return returned;
  const keys = Object.keys(rows[0]!);
  const snake = (k: string) => `"${k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`)}"`;
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  // Both dialects accept 30,000+ parameters in a statement; stay well below.
  const per = Math.max(1, Math.floor(30_000 / keys.length));
  for (let start = 0; start < rows.length; start += per) {
    const chunk = rows.slice(start, start + per);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => {
      const marks = keys.map((k) => {
        params.push(row[k] ?? null);
        return pg ? `$${params.length}` : '?';
      });
      return `(${marks.join(',')})`;
    });
    const conflict = opts.onConflict ? ` on conflict (${opts.onConflict.map(snake).join(',')}) do nothing` : '';
    const returning = opts.returning ? ` returning ${snake(opts.returning)} as "v"` : '';
    const r = await db.executeQuery<{ v: unknown }>(CompiledQuery.raw(`insert into "${table}" (${keys.map(snake).join(',')}) values ${tuples.join(',')}${conflict}${returning}`, params));
    if (opts.returning) for (const row of r.rows) returned.push(row.v);
  }
  return returned;
}

/**
 * Make syncs of one compound take turns until the transaction ends, and read what a sync needs of the
 * compound (when it was created, its roster version) under that turn, in the same query: on PostgreSQL a row lock on the
 * compound (several server instances, READ COMMITTED); SQLite has a single writer connection already.
 * NO KEY UPDATE, not UPDATE: it still excludes another sync (and the roster version's update), but not the
 * KEY SHARE lock every foreign-key insert takes on the compound row (audit rows, conflicts, passes), so
 * office work and the analysis of that compound do not queue behind syncs, nor syncs behind them.
 */
export async function lockCompound(tx: Kysely<any>, kind: DatabaseKind, compoundId: number): Promise<{ createdAt: string; rosterVersion: number }> {
  const lock = kind === 'postgres' ? sql` for no key update` : sql``;
  const r = await sql<{ createdAt: string; rosterVersion: number }>`select created_at as "createdAt", roster_version as "rosterVersion" from compound where id = ${compoundId}${lock}`.execute(tx);
  if (!r.rows[0]) throw new Error(`no compound ${compoundId}`);
  return r.rows[0];
}

/**
 * `column in (ids)` with ONE parameter whatever the number of ids (SQLite: a JSON array read by
 * json_each; PostgreSQL: an array and `= any`), so a batch's look-up is one small statement instead of
 * one with 500 placeholders that each query compiles, transforms and prepares anew (the sync profile).
 */
export function inIds(db: Kysely<any>, column: string, ids: readonly (number | string)[]) {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? sql<boolean>`${sql.ref(column)} = any(${ids as unknown[]})`
    : sql<boolean>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(ids)}))`;
}

/**
 * `column = value` as a check on rows found otherwise (by `inIds`), not as an index to search: SQLite's
 * planner cannot tell how many ids a JSON array holds and would rather scan a whole compound's rows by
 * its compound index (a unary + keeps it on the ids' index); PostgreSQL plans it well as it is.
 */
export function alsoWhere(db: Kysely<any>, column: string, value: number) {
  return db.getExecutor().adapter instanceof PostgresAdapter ? sql<boolean>`${sql.ref(column)} = ${value}` : sql<boolean>`+${sql.ref(column)} = ${value}`;
}

/** One prepared statement per SQL text and connection: better-sqlite3 compiles it once. */
const prepared = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();
function statement(conn: SQLite.Database, text: string): SQLite.Statement {
  let m = prepared.get(conn);
  if (!m) {
    m = new Map();
    prepared.set(conn, m);
  }
  let s = m.get(text);
  if (!s) {
    s = conn.prepare(text);
    m.set(text, s);
  }
  return s;
}

/**
 * `bulkInsert`, and on SQLite through one prepared single-row statement run per row on the writer
 * connection `conn` (inside the caller's transaction: Kysely holds that very connection until it ends).
 * Same answer: the `returning` values of the rows actually inserted. Each row must have the keys of the
 * first, in the same order. The sync path's insert then costs what a raw better-sqlite3 insert costs;
 * PostgreSQL (conn undefined) keeps the multi-row statement, its fast path.
 */
export async function insertRows(db: Kysely<any>, conn: SQLite.Database | undefined, table: string, rows: Record<string, unknown>[], opts: { onConflict?: string[]; returning?: string } = {}): Promise<unknown[]> {
  if (!conn || !rows.length || db.getExecutor().adapter instanceof PostgresAdapter) return bulkInsert(db, table, rows, opts);
  const keys = Object.keys(rows[0]!);
  const snake = (k: string) => `"${k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`)}"`;
  const conflict = opts.onConflict ? ` on conflict (${opts.onConflict.map(snake).join(',')}) do nothing` : '';
  const stmt = statement(conn, `insert into "${table}" (${keys.map(snake).join(',')}) values (${keys.map(() => '?').join(',')})${conflict}`);
  const returned: unknown[] = [];
  const values: unknown[] = new Array(keys.length);
  for (const row of rows) {
    for (let i = 0; i < keys.length; i++) {
      values[i] = row[keys[i]!] ?? null;
    }
    if (stmt.run(values).changes && opts.returning) returned.push(row[opts.returning]);
  }
  return returned;
}

/**
 * The rows of a compiled query read straight from a better-sqlite3 connection, as the app's Kysely would
 * give them (camelCase keys): rows read as arrays and made into objects here. better-sqlite3 builds a
 * row object of 30 columns about three times slower than it reads the row (the export profile), and the
 * CamelCasePlugin then copies every row once more. For the long reads of exports.
 */
export function* iterateRows<R>(conn: SQLite.Database, query: { sql: string; parameters: readonly unknown[] }): Generator<R> {
  const stmt = conn.prepare(query.sql).raw(true);
  const keys = stmt.columns().map((c) => c.name.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase()));
  for (const values of stmt.iterate(...query.parameters) as IterableIterator<unknown[]>) {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) row[keys[i]!] = values[i];
    yield row as R;
  }
}
