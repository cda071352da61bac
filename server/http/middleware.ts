import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../errors.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from './context.js';

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

/**
 * The client's address: the socket's, or, behind our own proxy, the last X-Forwarded-For entry: the one
 * the proxy appended. Earlier entries are whatever the client wrote; trusting the first one would let any
 * client reset its own sign-in counters with every request.
 */
export function clientIp(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let ip = 'unknown';
    if (deps.config.trustProxy) ip = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim() || ip;
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
          throw new AppError(413, 'payload_too_large', { maxBytes: max });
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
