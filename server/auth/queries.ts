import type { Db, Role } from '../http/context.js';
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

export async function recordFailures(db: Db, keys: string[], at: string): Promise<void> {
  if (keys.length) await db.insertInto('loginFailure').values(keys.map((key) => ({ key, at }))).execute();
}

export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.deleteFrom('loginFailure').where('key', '=', key).execute();
}

/** Old failures no longer count towards any limit. */
export async function pruneFailures(db: Db, before: string): Promise<void> {
  await db.deleteFrom('loginFailure').where('at', '<', before).execute();
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

export function findDeviceByTokenHash(db: Db, tokenHash: string) {
  return db
    .selectFrom('device')
    .select(['id', 'compoundId', 'name', 'revokedAt', 'lastSeenAt'])
    .where('tokenHash', '=', tokenHash)
    .executeTakeFirst();
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
