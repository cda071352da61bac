import type { Role } from '../auth/actor.js';
import type { UserUpdate } from '../db/schema.js';
import type { Db } from '../db/database.js';

export async function listUsers(db: Db, filter: { compounds?: number[] | undefined; id?: number } = {}) {
  const onlyCompounds = filter.compounds;
  let q = db
    .selectFrom('user')
    .select(['id', 'username', 'phone', 'displayName', 'role', 'disabledAt', 'lastLoginAt', 'createdAt', 'passwordHash', 'pinHash'])
    .orderBy('role')
    .orderBy('displayName');
  if (onlyCompounds) {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('userCompound')
          .select('userCompound.userId')
          .whereRef('userCompound.userId', '=', 'user.id')
          .where('userCompound.compoundId', 'in', onlyCompounds.length ? onlyCompounds : [-1]),
      ),
    );
  }
  if (filter.id !== undefined) q = q.where('id', '=', filter.id);
  const users = await q.execute();
  let lq = db.selectFrom('userCompound').select(['userId', 'compoundId']);
  if (filter.id !== undefined) lq = lq.where('userId', '=', filter.id);
  const links = await lq.execute();
  const byUser = new Map<number, number[]>();
  for (const l of links) byUser.set(l.userId, [...(byUser.get(l.userId) ?? []), l.compoundId]);
  return users.map(({ passwordHash, pinHash, ...u }) => ({
    ...u,
    // The column holds one of ROLES (users are only written through the validated routes).
    role: u.role as Role,
    hasPassword: passwordHash !== null,
    hasPin: pinHash !== null,
    compoundIds: byUser.get(u.id) ?? [],
  }));
}

export async function getUser(db: Db, id: number) {
  const u = await db.selectFrom('user').selectAll().where('id', '=', id).executeTakeFirst();
  if (!u) return undefined;
  const links = await db.selectFrom('userCompound').select('compoundId').where('userId', '=', id).execute();
  return { ...u, compoundIds: links.map((l) => l.compoundId) };
}

export async function updateUserRow(db: Db, id: number, set: UserUpdate): Promise<void> {
  await db.updateTable('user').set(set).where('id', '=', id).execute();
}

export async function setUserCompounds(db: Db, userId: number, compoundIds: number[]) {
  await db.deleteFrom('userCompound').where('userId', '=', userId).execute();
  if (compoundIds.length) {
    await db
      .insertInto('userCompound')
      .values(compoundIds.map((compoundId) => ({ userId, compoundId })))
      .execute();
  }
}

export async function existingCompoundIds(db: Db, ids: number[]): Promise<number[]> {
  if (!ids.length) return [];
  const rows = await db.selectFrom('compound').select('id').where('id', 'in', ids).execute();
  return rows.map((r) => r.id);
}
