import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { type Listening, listen } from '../../server/http/listen.js';
import { type CertNames, machineNames } from '../../server/tls/certs.js';
import { insertUser, makeTestApp, PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DB } from '../helpers/postgres.js';

// HTTPS=auto on a fresh data folder: a CA of this installation, a server certificate it signs for the
// machine's names, and a plain-HTTP side that hands a tablet the CA and sends everything else to https.
// All traffic goes to 127.0.0.1: the LAN addresses are checked by reading the certificate.

const DAY = 86_400_000;
let t: TestApp;
let dataDir: string;
let up: Listening | undefined;

beforeEach(async () => {
  t = await makeTestApp();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatepost-https-'));
});
afterEach(async () => {
  await up?.close();
  up = undefined;
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function start(o: { httpsNames?: string[]; names?: () => CertNames } = {}) {
  const config = { port: 0, host: '127.0.0.1', dataDir, https: 'auto' as const, httpsPort: 0, httpsNames: o.httpsNames ?? ['gate.test'] };
  up = await listen(
    config,
    (h) => {
      t.deps.https = h;
      return createApp(t.deps);
    },
    { now: () => t.clock.now, log: () => {}, ...(o.names ? { names: o.names } : {}) },
  );
  return up;
}

const tlsFile = (name: string) => path.join(dataDir, 'tls', name);
const caOnDisk = () => new X509Certificate(fs.readFileSync(tlsFile('ca.crt')));
const certOnDisk = () => new X509Certificate(fs.readFileSync(tlsFile('server.crt')));
const sans = (c: X509Certificate) => (c.subjectAltName ?? '').split(', ');

/** A plain-HTTP request to 127.0.0.1 that says it is for `host` (as a tablet on the LAN would). */
function plain(port: number, p: string, host: string, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The certificate the HTTPS port serves for `servername`, checked here against the installation's CA and
 * the name (not by Node's own verification: that compares the dates with today, and the server's clock is the test's).
 */
function served(port: number, servername: string) {
  return new Promise<tls.PeerCertificate>((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const c = s.getPeerCertificate();
      s.end();
      const ca = caOnDisk();
      const cert = new X509Certificate(c.raw);
      if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) reject(new Error('not issued by the installation CA'));
      const wrongName = tls.checkServerIdentity(servername, c);
      if (wrongName) reject(wrongName);
      resolve(c);
    });
    s.on('error', reject);
  });
}

describe('HTTPS=auto', () => {
  it('makes a CA and a server certificate for the host name, localhost, the LAN addresses and HTTPS_NAMES', async () => {
    await start();
    const ca = caOnDisk();
    const cert = certOnDisk();
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true); // self-signed root

    const names = sans(cert);
    expect(names).toContain(`DNS:${os.hostname().toLowerCase()}`);
    expect(names).toContain('DNS:localhost');
    expect(names).toContain('DNS:gate.test');
    expect(names).toContain('IP Address:127.0.0.1');
    const lan = Object.values(os.networkInterfaces())
      .flat()
      .filter((n) => n && !n.internal && n.family === 'IPv4')
      .map((n) => n?.address);
    if (lan.length === 0) console.warn('This machine has no LAN IPv4 address: the LAN names are checked with made-up interfaces only');
    for (const ip of lan) expect(names).toContain(`IP Address:${ip}`);

    // ~397 days for the server certificate, ~10 years for the CA, from the server's clock.
    const now = t.clock.now.getTime();
    expect((Date.parse(cert.validTo) - now) / DAY).toBeGreaterThan(396);
    expect((Date.parse(cert.validTo) - now) / DAY).toBeLessThanOrEqual(397);
    expect((Date.parse(ca.validTo) - now) / DAY).toBeGreaterThan(3650);

    // The private keys are the server's alone.
    expect(fs.statSync(tlsFile('ca.key')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(tlsFile('server.key')).mode & 0o777).toBe(0o600);
  });

  it('serves the app over HTTPS with that certificate, for a name that is not localhost', async () => {
    const u = await start();
    const peer = await served(u.httpsPort as number, 'gate.test');
    expect(peer.subjectaltname).toContain('DNS:gate.test');
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: u.httpsPort as number, path: '/api/connect', servername: 'gate.test', headers: { host: `gate.test:${u.httpsPort}` }, rejectUnauthorized: false }, (res) => {
          let s = '';
          res.on('data', (c) => (s += c));
          res.on('end', () => resolve(s));
        })
        .on('error', reject);
    });
    const info = JSON.parse(body).https;
    const ca = caOnDisk();
    expect(info).toEqual({
      mode: 'auto',
      port: u.httpsPort,
      tabletUrls: expect.any(Array),
      caCertificate: '/ca.crt',
      iosProfile: '/ca.mobileconfig',
      caFingerprint: ca.fingerprint256,
      certificateExpiresAt: new Date(certOnDisk().validTo).toISOString(),
      names: expect.arrayContaining(['localhost', 'gate.test', '127.0.0.1', os.hostname().toLowerCase()]),
    });
    expect(info.caFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    // The host name first, LAN IPv4 addresses next, HTTPS_NAMES last; never localhost.
    expect(info.tabletUrls[0]).toBe(`https://${os.hostname().toLowerCase()}:${u.httpsPort}/tablet`);
    expect(info.tabletUrls.at(-1)).toBe(`https://gate.test:${u.httpsPort}/tablet`);
    expect(info.tabletUrls.join(' ')).not.toContain('localhost');
  });

  it('keeps the CA across a restart, keeps the certificate while the names stay, issues it again when they change', async () => {
    await start();
    const ca1 = caOnDisk();
    const cert1 = certOnDisk();
    await up?.close();

    await start();
    expect(caOnDisk().fingerprint256).toBe(ca1.fingerprint256);
    expect(certOnDisk().serialNumber).toBe(cert1.serialNumber);
    await up?.close();

    const u = await start({ httpsNames: ['gate.test', 'office.test'] });
    expect(caOnDisk().fingerprint256).toBe(ca1.fingerprint256);
    const cert3 = certOnDisk();
    expect(cert3.serialNumber).not.toBe(cert1.serialNumber);
    expect(sans(cert3)).toContain('DNS:office.test');
    expect(cert3.verify(ca1.publicKey)).toBe(true);
    expect((await served(u.httpsPort as number, 'office.test')).serialNumber).toBe(cert3.serialNumber);
  });

  it('the daily check issues it again without a restart when an address changes, and well before it expires', async () => {
    let names: CertNames = { dns: ['gatepc', 'localhost', 'gate.test'], ips: ['127.0.0.1', '192.168.1.20'] };
    const u = await start({ names: () => names });
    const first = certOnDisk();
    expect(sans(first)).toContain('IP Address:192.168.1.20');

    expect(await u.recheck()).toBe(false); // nothing changed

    names = { ...names, ips: ['127.0.0.1', '192.168.1.37'] }; // the router gave the PC another address
    expect(await u.recheck()).toBe(true);
    const second = certOnDisk();
    expect(sans(second)).toContain('IP Address:192.168.1.37');
    expect(sans(second)).not.toContain('IP Address:192.168.1.20');
    expect((await served(u.httpsPort as number, 'gate.test')).serialNumber).toBe(second.serialNumber);

    t.clock.advance(360 * DAY); // 37 days left: not yet
    expect(await u.recheck()).toBe(false);
    t.clock.advance(10 * DAY); // 27 days left
    expect(await u.recheck()).toBe(true);
    const third = certOnDisk();
    expect(Date.parse(third.validTo)).toBeGreaterThan(Date.parse(second.validTo));
    expect((await served(u.httpsPort as number, 'gate.test')).serialNumber).toBe(third.serialNumber);
    expect(third.verify(caOnDisk().publicKey)).toBe(true);
  });

  it('the check runs by itself on its interval', async () => {
    let names: CertNames = { dns: ['gatepc', 'localhost'], ips: ['127.0.0.1', '192.168.1.20'] };
    const config = { port: 0, host: '127.0.0.1', dataDir, https: 'auto' as const, httpsPort: 0, httpsNames: [] };
    up = await listen(config, (h) => createApp({ ...t.deps, https: h }), { now: () => t.clock.now, log: () => {}, names: () => names, checkEveryMs: 50 });
    names = { ...names, ips: ['127.0.0.1', '192.168.1.37'] };
    const port = up.httpsPort as number;
    const deadline = Date.now() + 5000;
    while (!sans(certOnDisk()).includes('IP Address:192.168.1.37') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect((await served(port, 'gatepc')).subjectaltname).toContain('IP Address:192.168.1.37');
  });

  it('the HTTPS side hands out the CA too (the office page links to it)', async () => {
    const u = await start();
    const der = await new Promise<Buffer>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: u.httpsPort as number, path: '/ca.crt', servername: 'gate.test', rejectUnauthorized: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        })
        .on('error', reject);
    });
    expect(new X509Certificate(der).fingerprint256).toBe(caOnDisk().fingerprint256);
  });
});

describe('plain HTTP when HTTPS=auto', () => {
  it('hands out the CA certificate and the iOS profile', async () => {
    const u = await start();
    const crt = await plain(u.httpPort, '/ca.crt', `gate.test:${u.httpPort}`);
    expect(crt.status).toBe(200);
    expect(crt.headers['content-type']).toBe('application/x-x509-ca-cert');
    const ca = new X509Certificate(crt.body); // DER
    expect(ca.fingerprint256).toBe(caOnDisk().fingerprint256);
    expect(ca.ca).toBe(true);

    const profile = await plain(u.httpPort, '/ca.mobileconfig', `gate.test:${u.httpPort}`);
    expect(profile.status).toBe(200);
    expect(profile.headers['content-type']).toBe('application/x-apple-aspen-config');
    const xml = profile.body.toString('utf8');
    expect(xml).toContain('<string>com.apple.security.root</string>');
    expect(xml).toContain('<string>Configuration</string>');
    const data = /<data>([^<]+)<\/data>/.exec(xml)?.[1]?.replace(/\s+/g, '') ?? '';
    expect(new X509Certificate(Buffer.from(data, 'base64')).fingerprint256).toBe(ca.fingerprint256);
  });

  it('/connect: the tablet address as a QR code and text, the downloads, the Android and iPad steps', async () => {
    const u = await start();
    const r = await plain(u.httpPort, '/connect', `gate.test:${u.httpPort}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('text/html');
    const page = r.body.toString('utf8');
    expect(page).toContain('连接平板');
    expect(page).toContain('<svg');
    expect(page).toContain(`https://gate.test:${u.httpsPort}/tablet`);
    expect(page).toContain(`http://gate.test:${u.httpPort}/connect`); // how to open it on the tablet
    expect(page).toContain('href="/ca.crt"');
    expect(page).toContain('href="/ca.mobileconfig"');
    expect(page).toContain('安装证书 → CA 证书');
    expect(page).toContain('Install a certificate → CA certificate');
    expect(page).toContain('证书信任设置');
    expect(page).toContain('Certificate Trust Settings');
    expect(page).toContain(caOnDisk().fingerprint256);
  });

  it('/tablet over http:// explains why the camera will not start and how to fix it', async () => {
    const u = await start();
    for (const p of ['/tablet', '/tablet/scan']) {
      const r = await plain(u.httpPort, p, `gate.test:${u.httpPort}`);
      expect(r.status).toBe(200);
      const page = r.body.toString('utf8');
      expect(page).toContain('摄像头和离线功能无法在 http:// 下启动');
      expect(page).toContain('The camera and the offline app cannot start on http://');
      expect(page).toContain('href="/connect"');
      expect(page).toContain(`href="https://gate.test:${u.httpsPort}/tablet"`);
    }
  });

  it('sends everything else to the same path on https, keeping the host name', async () => {
    const u = await start();
    const r = await plain(u.httpPort, '/office/residents?q=1', `gate.test:${u.httpPort}`);
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe(`https://gate.test:${u.httpsPort}/office/residents?q=1`);
    const post = await plain(u.httpPort, '/api/auth/login', `192.168.1.20:${u.httpPort}`, 'POST');
    expect(post.status).toBe(308);
    expect(post.headers.location).toBe(`https://192.168.1.20:${u.httpsPort}/api/auth/login`);
    const v6 = await plain(u.httpPort, '/', `[fd00::5]:${u.httpPort}`);
    expect(v6.headers.location).toBe(`https://[fd00::5]:${u.httpsPort}/`);
  });

  it('/healthz and /api/connect answer on plain HTTP too, with the mode and the expiry', async () => {
    const u = await start();
    const h = JSON.parse((await plain(u.httpPort, '/healthz', `gate.test:${u.httpPort}`)).body.toString());
    expect(h).toMatchObject({ ok: true, database: TEST_DB, https: 'auto', certificateExpiresAt: new Date(certOnDisk().validTo).toISOString() });
    const c = JSON.parse((await plain(u.httpPort, '/api/connect', `gate.test:${u.httpPort}`)).body.toString());
    expect(c.https.mode).toBe('auto');
    expect(c.https.port).toBe(u.httpsPort);
  });
});

describe('HTTPS off (the default)', () => {
  it('is off unless asked; /api/connect and /healthz say so', async () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ https: 'off', httpsPort: 8443, httpsNames: [] });
    expect(loadConfig({ HTTPS: 'auto', HTTPS_NAMES: 'Gate.Test, office.lan' }).httpsNames).toEqual(['gate.test', 'office.lan']);
    expect(() => loadConfig({ HTTPS: 'on' })).toThrow(/HTTPS/);
    expect(() => loadConfig({ HTTPS: 'auto', PORT: '8443' })).toThrow(/HTTPS_PORT: must differ from PORT/);
    expect(() => loadConfig({ HTTPS: 'auto', HTTPS_NAMES: 'gate test' })).toThrow(/HTTPS_NAMES/);
    const r = await t.client().get('/api/connect');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      https: { mode: 'off', port: null, tabletUrls: [], caCertificate: null, iosProfile: null, caFingerprint: null, certificateExpiresAt: null, names: [] },
    });
    expect((await t.client().get('/healthz')).body).toMatchObject({ ok: true, https: 'off', certificateExpiresAt: null });
  });

  it('machine names: host name, localhost, LAN IPv4 and IPv6 (not link-local), extra names', () => {
    const nets = {
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
      eth0: [
        { address: '192.168.1.20', family: 'IPv4', internal: false },
        { address: 'fe80::1', family: 'IPv6', internal: false },
        { address: 'fd00::20', family: 'IPv6', internal: false },
      ],
    } as unknown as NodeJS.Dict<os.NetworkInterfaceInfo[]>;
    expect(machineNames(['gate.test'], nets, 'OfficePC')).toEqual({ dns: ['officepc', 'localhost', 'gate.test'], ips: ['127.0.0.1', '192.168.1.20', 'fd00::20'] });
  });
});

describe('the session cookie under HTTPS=auto', () => {
  it('is Secure when signed in over HTTPS, without SECURE_COOKIES (which would also send HSTS and push the plain-HTTP /connect page to https)', async () => {
    await insertUser(t, { role: 'admin', username: 'mgr', password: PASSWORD });
    const u = await start();
    const body = JSON.stringify({ username: 'mgr', password: PASSWORD });
    const res = await new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: u.httpsPort!,
          servername: 'gate.test',
          path: '/api/auth/login',
          method: 'POST',
          rejectUnauthorized: false,
          headers: { host: `gate.test:${u.httpsPort}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), origin: `https://gate.test:${u.httpsPort}` },
        },
        (r) => {
          r.resume();
          r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(res.status).toBe(200);
    const cookie = (res.headers['set-cookie'] ?? []).join('; ');
    expect(cookie).toMatch(/gatepost_session|session/i);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });
});
