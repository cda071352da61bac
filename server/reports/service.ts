import { type Asker, recordAudit } from '../audit/queries.js';
import { getCompound } from '../compounds/queries.js';
import { addDays, parseLocalDateTime, zonedDate, zonedToUtc } from '../core/time.js';
import { compoundDashboard } from '../dashboard/queries.js';
import { rounds } from '../disinfection/queries.js';
import { ValidationError, NotFoundError, fieldIssue } from '../errors.js';
import { listShifts } from '../gate/queries.js';
import type { AppDeps } from '../deps.js';
import { dailyReportHtml, dossierHtml } from './pages.js';
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

/** A building's incident dossier (A4): everyone through the gates in a window, and the building's rounds. */
export async function dossier(deps: AppDeps, asker: Asker, cid: number, bid: number, q: { from: string; to: string; lang: 'zh' | 'en' }): Promise<string> {
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
  const passages = await dossierPassages(db, cid, from, to);
  const tz = compound.timezone;
  const recs = (await rounds(db, cid, { target: { kind: 'building', id: bid }, from: zonedDate(from - 86_400_000, tz), to: zonedDate(to, tz) }))
    .filter((r) => Date.parse(r.finishedAt) >= from && Date.parse(r.finishedAt) < to)
    .reverse();
  await audit(deps, asker, cid, { dataset: 'dossier', buildingId: bid, from: new Date(from).toISOString(), to: new Date(to).toISOString(), passages: passages.length, format: 'print' });
  return dossierHtml({ compound, building, from, to, passages, rounds: recs, lang: q.lang, printedAt: deps.now().getTime() });
}
