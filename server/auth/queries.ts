import { createHash } from 'node:crypto';
import { PostgresAdapter, sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Role } from './actor.js';
import type { User } from '../db/schema.js';

export async function countUsers(db: Db): Promise<number> {
  const r = await db.selectFrom('user').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

export function findUserByUsername(db: Db, username: string): Promise<User | undefined> {
  return db.selectFrom('user').selectAll().where('username', '=', username).executeTakeFirst();
}

export function findUserByPhone(db: Db, phone: string): Promise<User | undefined> {
  return db.selectFrom('user').selectAll().where('phone', '=', phone).executeTakeFirst();
}

export async function userCompoundIds(db: Db, userId: number): Promise<number[]> {
  const rows = await db.selectFrom('userCompound').select('compoundId').where('userId', '=', userId).execute();
  return rows.map((r) => r.compoundId);
}

/** Failed attempts under `key` since `since` (ISO). */
export async function countFailures(db: Db, key: string, since: string): Promise<number> {
  const r = await db
    .selectFrom('loginFailure')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('key', '=', key)
    .where('at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// Advisory locks in their two-int form live apart from the one-bigint form (Kysely's migration lock);
// this first int keeps ours apart from any other two-int user too.
const FAILURE_LOCK_SPACE = 0x67706c66; // 'gplf'

/**
 * Inside a transaction, before counting: take a lock per key, held until the transaction ends, so no other
 * attempt under the same key counts or inserts in between. On PostgreSQL several servers share the table
 * and READ COMMITTED would let two of them both count 99 and both insert; the advisory lock makes
 * count-then-insert a critical section.
 * Locks are taken in one global order (their ids sorted) so two attempts sharing keys cannot deadlock; a
 * hash collision only makes two keys wait for each other. SQLite needs nothing: the app has one writer
 * connection and Kysely holds it for the whole transaction (another process writing in between would make
 * our insert fail with SQLITE_BUSY, never count twice).
 */
export async function lockFailureKeys(db: Db, keys: string[]): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  const ids = [...new Set(keys.map((key) => createHash('sha256').update(key).digest().readInt32BE(0)))].sort((a, b) => a - b);
  for (const id of ids) await sql`select pg_advisory_xact_lock(${sql.lit(FAILURE_LOCK_SPACE)}, ${sql.lit(id)})`.execute(db);
}

/** One failed attempt under each key; returns the rows' ids. */
export async function insertFailures(db: Db, keys: string[], at: string): Promise<number[]> {
  if (!keys.length) return [];
  const rows = await db.insertInto('loginFailure').values(keys.map((key) => ({ key, at }))).returning('id').execute();
  return rows.map((r) => r.id);
}

export async function deleteFailures(db: Db, ids: number[]): Promise<void> {
  if (ids.length) await db.deleteFrom('loginFailure').where('id', 'in', ids).execute();
}

export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.deleteFrom('loginFailure').where('key', '=', key).execute();
}

/**
 * Delete failures from before `before`, looking at no more than the `limit` oldest rows (by id, which is
 * insertion order): the cost stays bounded however large the table is, and there is no index on `at` alone
 * to make a full delete cheap. Rows are written in time order, so the oldest ids go first; a younger row
 * among them only waits its turn. On PostgreSQL rows another server is already deleting are skipped, not
 * waited for, so two prunes never block or deadlock each other.
 */
export async function pruneFailures(db: Db, before: string, limit: number): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const oldest = db
    .selectFrom('loginFailure')
    .select(['id', 'at'])
    .orderBy('id')
    .limit(limit)
    .$if(pg, (qb) => qb.forUpdate().skipLocked());
  await db
    .deleteFrom('loginFailure')
    .where('id', 'in', db.selectFrom(oldest.as('oldest')).select('oldest.id').where('oldest.at', '<', before))
    .execute();
}

export async function insertSession(
  db: Db,
  s: { id: string; userId: number; deviceId: number | null; at: string; idleMinutes: number; expiresAt: string },
): Promise<void> {
  await db
    .insertInto('session')
    .values({
      id: s.id,
      userId: s.userId,
      deviceId: s.deviceId,
      createdAt: s.at,
      lastSeenAt: s.at,
      idleMinutes: s.idleMinutes,
      expiresAt: s.expiresAt,
    })
    .execute();
}

export function findSessionWithUser(db: Db, id: string) {
  return db
    .selectFrom('session')
    .innerJoin('user', 'user.id', 'session.userId')
    .select([
      'session.id as sessionId',
      'session.deviceId',
      'session.lastSeenAt',
      'session.idleMinutes',
      'session.expiresAt',
      'user.id as userId',
      'user.role',
      'user.displayName',
      'user.username',
      'user.phone',
      'user.disabledAt',
    ])
    .where('session.id', '=', id)
    .executeTakeFirst();
}

export async function touchSession(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('session').set({ lastSeenAt: at }).where('id', '=', id).execute();
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('session').where('id', '=', id).execute();
}

export async function deleteUserSessions(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('session').where('userId', '=', userId).execute();
}

export async function deleteDeviceSessions(db: Db, deviceId: number): Promise<void> {
  await db.deleteFrom('session').where('deviceId', '=', deviceId).execute();
}

export function findDeviceByTokenHash(db: Db, tokenHash: string) {
  return db
    .selectFrom('device')
    .select(['id', 'compoundId', 'name', 'revokedAt', 'lastSeenAt'])
    .where('tokenHash', '=', tokenHash)
    .executeTakeFirst();
}

export async function markLoggedIn(db: Db, userId: number, at: string): Promise<void> {
  await db.updateTable('user').set({ lastLoginAt: at }).where('id', '=', userId).execute();
}

export function findDeviceById(db: Db, id: number) {
  return db.selectFrom('device').select(['id', 'compoundId', 'name', 'revokedAt']).where('id', '=', id).executeTakeFirst();
}

export async function touchDevice(db: Db, id: number, at: string): Promise<void> {
  await db.updateTable('device').set({ lastSeenAt: at }).where('id', '=', id).execute();
}

/** The device an enrollment code was issued for, with what the tablet needs to know of its compound. */
export function findDeviceByEnrollmentHash(db: Db, codeHash: string) {
  return db
    .selectFrom('device')
    .innerJoin('compound', 'compound.id', 'device.compoundId')
    .select([
      'device.id',
      'device.name',
      'device.compoundId',
      'device.enrollmentExpiresAt',
      'device.revokedAt',
      'compound.name as compoundName',
      'compound.timezone',
    ])
    .where('device.enrollmentCodeHash', '=', codeHash)
    .executeTakeFirst();
}

/** The code is spent: only the credential's hash remains. */
export async function markDeviceEnrolled(db: Db, id: number, tokenHash: string, at: string): Promise<void> {
  await db
    .updateTable('device')
    .set({ tokenHash, enrolledAt: at, enrollmentCodeHash: null, enrollmentExpiresAt: null, lastSeenAt: at })
    .where('id', '=', id)
    .execute();
}

export async function insertUser(
  db: Db,
  u: {
    username: string | null;
    phone: string | null;
    displayName: string;
    role: Role;
    passwordHash: string | null;
    pinHash: string | null;
    at: string;
  },
): Promise<number> {
  const r = await db
    .insertInto('user')
    .values({
      username: u.username,
      phone: u.phone,
      displayName: u.displayName,
      role: u.role,
      passwordHash: u.passwordHash,
      pinHash: u.pinHash,
      createdAt: u.at,
      updatedAt: u.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}
