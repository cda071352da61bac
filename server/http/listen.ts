import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Config } from '../config.js';
import { type CertNames, ensureCertificates, machineNames, type TlsState } from '../tls/certs.js';
import { type HttpsStatus, plainHttpApp } from '../tls/connect.js';

const DAY = 24 * 60 * 60 * 1000;

export interface Listening {
  httpPort: number;
  /** null when HTTPS is off. */
  httpsPort: number | null;
  https: HttpsStatus | undefined;
  /** Issue the certificate again if the names changed or it ends soon, and serve it without a restart. */
  recheck(): Promise<boolean>;
  close(): Promise<void>;
}

type Fetch = (req: Request) => Response | Promise<Response>;

/**
 * Listen for the app as configured: plain HTTP on PORT; with HTTPS=auto, the app on HTTPS_PORT with a
 * certificate from this installation's CA, and on PORT only what a tablet needs before it trusts that CA.
 * `makeApp` gets the HTTPS status (for /api/connect and /healthz) before the first request.
 */
export async function listen(
  config: Pick<Config, 'port' | 'host' | 'dataDir' | 'https' | 'httpsPort' | 'httpsNames'>,
  makeApp: (https: HttpsStatus | undefined) => { fetch: Fetch },
  o: { now?: () => Date; log?: (line: string) => void; names?: () => CertNames; checkEveryMs?: number } = {},
): Promise<Listening> {
  const now = o.now ?? (() => new Date());
  const log = o.log ?? console.log;
  if (config.https !== 'auto') {
    const app = makeApp(undefined);
    const server = await started(serve({ fetch: app.fetch, port: config.port, hostname: config.host }));
    return { httpPort: portOf(server), httpsPort: null, https: undefined, recheck: async () => false, close: () => closed(server) };
  }

  const namesNow = o.names ?? (() => machineNames(config.httpsNames));
  let names = namesNow();
  let state: TlsState = (await ensureCertificates(config.dataDir, names, now(), log)).state;
  const status: HttpsStatus = { port: config.httpsPort, state: () => state, names: () => names, extra: config.httpsNames };
  const app = makeApp(status);
  const secure = await started(
    serve({
      fetch: app.fetch,
      port: config.httpsPort,
      hostname: config.host,
      createServer: https.createServer,
      serverOptions: { key: state.keyPem, cert: state.certPem },
    }),
  );
  status.port = portOf(secure); // HTTPS_PORT=0 in tests: the port the system gave
  const plain = await started(serve({ fetch: plainHttpApp(status, app).fetch, port: config.port, hostname: config.host }));

  const recheck = async () => {
    const wanted = namesNow();
    const r = await ensureCertificates(config.dataDir, wanted, now(), log);
    names = wanted;
    state = r.state;
    if (r.reissued) (secure as https.Server).setSecureContext({ key: state.keyPem, cert: state.certPem });
    return r.reissued;
  };
  // Once a day: a new LAN address (the router gave another one) or a certificate near its end.
  const timer = setInterval(() => recheck().catch((e) => log(`ERROR HTTPS certificate check: ${e instanceof Error ? e.message : e}`)), o.checkEveryMs ?? DAY);
  timer.unref();

  return {
    httpPort: portOf(plain),
    httpsPort: status.port,
    https: status,
    recheck,
    async close() {
      clearInterval(timer);
      await Promise.all([closed(plain), closed(secure)]);
    },
  };
}

function started(server: ServerType): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

const portOf = (server: ServerType) => (server.address() as AddressInfo).port;

function closed(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}
