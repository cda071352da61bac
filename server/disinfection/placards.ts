import { html, raw } from 'hono/html';
import type { DaySlot } from '../core/disinfection.js';
import { formatLocal, zonedTime } from '../core/time.js';
import { qrSvg } from '../passes/sheet.js';
import { PAGE_STYLE } from '../http/print.js';
import type { RoundView } from './queries.js';


/**
 * The placard posted in a building's lobby (or at a point): its QR, which a worker scans to open that
 * place's rounds on the tablet — and which proves they stood there — and the day's slot times.
 */
export async function placardHtml(p: { compound: string; place: string; code: string; slots: { time: string; onTimeMinutes: number }[]; lang: 'zh' | 'en' }) {
  const zh = p.lang === 'zh';
  return html`<!doctype html>
<html lang="${zh ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${p.compound} ${p.place} ${zh ? '消杀码' : 'placard'}</title>
<style>${raw(PAGE_STYLE)}
  .placard { width: 180mm; margin: 8mm auto; border: 3mm solid #0f4c81; border-radius: 6mm; padding: 10mm; text-align: center; }
  .compound { font-size: 16pt; color: #0f4c81; font-weight: 700; }
  .place { font-size: 44pt; font-weight: 900; margin: 4mm 0; }
  .qr { width: 110mm; height: 110mm; margin: 0 auto; } .qr svg { width: 100%; height: 100%; }
  .scan { font-size: 18pt; font-weight: 700; margin: 4mm 0; }
  .slots { display: flex; flex-wrap: wrap; justify-content: center; gap: 3mm 5mm; font-size: 18pt; font-weight: 800; }
  .slots span { border: 0.8mm solid #0f4c81; border-radius: 3mm; padding: 1.5mm 4mm; }
  .note { font-size: 11pt; color: #444; margin-top: 4mm; }
</style></head>
<body>
<div class="bar"><span>${p.compound} · ${p.place}</span><button data-print>${zh ? '打印' : 'Print'}</button></div>
<div class="placard">
  <div class="compound">${p.compound}</div>
  <div class="place">${p.place}</div>
  <div class="scan">${zh ? '消杀人员：用门岗平板扫描此码开始本轮消杀' : 'Disinfection staff: scan this with the gate tablet to start the round'}</div>
  <div class="qr">${raw(await qrSvg(p.code))}</div>
  <div class="scan">${zh ? '每日消杀时间' : 'Daily rounds'}</div>
  <div class="slots">${p.slots.map((s) => html`<span>${s.time}</span>`)}</div>
  <div class="note">${zh ? `每轮开始后${p.slots[0]?.onTimeMinutes ?? 120}分钟内完成为按时；下一轮开始仍未完成记为漏消。` : `A round done within ${p.slots[0]?.onTimeMinutes ?? 120} minutes of its start is on time; not done when the next one starts, it is missed.`}</div>
</div>
<script src="/print.js"></script>
</body></html>`;
}

const STATE_WORDS: Record<string, [string, string]> = {
  done: ['已完成', 'Done'],
  late: ['超时完成', 'Late'],
  missed: ['漏消', 'Missed'],
  skipped: ['已跳过', 'Skipped'],
  none: ['不计（尚未添加）', 'Not due (added later)'],
  due: ['进行中', 'Due now'],
  upcoming: ['未开始', 'Upcoming'],
};

/** The day's record sheet (消毒记录表) for a place: each slot with who, when, what; posted in the lobby. */
export function dailySheetHtml(p: {
  compound: string;
  place: string;
  date: string;
  tz: string;
  slots: (DaySlot & { state: string | null })[];
  rounds: RoundView[];
  lang: 'zh' | 'en';
}) {
  const zh = p.lang === 'zh';
  const rows = p.slots.map((s) => {
    const mine = p.rounds.filter((r) => r.slotTime === s.time);
    const cell = (f: (r: RoundView) => string) => raw(mine.map((r) => html`<div>${f(r)}</div>`).join(''));
    return html`<tr>
      <td><b>${s.time}</b></td>
      <td>${STATE_WORDS[s.state ?? 'none']?.[zh ? 0 : 1] ?? s.state}</td>
      <td>${cell((r) => (r.status === 'skipped' ? (zh ? `已跳过（${r.skipReason ?? ''}）` : `Skipped (${r.skipReason ?? ''})`) : r.items.filter((i) => i.done).map((i) => i.label).join('、')))}</td>
      <td>${cell((r) => [r.disinfectant, r.concentration].filter(Boolean).join(' '))}</td>
      <td>${cell((r) => r.operator ?? '')}</td>
      <td>${cell((r) => `${zonedTime(Date.parse(r.startedAt), p.tz)}–${zonedTime(Date.parse(r.finishedAt), p.tz)}`)}</td>
      <td>${cell((r) => r.note ?? '')}</td>
    </tr>`;
  });
  return html`<!doctype html>
<html lang="${zh ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${p.place} ${p.date} ${zh ? '消毒记录表' : 'disinfection sheet'}</title>
<style>${raw(PAGE_STYLE)}
  h1 { text-align: center; font-size: 20pt; margin: 6mm 0 2mm; }
  .sub { text-align: center; margin-bottom: 4mm; }
  td { height: 14mm; }
  .sign { margin-top: 8mm; display: flex; justify-content: space-between; }
</style></head>
<body>
<div class="bar"><span>${p.compound} · ${p.place} · ${p.date}</span><button data-print>${zh ? '打印' : 'Print'}</button></div>
<h1>${zh ? '消毒记录表' : 'Disinfection record'}</h1>
<div class="sub">${p.compound} · ${p.place} · ${p.date}</div>
<table>
  <thead><tr>
    <th>${zh ? '时段' : 'Slot'}</th><th>${zh ? '状态' : 'State'}</th><th>${zh ? '消毒区域' : 'Areas'}</th><th>${zh ? '消毒剂及浓度' : 'Disinfectant'}</th>
    <th>${zh ? '消毒人' : 'By'}</th><th>${zh ? '时间' : 'Time'}</th><th>${zh ? '备注' : 'Note'}</th>
  </tr></thead>
  <tbody>${rows}</tbody>
</table>
<div class="sign"><span>${zh ? '物业负责人签字：' : 'Property manager:'} ____________</span><span>${zh ? '打印时间：' : 'Printed:'} ${formatLocal(Date.now(), p.tz)}</span></div>
<script src="/print.js"></script>
</body></html>`;
}
