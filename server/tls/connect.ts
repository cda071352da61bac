import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { type Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import QRCode from 'qrcode';
import type { CertNames, TlsState } from './certs.js';

/** HTTPS as it runs: the port, the certificate now served, the names it was issued for. Set only when HTTPS=auto. */
export interface HttpsStatus {
  port: number;
  state(): TlsState;
  names(): CertNames;
  /** HTTPS_NAMES, the configured extra names. */
  extra: string[];
}

/** The answer of GET /api/connect: what a tablet needs to reach the gate over HTTPS (the office page shows it). */
export interface ConnectInfo {
  https: {
    mode: 'off' | 'auto';
    port: number | null;
    tabletUrls: string[];
    caCertificate: '/ca.crt' | null;
    iosProfile: '/ca.mobileconfig' | null;
    caFingerprint: string | null;
    certificateExpiresAt: string | null;
    names: string[];
  };
}

const isV4 = (ip: string) => isIP(ip) === 4;
const hostPart = (name: string) => (isIP(name) === 6 ? `[${name}]` : name);

/** https://<name>:<port>/tablet for the host name, then the LAN IPv4 addresses, then HTTPS_NAMES. */
export function tabletUrls(s: HttpsStatus): string[] {
  const n = s.names();
  const hosts = [n.dns[0], ...n.ips.filter((ip) => isV4(ip) && !ip.startsWith('127.')), ...s.extra].filter(
    (h): h is string => !!h && h !== 'localhost',
  );
  return [...new Set(hosts)].map((h) => `https://${hostPart(h)}:${s.port}/tablet`);
}

export function connectInfo(s: HttpsStatus | undefined): ConnectInfo {
  if (!s) {
    return {
      https: { mode: 'off', port: null, tabletUrls: [], caCertificate: null, iosProfile: null, caFingerprint: null, certificateExpiresAt: null, names: [] },
    };
  }
  const st = s.state();
  return {
    https: {
      mode: 'auto',
      port: s.port,
      tabletUrls: tabletUrls(s),
      caCertificate: '/ca.crt',
      iosProfile: '/ca.mobileconfig',
      caFingerprint: st.caFingerprint,
      certificateExpiresAt: st.notAfter.toISOString(),
      names: st.names,
    },
  };
}

/** A stable UUID from text (the profile keeps its identity while the CA is the same). */
function uuidOf(text: string) {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

/** An iOS/iPadOS configuration profile that installs the CA as a trusted root (payload com.apple.security.root). */
export function mobileconfig(st: TlsState): string {
  const b64 = st.caDer.toString('base64').replace(/(.{64})/g, '$1\n');
  const fp = st.caFingerprint;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>PayloadCertificateFileName</key><string>gatepost-ca.cer</string>
      <key>PayloadContent</key>
      <data>
${b64}
      </data>
      <key>PayloadDescription</key><string>门岗本机证书颁发机构 · Gatepost local certificate authority</string>
      <key>PayloadDisplayName</key><string>Gatepost local CA</string>
      <key>PayloadIdentifier</key><string>org.gatepost.ca.${uuidOf(`cert ${fp}`)}</string>
      <key>PayloadType</key><string>com.apple.security.root</string>
      <key>PayloadUUID</key><string>${uuidOf(`cert ${fp}`)}</string>
      <key>PayloadVersion</key><integer>1</integer>
    </dict>
  </array>
  <key>PayloadDescription</key><string>让平板信任本小区门岗服务器的 HTTPS 证书 · Lets this tablet trust the gate server's HTTPS certificate</string>
  <key>PayloadDisplayName</key><string>门岗 Gatepost</string>
  <key>PayloadIdentifier</key><string>org.gatepost.profile.${uuidOf(`profile ${fp}`)}</string>
  <key>PayloadRemovalDisallowed</key><false/>
  <key>PayloadType</key><string>Configuration</string>
  <key>PayloadUUID</key><string>${uuidOf(`profile ${fp}`)}</string>
  <key>PayloadVersion</key><integer>1</integer>
</dict>
</plist>
`;
}

/** The CA certificate (DER: what Android's "CA certificate" installer and most tools take as .crt). */
export function caResponse(s: HttpsStatus): Response {
  return new Response(new Uint8Array(s.state().caDer), {
    headers: { 'content-type': 'application/x-x509-ca-cert', 'content-disposition': 'attachment; filename="gatepost-ca.crt"', 'cache-control': 'no-cache' },
  });
}

export function profileResponse(s: HttpsStatus): Response {
  return new Response(mobileconfig(s.state()), {
    headers: {
      'content-type': 'application/x-apple-aspen-config',
      'content-disposition': 'attachment; filename="gatepost.mobileconfig"',
      'cache-control': 'no-cache',
    },
  });
}

/** The host name of a Host header ("a.b:8080", "[::1]:8080", "1.2.3.4"), without the port or brackets. */
export function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(header) ?? /^([^:]+)(?::\d+)?$/.exec(header);
  return m?.[1]?.toLowerCase();
}

/**
 * The https address of the tablet for a page asked for under `host`: the same name when the certificate
 * names it (it is how this device reaches the server), else the first LAN address, else the first one.
 */
function bestTabletUrl(s: HttpsStatus, host: string | undefined): string | undefined {
  const names = s.state().names.map((n) => n.toLowerCase());
  if (host && names.includes(host) && host !== 'localhost' && !host.startsWith('127.') && host !== '::1') {
    return `https://${hostPart(host)}:${s.port}/tablet`;
  }
  const urls = tabletUrls(s);
  return urls.find((u) => /^https:\/\/\d+\.\d+\.\d+\.\d+:/.test(u)) ?? urls[0];
}

const STYLE = `
  body { font-family: 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif; margin: 0; color: #111; background: #f6f8fb; line-height: 1.5; }
  .bar { padding: 10px 16px; background: #0f4c81; color: #fff; font-size: 18px; }
  main { max-width: 760px; margin: 0 auto; padding: 12px 16px 32px; }
  h1 { font-size: 24px; margin: 12px 0 4px; } h2 { font-size: 19px; margin: 20px 0 6px; border-bottom: 2px solid #0f4c81; }
  .en { color: #555; font-size: 0.92em; }
  .card { background: #fff; border: 1px solid #cfd8e3; border-radius: 8px; padding: 12px 16px; margin: 10px 0; }
  .qr { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
  .qr svg { width: 220px; height: 220px; background: #fff; }
  .url { font-family: ui-monospace, monospace; font-size: 18px; word-break: break-all; }
  a.btn { display: inline-block; padding: 10px 16px; margin: 4px 8px 4px 0; background: #0f4c81; color: #fff; border-radius: 6px; text-decoration: none; }
  ol { padding-left: 22px; } li { margin: 4px 0; }
  code { font-family: ui-monospace, monospace; word-break: break-all; }
  .warn { border-left: 6px solid #c62828; }
`;

function page(title: string, body: ReturnType<typeof html>) {
  return html`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${raw(STYLE)}</style></head>
<body><div class="bar">门岗 Gatepost</div><main>${body}</main></body></html>`;
}

/** 连接平板: the tablet address as a QR code and as text, the CA to install, the steps for Android and iPad. */
export async function connectPage(s: HttpsStatus, hostHeader: string | undefined) {
  const host = hostOf(hostHeader);
  const best = bestTabletUrl(s, host);
  const svg = best ? await QRCode.toString(best, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }) : '';
  const st = s.state();
  const others = tabletUrls(s).filter((u) => u !== best);
  return page(
    '连接平板 · Connect a tablet',
    html`<h1>连接平板 <span class="en">Connect a tablet</span></h1>
<p>门岗平板需要通过 <b>https://</b> 打开，摄像头和离线功能才能使用。每台平板先安装一次本机证书，再打开下面的地址。<br>
<span class="en">The gate tablet must open the app over https:// for its camera and offline app to work. Install this installation's certificate once on each tablet, then open the address below.</span></p>
<div class="card qr">${raw(svg)}<div>
  <div>平板地址 <span class="en">Tablet address</span></div>
  <div class="url" data-tablet-url>${best ?? ''}</div>
  ${others.length ? html`<div class="en">其他地址 Other addresses:<br>${others.map((u) => html`<code>${u}</code><br>`)}</div>` : ''}
</div></div>
<h2>1. 下载证书 <span class="en">Download the certificate</span></h2>
<p>在平板上打开本页（<code>http://${hostHeader ?? '…'}/connect</code>），点击：<br><span class="en">Open this page on the tablet and tap:</span></p>
<p><a class="btn" href="/ca.crt" download>安卓证书 Android (.crt)</a><a class="btn" href="/ca.mobileconfig">iPad 描述文件 iPad profile</a></p>
<p class="en">证书指纹 Certificate fingerprint (SHA-256): <code data-fingerprint>${st.caFingerprint}</code></p>
<h2>2. 安卓平板 <span class="en">Android tablet</span></h2>
<ol>
  <li>点击上面的「安卓证书」下载 <code>gatepost-ca.crt</code>。<br><span class="en">Tap "Android (.crt)" above to download gatepost-ca.crt.</span></li>
  <li>设置 → 安全 → 加密与凭据 → 安装证书 → CA 证书，选择刚下载的文件。（各品牌菜单名称略有不同，可在设置中搜索「CA 证书」。）<br>
  <span class="en">Settings → Security → Encryption &amp; credentials → Install a certificate → CA certificate, and pick the downloaded file. (Menu names differ a little between brands: search Settings for "CA certificate".)</span></li>
  <li>用 Chrome 打开平板地址 ${best ?? ''}。<br><span class="en">Open the tablet address in Chrome.</span></li>
</ol>
<h2>3. iPad</h2>
<ol>
  <li>用 Safari 点击上面的「iPad 描述文件」，选择「允许」。<br><span class="en">In Safari, tap "iPad profile" above and choose Allow.</span></li>
  <li>设置 → 已下载描述文件 → 安装。<br><span class="en">Settings → Profile Downloaded → Install.</span></li>
  <li>设置 → 通用 → 关于本机 → 证书信任设置 → 对「Gatepost local CA」启用完全信任。<br>
  <span class="en">Settings → General → About → Certificate Trust Settings → enable full trust for "Gatepost local CA".</span></li>
  <li>用 Safari 打开平板地址。<br><span class="en">Open the tablet address in Safari.</span></li>
</ol>
<p class="en">证书有效期至 Certificate valid until ${st.notAfter.toISOString().slice(0, 10)}（到期前自动更新，平板无需重新安装 / renewed automatically; tablets need not reinstall anything）。</p>`,
  );
}

/** What a tablet that opened /tablet over plain http:// sees instead of a scan screen that shows nothing. */
export function tabletOverHttpPage(s: HttpsStatus, host: string | undefined) {
  const best = bestTabletUrl(s, host);
  return page(
    '请使用 https 打开 · Open over https',
    html`<div class="card warn">
<h1>摄像头和离线功能无法在 http:// 下启动 <span class="en">The camera and the offline app cannot start on http://</span></h1>
<p>浏览器只允许 <b>https://</b> 页面使用摄像头和离线功能（Service Worker）。此页面是用 http:// 打开的，所以扫码界面不会工作。<br>
<span class="en">Browsers give the camera and offline support (service worker) only to https:// pages. This page was opened over http://, so the scan screen would not work.</span></p>
</div>
<h2>解决方法 <span class="en">How to fix it</span></h2>
<ol>
  <li>如果这台平板还没有安装本机证书：打开 <a href="/connect">连接平板 /connect</a>，按步骤安装（每台平板一次）。<br>
  <span class="en">If this tablet has not installed the installation's certificate yet: open <a href="/connect">Connect a tablet (/connect)</a> and follow the steps (once per tablet).</span></li>
  <li>然后打开 https 地址：<br><span class="en">Then open the https address:</span><br>
  ${best ? html`<a class="btn url" href="${best}">${best}</a>` : ''}</li>
</ol>`,
  );
}

/**
 * The plain-HTTP side when HTTPS=auto: what a tablet needs before it trusts the CA, and a 308 to the same
 * path on https:// for everything else. `main` answers /healthz and /api/connect as on HTTPS.
 */
export function plainHttpApp(s: HttpsStatus, main: { fetch: (req: Request) => Response | Promise<Response> }) {
  const app = new Hono();
  const pass = (c: { req: { raw: Request } }) => main.fetch(c.req.raw);
  app.get('/healthz', pass);
  app.get('/api/connect', pass);
  app.get('/ca.crt', () => caResponse(s));
  app.get('/ca.mobileconfig', () => profileResponse(s));
  app.get('/connect', async (c) => c.html(await connectPage(s, c.req.header('host')), 200, { 'cache-control': 'no-cache' }));
  const explain = (c: Context) => c.html(tabletOverHttpPage(s, hostOf(c.req.header('host'))), 200, { 'cache-control': 'no-cache' });
  app.get('/tablet', explain);
  app.get('/tablet/*', explain);
  app.all('*', (c) => {
    const url = new URL(c.req.url);
    const host = hostOf(c.req.header('host')) ?? 'localhost';
    return c.redirect(`https://${hostPart(host)}:${s.port}${url.pathname}${url.search}`, 308);
  });
  return app;
}
