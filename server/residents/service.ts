import { PHONE_PATTERN } from '../core/mask.js';
import { recordAudit } from '../audit/queries.js';
import { isDateString } from '../core/time.js';
import type { MessageCode } from '../core/messages.js';
import { type ErrorArgs, NotFoundError, rowReason } from '../errors.js';
import type { Actor } from '../auth/actor.js';
import type { AppDeps } from '../deps.js';
import type { Db } from '../db/database.js';
import { eventLoopPace } from '../imports/pace.js';
import { type Sheet, mapColumns } from '../imports/spreadsheet.js';
import { bumpRosterVersion } from '../roster/version.js';
import { refreshOpenRounds } from '../rounds/queries.js';
import { buildingsByName, ensureHousehold, findHousehold, getResident } from './queries.js';

export interface ResidentInput {
  buildingId: number;
  unit: string;
  room: string;
  name: string;
  phone?: string | null | undefined;
  note?: string | null | undefined;
}

async function assertBuilding(db: Db, compoundId: number, buildingId: number) {
  const b = await db.selectFrom('building').select('id').where('compoundId', '=', compoundId).where('id', '=', buildingId).executeTakeFirst();
  if (!b) throw new NotFoundError('building');
}

export async function createResident(deps: AppDeps, actor: Actor | null, compoundId: number, input: ResidentInput, ip: string): Promise<number> {
  const db = deps.database.db;
  await assertBuilding(db, compoundId, input.buildingId);
  const at = deps.now().toISOString();
  return db.transaction().execute(async (tx) => {
    const rv = await bumpRosterVersion(tx, compoundId);
    const householdId = await ensureHousehold(tx, { compoundId, buildingId: input.buildingId, unit: input.unit, room: input.room }, at, rv);
    const r = await tx
      .insertInto('resident')
      .values({ compoundId, householdId, name: input.name, phone: input.phone ?? null, note: input.note ?? null, deletedAt: null, rv, createdAt: at, updatedAt: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(tx, { actor, action: 'resident.create', entity: 'resident', entityId: r.id, compoundId, details: input, at, ip });
    // Someone new to test: the rounds under way count them (ended rounds keep their figures).
    await refreshOpenRounds(tx, compoundId, deps.now());
    return r.id;
  });
}

export async function updateResident(
  deps: AppDeps,
  actor: Actor | null,
  compoundId: number,
  id: number,
  /** noPhone: 1 flags a resident with no phone (a printed card may still pass where the policy says so). */
  patch: { name?: string | undefined; phone?: string | null | undefined; note?: string | null | undefined; noPhone?: number | undefined },
  ip: string,
) {
  const db = deps.database.db;
  if (!(await getResident(db, compoundId, id))) throw new NotFoundError('resident');
  const at = deps.now().toISOString();
  await db.transaction().execute(async (tx) => {
    const rv = await bumpRosterVersion(tx, compoundId);
    await tx.updateTable('resident').set({ ...patch, rv, updatedAt: at }).where('id', '=', id).execute();
    await recordAudit(tx, { actor, action: 'resident.update', entity: 'resident', entityId: id, compoundId, details: patch, at, ip });
  });
}

/** A resident who moved out: kept for the history of their gate checks, hidden everywhere else, pass revoked. */
export async function removeResident(deps: AppDeps, actor: Actor | null, compoundId: number, id: number, ip: string) {
  const db = deps.database.db;
  if (!(await getResident(db, compoundId, id))) throw new NotFoundError('resident');
  const at = deps.now().toISOString();
  const by = actor && actor.kind !== 'device' ? actor.user.id : null;
  await db.transaction().execute(async (tx) => {
    const rv = await bumpRosterVersion(tx, compoundId);
    await tx.updateTable('resident').set({ deletedAt: at, rv, updatedAt: at }).where('id', '=', id).execute();
    await tx
      .updateTable('pass')
      .set({ status: 'revoked', revokedAt: at, revokedBy: by, revokeReason: 'resident removed', rv })
      .where('residentId', '=', id)
      .where('status', '=', 'active')
      .execute();
    await recordAudit(tx, { actor, action: 'resident.remove', entity: 'resident', entityId: id, compoundId, at, ip });
    await refreshOpenRounds(tx, compoundId, deps.now());
  });
}

/** Flag a household under home quarantine until a date (inclusive), or clear the flag with null. */
export async function setQuarantine(deps: AppDeps, actor: Actor | null, compoundId: number, householdId: number, until: string | null, note: string | null, ip: string) {
  const db = deps.database.db;
  const h = await db.selectFrom('household').select('id').where('compoundId', '=', compoundId).where('id', '=', householdId).executeTakeFirst();
  if (!h) throw new NotFoundError('household');
  const at = deps.now().toISOString();
  await db.transaction().execute(async (tx) => {
    const rv = await bumpRosterVersion(tx, compoundId);
    await tx.updateTable('household').set({ quarantineUntil: until, quarantineNote: until ? note : null, rv, updatedAt: at }).where('id', '=', householdId).execute();
    await recordAudit(tx, { actor, action: until ? 'household.quarantine' : 'household.quarantine_end', entity: 'household', entityId: householdId, compoundId, details: { until, note }, at, ip });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Import

export const RESIDENT_COLUMNS = {
  building: ['楼栋', '楼号', '楼', '楼栋号', 'building'],
  unit: ['单元', '单元号', 'unit'],
  room: ['房号', '房间号', '房间', '门牌号', '户号', 'room'],
  name: ['姓名', '名字', '住户姓名', 'name'],
  phone: ['手机号', '手机', '电话', '联系电话', '手机号码', 'phone', 'mobile'],
  quarantineUntil: ['隔离至', '隔离截止', '居家隔离至', 'quarantine until', 'quarantineuntil'],
  note: ['备注', 'note', 'notes'],
};

/** The columns a resident list is read by (fails in words when a required one is missing); readSheet keeps only their cells. */
export const residentColumns = (headers: string[]) => mapColumns(headers, RESIDENT_COLUMNS, ['building', 'room', 'name']);

export type ImportMode = 'strict' | 'valid_rows';

export interface ImportRow {
  line: number;
  status: 'created' | 'updated' | 'unchanged' | 'rejected';
  name?: string;
  address?: string;
  /** Why a row is skipped: its catalogued code and params, and their English text. */
  reason?: string;
  code?: MessageCode;
  params?: unknown;
}

export interface ImportReport {
  rows: ImportRow[];
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Did anything get written? (Not in a dry run, nor in strict mode with rejected rows.) */
  applied: boolean;
  message: string;
}

const PHONE = PHONE_PATTERN;

function normalizeUnit(v: string): string {
  return v.replace(/单元$/, '').trim();
}

function normalizeRoom(v: string): string {
  return v.replace(/(室|号)$/, '').trim();
}

/**
 * Residents from a spreadsheet: each row creates a resident (and their household), updates the phone or
 * note of one already there (same household, same name), or is rejected with the reason. In strict mode a
 * file with any rejected row writes nothing.
 */
export async function importResidents(
  deps: AppDeps,
  actor: Actor | null,
  compoundId: number,
  sheet: Sheet,
  opts: { mode: ImportMode; dryRun: boolean; fileName: string },
  ip: string,
): Promise<ImportReport> {
  const db = deps.database.db;
  const cols = residentColumns(sheet.headers);
  const buildings = await buildingsByName(db, compoundId);
  const at = deps.now().toISOString();

  type Planned = { row: ImportRow; buildingId: number; unit: string; room: string; name: string; phone: string | null; note: string | null; quarantineUntil: string | null | undefined };
  const plan: Planned[] = [];
  const rows: ImportRow[] = [];
  const seen = new Map<string, number>();

  const pace = eventLoopPace();
  for (const { line, cells } of sheet.rows) {
    if (pace.due()) await pace.turn();
    const get = (f: keyof typeof RESIDENT_COLUMNS) => (cols[f] ? (cells[cols[f]!] ?? '') : '');
    const name = get('name');
    const buildingName = get('building');
    const building = buildings.get(buildingName) ?? buildings.get(buildingName.replace(/\s/g, ''));
    let unit = normalizeUnit(get('unit'));
    const room = normalizeRoom(get('room'));
    const phoneRaw = get('phone').replace(/[\s-]/g, '');
    const quarantine = get('quarantineUntil');
    const address = `${buildingName}${unit ? `-${unit}` : ''}-${room}`;
    const reject = <C extends MessageCode>(code: C, ...params: ErrorArgs<C>) => rows.push({ line, status: 'rejected', name, address, ...rowReason(code, ...params) });

    if (!name) reject('row_name_empty');
    else if (Array.from(name).length > 40) reject('row_name_too_long', { max: 40 });
    else if (!building) reject('row_no_building', { building: buildingName });
    else if (!room) reject('row_room_empty');
    else if (!unit && building.unitCount > 1) reject('row_unit_required', { building: building.name, units: building.unitCount });
    else if (phoneRaw && !PHONE.test(phoneRaw)) reject('row_bad_phone', { phone: get('phone') });
    else if (quarantine && !isDateString(quarantine)) reject('row_bad_date', { value: quarantine });
    else {
      unit ||= '1';
      const key = `${building.id}|${unit}|${room}|${name}`;
      const dup = seen.get(key);
      if (dup) reject('row_duplicate', { line: dup });
      else {
        seen.set(key, line);
        const row: ImportRow = { line, status: 'created', name, address: `${building.name}-${unit}-${room}` };
        rows.push(row);
        plan.push({ row, buildingId: building.id, unit, room, name, phone: phoneRaw || null, note: get('note') || null, quarantineUntil: quarantine || undefined });
      }
    }
  }

  const rejected = rows.filter((r) => r.status === 'rejected').length;
  const apply = !opts.dryRun && (opts.mode === 'valid_rows' || rejected === 0) && plan.length > 0;

  // Work out created / updated / unchanged against what is stored; write only when applying.
  const run = async (tx: Db) => {
    const rv = apply ? await bumpRosterVersion(tx, compoundId) : 0;
    for (const p of plan) {
      const household = await findHousehold(tx, p.buildingId, p.unit, p.room);
      const existing = household
        ? await tx.selectFrom('resident').select(['id', 'phone', 'note']).where('householdId', '=', household.id).where('name', '=', p.name).where('deletedAt', 'is', null).executeTakeFirst()
        : undefined;
      const quarantineChange = p.quarantineUntil !== undefined && household?.quarantineUntil !== p.quarantineUntil;
      if (existing) {
        const changed = (p.phone !== null && p.phone !== existing.phone) || (p.note !== null && p.note !== existing.note);
        p.row.status = changed || quarantineChange ? 'updated' : 'unchanged';
        if (apply && changed) {
          await tx.updateTable('resident').set({ phone: p.phone ?? existing.phone, note: p.note ?? existing.note, rv, updatedAt: at }).where('id', '=', existing.id).execute();
        }
      }
      if (!apply) continue;
      const householdId = household?.id ?? (await ensureHousehold(tx, { compoundId, buildingId: p.buildingId, unit: p.unit, room: p.room }, at, rv));
      if (quarantineChange) await tx.updateTable('household').set({ quarantineUntil: p.quarantineUntil, rv, updatedAt: at }).where('id', '=', householdId).execute();
      if (!existing) {
        await tx.insertInto('resident').values({ compoundId, householdId, name: p.name, phone: p.phone, note: p.note, deletedAt: null, rv, createdAt: at, updatedAt: at }).execute();
      }
    }
    const count = (s: ImportRow['status']) => rows.filter((r) => r.status === s).length;
    const report: ImportReport = {
      rows: rows.sort((a, b) => a.line - b.line),
      created: count('created'),
      updated: count('updated'),
      unchanged: count('unchanged'),
      rejected,
      applied: apply,
      message: apply
        ? `Imported: ${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged${rejected ? `, ${rejected} rejected rows skipped` : ''}.`
        : opts.dryRun
          ? 'Preview only: nothing was written.'
          : rejected
            ? `Nothing was imported: ${rejected} row(s) have errors. Fix them, or choose to import the valid rows only.`
            : 'Nothing to import.',
    };
    if (apply) {
      await recordAudit(tx, {
        actor,
        action: 'resident.import',
        entity: 'compound',
        entityId: compoundId,
        compoundId,
        details: { file: opts.fileName, created: report.created, updated: report.updated, unchanged: report.unchanged, rejected },
        at,
        ip,
      });
      if (report.created) await refreshOpenRounds(tx, compoundId, deps.now());
    }
    return report;
  };
  // A preview reads inside a transaction too, so it sees one consistent state; it writes nothing.
  return db.transaction().execute(run);
}
