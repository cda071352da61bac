import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScene, checkRecord, enrollTablet, type Scene } from '../helpers/gate.js';
import { ROOT, startServer } from '../helpers/server.js';

// The README's reverse-proxy example, run (issue 16): docs/nginx/gatepost.conf itself, in front of the app
// with TRUST_PROXY and SECURE_COOKIES, over TLS from a CA made here. The test changes only what the file says
// it may: its `listen` lines, its two certificate paths and its upstream's address.

/** Debian's nginx is /usr/sbin/nginx, not on a non-root PATH. NGINX_PATH picks another (a missing one skips). */
function nginxPath(): string | undefined {
  const candidates = process.env.NGINX_PATH !== undefined ? [process.env.NGINX_PATH] : ['/usr/sbin/nginx', '/usr/bin/nginx'];
  return candidates.find((p) => p && fs.existsSync(p));
}
function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const nginx = nginxPath();
const ready = !!nginx && hasOpenssl();
if (!ready) console.log(`Skipping the nginx reverse-proxy test: it needs nginx (${process.env.NGINX_PATH ?? '/usr/sbin/nginx'}; apt-get install -y nginx) and openssl.`);

/** nginx's temporary folders, in the test's folder rather than /var/lib/nginx. */
const TEMP_DIRS = ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];

type Server = Awaited<ReturnType<typeof startServer>>;

/** Render docs/nginx/gatepost.conf for this test: the documented replacements, each checked to apply. */
function renderExample(conf: string, o: { httpPort: number; httpsPort: number; upstreamPort: number; cert: string; key: string }): string {
  const replacements: [RegExp, string][] = [
    [/^ *listen \[::\]:(80|443)[^;]*;\n/gm, ''],
    [/listen 80;/g, `listen 127.0.0.1:${o.httpPort};`],
    [/listen 443 ssl http2;/g, `listen 127.0.0.1:${o.httpsPort} ssl http2;`],
    [/ssl_certificate \/etc\/ssl\/gatepost\/fullchain\.pem;/g, `ssl_certificate ${o.cert};`],
    [/ssl_certificate_key \/etc\/ssl\/gatepost\/privkey\.pem;/g, `ssl_certificate_key ${o.key};`],
    [/server 127\.0\.0\.1:8080;/g, `server 127.0.0.1:${o.upstreamPort};`],
  ];
  for (const [re, to] of replacements) {
    if (!re.test(conf)) throw new Error(`docs/nginx/gatepost.conf no longer has ${re}: update the test's replacements`);
    conf = conf.replace(re, to);
  }
  return conf;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A throwaway CA and a certificate for 127.0.0.1 signed by it (openssl CLI). */
function makeCertificates(dir: string) {
  const f = (name: string) => path.join(dir, name);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=Gatepost test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  fs.writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('server.ext'), '-out', f('server.pem')]);
  return { ca: fs.readFileSync(f('ca.pem')), cert: f('server.pem'), key: f('server.key') };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe.skipIf(!ready)('behind nginx with TLS (docs/nginx/gatepost.conf)', () => {
  let dir: string;
  let server: Server | undefined;
  let proc: ChildProcess | undefined;
  let ca: Buffer;
  let httpsPort: number;
  let httpPort: number;
  let s: Scene;
  const origin = () => `https://127.0.0.1:${httpsPort}`;

  /** A request to nginx over TLS, the CA trusted, from 127.0.0.2 (so the address nginx sees is not its own). */
  function request(method: string, pathname: string, o: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port: httpsPort, method, path: pathname, ca, localAddress: '127.0.0.2', headers: o.headers, agent: false },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(o.body);
    });
  }
  const json = (body: unknown, headers: Record<string, string> = {}) => ({
    headers: { 'content-type': 'application/json', origin: origin(), ...headers },
    body: JSON.stringify(body),
  });

  async function waitForNginx(port: number) {
    const until = Date.now() + 10_000;
    for (;;) {
      if (proc?.exitCode !== null) throw new Error(`nginx exited: ${fs.readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
      const ok = await new Promise<boolean>((r) => {
        const sock = net.connect(port, '127.0.0.1', () => {
          sock.end();
          r(true);
        });
        sock.on('error', () => r(false));
      });
      if (ok) return;
      if (Date.now() > until) throw new Error('nginx did not start listening within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatepost-nginx-'));
    // Run as root, nginx's workers are `nobody`: they must be able to enter the folder and write bodies to disk.
    fs.chmodSync(dir, 0o755);
    for (const sub of TEMP_DIRS) {
      fs.mkdirSync(path.join(dir, sub));
      fs.chmodSync(path.join(dir, sub), 0o777);
    }
    const certs = makeCertificates(dir);
    ca = certs.ca;

    server = await startServer({ now: '2026-11-28T08:00:00.000Z', config: { trustProxy: true, secureCookies: true } });
    s = await buildScene(server);
    httpsPort = await freePort();
    httpPort = await freePort();
    const example = fs.readFileSync(path.join(ROOT, 'docs/nginx/gatepost.conf'), 'utf8');
    const upstreamPort = Number(new URL(server.url).port);
    fs.writeFileSync(path.join(dir, 'gatepost.conf'), renderExample(example, { httpPort, httpsPort, upstreamPort, cert: certs.cert, key: certs.key }));
    // The smallest nginx.conf around it: everything nginx writes stays in the temporary folder.
    fs.writeFileSync(
      path.join(dir, 'nginx.conf'),
      [
        'daemon off;',
        'worker_processes 1;',
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/error.log info;`,
        'events { worker_connections 64; }',
        'http {',
        '  access_log off;',
        ...TEMP_DIRS.map((k) => `  ${k === 'body' ? 'client_body' : k}_temp_path ${dir}/${k};`),
        `  include ${dir}/gatepost.conf;`,
        '}',
        '',
      ].join('\n'),
    );
    proc = spawn(nginx!, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d) => fs.appendFileSync(path.join(dir, 'error.log'), d));
    await waitForNginx(httpsPort);
  });

  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('signs in over HTTPS with a Secure session cookie, and records the address nginx saw, not one the client wrote', async () => {
    // The client claims an address of its own; nginx appends the one it saw (127.0.0.2), which the server takes.
    const r = await request('POST', '/api/auth/login', json({ username: 'mgr', password: 'correct horse battery' }, { 'x-forwarded-for': '203.0.113.7' }));
    expect(r.status, r.body).toBe(200);
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/^gp_session=[^;]+;.*\bSecure\b/i);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(r.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const logins = await server!.database.db.selectFrom('auditLog').select(['ip']).where('action', '=', 'login').orderBy('id', 'desc').execute();
    expect(logins[0]?.ip).toBe('127.0.0.2');

    // The cookie works through the proxy.
    const me = await request('GET', '/api/auth/me', { headers: { cookie: cookie.split(';')[0]! } });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body).user.username).toBe('mgr');
  });

  it('delivers a live-feed event through nginx as soon as it happens (not buffered)', async () => {
    const login = await request('POST', '/api/auth/login', json({ username: 'mgr', password: 'correct horse battery' }));
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const { tablet } = await enrollTablet(server!, s.manager, s.compoundId, '东门平板');

    let text = '';
    let onText = () => {};
    // Over HTTP/2, as a browser talks to this server block (`listen … ssl http2`).
    const session = http2.connect(origin(), { ca });
    session.on('error', () => {});
    const feed = session.request({ ':path': `/api/compounds/${s.compoundId}/live`, cookie });
    const response = new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
      feed.on('response', resolve);
      feed.on('error', reject);
    });
    const until = (re: RegExp, ms: number) =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const timer = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms: ${text.slice(-300)}`)), ms);
        onText = () => {
          if (re.test(text)) {
            clearTimeout(timer);
            resolve(performance.now() - started);
          }
        };
        onText();
      });
    try {
      const res = await Promise.race([
        response,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no response headers from the live feed within 5 s')), 5_000)),
      ]);
      expect(res[':status']).toBe(200);
      expect(res['content-type']).toMatch(/text\/event-stream/);
      feed.setEncoding('utf8');
      feed.on('data', (d: string) => {
        text += d;
        onText();
      });
      await until(/event: ready/, 5_000);

      // A tablet syncs a check through the same proxy; the dashboard hears of it within 2 s.
      const record = checkRecord(s, { person: 'li' });
      const arrived = until(new RegExp(`id: ${record.id}\\n`), 2_000);
      const synced = await request('POST', '/api/device/sync', {
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tablet.auth.bearer}` },
        body: JSON.stringify({ sentAt: server!.clock.now.toISOString(), records: [record] }),
      });
      expect(synced.status, synced.body).toBe(200);
      await arrived;
    } finally {
      feed.close();
      session.destroy();
    }
  });

  it('redirects plain HTTP to HTTPS, keeping the path', async () => {
    const r = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: httpPort, path: '/tablet?x=1', agent: false }, (res) => {
        res.resume();
        resolve(res);
      });
      req.on('error', reject);
      req.end();
    });
    expect(r.statusCode).toBe(301);
    // nginx redirects to the standard port (443): the test's port is not the one the example listens on.
    expect(r.headers.location).toBe('https://127.0.0.1/tablet?x=1');
  });

  // Each kind of route with its limit (server/http/middleware.ts): nginx must refuse exactly what the server would.
  const limits: [string, string, number][] = [
    ['POST', '/api/auth/login', 1024 * 1024],
    ['POST', '/api/device/sync', 16 * 1024 * 1024],
    ['POST', '/api/compounds/1/imports/residents', 20 * 1024 * 1024],
    ['PUT', '/api/device/photos/x', 2 * 1024 * 1024],
  ];
  it.each(limits)("refuses a body over the server's limit for %s %s with the server's own 413 JSON, and lets one at the limit through", async (method, pathname, max) => {
    const over = await request(method, pathname, { headers: { 'content-type': 'application/json', origin: origin() }, body: Buffer.alloc(max + 1, 0x20) });
    expect(over.status).toBe(413);
    expect(over.headers['content-type']).toMatch(/application\/json/);
    // What the server itself answers to the same body (asked in-process: no socket to race its early answer).
    const direct = await server!.app.request(`http://127.0.0.1${pathname}`, {
      method,
      headers: { 'content-type': 'application/json', 'content-length': String(max + 1) },
      body: new Uint8Array(max + 1).fill(0x20),
    });
    expect(direct.status).toBe(413);
    expect(JSON.parse(over.body)).toEqual(await direct.json());

    // At the limit nginx sends it on: whatever the server makes of it, it is not a refusal for size (nor a 502).
    const at = await request(method, pathname, { headers: { 'content-type': 'application/json', origin: origin() }, body: Buffer.alloc(max, 0x20) });
    expect([400, 401, 403, 404, 415, 422], `${at.status} ${at.body}`).toContain(at.status);
  });
});
