import { Hono } from 'hono';
import { z } from 'zod';
import { ownOrigin } from '../auth/middleware.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, json, param } from '../http/validate.js';
import * as phone from './service.js';

const token = z.string().regex(/^[A-Za-z0-9_-]{24}$/);
const itemParam = z.object({ cid: id, id });

/** The resident's phone (no account: an activation token, then requests signed with the phone's key). */
export function phoneRoutes(deps: AppDeps) {
  const tags = ['phone'];
  return new Hono<AppEnv>()
    .post('/activation', describe('What an activation link is for: compound, building, masked name (public)', { tags }), json(z.object({ token })), async (c) =>
      c.json(await phone.activationInfo(deps, c.req.valid('json').token)),
    )
    .post('/activate', describe("Bind this phone's public key to the pass (public; the link is used up)", { tags }), json(z.object({ token, publicKey: z.string().max(64) })), async (c) => {
      const b = c.req.valid('json');
      return c.json(await phone.activatePhone(deps, b.token, b.publicKey, c.get('ip')), 201);
    })
    .post(
      '/me',
      describe("The resident page: a request signed with the phone's key (public)", { tags }),
      json(z.object({ passId: id, at: z.number().int().positive(), signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/) })),
      async (c) => c.json(await phone.residentPage(deps, c.req.valid('json'))),
    );
}

/** The office side: a pass's activation link, its phone, unbinding it. */
export function passPhoneRoutes(deps: AppDeps) {
  const tags = ['passes'];
  return new Hono<AppEnv>()
    .get('/passes/:id/phone', describe("A pass's phone: bound since when, or none", { tags }), param(itemParam), async (c) => {
      const { cid, id: passId } = c.req.valid('param');
      return c.json(await phone.passPhone(deps, cid, passId));
    })
    .post('/passes/:id/activation', describe('A new single-use phone activation link for a pass (expires in 7 days)', { tags }), param(itemParam), async (c) => {
      const { cid, id: passId } = c.req.valid('param');
      const origin = ownOrigin(deps, c.req.url, c.req.header('x-forwarded-proto'));
      return c.json(await phone.makeActivationLink(deps, c.get('actor'), cid, passId, origin, c.get('ip')), 201);
    })
    .post('/passes/:id/unbind', describe("End a pass's phone binding (a lost phone)", { tags }), param(itemParam), json(z.object({ reason: z.string().trim().min(1).max(200) })), async (c) => {
      const { cid, id: passId } = c.req.valid('param');
      return c.json(await phone.unbindPhone(deps, c.get('actor'), cid, passId, c.req.valid('json').reason, c.get('ip')));
    });
}
