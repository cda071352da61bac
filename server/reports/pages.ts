import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { DIRECTION_WORDS, formatTemperature, type Lang, reasonLabel, VERDICT_WORDS } from '../core/i18n.js';
import { formatLocal, zonedTime } from '../core/time.js';
import type { compoundDashboard } from '../dashboard/queries.js';
import type { RoundView } from '../disinfection/queries.js';
import type { listShifts } from '../gate/queries.js';
import { PAGE_STYLE } from '../http/print.js';
import type { GateContacts } from '../alerts/contacts.js';
import { contactsSection } from '../alerts/exports.js';

type Dashboard = Awaited<ReturnType<typeof compoundDashboard>>;
type Shift = Awaited<ReturnType<typeof listShifts>>[number];

const REPORT_STYLE = `
  h1 { font-size: 18pt; margin: 6mm 0 1mm; } h2 { font-size: 13pt; margin: 6mm 0 2mm; border-bottom: 2px solid #0f4c81; }
  .sub { color: #444; margin-bottom: 3mm; }
  .figures { display: grid; grid-template-columns: repeat(6, 1fr); gap: 2mm; }
  .figures div { border: 1px solid #999; padding: 2mm; text-align: center; } .figures b { display: block; font-size: 16pt; }
  td.n, th.n { text-align: right; }
  .page { padding: 0 6mm 8mm; }
  img.photo { width: 45mm; height: 34mm; object-fit: cover; border: 1px solid #999; }
  .muted { color: #666; }
`;

export function page(title: string, lang: Lang, body: HtmlEscapedString | Promise<HtmlEscapedString>) {
  const zh = lang === 'zh';
  return html`<!doctype html>
<html lang="${zh ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${title}</title>
<style>${raw(PAGE_STYLE)}${raw(REPORT_STYLE)}</style></head>
<body>
<div class="bar"><span>${title}</span><button data-print>${zh ? '打印' : 'Print'}</button></div>
<div class="page">${body}</div>
<script src="/print.js"></script>
</body></html>`;
}

export const w = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);

/** The daily report of a compound (A4): the day's figures, hour by hour, shifts, overrides, disinfection. */
export function dailyReportHtml(d: Dashboard, shifts: Shift[], lang: Lang, printedAt: number) {
  const tz = d.compound.timezone;
  const s = d.summary;
  const title = `${d.compound.name} ${d.date} ${w(lang, '日报', 'daily report')}`;
  const fig = (label: string, n: number | string) => html`<div>${label}<b>${n}</b></div>`;
  const dis = d.disinfection;
  const busy = d.hourly.filter((h) => h.in + h.out + h.turnedBack > 0);
  return page(
    title,
    lang,
    html`<h1>${d.compound.name} · ${w(lang, '门岗与消杀日报', 'Gates and disinfection: daily report')}</h1>
<div class="sub">${d.date} · ${w(lang, '打印时间', 'printed')} ${formatLocal(printedAt, tz)} (${tz})</div>
<div class="figures">
  ${fig(w(lang, '进', 'In'), s.in)}${fig(w(lang, '出', 'Out'), s.out)}${fig(w(lang, '劝返', 'Turned back'), s.turnedBack)}
  ${fig(w(lang, '人工放行', 'Overrides'), s.overrides)}${fig(w(lang, '访客', 'Visitors'), s.visitors)}${fig(w(lang, '体温异常', 'Fevers'), s.fevers)}
  ${fig(w(lang, '消杀完成', 'Rounds done'), `${dis.counts.done + dis.counts.late}/${dis.slots}`)}
</div>
<h2>${w(lang, '分时段通行', 'By hour')}</h2>
<table><thead><tr><th>${w(lang, '时段', 'Hour')}</th><th class="n">${w(lang, '进', 'In')}</th><th class="n">${w(lang, '出', 'Out')}</th><th class="n">${w(lang, '劝返', 'Turned back')}</th></tr></thead>
<tbody>${busy.length ? busy.map((h) => html`<tr><td>${String(h.hour).padStart(2, '0')}:00–${String(h.hour + 1).padStart(2, '0')}:00</td><td class="n">${h.in}</td><td class="n">${h.out}</td><td class="n">${h.turnedBack}</td></tr>`) : html`<tr><td colspan="4" class="muted">${w(lang, '无记录', 'No checks')}</td></tr>`}</tbody></table>
<h2>${w(lang, '未通过原因', 'Denials by reason')}</h2>
<table><tbody>${
      Object.entries(s.denialsByReason).length
        ? Object.entries(s.denialsByReason)
            .sort((a, b) => b[1] - a[1])
            .map(([code, n]) => html`<tr><td>${reasonLabel(code, lang)}</td><td class="n">${n}</td></tr>`)
        : html`<tr><td class="muted">${w(lang, '无', 'None')}</td></tr>`
    }</tbody></table>
<h2>${w(lang, '人工放行', 'Overrides')}</h2>
<table><thead><tr><th>${w(lang, '时间', 'Time')}</th><th>${w(lang, '门岗', 'Gate')}</th><th>${w(lang, '姓名', 'Name')}</th><th>${w(lang, '未通过原因', 'Denied for')}</th><th>${w(lang, '放行原因', 'Let through because')}</th><th>${w(lang, '志愿者', 'Volunteer')}</th></tr></thead>
<tbody>${
      d.overrides.length
        ? d.overrides.map(
            (o) =>
              html`<tr><td>${zonedTime(Date.parse(o.occurredAt), tz)}</td><td>${o.gate}</td><td>${o.residentName ?? ''}</td><td>${o.reasons.map((r) => reasonLabel(r.code, lang)).join('、')}</td><td>${o.overrideReason}</td><td>${o.volunteer ?? ''}</td></tr>`,
          )
        : html`<tr><td colspan="6" class="muted">${w(lang, '无', 'None')}</td></tr>`
    }</tbody></table>
<h2>${w(lang, '班次', 'Shifts')}</h2>
<table><thead><tr><th>${w(lang, '门岗', 'Gate')}</th><th>${w(lang, '志愿者', 'Volunteer')}</th><th>${w(lang, '时间', 'Time')}</th><th class="n">${w(lang, '进', 'In')}</th><th class="n">${w(lang, '出', 'Out')}</th><th class="n">${w(lang, '劝返', 'Turned back')}</th><th>${w(lang, '交接备注', 'Handover note')}</th></tr></thead>
<tbody>${
      shifts.length
        ? shifts.map(
            (x) =>
              html`<tr><td>${x.gate}</td><td>${x.volunteer}</td><td>${zonedTime(Date.parse(x.startedAt), tz)}–${x.endedAt ? zonedTime(Date.parse(x.endedAt), tz) : ''}${x.autoClosedAt ? w(lang, '（自动结束）', ' (closed automatically)') : ''}</td><td class="n">${x.counts.in}</td><td class="n">${x.counts.out}</td><td class="n">${x.counts.turnedBack}</td><td>${x.handoverNote ?? ''}</td></tr>`,
          )
        : html`<tr><td colspan="7" class="muted">${w(lang, '无', 'None')}</td></tr>`
    }</tbody></table>
<h2>${w(lang, '消杀', 'Disinfection')}</h2>
<p>${w(lang, '按时', 'On time')} ${dis.counts.done} · ${w(lang, '超时', 'late')} ${dis.counts.late} · ${w(lang, '漏消', 'missed')} ${dis.counts.missed} · ${w(lang, '已跳过', 'skipped')} ${dis.counts.skipped} · ${w(lang, '进行中', 'due')} ${dis.counts.due} · ${w(lang, '未开始', 'upcoming')} ${dis.counts.upcoming}</p>
${dis.missed.length ? html`<p><b>${w(lang, '漏消：', 'Missed: ')}</b>${dis.missed.map((m) => `${m.name} ${m.time}`).join(w(lang, '、', ', '))}</p>` : ''}
<p class="muted">${w(lang, '待核对的离线冲突', 'Offline conflicts to reconcile')}: ${d.conflictsOpen}</p>`,
  );
}

export interface DossierPassage {
  occurredAt: string;
  gateId: number;
  gate: string;
  direction: 'in' | 'out';
  subject: string;
  verdict: 'allow' | 'deny' | 'review';
  overrideReason: string | null;
  name: string | null;
  building: string | null;
  unit: string | null;
  room: string | null;
  phone: string | null;
  testStatus: { result: 'negative' | 'positive' | 'pending'; sampledAt: number; ageHours: number } | null;
  /** The temperature taken at the gate: °C, or "normal" (confirmed with one tap). */
  temperature: number | 'normal' | null;
}

const RESULT = { negative: ['阴性', 'negative'], positive: ['阳性', 'positive'], pending: ['待出结果', 'pending'] } as const;

/** The passages of a dossier as a table (the building's own residents', or others' at the same gates). */
function passagesTable(list: DossierPassage[], tz: string, lang: Lang) {
  return html`<table><thead><tr><th>${w(lang, '时间', 'Time')}</th><th>${w(lang, '门岗', 'Gate')}</th><th>${w(lang, '方向', 'Dir.')}</th><th>${w(lang, '姓名', 'Name')}</th><th>${w(lang, '住址', 'Address')}</th><th>${w(lang, '手机号', 'Phone')}</th><th>${w(lang, '当时核酸 / 体温', 'Test / temperature then')}</th><th>${w(lang, '结论', 'Verdict')}</th></tr></thead>
<tbody>${
    list.length
      ? list.map(
          (x) => html`<tr>
  <td>${formatLocal(Date.parse(x.occurredAt), tz)}</td><td>${x.gate}</td><td>${DIRECTION_WORDS[x.direction][lang === 'zh' ? 0 : 1]}</td>
  <td>${x.name ?? ''}${x.subject === 'visitor' ? w(lang, '（访客）', ' (visitor)') : ''}</td>
  <td>${[x.building, x.unit && `${x.unit}${w(lang, '单元', '-')}`, x.room].filter(Boolean).join(' ')}</td><td>${x.phone ?? ''}</td>
  <td>${x.testStatus ? `${RESULT[x.testStatus.result][lang === 'zh' ? 0 : 1]} · ${formatLocal(x.testStatus.sampledAt, tz)} (${x.testStatus.ageHours}h)` : w(lang, '无记录', 'none')}${
    x.temperature === null ? '' : html`<br>${w(lang, '体温', 'temp.')} ${x.temperature === 'normal' ? w(lang, '正常', 'normal') : formatTemperature(x.temperature)}`
  }</td>
  <td>${VERDICT_WORDS[x.verdict][lang === 'zh' ? 0 : 1]}${x.overrideReason ? html`<br><span class="muted">${w(lang, '人工放行：', 'override: ')}${x.overrideReason}</span>` : ''}</td>
</tr>`,
        )
      : html`<tr><td colspan="8" class="muted">${w(lang, '无', 'None')}</td></tr>`
  }</tbody></table>`;
}

const peopleIn = (list: DossierPassage[]) => new Set(list.map((x) => `${x.name}|${x.building}|${x.room}`)).size;

/**
 * The incident dossier of one building over a window: its own residents' passages first, others' at the
 * same gates apart (when asked), the building's disinfection rounds with their photos, and the gate
 * contacts of its positive residents.
 */
export function dossierHtml(p: {
  compound: { id: number; name: string; timezone: string };
  building: { id: number; name: string };
  from: number;
  to: number;
  passages: DossierPassage[];
  others: DossierPassage[] | null;
  rounds: RoundView[];
  contacts: GateContacts[];
  lang: Lang;
  printedAt: number;
}) {
  const { lang } = p;
  const tz = p.compound.timezone;
  const title = `${p.compound.name} ${p.building.name} ${w(lang, '流调档案', 'incident dossier')}`;
  return page(
    title,
    lang,
    html`<h1>${p.compound.name} · ${p.building.name} · ${w(lang, '流调档案', 'Incident dossier')}</h1>
<div class="sub">${formatLocal(p.from, tz)} — ${formatLocal(p.to, tz)} (${tz}) · ${w(lang, '打印时间', 'printed')} ${formatLocal(p.printedAt, tz)}</div>
<h2>${w(lang, `${p.building.name}居民经门岗通行（${p.passages.length} 次，${peopleIn(p.passages)} 人）`, `Residents of ${p.building.name} through the gates (${p.passages.length} passages, ${peopleIn(p.passages)} people)`)}</h2>
${passagesTable(p.passages, tz, lang)}
${
  p.others
    ? html`<h2>${w(lang, `同期同门岗其他人员通行（${p.others.length} 次，${peopleIn(p.others)} 人）`, `Others through the same gates in the window (${p.others.length} passages, ${peopleIn(p.others)} people)`)}</h2>${passagesTable(p.others, tz, lang)}`
    : ''
}
<h2>${w(lang, `${p.building.name}消杀记录（${p.rounds.length} 次）`, `Disinfection of ${p.building.name} (${p.rounds.length} rounds)`)}</h2>
<table><thead><tr><th>${w(lang, '时段', 'Slot')}</th><th>${w(lang, '完成时间', 'Finished')}</th><th>${w(lang, '内容', 'What')}</th><th>${w(lang, '消杀人', 'By')}</th><th>${w(lang, '照片', 'Photo')}</th></tr></thead>
<tbody>${
      p.rounds.length
        ? p.rounds.map(
            (r) => html`<tr>
  <td>${r.slotDate} ${r.slotTime}</td><td>${formatLocal(Date.parse(r.finishedAt), tz)}</td>
  <td>${r.status === 'skipped' ? `${w(lang, '已跳过（', 'Skipped (')}${r.skipReason ?? ''}${w(lang, '）', ')')}` : r.items.filter((i) => i.done).map((i) => i.label).join('、')}${r.disinfectant ? html`<br><span class="muted">${r.disinfectant} ${r.concentration ?? ''}</span>` : ''}${r.note ? html`<br><span class="muted">${r.note}</span>` : ''}</td>
  <td>${r.operator ?? ''}</td>
  <td>${r.hasPhoto ? html`<img class="photo" alt="" src="/api/compounds/${p.compound.id}/disinfection/records/${r.id}/photo">` : ''}</td>
</tr>`,
          )
        : html`<tr><td colspan="5" class="muted">${w(lang, '无', 'None')}</td></tr>`
    }</tbody></table>
<h2>${w(lang, `本楼阳性人员的门岗时空伴随（${p.contacts.length} 人）`, `Gate contacts of the building's positive residents (${p.contacts.length})`)}</h2>
${p.contacts.length ? p.contacts.map((g) => contactsSection(g, tz, lang)) : html`<p class="muted">${w(lang, '本楼无阳性人员', 'No positive resident in this building')}</p>`}`,
  );
}
