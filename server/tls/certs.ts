import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads
import { createHash, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const DAY = 24 * 60 * 60 * 1000;
/** A server certificate lives 397 days (the most any browser accepts) and is re-issued 30 days before it ends. */
export const SERVER_DAYS = 397;
export const RENEW_BEFORE_DAYS = 30;
const CA_YEARS = 10;
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** The names a server certificate is for: DNS names and IP addresses, in the order they are listed. */
export interface CertNames {
  dns: string[];
  ips: string[];
}

/** What the HTTPS side serves and what /api/connect tells: read from the files in the data folder. */
export interface TlsState {
  caPem: string;
  caDer: Buffer;
  /** SHA-256 of the CA certificate, "AB:CD:…" (what a tablet's settings show). */
  caFingerprint: string;
  keyPem: string;
  certPem: string;
  notAfter: Date;
  /** The server certificate's subjectAltNames, DNS names then IP addresses. */
  names: string[];
}

/**
 * The names for this machine: its host name, localhost, 127.0.0.1, its LAN addresses (IPv4 and IPv6, not
 * loopback, not link-local: a browser cannot use those in an address), and the extra names configured.
 */
export function machineNames(extra: string[] = [], nets = os.networkInterfaces(), hostname = os.hostname()): CertNames {
  const lan = Object.values(nets)
    .flat()
    .filter((n): n is os.NetworkInterfaceInfo => !!n && !n.internal)
    .filter((n) => !(n.family === 'IPv6' && /^fe[89ab]/i.test(n.address)));
  const v4 = lan.filter((n) => n.family === 'IPv4').map((n) => n.address);
  const v6 = lan.filter((n) => n.family === 'IPv6').map((n) => n.address);
  const dns = uniq([hostname.toLowerCase(), 'localhost', ...extra.map((n) => n.toLowerCase())].filter(Boolean));
  return { dns, ips: uniq(['127.0.0.1', ...v4, ...v6]) };
}

const uniq = <T>(xs: T[]) => [...new Set(xs)];
const sameNames = (a: CertNames, b: CertNames) =>
  JSON.stringify([[...a.dns].sort(), [...a.ips].sort()]) === JSON.stringify([[...b.dns].sort(), [...b.ips].sort()]);

export function tlsDir(dataDir: string) {
  return path.join(dataDir, 'tls');
}

function files(dataDir: string) {
  const d = tlsDir(dataDir);
  return {
    dir: d,
    caKey: path.join(d, 'ca.key'),
    caCert: path.join(d, 'ca.crt'),
    key: path.join(d, 'server.key'),
    cert: path.join(d, 'server.crt'),
    names: path.join(d, 'server.names.json'),
  };
}

const toPem = (der: ArrayBuffer, label: string) => x509.PemConverter.encode(der, label);

/** Write a private key readable by the server's user only (the mode is set again in case the file existed). */
function writeSecret(file: string, text: string) {
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

function serial() {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0] ?? 0) & 0x7f; // a positive integer
  return Buffer.from(b).toString('hex');
}

async function importKey(pem: string) {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), ALG, true, ['sign']);
}

async function makeCa(f: ReturnType<typeof files>, now: Date) {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_YEARS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=Gatepost local CA (${os.hostname()}), O=Gatepost`,
    notBefore: new Date(now.getTime() - DAY),
    notAfter,
    keys: keys as CryptoKeyPair,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as CryptoKey),
    ],
  });
  writeSecret(f.caKey, toPem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as CryptoKey), 'PRIVATE KEY'));
  fs.writeFileSync(f.caCert, cert.toString('pem'));
}

async function issueServer(f: ReturnType<typeof files>, names: CertNames, now: Date) {
  const ca = new x509.X509Certificate(fs.readFileSync(f.caCert, 'utf8'));
  const caKey = await importKey(fs.readFileSync(f.caKey, 'utf8'));
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${names.dns[0] ?? 'localhost'}, O=Gatepost`,
    issuer: ca.subject,
    // An hour back: a tablet whose clock is a little behind still accepts it.
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + SERVER_DAYS * DAY - 60 * 60 * 1000),
    signingKey: caKey,
    publicKey: keys.publicKey as CryptoKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as CryptoKey),
    ],
  });
  writeSecret(f.key, toPem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as CryptoKey), 'PRIVATE KEY'));
  fs.writeFileSync(f.cert, cert.toString('pem'));
  fs.writeFileSync(f.names, `${JSON.stringify(names, null, 2)}\n`);
}

/** Why the server certificate on disk must be issued again, or null when it is still good. */
function staleBecause(f: ReturnType<typeof files>, names: CertNames, now: Date): string | null {
  if (!fs.existsSync(f.cert) || !fs.existsSync(f.key) || !fs.existsSync(f.names)) return 'none yet';
  const cert = new NodeX509(fs.readFileSync(f.cert));
  const ca = new NodeX509(fs.readFileSync(f.caCert));
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'not signed by this CA';
  const old = JSON.parse(fs.readFileSync(f.names, 'utf8')) as CertNames;
  if (!sameNames(old, names)) return 'the names or addresses changed';
  if (Date.parse(cert.validTo) - now.getTime() < RENEW_BEFORE_DAYS * DAY) return 'it expires soon';
  return null;
}

/**
 * The CA (made once per installation, on first start) and a server certificate for `names` signed by it,
 * issued again when the names change or it is within 30 days of its end. Says what it did through `log`.
 */
export async function ensureCertificates(
  dataDir: string,
  names: CertNames,
  now: Date,
  log: (line: string) => void = () => {},
): Promise<{ state: TlsState; reissued: boolean }> {
  const f = files(dataDir);
  fs.mkdirSync(f.dir, { recursive: true, mode: 0o700 });
  if (!fs.existsSync(f.caKey) || !fs.existsSync(f.caCert)) {
    await makeCa(f, now);
    log(`HTTPS: made this installation's certificate authority (${f.caCert})`);
  }
  const why = staleBecause(f, names, now);
  if (why) {
    await issueServer(f, names, now);
    log(`HTTPS: issued the server certificate (${why}) for ${[...names.dns, ...names.ips].join(', ')}`);
  }
  return { state: readState(f), reissued: why !== null };
}

function readState(f: ReturnType<typeof files>): TlsState {
  const caPem = fs.readFileSync(f.caCert, 'utf8');
  const ca = new NodeX509(caPem);
  const certPem = fs.readFileSync(f.cert, 'utf8');
  const cert = new NodeX509(certPem);
  return {
    caPem,
    caDer: ca.raw,
    caFingerprint: ca.fingerprint256,
    keyPem: fs.readFileSync(f.key, 'utf8'),
    certPem,
    notAfter: new Date(cert.validTo),
    names: sanOf(certPem),
  };
}

/** A certificate's subjectAltNames as written (IPv6 compressed, unlike node's X509Certificate.subjectAltName). */
function sanOf(pem: string): string[] {
  const san = new x509.X509Certificate(pem).getExtension(x509.SubjectAlternativeNameExtension);
  return san ? san.names.items.map((n) => n.value) : [];
}

/** base64 SHA-256 of a certificate's SubjectPublicKeyInfo (what Chromium's --ignore-certificate-errors-spki-list takes). */
export function spkiHash(certPem: string): string {
  const spki = new NodeX509(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}
