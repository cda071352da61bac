import { CompiledQuery, type Kysely, PostgresAdapter, sql } from 'kysely';
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
