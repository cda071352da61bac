import { recordAudit } from '../audit/queries.js';
import { deleteUserSessions, insertUser, clearFailures, countFailures } from '../auth/queries.js';
import { hashSecret } from '../auth/secrets.js';
import { MAX_FAILURES_PER_HOUR, accountKey } from '../auth/service.js';
import { constraintKind } from '../db/errors.js';
import type { UserUpdate } from '../db/schema.js';
import { AppError, ValidationError, ForbiddenError, NotFoundError, fieldIssue } from '../errors.js';
import type { Actor, AuthUser, Role } from '../auth/actor.js';
import type { AppDeps } from '../deps.js';
import * as q from './queries.js';

export interface UserInput {
  role: Role;
  displayName: string;
  username?: string | undefined;
  password?: string | undefined;
  phone?: string | undefined;
  pin?: string | undefined;
  compoundIds: number[];
}

export type UserPatch = Partial<Omit<UserInput, 'role'>> & { role?: Role; disabled?: boolean };

/** What each role needs: office roles sign in with a password, volunteers with phone + PIN on a tablet. */
function checkShape(u: { role: Role; username: string | null; hasPassword: boolean; phone: string | null; hasPin: boolean; compoundIds: number[] }) {
  const office = u.role !== 'volunteer';
  if (office && (!u.username || !u.hasPassword)) {
    throw new ValidationError([fieldIssue('username', 'office_sign_in', { role: u.role })]);
  }
  if (!office && (!u.phone || !u.hasPin)) {
    throw new ValidationError([fieldIssue('phone', 'tablet_sign_in')]);
  }
  if (u.role === 'volunteer' && u.compoundIds.length !== 1) {
    throw new ValidationError([fieldIssue('compoundIds', 'exactly_one_compound')]);
  }
  if (u.role === 'manager' && u.compoundIds.length < 1) {
    throw new ValidationError([fieldIssue('compoundIds', 'at_least_one_compound')]);
  }
  if ((u.role === 'admin' || u.role === 'supervisor') && u.compoundIds.length) {
    throw new ValidationError([fieldIssue('compoundIds', 'no_compounds', { role: u.role })]);
  }
}

/** Admins manage everyone; a manager manages volunteers of their own compounds only. */
function assertMayManage(actor: AuthUser, target: { role: Role; compoundIds: number[] }) {
  if (actor.role === 'admin') return;
  if (actor.role === 'manager' && target.role === 'volunteer' && target.compoundIds.every((c) => actor.compoundIds.includes(c))) return;
  throw new ForbiddenError('own_volunteers_only');
}

async function assertCompoundsExist(deps: AppDeps, ids: number[]) {
  const found = await q.existingCompoundIds(deps.database.db, ids);
  const missing = ids.filter((i) => !found.includes(i));
  if (missing.length) throw new ValidationError([fieldIssue('compoundIds', 'unknown_compounds', { ids: missing.map(String) })]);
}

function taken(err: unknown): never {
  if (constraintKind(err) === 'unique') throw new AppError(409, 'account_taken');
  throw err;
}

export async function createUser(deps: AppDeps, actor: Actor & { kind: 'office' }, input: UserInput, ip: string) {
  const compoundIds = [...new Set(input.compoundIds)];
  const shape = {
    role: input.role,
    username: input.username ?? null,
    hasPassword: !!input.password,
    phone: input.phone ?? null,
    hasPin: !!input.pin,
    compoundIds,
  };
  checkShape(shape);
  assertMayManage(actor.user, shape);
  await assertCompoundsExist(deps, compoundIds);
  const passwordHash = input.password ? await hashSecret(input.password, deps.passwordCost) : null;
  const pinHash = input.pin ? await hashSecret(input.pin, deps.passwordCost) : null;
  const at = deps.now().toISOString();
  const id = await deps.database.db
    .transaction()
    .execute(async (tx) => {
      const newId = await insertUser(tx, { username: shape.username, phone: shape.phone, displayName: input.displayName, role: input.role, passwordHash, pinHash, at });
      await q.setUserCompounds(tx, newId, compoundIds);
      await recordAudit(tx, { actor, action: 'user.create', entity: 'user', entityId: newId, details: { role: input.role, displayName: input.displayName, username: shape.username, phone: shape.phone, compoundIds }, at, ip });
      return newId;
    })
    .catch(taken);
  return id;
}

export async function updateUser(deps: AppDeps, actor: Actor & { kind: 'office' }, id: number, patch: UserPatch, ip: string) {
  const db = deps.database.db;
  const current = await q.getUser(db, id);
  if (!current) throw new NotFoundError('user');
  assertMayManage(actor.user, { role: current.role as Role, compoundIds: current.compoundIds });
  if (patch.role && patch.role !== current.role && actor.user.role !== 'admin') throw new ForbiddenError('admin_changes_roles');
  if (id === actor.user.id && (patch.disabled || (patch.role && patch.role !== current.role))) {
    throw new ForbiddenError('not_yourself');
  }
  const next = {
    role: (patch.role ?? current.role) as Role,
    username: patch.username !== undefined ? patch.username : current.username,
    hasPassword: !!patch.password || current.passwordHash !== null,
    phone: patch.phone !== undefined ? patch.phone : current.phone,
    hasPin: !!patch.pin || current.pinHash !== null,
    compoundIds: patch.compoundIds ? [...new Set(patch.compoundIds)] : current.compoundIds,
  };
  checkShape(next);
  assertMayManage(actor.user, next);
  await assertCompoundsExist(deps, next.compoundIds);
  const at = deps.now().toISOString();
  const set: UserUpdate = { updatedAt: at, role: next.role, username: next.username, phone: next.phone };
  if (patch.displayName) set.displayName = patch.displayName;
  if (patch.password) set.passwordHash = await hashSecret(patch.password, deps.passwordCost);
  if (patch.pin) set.pinHash = await hashSecret(patch.pin, deps.passwordCost);
  if (patch.disabled !== undefined) set.disabledAt = patch.disabled ? (current.disabledAt ?? at) : null;
  const endSessions = !!patch.password || !!patch.pin || patch.disabled === true || next.role !== current.role;
  await db
    .transaction()
    .execute(async (tx) => {
      await q.updateUserRow(tx, id, set);
      if (patch.compoundIds) await q.setUserCompounds(tx, id, next.compoundIds);
      if (endSessions) await deleteUserSessions(tx, id);
      const { password, pin, ...shown } = patch;
      await recordAudit(tx, {
        actor,
        action: 'user.update',
        entity: 'user',
        entityId: id,
        details: { ...shown, ...(password ? { password: 'changed' } : {}), ...(pin ? { pin: 'changed' } : {}) },
        at,
        ip,
      });
    })
    .catch(taken);
}

function keysOf(u: { username: string | null; phone: string | null }): string[] {
  return [u.username, u.phone].filter((v): v is string => !!v).map(accountKey);
}

export async function isLocked(deps: AppDeps, u: { username: string | null; phone: string | null }): Promise<boolean> {
  const since = new Date(deps.now().getTime() - 3_600_000).toISOString();
  for (const key of keysOf(u)) {
    if ((await countFailures(deps.database.db, key, since)) >= MAX_FAILURES_PER_HOUR) return true;
  }
  return false;
}

/** Clear the failed sign-ins that lock an account. */
export async function unlockUser(deps: AppDeps, actor: Actor & { kind: 'office' }, id: number, ip: string) {
  const db = deps.database.db;
  const current = await q.getUser(db, id);
  if (!current) throw new NotFoundError('user');
  assertMayManage(actor.user, { role: current.role as Role, compoundIds: current.compoundIds });
  await db.transaction().execute(async (tx) => {
    for (const key of keysOf(current)) await clearFailures(tx, key);
    await recordAudit(tx, { actor, action: 'user.unlock', entity: 'user', entityId: id, at: deps.now().toISOString(), ip });
  });
}
