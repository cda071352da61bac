import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { ExtractSchema, MergeSchemaPath } from 'hono/types';
import { compress } from 'hono/compress';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { auditRoutes } from './audit/routes.js';
import { compoundScope } from './auth/access.js';
import { authRoutes } from './auth/routes.js';
import { compoundRoutes } from './compounds/routes.js';
import { LiveFeed, type LiveFeedLimits } from './dashboard/live.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { constraintKind } from './db/errors.js';
import { deviceRoutes } from './devices/routes.js';
import { disinfectionDeviceRoutes, disinfectionRoutes } from './disinfection/routes.js';
import { deviceGateRoutes } from './gate/device-routes.js';
import { gateRoutes } from './gate/routes.js';
import { lifecycleRoutes, retentionRoutes } from './lifecycle/routes.js';
import { passRoutes } from './passes/routes.js';
import { passPhoneRoutes, phoneRoutes } from './phone/routes.js';
import { policyRoutes } from './policy/routes.js';
import { reportRoutes } from './reports/routes.js';
import { residentRoutes } from './residents/routes.js';
import { testResultRoutes } from './test-results/routes.js';
import { roundRoutes } from './rounds/routes.js';
import { alertRoutes, districtAlertRoutes } from './alerts/routes.js';
import { englishText } from './core/messages.js';
import { AppError, errorBody } from './errors.js';
import { exportRoutes } from './exports/routes.js';
import type { AppDeps } from './deps.js';
import type { AppEnv } from './http/context.js';
import { clientIp, requestLog, sizeLimits } from './http/middleware.js';
import { describe } from './http/validate.js';
import { authenticate } from './auth/middleware.js';
import { buildOpenApi, docsInitScript, docsPage } from './http/openapi.js';
import { userRoutes, volunteerRoutes } from './users/routes.js';
import { caResponse, connectInfo, profileResponse } from './tls/connect.js';

const swaggerDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/**
 * The /api app, registered as one chain so that its type carries every route's input and response: the web
 * app's client (web/src/client.ts) is typed from it. `whole` is the app it is mounted in, which the OpenAPI
 * document is read off.
 */
/** What a test or a benchmark may set about the app beyond its dependencies. */
export interface AppOptions {
  liveFeed?: Partial<LiveFeedLimits>;
  stalledDownloadMs?: number;
}

function apiRoutes(deps: AppDeps, whole: Hono<AppEnv>, o: AppOptions) {
  const live = new LiveFeed(deps, o.liveFeed);
  return (
    new Hono<AppEnv>()
      .use(clientIp(deps))
      .use(sizeLimits())
      .use(compress())
      .use(authenticate(deps))
      // Every route under /api/compounds/:cid is checked against the caller's compound scope here, once.
      .use('/compounds/:cid', compoundScope)
      .use('/compounds/:cid/*', compoundScope)
      // Public: how a tablet reaches the gate over HTTPS (the office page 连接平板, the admin page).
      .get(
        '/connect',
        describe('How a tablet reaches the gate over HTTPS (HTTPS=auto): addresses, the CA to install, the certificate (public)', {
          tags: ['devices'],
        }),
        (c) => c.json(connectInfo(deps.https)),
      )
      .route('/', authRoutes(deps))
      .route('/compounds', compoundRoutes(deps))
      .route('/compounds/:cid/devices', deviceRoutes(deps))
      .route('/compounds/:cid/policy', policyRoutes(deps))
      .route('/compounds/:cid/retention', retentionRoutes(deps))
      .route('/compounds/:cid/volunteers', volunteerRoutes(deps))
      .route('/compounds/:cid', residentRoutes(deps))
      .route('/compounds/:cid', passRoutes(deps))
      .route('/compounds/:cid', passPhoneRoutes(deps))
      .route('/phone', phoneRoutes(deps))
      .route('/compounds/:cid', testResultRoutes(deps, (a) => live.publishAlerts(a)))
      .route('/compounds/:cid', roundRoutes(deps))
      .route('/compounds/:cid', alertRoutes(deps))
      .route('/compounds/:cid', gateRoutes(deps))
      .route('/compounds/:cid', disinfectionRoutes(deps))
      .route('/compounds/:cid', reportRoutes(deps))
      .route('/', dashboardRoutes(deps, live))
      .route('/device', deviceGateRoutes(deps, (accepted) => live.publish(accepted), (a) => live.publishAlerts(a)))
      .route('/alerts', districtAlertRoutes(deps))
      .route('/device', disinfectionDeviceRoutes(deps))
      .route('/users', userRoutes(deps))
      .route('/audit', auditRoutes(deps))
      .route('/lifecycle', lifecycleRoutes(deps))
      .route('/exports', exportRoutes(deps, { stalledDownloadMs: o.stalledDownloadMs }))
      .get('/openapi.json', (c) => c.json(buildOpenApi(whole, { version: deps.version })))
      .get('/docs', (c) => c.html(docsPage()))
      .get('/docs/assets/init.js', (c) => c.body(docsInitScript, 200, { 'content-type': 'text/javascript' }))
      .use('/docs/assets/*', serveStatic({ root: swaggerDir, rewriteRequestPath: (p) => p.replace(/^\/api\/docs\/assets/, '') }))
      .all('*', (c) => {
        throw new AppError(404, 'not_found', { what: 'route', method: c.req.method, path: c.req.path });
      })
  );
}

/**
 * The type of the HTTP API as the web app sees it: every route under /api with its inputs and its success
 * response (failures are the one error shape app.onError makes, so they are not part of any route's type).
 */
export type AppType = Hono<AppEnv, MergeSchemaPath<ExtractSchema<ReturnType<typeof apiRoutes>>, '/api'>, '/'>;

/** Build the whole HTTP app from its dependencies. Nothing here runs on import. */
export function createApp(deps: AppDeps, o: AppOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(requestLog(deps));
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
      },
      permissionsPolicy: { camera: ['self'], microphone: [], geolocation: [] },
      strictTransportSecurity: deps.config.secureCookies ? 'max-age=15552000' : false,
      // A response that sets a stricter header of its own keeps it (a photo: a sandbox policy).
      overwrite: false,
    }),
  );

  app.get('/healthz', async (c) => {
    await deps.database.db.selectFrom('compound').select('id').limit(1).execute();
    const https = deps.https;
    return c.json({
      ok: true,
      database: deps.database.kind,
      version: deps.version,
      https: https ? 'auto' : 'off',
      certificateExpiresAt: https ? https.state().notAfter.toISOString() : null,
    });
  });

  // The CA a tablet installs (also here on HTTPS: the office page 连接平板 links to them).
  const https = deps.https;
  if (https) {
    app.get('/ca.crt', () => caResponse(https));
    app.get('/ca.mobileconfig', () => profileResponse(https));
  }

  app.route('/api', apiRoutes(deps, app, o));

  // The built web app; any other path is a page of the single-page app.
  const dist = deps.webDist;
  if (dist && fs.existsSync(path.join(dist, 'index.html'))) {
    // The resident's phone page is its own entry (web/phone/index.html), under /phone/.
    app.get('/phone', (c) => c.redirect('/phone/', 301));
    app.get('/phone/', (c) => c.html(fs.readFileSync(path.join(dist, 'phone', 'index.html'), 'utf8'), 200, { 'cache-control': 'no-cache' }));
    app.use('/*', serveStatic({ root: dist }));
    const index = () => fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
    app.get('*', (c) => c.html(index(), 200, { 'cache-control': 'no-cache' }));
  }

  app.notFound((c) => c.json({ error: errorBody(new AppError(404, 'not_found', { what: 'route', method: c.req.method, path: c.req.path })) }, 404));

  // A body too large is answered before it has been read: the rest of it is still on its way, so the
  // connection cannot carry another request. Say so (Connection: close) rather than offer keep-alive
  // and then reset it under the client's next request.
  const closeIfTooLarge = (res: Response) => {
    if (res.status === 413) res.headers.set('connection', 'close');
    return res;
  };
  app.onError((err, c) => {
    if (err instanceof AppError) {
      return closeIfTooLarge(c.json({ error: errorBody(err) }, err.status));
    }
    if (err instanceof HTTPException) {
      const status = err.status >= 400 && err.status < 500 ? err.status : 400;
      // Hono's own refusals (a malformed body, say): ours in words, theirs kept as the English detail.
      const e = status === 413 ? new AppError(413, 'payload_too_large') : new AppError(400, 'bad_request');
      return closeIfTooLarge(c.json({ error: { ...errorBody(e), message: err.message || e.message } }, status));
    }
    const kind = constraintKind(err);
    if (kind === 'unique') {
      return c.json({ error: errorBody(new AppError(409, 'already_exists')) }, 409);
    }
    if (kind === 'foreign_key') {
      return c.json({ error: errorBody(new AppError(409, 'in_use')) }, 409);
    }
    deps.log(`ERROR ${c.req.method} ${c.req.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return c.json({ error: { code: 'internal', message: englishText('internal', {}), params: {} } }, 500);
  });

  return app;
}
