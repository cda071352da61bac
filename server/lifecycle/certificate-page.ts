import { html, raw } from 'hono/html';
import { type SignedCertificate, showFingerprint } from '../core/certificate.js';
import type { Lang } from '../core/i18n.js';
import { formatLocal } from '../core/time.js';
import { PAGE_STYLE } from '../http/print.js';

const KINDS: Record<string, [string, string]> = {
  residents: ['居民（姓名、手机号）', 'residents (names, phones)'],
  households: ['住户（楼栋房号）', 'households (rooms)'],
  passes: ['通行码', 'passes'],
  testResults: ['核酸结果', 'test results'],
  gateChecks: ['通行记录（含通行码与个人信息）', 'gate checks (with codes and personal fields)'],
  visitors: ['其中访客', 'of which visitors'],
  photos: ['消杀照片', 'disinfection photos'],
  tabletsRevoked: ['已吊销的平板（平板上的名单随之清除）', 'tablets revoked (each wipes its roster)'],
  auditRowsRedacted: ['审计日志中已隐去个人信息的条目', 'audit rows with personal fields redacted'],
};

const STYLE = `
  h1 { font-size: 20pt; text-align: center; margin: 8mm 0 2mm; letter-spacing: 4px; }
  .sub { text-align: center; color: #444; margin-bottom: 6mm; }
  table { margin-bottom: 5mm; } td.n { text-align: right; width: 30mm; }
  .fp { font-family: ui-monospace, monospace; font-size: 10pt; word-break: break-all; }
  .sig { font-family: ui-monospace, monospace; font-size: 8pt; word-break: break-all; color: #333; }
  .page { padding: 0 10mm 10mm; } .note { font-size: 10pt; color: #333; }
`;

/** The deletion certificate (数据销毁证明) as an A4 page; the JSON file beside it is what verifies. */
export function certificateHtml(s: SignedCertificate, lang: Lang) {
  const c = s.certificate;
  const zh = lang === 'zh';
  const w = (a: string, b: string) => (zh ? a : b);
  const tz = 'Asia/Shanghai';
  const when = (iso: string | null) => (iso ? formatLocal(Date.parse(iso), tz) : '—');
  const title = w('数据销毁证明', 'Deletion certificate');
  return html`<!doctype html>
<html lang="${zh ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${title} ${c.id}</title>
<style>${raw(PAGE_STYLE)}${raw(STYLE)}</style></head>
<body>
<div class="bar"><span>${title}</span><button data-print>${w('打印', 'Print')}</button></div>
<div class="page">
<h1>${title}</h1>
<div class="sub">${w('编号', 'No.')} ${c.id}</div>
<table>
<tr><th>${w('范围', 'Scope')}</th><td>${c.compound ? c.compound.name : w('全部小区', 'the whole district')}</td></tr>
<tr><th>${w('防疫管控期', 'Epidemic-control period')}</th><td>${when(c.period.from)} — ${when(c.period.to)}</td></tr>
<tr><th>${w('销毁时间', 'Deleted at')}</th><td>${when(c.issuedAt)} (${tz})</td></tr>
<tr><th>${w('执行人', 'By')}</th><td>${c.issuedBy.name}</td></tr>
</table>
<table>
<tr><th>${w('已删除的数据', 'What was deleted')}</th><th class="n">${w('数量', 'Count')}</th></tr>
${Object.entries(c.deleted).map(([k, n]) => html`<tr><td>${KINDS[k] ? KINDS[k][zh ? 0 : 1] : k}</td><td class="n">${n.toLocaleString('en-US')}</td></tr>`)}
</table>
<p class="note">${w(
    '仅保留不含个人信息的每日统计与审计记录（审计记录中的姓名、手机号已隐去）。',
    'Only anonymous daily figures and the audit trail (with names and phones redacted) are kept.',
  )}</p>
<table>
<tr><th>${w('已删除的备份', 'Backups deleted')}</th><td>${c.backups.deleted.length ? c.backups.deleted.join(', ') : w('无', 'none')}</td></tr>
<tr><th>${w('无法删除的备份（请自行销毁）', 'Backups it could not reach (destroy them yourself)')}</th><td>${c.backups.unreachable.length ? c.backups.unreachable.join(', ') : w('无', 'none')}</td></tr>
</table>
<table>
<tr><th>${w('签名密钥指纹', 'Signing key fingerprint')}</th><td class="fp">${showFingerprint(c.fingerprint)}</td></tr>
<tr><th>${w('签名', 'Signature')} (Ed25519)</th><td class="sig">${s.signature}</td></tr>
</table>
<p class="note">${w(
    '核验：npm run verify-certificate -- 证明文件.json --key <指纹>，或在办公室端“数据管理 → 核验销毁证明”。指纹须与本系统管理页显示的一致。',
    'To verify: npm run verify-certificate -- certificate.json --key <fingerprint>, or the office page “Data → Verify a certificate”. The fingerprint must be the one the admin page of this installation shows.',
  )}</p>
</div>
<script src="/print.js"></script>
</body></html>`;
}
