import { CompiledQuery, type Kysely, PostgresAdapter } from 'kysely';

/**
 * Insert many rows with one statement, without building a query tree per value: the sync path stores
 * thousands of gate checks a second, and the query builder's per-value work dominated its time there.
 * Rows are plain objects with camelCase keys (as everywhere in the app); columns become snake_case.
 * `onConflict`: the key column(s) whose conflicts are skipped (idempotent inserts).
 */
export async function bulkInsert(db: Kysely<any>, table: string, rows: Record<string, unknown>[], opts: { onConflict?: string[] } = {}): Promise<void> {
  if (!rows.length) return;
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
    await db.executeQuery(CompiledQuery.raw(`insert into "${table}" (${keys.map(snake).join(',')}) values ${tuples.join(',')}${conflict}`, params));
  }
}
