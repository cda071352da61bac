import type { GateContacts } from '../alerts/contacts.js';
import { DIRECTION_WORDS, type Lang, VERDICT_WORDS } from '../core/i18n.js';
import { formatLocal } from '../core/time.js';
import type { RoundView } from '../disinfection/queries.js';
import { inert } from '../exports/format.js';
import type { DossierPassage } from './pages.js';

interface DossierData {
  compound: { name: string; timezone: string };
  building: { name: string };
  passages: DossierPassage[];
  others: DossierPassage[] | null;
  rounds: RoundView[];
  contacts: GateContacts[];
  lang: Lang;
}

/** The dossier as a workbook: one sheet per section, cells made inert like every export. */
export async function dossierWorkbook(d: DossierData): Promise<Uint8Array> {
  const { default: ExcelJS } = await import('exceljs');
  const zh = d.lang === 'zh';
  const tz = d.compound.timezone;
  const wb = new ExcelJS.Workbook();
  const sheet = (name: string, headers: string[], rows: (string | number | null)[][]) => {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = headers.map((h) => ({ header: h, width: 16 }));
    ws.getRow(1).font = { bold: true };
    for (const r of rows) ws.addRow(r.map(inert));
  };
  const passageRows = (list: DossierPassage[]) =>
    list.map((x) => [
      formatLocal(Date.parse(x.occurredAt), tz),
      x.gate,
      DIRECTION_WORDS[x.direction][zh ? 0 : 1],
      `${x.name ?? ''}${x.subject === 'visitor' ? (zh ? '（访客）' : ' (visitor)') : ''}`,
      [x.building, x.unit, x.room].filter(Boolean).join(' '),
      x.phone ?? '',
      x.testStatus ? `${x.testStatus.result} ${formatLocal(x.testStatus.sampledAt, tz)}` : '',
      x.temperature === null ? '' : x.temperature === 'normal' ? (zh ? '正常' : 'normal') : x.temperature,
      VERDICT_WORDS[x.verdict][zh ? 0 : 1],
      x.overrideReason ?? '',
    ]);
  const passageHeaders = zh ? ['时间', '门岗', '方向', '姓名', '住址', '手机号', '当时核酸', '体温', '结论', '人工放行原因'] : ['Time', 'Gate', 'Dir.', 'Name', 'Address', 'Phone', 'Test then', 'Temperature', 'Verdict', 'Override reason'];
  sheet(zh ? '本楼居民通行' : 'Residents', passageHeaders, passageRows(d.passages));
  if (d.others) sheet(zh ? '同门岗其他人员' : 'Others at the gates', passageHeaders, passageRows(d.others));
  sheet(
    zh ? '消杀记录' : 'Disinfection',
    zh ? ['时段', '完成时间', '状态', '内容', '消毒剂', '消杀人', '照片'] : ['Slot', 'Finished', 'State', 'Areas', 'Disinfectant', 'By', 'Photo'],
    d.rounds.map((r) => [`${r.slotDate} ${r.slotTime}`, formatLocal(Date.parse(r.finishedAt), tz), r.status, r.status === 'skipped' ? (r.skipReason ?? '') : r.items.filter((i) => i.done).map((i) => i.label).join('、'), `${r.disinfectant ?? ''} ${r.concentration ?? ''}`.trim(), r.operator ?? '', r.hasPhoto ? (zh ? '有' : 'yes') : '']),
  );
  sheet(
    zh ? '时空伴随' : 'Gate contacts',
    zh ? ['病例', '住户', '姓名', '手机号', '门岗', '通行时间', '与病例相隔（分钟）'] : ['Case', 'Household', 'Name', 'Phone', 'Gate', 'Passed at', 'Minutes from the case'],
    d.contacts.flatMap((g) =>
      g.households.flatMap((h) =>
        h.members.flatMap((m) => m.passages.map((p) => [g.resident.name, h.building ? `${h.building} ${h.unit}-${h.room}` : zh ? '访客' : 'visitors', m.name, m.phone ?? '', p.gate, formatLocal(Date.parse(p.at), tz), p.gapMinutes])),
      ),
    ),
  );
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
