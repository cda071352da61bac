import { type Asker, recordAudit } from '../audit/queries.js';
import { placardMessage } from '../core/code.js';
import { type ChecklistItem, placeSlotState, type SlotSpec, slotsOfDay, type TemplateTarget } from '../core/disinfection.js';
import { zonedDate } from '../core/time.js';
import { AppError, ValidationError, fieldIssue } from '../errors.js';
import type { AppDeps } from '../deps.js';
import type { AuthDevice } from '../auth/actor.js';
import { imageInfo } from './photo.js';
import { dailySheetHtml, placardHtml } from './placards.js';
import { findPlace, insertSchedule, photoRecord, rounds, schedules, storePhotoRow, templates, upsertTemplate } from './queries.js';

/** Photos arrive shrunk on the tablet (≤ 200 KB); the server takes up to this much. */
export const MAX_PHOTO_BYTES = 512 * 1024;

const officeUserId = (asker: Asker) => (asker.actor?.kind === 'office' ? asker.actor.user.id : null);

/** Change the daily slots from `effectiveFrom` (now by default) on; slots already begun keep their schedule. */
export async function changeSchedule(deps: AppDeps, asker: Asker, cid: number, body: { slots: SlotSpec[]; effectiveFrom?: string | undefined }) {
  const now = deps.now();
  const from = body.effectiveFrom ? new Date(body.effectiveFrom) : now;
  if (from.getTime() < now.getTime() - 60_000) throw new ValidationError([fieldIssue('effectiveFrom', 'in_the_past')]);
  const slots = [...body.slots].sort((a, b) => a.time.localeCompare(b.time));
  const at = now.toISOString();
  const version = await deps.database.db.transaction().execute(async (tx) => {
    const v = await insertSchedule(tx, cid, slots, from.toISOString(), at, officeUserId(asker));
    await recordAudit(tx, { actor: asker.actor, action: 'disinfection.schedule', entity: 'disinfection_schedule', entityId: v, compoundId: cid, details: { slots, effectiveFrom: from.toISOString() }, at, ip: asker.ip });
    return v;
  });
  return { version, slots, effectiveFrom: from.toISOString() };
}

/** Change one checklist template, audited in the same transaction. */
export async function changeTemplate(deps: AppDeps, asker: Asker, cid: number, target: TemplateTarget, items: ChecklistItem[]) {
  const at = deps.now().toISOString();
  await deps.database.db.transaction().execute(async (tx) => {
    await upsertTemplate(tx, { compoundId: cid, target, items, at, userId: officeUserId(asker) });
    await recordAudit(tx, { actor: asker.actor, action: 'disinfection.template', entity: 'checklist_template', entityId: target, compoundId: cid, details: { items }, at, ip: asker.ip });
  });
  return templates(deps.database.db, cid);
}

/** The A4 placard of a place: its signed QR code (GD1) and the slot times. */
export async function placardPage(deps: AppDeps, cid: number, kind: 'buildings' | 'points', placeId: number, lang: 'zh' | 'en') {
  const db = deps.database.db;
  const p = await findPlace(db, cid, kind, placeId);
  const code = await deps.keys.sign(placardMessage({ kid: await deps.keys.currentKid(), target: { kind: p.kind, id: p.id }, compoundId: cid, issuedAt: deps.now().getTime() }));
  const versions = await schedules(db, cid);
  return placardHtml({ compound: p.compound, place: p.name, code, slots: versions[versions.length - 1]!.slots, lang });
}

/** A place's daily record sheet (消毒记录表): each slot's state and the rounds done. */
export async function dailySheetPage(deps: AppDeps, cid: number, kind: 'buildings' | 'points', placeId: number, o: { date?: string | undefined; lang: 'zh' | 'en' }) {
  const reader = deps.database.reader;
  const p = await findPlace(reader, cid, kind, placeId);
  const day = o.date ?? zonedDate(deps.now().getTime(), p.timezone);
  const mine = await rounds(reader, cid, { dates: [day], target: { kind: p.kind, id: p.id } });
  const slots = slotsOfDay(day, p.timezone, await schedules(deps.database.db, cid)).map((s) => ({
    ...s,
    state: placeSlotState(s, mine.filter((r) => r.slotTime === s.time).map((r) => ({ status: r.status, finishedAt: Date.parse(r.finishedAt) })), deps.now().getTime(), Date.parse(p.createdAt)),
  }));
  return dailySheetHtml({ compound: p.compound, place: p.name, date: day, tz: p.timezone, slots, rounds: [...mine].reverse(), lang: o.lang });
}

/** A round's photo from the tablet, after the round itself: checked to be a whole image; twice is harmless. */
export async function storePhoto(deps: AppDeps, device: AuthDevice, recordId: string, bytes: Uint8Array) {
  if (bytes.length > MAX_PHOTO_BYTES) throw new AppError(413, 'photo_too_large', { size: bytes.length, max: MAX_PHOTO_BYTES });
  const info = await imageInfo(bytes);
  if (!info) throw new AppError(415, 'not_an_image');
  const db = deps.database.db;
  const record = await photoRecord(db, recordId);
  if (!record || record.compoundId !== device.compoundId) {
    throw new AppError(404, 'round_not_synced');
  }
  const stored = await storePhotoRow(db, { recordId, contentType: info.type, bytes, size: bytes.length, width: info.width, height: info.height, receivedAt: deps.now().toISOString() });
  return { ok: true, status: stored ? 'accepted' : 'duplicate', width: info.width, height: info.height };
}

