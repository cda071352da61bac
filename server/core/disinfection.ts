import { issue } from './messages.js';
import { z } from 'zod';
import { addDays, isTimeOfDay, zonedToUtc } from './time.js';

/**
 * Disinfection rounds: every building and point, several times a day. The slots of a day, and the state
 * of each (done, late, missed, skipped, due now, upcoming), computed from the records and the time in the
 * compound's zone. Pure: the office grid and the tablet use the same rules.
 */
export const SlotSpecSchema = z.object({
  time: z.string().refine(isTimeOfDay, issue('time_format')),
  /** Done within this many minutes of the slot's start is on time; later is late. */
  onTimeMinutes: z.number().int().min(10).max(12 * 60),
});

export const SlotSpecsSchema = z
  .array(SlotSpecSchema)
  .min(1)
  .max(12)
  .refine((slots) => new Set(slots.map((s) => s.time)).size === slots.length, issue('each_once'));

export type SlotSpec = z.infer<typeof SlotSpecSchema>;

/** Four rounds a day, two hours each to be on time. */
export function defaultSlots(): SlotSpec[] {
  return ['06:00', '10:00', '14:00', '18:00'].map((time) => ({ time, onTimeMinutes: 120 }));
}

export interface ScheduleVersion {
  version: number;
  slots: SlotSpec[];
  /** The version applies to slots that start at or after this instant (ms). */
  effectiveFrom: number;
}

export interface DaySlot {
  date: string;
  time: string;
  version: number;
  start: number;
  /** Finished before this: on time. */
  onTimeUntil: number;
  /** The next slot's start: not done by then, the slot was missed. */
  missedAt: number;
}

function startsOf(date: string, tz: string, schedules: ScheduleVersion[]) {
  const sorted = [...schedules].sort((a, b) => a.effectiveFrom - b.effectiveFrom);
  const out: { date: string; time: string; version: number; start: number; onTimeMinutes: number }[] = [];
  sorted.forEach((v, i) => {
    const until = sorted[i + 1]?.effectiveFrom ?? Number.POSITIVE_INFINITY;
    for (const s of v.slots) {
      const start = zonedToUtc(date, tz, s.time);
      // The schedule in force when a slot begins is the one it belongs to: a change never rewrites a slot
      // that had already begun, nor revives one the old schedule dropped.
      if (start >= v.effectiveFrom && start < until) out.push({ date, time: s.time, version: v.version, start, onTimeMinutes: s.onTimeMinutes });
    }
  });
  return out.sort((a, b) => a.start - b.start);
}

/** The slots of a local date, each with its on-time and missed-at instants. */
export function slotsOfDay(date: string, tz: string, schedules: ScheduleVersion[]): DaySlot[] {
  const today = startsOf(date, tz, schedules);
  // The last slot of a day lasts until the first of the next day (or, failing one, its midnight).
  const next = startsOf(addDays(date, 1), tz, schedules)[0]?.start ?? zonedToUtc(addDays(date, 2), tz);
  return today.map((s, i) => {
    const missedAt = today[i + 1]?.start ?? next;
    return { date: s.date, time: s.time, version: s.version, start: s.start, onTimeUntil: Math.min(s.start + s.onTimeMinutes * 60_000, missedAt), missedAt };
  });
}

export type SlotState = 'done' | 'late' | 'missed' | 'skipped' | 'due' | 'upcoming';

export interface SlotRecord {
  status: 'done' | 'skipped';
  /** When the round was finished, by the tablet's clock (not when it reached the server). */
  finishedAt: number;
}

/**
 * A slot's state. The best record decides (the earliest finished "done"); every record is kept and
 * shown. A round finished after the next slot began still leaves this one missed.
 */
export function slotState(slot: DaySlot, records: SlotRecord[], now: number): SlotState {
  const done = records.filter((r) => r.status === 'done').sort((a, b) => a.finishedAt - b.finishedAt)[0];
  if (done) return done.finishedAt < slot.onTimeUntil ? 'done' : done.finishedAt < slot.missedAt ? 'late' : 'missed';
  if (records.some((r) => r.status === 'skipped')) return 'skipped';
  if (now < slot.start) return 'upcoming';
  return now < slot.missedAt ? 'due' : 'missed';
}

/**
 * Whether a slot is owed by a place that exists from `since` (ms): a place added while a slot is still
 * on time owes it; one added later, or before a day it never saw, owes nothing for it. Without this a
 * building added at 15:48 would show that morning's rounds as missed.
 */
export function slotOwed(slot: DaySlot, since: number): boolean {
  return since < slot.onTimeUntil;
}

/**
 * A place's state for a slot: null when the slot is not owed (it was over before the place existed),
 * unless a round was recorded for it anyway: that round counts, but a slot never owed is never missed,
 * nor late (it was not due at any time: a round done on it is done).
 */
export function placeSlotState(slot: DaySlot, records: SlotRecord[], now: number, since: number): SlotState | null {
  const state = slotState(slot, records, now);
  if (slotOwed(slot, since)) return state;
  if (!records.length || state === 'missed') return null;
  return state === 'late' ? 'done' : state;
}

/**
 * The slot a round started at `now` is for: the one due now, else the latest that has begun (to be
 * recorded late). Never one that has not begun: a round cannot be done before its slot starts.
 */
export function slotToRecord<S extends { slot: DaySlot; state: SlotState | null }>(states: S[], now: number): S | undefined {
  const begun = states.filter((s) => s.slot.start <= now);
  return begun.find((s) => s.state === 'due') ?? begun[begun.length - 1];
}

/** A round for slot `slotTime` of `slotDate` finished at `finishedAt`, before that slot began: the slot (the rejection's params); else null. */
export function roundTooEarly(r: { slotDate: string; slotTime: string; finishedAt: string }, tz: string): { date: string; time: string } | null {
  const start = zonedToUtc(r.slotDate, tz, r.slotTime);
  if (Date.parse(r.finishedAt) >= start) return null;
  return { date: r.slotDate, time: r.slotTime };
}

// ---------------------------------------------------------------------------------------------------------
// Checklists

export const ChecklistItemSchema = z.object({
  key: z.string().regex(/^[a-z0-9_]{1,30}$/, 'letters, digits and _'),
  label: z.string().trim().min(1).max(60),
  /** Repeated for each elevator of the building (电梯1, 电梯2 …). */
  perElevator: z.boolean().optional(),
});
export type ChecklistItem = z.infer<typeof ChecklistItemSchema>;
export const ChecklistSchema = z
  .array(ChecklistItemSchema)
  .min(1)
  .max(30)
  .refine((items) => new Set(items.map((i) => i.key)).size === items.length, issue('each_once'));

/** Templates are per building, and per kind of point. */
export const TEMPLATE_TARGETS = ['building', 'point:sampling', 'point:gate', 'point:other'] as const;
export type TemplateTarget = (typeof TEMPLATE_TARGETS)[number];

export function defaultTemplates(): Record<TemplateTarget, ChecklistItem[]> {
  return {
    building: [
      { key: 'public', label: '公共区域（大厅、楼道、扶手）' },
      { key: 'elevator', label: '电梯（按钮、轿厢）', perElevator: true },
      { key: 'trash', label: '垃圾桶及垃圾收集点' },
      { key: 'doors', label: '单元门把手、门禁按键' },
    ],
    'point:sampling': [
      { key: 'desks', label: '采样台及座椅' },
      { key: 'queue', label: '排队区域及地面' },
      { key: 'waste', label: '医疗废物暂存点' },
    ],
    'point:gate': [
      { key: 'booth', label: '岗亭及桌面' },
      { key: 'barrier', label: '道闸、门把手' },
      { key: 'devices', label: '平板、测温枪' },
    ],
    'point:other': [{ key: 'area', label: '区域表面' }],
  };
}

/** The boxes to tick for one target: elevator items once per elevator. */
export function checklistFor(items: ChecklistItem[], elevatorCount: number): { key: string; label: string }[] {
  return items.flatMap((i) =>
    i.perElevator
      ? Array.from({ length: elevatorCount }, (_, n) => ({ key: `${i.key}_${n + 1}`, label: `${i.label.replace(/（.*）$/, '')}${n + 1}${i.label.match(/（.*）$/)?.[0] ?? ''}` }))
      : [{ key: i.key, label: i.label }],
  );
}

export const DISINFECTANTS = ['含氯消毒剂', '过氧乙酸', '75%酒精', '季铵盐类消毒剂'] as const;
