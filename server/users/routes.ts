import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { officeUser, readableCompounds } from '../auth/access.js';
import { passwordSchema, phoneSchema, pinSchema, usernameSchema } from '../auth/routes.js';
import { ROLES, type Actor } from '../auth/actor.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, idParam, json, param } from '../http/validate.js';
import * as q from './queries.js';
import * as users from './service.js';

const userBody = z.object({
  role: z.enum(ROLES),
  displayName: z.string().trim().min(1).max(60),
  username: usernameSchema.optional(),
  password: passwordSchema.optional(),
  phone: phoneSchema.optional(),
  pin: pinSchema.optional(),
  compoundIds: z.array(id).max(50).default([]),
});

const userPatch = userBody
  .omit({ compoundIds: true })
  .partial()
  .extend({ compoundIds: z.array(id).max(50).optional(), disabled: z.boolean().optional() });

export function userRoutes(deps: AppDeps) {
  const tags = ['users'];
  // The service needs the whole actor (for the audit row), not only the user officeUser returns.
  const office = (c: Context<AppEnv>) => {
    officeUser(c, ['admin', 'manager']);
    return c.get('actor') as Actor & { kind: 'office' };
  };

  return new Hono<AppEnv>()
    .get('/', describe('Users you can see (admins and supervisors: all; managers: their compounds)', { tags }), async (c) => {
      const me = officeUser(c, ['admin', 'supervisor', 'manager']);
      const list = await q.listUsers(deps.database.db, { compounds: readableCompounds(me) });
      const withLocks = await Promise.all(list.map(async (u) => ({ ...u, locked: await users.isLocked(deps, u) })));
      return c.json({ users: withLocks });
    })
    .post('/', describe('Create a user', { tags }), json(userBody), async (c) => {
      const newId = await users.createUser(deps, office(c), c.req.valid('json'), c.get('ip'));
      const [created] = await q.listUsers(deps.database.db, { id: newId });
      return c.json({ user: created }, 201);
    })
    .patch('/:id', describe('Change a user (name, phone, PIN, password, compounds, role, disabled)', { tags }), param(idParam), json(userPatch), async (c) => {
      const { id: userId } = c.req.valid('param');
      await users.updateUser(deps, office(c), userId, c.req.valid('json'), c.get('ip'));
      const [updated] = await q.listUsers(deps.database.db, { id: userId });
      return c.json({ user: updated });
    })
    .post('/:id/unlock', describe('Clear failed sign-ins that lock an account', { tags }), param(idParam), async (c) => {
      await users.unlockUser(deps, office(c), c.req.valid('param').id, c.get('ip'));
      return c.json({ ok: true });
    });
}

const volunteerBody = z.object({ displayName: z.string().trim().min(1).max(60), phone: phoneSchema, pin: pinSchema });

/**
 * A compound's volunteers, where a manager works: listed and added from the compound itself. The scope
 * check (manage compound :cid) runs before these, for every route under /compounds/:cid; the users
 * service checks again that a manager adds volunteers to their own compounds only.
 */
export function volunteerRoutes(deps: AppDeps) {
  const tags = ['users'];
  return new Hono<AppEnv>()
    .get('/', describe("The compound's volunteers", { tags }), param(z.object({ cid: id })), async (c) => {
      const { cid } = c.req.valid('param');
      const list = await q.listUsers(deps.database.db, { compounds: [cid] });
      const volunteers = list.filter((u) => u.role === 'volunteer');
      return c.json({ volunteers: await Promise.all(volunteers.map(async (u) => ({ ...u, locked: await users.isLocked(deps, u) }))) });
    })
    .post('/', describe('Add a volunteer to the compound (phone and 6-digit PIN, for its tablets)', { tags }), param(z.object({ cid: id })), json(volunteerBody), async (c) => {
      officeUser(c, ['admin', 'manager']);
      const { cid } = c.req.valid('param');
      const newId = await users.createUser(deps, c.get('actor') as Actor & { kind: 'office' }, { ...c.req.valid('json'), role: 'volunteer', compoundIds: [cid] }, c.get('ip'));
      const [created] = await q.listUsers(deps.database.db, { id: newId });
      return c.json({ volunteer: created }, 201);
    });
}
