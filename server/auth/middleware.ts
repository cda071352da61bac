import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/context.js';
import { resolveActor, SESSION_COOKIE } from './service.js';

/** Who is calling: a cookie session, a tablet's bearer token, or nobody. */
export function authenticate(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const bearer = header?.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : undefined;
    const cookie = getCookie(c, SESSION_COOKIE);
    c.set('actor', await resolveActor(deps, { cookie, bearer }));
    // Cookie-carried writes must come from our own pages: browsers send Origin on every POST/PATCH/DELETE,
    // and a forged cross-site form cannot fake it. Bearer-token requests cannot be forged this way.
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method);
    if (unsafe && !bearer) {
      const origin = c.req.header('origin');
      const sameSite = origin === ownOrigin(deps, c.req.url, c.req.header('x-forwarded-proto')) || c.req.header('sec-fetch-site') === 'same-origin';
      // A cookie-carried write must prove it came from our page; a sign-in (no cookie yet) is refused only
      // when a browser says it came from another site.
      const foreign = cookie !== undefined ? !sameSite : origin !== undefined && !sameSite;
      if (foreign) {
        throw new AppError(403, 'csrf_rejected');
      }
    }
    await next();
  };
}

/**
 * Our origin as the browser sees it. Behind our own TLS proxy (TRUST_PROXY) the request reaches us over
 * plain HTTP, so the page's https:// origin is told by the proxy's X-Forwarded-Proto (its last entry, the
 * one our proxy set); without it a browser that sends Origin but no Sec-Fetch-Site could not sign in.
 */
export function ownOrigin(deps: AppDeps, url: string, forwardedProto: string | undefined): string {
  const own = new URL(url);
  const proto = deps.config.trustProxy ? forwardedProto?.split(',').at(-1)?.trim().toLowerCase() : undefined;
  if (proto === 'https' || proto === 'http') own.protocol = `${proto}:`;
  return own.origin;
}
