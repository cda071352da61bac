import type { Context, MiddlewareHandler } from 'hono';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { Actor, AuthDevice, AuthUser, Role } from './actor.js';
import type { AppEnv } from '../http/context.js';
import { parseId } from '../http/validate.js';

/**
 * The access rules, in one place.
 * - admin: everything. supervisor: read everything (and export), change nothing.
 * - manager: read and change their own compounds. volunteer: only through an enrolled tablet.
 */
export function canRead(user: AuthUser, compoundId: number): boolean {
  if (user.role === 'admin' || user.role === 'supervisor') return true;
  return user.compoundIds.includes(compoundId);
}

export function canManage(user: AuthUser, compoundId: number): boolean {
  if (user.role === 'admin') return true;
  return user.role === 'manager' && user.compoundIds.includes(compoundId);
}

function actorOf(c: Context<AppEnv>): Actor {
  const actor = c.get('actor');
  if (!actor) throw new UnauthorizedError();
  return actor;
}

/** The signed-in office user (cookie session), optionally restricted to some roles. */
export function officeUser(c: Context<AppEnv>, roles?: readonly Role[]): AuthUser {
  const actor = actorOf(c);
  if (actor.kind !== 'office') throw new ForbiddenError('office_only');
  if (roles && !roles.includes(actor.user.role)) throw new ForbiddenError();
  return actor.user;
}

/** The enrolled tablet making the call (with or without a volunteer signed in on it). */
export function deviceOf(c: Context<AppEnv>): AuthDevice {
  const actor = actorOf(c);
  if (actor.kind === 'office') throw new ForbiddenError('tablet_only');
  return actor.device;
}

/** The volunteer signed in on a tablet. */
export function volunteerOf(c: Context<AppEnv>): { user: AuthUser; device: AuthDevice } {
  const actor = actorOf(c);
  if (actor.kind !== 'volunteer') throw new UnauthorizedError({ on: 'tablet' });
  return actor;
}

export function assertRead(user: AuthUser, compoundId: number): void {
  if (!canRead(user, compoundId)) throw new ForbiddenError('out_of_scope');
}

export function assertManage(user: AuthUser, compoundId: number): void {
  if (!canManage(user, compoundId)) {
    throw new ForbiddenError(user.role === 'supervisor' ? 'read_only' : 'out_of_scope');
  }
}

/**
 * For routes under /:cid: office users only; GET needs read access to compound :cid, anything else needs
 * manage access. Every compound-scoped route gets its check here, so none can forget it.
 */
export const compoundScope: MiddlewareHandler<AppEnv> = async (c, next) => {
  const user = officeUser(c);
  const cid = parseId(c.req.param('cid'));
  if (cid === null) throw new ForbiddenError('unknown_compound');
  if (c.req.method === 'GET' || c.req.method === 'HEAD') assertRead(user, cid);
  else assertManage(user, cid);
  await next();
};

/** Compounds whose data this user may read: undefined means all. */
export function readableCompounds(user: AuthUser): number[] | undefined {
  return user.role === 'admin' || user.role === 'supervisor' ? undefined : user.compoundIds;
}
