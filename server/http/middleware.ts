import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { resolveActor, SESSION_COOKIE } from '../auth/service.js';
import { AppError, ForbiddenError } from '../errors.js';
import type { AppDeps, AppEnv } from './context.js';

/** One line per request: method, path, status, milliseconds. */
export function requestLog(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    if (deps.config.logRequests) {
      deps.log(`${c.req.method} ${c.req.path} ${c.res.status} ${(performance.now() - start).toFixed(1)}ms`);
    }
  };
}

/** The client's address: the socket's, or X-Forwarded-For's first hop behind our own proxy. */
export function clientIp(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let ip = 'unknown';
    if (deps.config.trustProxy) ip = c.req.header('x-forwarded-for')?.split(',')[0]?.trim() || ip;
    if (ip === 'unknown') {
      try {
        ip = getConnInfo(c).remote.address ?? 'unknown';
      } catch {
        // in-process requests (tests) have no socket
      }
    }
    c.set('ip', ip);
    await next();
  };
}

/** Largest body per kind of route: bulk sync and spreadsheet imports are big, everything else is small. */
export function sizeLimits(): MiddlewareHandler<AppEnv> {
  const limits: [RegExp, number][] = [
    [/\/sync$/, 16 * 1024 * 1024],
    [/\/imports?(\/|$)/, 20 * 1024 * 1024],
    [/\/photos?(\/|$)/, 2 * 1024 * 1024],
  ];
  const makers = new Map<number, MiddlewareHandler>();
  const limiter = (max: number) => {
    let m = makers.get(max);
    if (!m) {
      m = bodyLimit({
        maxSize: max,
        onError: () => {
          throw new AppError(413, 'payload_too_large', `The request body is larger than ${Math.round(max / 1024 / 1024)} MB.`);
        },
      });
      makers.set(max, m);
    }
    return m;
  };
  return (c, next) => {
    const max = limits.find(([re]) => re.test(c.req.path))?.[1] ?? 1024 * 1024;
    return limiter(max)(c, next);
  };
}

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
      const sameSite = origin === new URL(c.req.url).origin || c.req.header('sec-fetch-site') === 'same-origin';
      // A cookie-carried write must prove it came from our page; a sign-in (no cookie yet) is refused only
      // when a browser says it came from another site.
      const foreign = cookie !== undefined ? !sameSite : origin !== undefined && !sameSite;
      if (foreign) {
        throw new ForbiddenError('This request did not come from a Gatepost page (cross-site request refused).', 'csrf_rejected');
      }
    }
    await next();
  };
}
