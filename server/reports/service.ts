import { type Asker, recordAudit } from '../audit/queries.js';
import { getCompound } from '../compounds/queries.js';
import { addDays, parseLocalDateTime, zonedDate, zonedToUtc } from '../core/time.js';
import { compoundDashboard } from '../dashboard/queries.js';
import { rounds } from '../disinfection/queries.js';
import { ValidationError, NotFoundError, fieldIssue } from '../errors.js';
import { listShifts } from '../gate/queries.js';
import type { AppDeps } from '../deps.js';
import { type DossierPassage, dailyReportHtml, dossierHtml } from './pages.js';
import { dossierWorkbook } from './dossier-xlsx.js';
import { CONTACT_DEFAULTS, gateContacts } from '../alerts/contacts.js';
import { maskContacts } from '../alerts/exports.js';
import { maskPhone } from '../core/mask.js';
import { seesFull } from '../rounds/service.js';
import { buildingOf, dossierPassages } from './queries.js';

const MAX_DOSSIER_DAYS = 31;

/** A print view is an export of personal data: audited like one. */
const audit = (deps: AppDeps, asker: Asker, cid: number, details: Record<string, unknown>) =>
  recordAudit(deps.database.db, { actor: asker.actor, action: 'export', entity: 'report', entityId: String(details.dataset), compoundId: cid, details, ip: asker.ip, at: deps.now().toISOString() });

/** A compound's daily report (A4): the day's figures and the shifts that began on it. */
export async function dailyReport(deps: AppDeps, asker: Asker, cid: number, q: { date?: string | undefined; lang: 'zh' | 'en' }): Promise<string> {
  const db = deps.database.reader;
  const compound = await getCompound(db, cid);
  const date = q.date ?? zonedDate(deps.now().getTime(), compound.timezone);
  const d = await compoundDashboard(db, compound, date, deps.now());
  const dayStart = new Date(zonedToUtc(date, compound.timezone)).toISOString();
  const dayEnd = new Date(zonedToUtc(addDays(date, 1), compound.timezone)).toISOString();
  const shifts = (await listShifts(db, compound.id, { from: dayStart, to: dayEnd })).filter((s) => zonedDate(Date.parse(s.startedAt), compound.timezone) === date).reverse();
  await audit(deps, asker, compound.id, { dataset: 'daily-report', date, format: 'print' });
  return dailyReportHtml(d, shifts, q.lang, deps.now().getTime());
}

/**
 * A building's incident dossier: the building's own residents' passages in the window first, and (when
 * asked) others' passages at the same gates apart; phones masked unless the viewer's role may see them;
 * the building's disinfection with photos; the gate contacts of every positive resident of the building.
 * Printable (A4) or XLSX; audited either way.
 */
export async function dossier(deps: AppDeps, asker: Asker, cid: number, bid: number, q: { from: string; to: string; lang: 'zh' | 'en'; others: boolean }) {
  const db = deps.database.reader;
  const compound = await getCompound(db, cid);
  const building = await buildingOf(db, cid, bid);
  if (!building) throw new NotFoundError('building');
  const from = parseLocalDateTime(q.from, compound.timezone);
  const to = parseLocalDateTime(q.to, compound.timezone);
  const issues = [
    ...(from === null ? [fieldIssue('from', 'local_date_time')] : []),
    ...(to === null ? [fieldIssue('to', 'local_date_time')] : []),
  ];
  if (from === null || to === null) throw new ValidationError(issues);
  if (to <= from) throw new ValidationError([fieldIssue('to', 'window_ends_before_start')]);
  if (to - from > MAX_DOSSIER_DAYS * 86_400_000) throw new ValidationError([fieldIssue('to', 'range_too_long', { maxDays: MAX_DOSSIER_DAYS })]);
  const phones = seesFull(asker.actor).phones;
  const mask = (ps: DossierPassage[]) => (phones ? ps : ps.map((p) => ({ ...p, phone: p.phone ? maskPhone(p.phone) : null })));
  const own = mask(await dossierPassages(db, cid, from, to, { buildingId: bid, own: true }));
  const gateIds = [...new Set(own.map((p) => p.gateId))];
  const others = q.others ? mask(await dossierPassages(db, cid, from, to, { buildingId: bid, own: false, gateIds })) : null;
  const tz = compound.timezone;
  const recs = (await rounds(db, cid, { target: { kind: 'building', id: bid }, from: zonedDate(from - 86_400_000, tz), to: zonedDate(to, tz) }))
    .filter((r) => Date.parse(r.finishedAt) >= from && Date.parse(r.finishedAt) < to)
    .reverse();
  // Every resident of the building with a positive alert: their gate contacts as of now.
  const positives = await db
    .selectFrom('alert as a')
    .innerJoin('household as h', 'h.id', 'a.householdId')
    .select('a.residentId')
    .distinct()
    .where('a.compoundId', '=', cid)
    .where('h.buildingId', '=', bid)
    .execute();
  const contacts = [];
  for (const p of positives) {
    const g = await gateContacts(db, cid, p.residentId, { ...CONTACT_DEFAULTS, to: deps.now().getTime() });
    if (g) contacts.push(maskContacts(g, asker.actor));
  }
  const data = { compound, building, from, to, passages: own, others, rounds: recs, contacts, lang: q.lang, printedAt: deps.now().getTime() };
  return { data, audit: (format: 'print' | 'xlsx') => audit(deps, asker, cid, { dataset: 'dossier', buildingId: bid, from: new Date(from).toISOString(), to: new Date(to).toISOString(), passages: own.length, others: others?.length ?? null, contacts: contacts.length, format }) };
}

export async function dossierPage(deps: AppDeps, asker: Asker, cid: number, bid: number, q: { from: string; to: string; lang: 'zh' | 'en'; others: boolean }): Promise<string> {
  const d = await dossier(deps, asker, cid, bid, q);
  await d.audit('print');
  return dossierHtml(d.data);
}

export async function dossierXlsx(deps: AppDeps, asker: Asker, cid: number, bid: number, q: { from: string; to: string; lang: 'zh' | 'en'; others: boolean }): Promise<{ bytes: Uint8Array; file: string }> {
  const d = await dossier(deps, asker, cid, bid, q);
  await d.audit('xlsx');
  return { bytes: await dossierWorkbook(d.data), file: `${d.data.compound.name}_${d.data.building.name}_${q.lang === 'zh' ? '事件档案' : 'dossier'}.xlsx` };
}
