import { html } from 'hono/html';
import type { Lang } from '../core/i18n.js';
import { formatLocal } from '../core/time.js';
import { page, w } from '../reports/pages.js';
import type { doorToDoor } from './service.js';

type DoorToDoor = Awaited<ReturnType<typeof doorToDoor>>;

/**
 * The door-to-door sheet (上门核查名单, A4): a building's (or a unit's) untested residents by room, with a
 * box to tick at the door and a line for a note, for the volunteer who knocks.
 */
export function doorToDoorHtml(d: DoorToDoor, lang: Lang, printedAt: number) {
  const tz = d.compound.timezone;
  const where = `${d.building.name}${d.unit ? w(lang, ` ${d.unit}单元`, ` unit ${d.unit}`) : ''}`;
  const title = `${d.compound.name} ${where} ${w(lang, '上门核查名单', 'door-to-door list')}`;
  return page(
    title,
    lang,
    html`<h1>${d.compound.name} · ${where} · ${w(lang, '上门核查名单', 'Door-to-door list')}</h1>
<div class="sub">${d.round.name}（${d.round.startsOn} — ${d.round.endsOn}）· ${w(lang, `未检 ${d.rows.length} 人 / 共 ${d.residents} 人，免检 ${d.exempt} 人`, `${d.rows.length} untested of ${d.residents}, ${d.exempt} exempt`)} · ${w(lang, '打印时间', 'printed')} ${formatLocal(printedAt, tz)}${d.masked ? w(lang, ' · 姓名已隐去', ' · names masked') : ''}</div>
<table class="d2d"><thead><tr><th>${w(lang, '单元', 'Unit')}</th><th>${w(lang, '房号', 'Room')}</th><th>${w(lang, '姓名', 'Name')}</th><th>${w(lang, '手机号', 'Phone')}</th><th class="tick">${w(lang, '已采样', 'Sampled')}</th><th>${w(lang, '备注（不在家、拒检……）', 'Note (not in, refused…)')}</th></tr></thead>
<tbody>${
      d.rows.length
        ? d.rows.map((r) => html`<tr><td>${r.unit}</td><td>${r.room}</td><td>${r.name}</td><td>${r.phone}</td><td class="tick">☐</td><td class="note"></td></tr>`)
        : html`<tr><td colspan="6" class="muted">${w(lang, '本楼栋已全部检测', 'Everyone in this building is tested')}</td></tr>`
    }</tbody></table>
<p class="muted">${w(lang, '在平板“上门核查”中勾选，记录为“上门采样”，同步后计入本轮覆盖率。', 'Tick each person off on the tablet (上门核查): it records "tested at home" and counts for the round once synced.')}</p>
<style>table.d2d td.tick, table.d2d th.tick { text-align: center; width: 16mm; font-size: 14pt; } table.d2d td.note { width: 55mm; } table.d2d td { height: 8mm; }</style>`,
  );
}
