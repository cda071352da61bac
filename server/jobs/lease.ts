import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/**
 * A lease on a named piece of scheduled work, kept in the `lease` table so that server instances sharing
 * one database agree on who does it. Each call is ONE conditional statement (an upsert or update whose
 * WHERE decides), atomic on SQLite and PostgreSQL alike: two instances racing for a free lease cannot
 * both win, and nobody ever reads the row first and writes it after.
 *
 *   take(db, 'retention', me, now, 60_000)   → true: I hold it for a minute (free, expired, or mine already)
 *   renew(db, 'retention', me, now, 60_000)  → false: somebody took it over (mine had expired)
 *   release(db, 'retention', me, now)        → free for anyone at once
 */

/** Take the lease if it is free, expired or already ours (then it is renewed); true when we hold it now. */
export async function takeLease(db: Db, name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
  const at = now.toISOString();
  const until = new Date(now.getTime() + ttlMs).toISOString();
  const r = await sql<{ holder: string }>`
    insert into lease (name, holder, expires_at, taken_at) values (${name}, ${holder}, ${until}, ${at})
    on conflict (name) do update set
      holder = excluded.holder,
      expires_at = excluded.expires_at,
      taken_at = case when lease.holder = excluded.holder then lease.taken_at else excluded.taken_at end
    where lease.holder = excluded.holder or lease.holder is null or lease.expires_at <= ${at}
    returning holder`.execute(db);
  return r.rows.length === 1;
}

/** Extend our lease; false when it is no longer ours (it expired and another instance took it). */
export async function renewLease(db: Db, name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
  const r = await db
    .updateTable('lease')
    .set({ expiresAt: new Date(now.getTime() + ttlMs).toISOString() })
    .where('name', '=', name)
    .where('holder', '=', holder)
    .where('expiresAt', '>', now.toISOString())
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Give the lease up (only if still ours); `ranAt` also records a finished run. */
export async function releaseLease(db: Db, name: string, holder: string, opts: { ranAt?: Date } = {}): Promise<void> {
  await db
    .updateTable('lease')
    .set({ holder: null, expiresAt: '', ...(opts.ranAt ? { lastRunAt: opts.ranAt.toISOString() } : {}) })
    .where('name', '=', name)
    .where('holder', '=', holder)
    .execute();
}

/** When the job last ran to its end (on any instance); null: never. */
export async function lastRunOf(db: Db, name: string): Promise<string | null> {
  const r = await db.selectFrom('lease').select('lastRunAt').where('name', '=', name).executeTakeFirst();
  return r?.lastRunAt ?? null;
}

/** Every lease row, for the admin page. */
export function listLeases(db: Db) {
  return db.selectFrom('lease').selectAll().orderBy('name').execute();
}
