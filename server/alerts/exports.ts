import { html } from 'hono/html';
import type { Actor } from '../auth/actor.js';
import { DIRECTION_WORDS, type Lang } from '../core/i18n.js';
import { maskPhone } from '../core/mask.js';
import { formatLocal } from '../core/time.js';
import { type Column, csvStream, xlsxStream } from '../exports/format.js';
import { page, w } from '../reports/pages.js';
import { seesFull } from '../rounds/service.js';
import type { GateContacts } from './contacts.js';

interface Row {
  household: string;
  name: string;
  phone: string;
  gate: string;
  direction: string;
  at: string;
  caseAt: string;
  gap: number;
}

const address = (h: { building: string | null; unit: string | null; room: string | null }, lang: Lang) =>
  h.building ? `${h.building} ${h.unit}${w(lang, '单元', '-')}${h.room}` : w(lang, '访客', 'visitors');

/** Phones as the viewer's role may see them (managers and admins in full; others masked). */
export function maskContacts(g: GateContacts, actor: Actor | null): GateContacts {
  if (seesFull(actor).phones) return g;
  return {
    ...g,
    resident: { ...g.resident, phone: maskPhone(g.resident.phone) },
    households: g.households.map((h) => ({ ...h, members: h.members.map((m) => ({ ...m, phone: maskPhone(m.phone) })) })),
  };
}

function rowsOf(g: GateContacts, tz: string, lang: Lang): Row[] {
  const caseAt = new Map(g.passages.map((p) => [p.checkId, p.at]));
  return g.households.flatMap((h) =>
    h.members.flatMap((m) =>
      m.passages.map((p) => ({
        household: address(h, lang),
        name: m.name,
        phone: m.phone ?? '',
        gate: p.gate,
        direction: DIRECTION_WORDS[p.direction][lang === 'zh' ? 0 : 1],
        at: formatLocal(Date.parse(p.at), tz),
        caseAt: formatLocal(Date.parse(caseAt.get(p.caseCheckId)!), tz),
        gap: p.gapMinutes,
      })),
    ),
  );
}

const COLUMNS: Column<Row>[] = [
  { zh: '住户', en: 'Household', width: 18, value: (r) => r.household },
  { zh: '姓名', en: 'Name', width: 12, value: (r) => r.name },
  { zh: '手机号', en: 'Phone', width: 14, value: (r) => r.phone },
  { zh: '门岗', en: 'Gate', width: 10, value: (r) => r.gate },
  { zh: '方向', en: 'Dir.', width: 6, value: (r) => r.direction },
  { zh: '通行时间', en: 'Passed at', width: 18, value: (r) => r.at },
  { zh: '病例通行时间', en: 'Case passed at', width: 18, value: (r) => r.caseAt },
  { zh: '相隔（分钟，负为早于病例）', en: 'Minutes apart (− before the case)', width: 12, value: (r) => r.gap },
];

async function* each<T>(rows: T[]) {
  yield* rows;
}

/** The gate contacts as an A4 page, or CSV/XLSX (one row per contact's passage). */
export function contactsFile(compound: { id: number; name: string; timezone: string }, raw: GateContacts, actor: Actor | null, format: 'print' | 'csv' | 'xlsx', lang: Lang, now: number) {
  const g = maskContacts(raw, actor);
  const tz = compound.timezone;
  if (format === 'print') return { html: contactsHtml(compound, g, lang, now) } as const;
  const rows = rowsOf(g, tz, lang);
  const file = `${w(lang, '门岗时空伴随', 'gate-contacts')}_${g.resident.building}${g.resident.unit}-${g.resident.room}.${format}`;
  const stream = format === 'csv' ? csvStream(COLUMNS, each(rows), { lang }) : xlsxStream(COLUMNS, each(rows), { lang, sheetName: w(lang, '时空伴随', 'contacts') });
  const headers = {
    'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'Content-Disposition': `attachment; filename="contacts.${format}"; filename*=UTF-8''${encodeURIComponent(file)}`,
    'Cache-Control': 'no-store, no-transform',
  };
  return { stream, headers } as const;
}

/** The gate contacts, printable (A4): the case's passages, then each household with its members' passages. */
export function contactsSection(g: GateContacts, tz: string, lang: Lang) {
  const caseAt = new Map(g.passages.map((p) => [p.checkId, p.at]));
  return html`<p>${w(lang, `病例 ${g.resident.name}（${g.resident.building} ${g.resident.unit}单元${g.resident.room}）近 ${g.days} 天经门岗通行 ${g.passages.length} 次；前后 ${g.minutes} 分钟内同一门岗通行者 ${g.people} 人，${g.households.length} 户。`, `Case ${g.resident.name} (${g.resident.building} unit ${g.resident.unit} room ${g.resident.room}): ${g.passages.length} passages in the last ${g.days} days; ${g.people} people in ${g.households.length} households passed the same gate within ${g.minutes} minutes.`)}</p>
<table><thead><tr><th>${w(lang, '病例通行', 'Case passages')}</th><th>${w(lang, '门岗', 'Gate')}</th><th>${w(lang, '方向', 'Dir.')}</th></tr></thead><tbody>${
    g.passages.length
      ? g.passages.map((p) => html`<tr><td>${formatLocal(Date.parse(p.at), tz)}</td><td>${p.gate}</td><td>${DIRECTION_WORDS[p.direction][lang === 'zh' ? 0 : 1]}</td></tr>`)
      : html`<tr><td colspan="3" class="muted">${w(lang, '无', 'None')}</td></tr>`
  }</tbody></table>
<table style="margin-top:4mm"><thead><tr><th>${w(lang, '住户', 'Household')}</th><th>${w(lang, '姓名', 'Name')}</th><th>${w(lang, '手机号', 'Phone')}</th><th>${w(lang, '通行（门岗、时间、与病例相隔）', 'Passages (gate, time, minutes from the case)')}</th></tr></thead><tbody>${
    g.households.length
      ? g.households.map((h) =>
          h.members.map(
            (m, i) => html`<tr>${i === 0 ? html`<td rowspan="${h.members.length}"><b>${address(h, lang)}</b></td>` : ''}<td>${m.name}</td><td>${m.phone ?? ''}</td><td>${m.passages.map(
              (p) => html`${p.gate} ${DIRECTION_WORDS[p.direction][lang === 'zh' ? 0 : 1]} ${formatLocal(Date.parse(p.at), tz)}（${p.gapMinutes > 0 ? '+' : ''}${p.gapMinutes} ${w(lang, '分钟，病例', 'min; case')} ${formatLocal(Date.parse(caseAt.get(p.caseCheckId)!), tz).slice(5)}）<br>`,
            )}</td></tr>`,
          ),
        )
      : html`<tr><td colspan="4" class="muted">${w(lang, '无时空伴随人员', 'No gate contacts')}</td></tr>`
  }</tbody></table>`;
}

function contactsHtml(compound: { name: string; timezone: string }, g: GateContacts, lang: Lang, now: number) {
  const tz = compound.timezone;
  const title = `${compound.name} ${w(lang, '门岗时空伴随名单', 'gate contacts')} · ${g.resident.name}`;
  return page(
    title,
    lang,
    html`<h1>${compound.name} · ${w(lang, '门岗时空伴随名单', 'Gate contacts')}</h1>
<div class="sub">${formatLocal(Date.parse(g.from), tz)} — ${formatLocal(Date.parse(g.to), tz)} (${tz}) · ±${g.minutes} ${w(lang, '分钟', 'min')} · ${w(lang, '打印时间', 'printed')} ${formatLocal(now, tz)}</div>
${contactsSection(g, tz, lang)}`,
  );
}
