import { html, raw } from 'hono/html';
import QRCode from 'qrcode';
import { maskName } from '../core/mask.js';

export interface PassCard {
  code: string;
  name: string;
  building: string;
  unit: string;
  room: string;
  passId: number;
  /** The card's phone activation link (single use), and until when it works. */
  activation?: { url: string; expiresAt: string };
}

/** A QR code as inline SVG (crisp at any print size). */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
}

/**
 * An A4 sheet of pass cards to print and cut: 3 × 4 cards a page, each with its QR, the masked name (a
 * card can be lost in the street) and the address.
 */
export async function passSheetHtml(p: { compound: string; building: string; cards: PassCard[]; lang: 'zh' | 'en' }) {
  const zh = p.lang === 'zh';
  const cards = await Promise.all(
    p.cards.map(async (c) => html`<div class="card">
  <div class="head"><span>${p.compound}</span><span>${zh ? '通行码' : 'Pass'}</span></div>
  <div class="qr">${raw(await qrSvg(c.code))}</div>
  <div class="name">${maskName(c.name)}</div>
  <div class="addr">${c.building} ${c.unit}${zh ? '单元' : '-'}${c.room}</div>
  <div class="id">No. ${c.passId}</div>
  ${c.activation ? html`<div class="act"><div class="aqr">${raw(await qrSvg(c.activation.url))}</div><div>${zh ? '手机扫码启用动态码' : 'Scan with your phone to use it as your pass'}<br>${zh ? '一次有效，' : 'single use, until '}${c.activation.expiresAt.slice(0, 10)}${zh ? '前' : ''}</div></div>` : ''}
</div>`),
  );
  return html`<!doctype html>
<html lang="${zh ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<title>${p.compound} ${p.building} ${zh ? '通行码' : 'passes'}</title>
<style>
  @page { size: A4; margin: 10mm; }
  body { font-family: 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif; margin: 0; color: #111; }
  .bar { padding: 8px 12px; background: #0f4c81; color: #fff; display: flex; justify-content: space-between; align-items: center; }
  .bar button { font: inherit; padding: 6px 16px; }
  .sheet { display: grid; grid-template-columns: repeat(3, 63mm); grid-auto-rows: 66mm; gap: 3mm; justify-content: center; padding: 4mm 0; }
  .card { border: 1px dashed #999; border-radius: 3mm; padding: 2.5mm; display: flex; flex-direction: column; align-items: center; break-inside: avoid; }
  .head { width: 100%; display: flex; justify-content: space-between; font-size: 9pt; color: #0f4c81; font-weight: 700; }
  .qr { width: 32mm; height: 32mm; } .qr svg { width: 100%; height: 100%; }
  .name { font-size: 14pt; font-weight: 700; margin-top: 1mm; }
  .addr { font-size: 10pt; } .id { font-size: 7pt; color: #666; }
  .act { display: flex; align-items: center; gap: 1.5mm; font-size: 6.5pt; color: #333; margin-top: 0.5mm; }
  .aqr { width: 13mm; height: 13mm; flex: none; } .aqr svg { width: 100%; height: 100%; }
  @media print { .bar { display: none; } .sheet { padding: 0; } }
</style></head>
<body>
<div class="bar"><span>${p.compound} · ${p.building} · ${p.cards.length} ${zh ? '张' : 'cards'}</span><button data-print>${zh ? '打印' : 'Print'}</button></div>
<div class="sheet">${cards}</div>
<script src="/print.js"></script>
</body></html>`;
}
