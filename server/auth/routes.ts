import { issue } from '../core/messages.js';
import { PHONE_PATTERN } from '../core/mask.js';
import { type Context, Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import type { AuthUser } from './actor.js';
import { describe, json } from '../http/validate.js';
import { deviceOf, officeUser } from './access.js';
import { ownOrigin } from './middleware.js';
import * as auth from './service.js';

export const usernameSchema = z
  .string()
  .trim()
  .min(3)
  .max(40)
  .regex(/^[\p{L}\p{N}_.@-]+$/u, 'letters, digits and _ . @ - only');
export const passwordSchema = z.string().min(10).max(200);
export const phoneSchema = z
  .string()
  .trim()
  .regex(PHONE_PATTERN, issue('phone_format'));
export const pinSchema = z.string().regex(/^\d{6}$/, issue('pin_format'));

function me(user: AuthUser) {
  return {
    id: user.id,
    role: user.role,
    displayName: user.displayName,
    username: user.username,
    compoundIds: user.compoundIds,
  };
}

export function authRoutes(deps: AppDeps) {
  // Secure whenever the page is https: SECURE_COOKIES (behind a proxy, which also sends HSTS), or a
  // request that came over HTTPS itself (HTTPS=auto, whose plain-HTTP side only serves public pages).
  const cookie = (c: Context<AppEnv>) => ({
    httpOnly: true,
    sameSite: 'Strict' as const,
    secure: deps.config.secureCookies || ownOrigin(deps, c.req.url, c.req.header('x-forwarded-proto')).startsWith('https:'),
    path: '/',
    maxAge: 7 * 24 * 3600,
  });

  return new Hono<AppEnv>()
    .get('/setup', describe('Is first-run setup needed?', { tags: ['auth'] }), async (c) =>
      c.json({ needed: await auth.isSetupNeeded(deps) }),
    )
    .post(
      '/setup',
      describe('First run: create the administrator (refused once any user exists)', { tags: ['auth'] }),
      json(z.object({ username: usernameSchema, displayName: z.string().trim().min(1).max(60), password: passwordSchema })),
      async (c) => {
        const r = await auth.setupAdmin(deps, c.req.valid('json'), c.get('ip'));
        setCookie(c, auth.SESSION_COOKIE, r.token, cookie(c));
        return c.json({ user: me(r.user) }, 201);
      },
    )
    .post(
      '/auth/login',
      describe('Office sign-in (sets an HttpOnly session cookie)', { tags: ['auth'] }),
      json(z.object({ username: z.string().trim().min(1).max(100), password: z.string().min(1).max(200) })),
      async (c) => {
        const r = await auth.loginOffice(deps, c.req.valid('json'), c.get('ip'));
        setCookie(c, auth.SESSION_COOKIE, r.token, cookie(c));
        return c.json({ user: me(r.user) });
      },
    )
    .post('/auth/logout', describe('Sign out', { tags: ['auth'] }), async (c) => {
      const actor = c.get('actor');
      if (actor) await auth.logout(deps, actor, c.get('ip'));
      deleteCookie(c, auth.SESSION_COOKIE, { path: '/' });
      return c.json({ ok: true });
    })
    .get('/auth/me', describe('Who am I?', { tags: ['auth'] }), (c) => c.json({ user: me(officeUser(c)) }))
    .post(
      '/device/enroll',
      describe('A tablet trades a one-time enrollment code for its device credential', { tags: ['devices'] }),
      json(z.object({ code: z.string().trim().min(4).max(20) })),
      async (c) => c.json(await auth.enrollDevice(deps, c.req.valid('json').code, c.get('ip')), 201),
    )
    .post(
      '/device/login',
      describe('Volunteer PIN sign-in on an enrolled tablet (returns a bearer session token)', {
        tags: ['devices'],
        auth: 'device',
      }),
      json(z.object({ phone: phoneSchema, pin: pinSchema })),
      async (c) => {
        const device = deviceOf(c);
        const r = await auth.loginWithPin(deps, device, c.req.valid('json'), c.get('ip'));
        return c.json({ token: r.token, expiresAt: r.expiresAt, user: me(r.user), device });
      },
    );
}
