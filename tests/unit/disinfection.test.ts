import { describe, expect, it } from 'vitest';
import { checklistFor, type DaySlot, defaultSlots, defaultTemplates, placeSlotState, roundTooEarly, type ScheduleVersion, slotState, slotsOfDay, slotToRecord } from '../../server/core/disinfection.js';

const TZ = 'Asia/Shanghai';
const at = (local: string) => Date.parse(`${local.replace(' ', 'T')}:00+08:00`);
const base: ScheduleVersion = { version: 1, slots: defaultSlots(), effectiveFrom: 0 };
const day = (date = '2026-12-01', schedules = [base]) => slotsOfDay(date, TZ, schedules);
const slot = (time: string, date = '2026-12-01', schedules = [base]) => day(date, schedules).find((s) => s.time === time)!;
const done = (local: string) => ({ status: 'done' as const, finishedAt: at(local) });

describe('the slots of a day', () => {
  it('are four, at local times, each on time for two hours and missed when the next one starts', () => {
    const slots = day();
    expect(slots.map((s) => s.time)).toEqual(['06:00', '10:00', '14:00', '18:00']);
    expect(new Date(slots[0]!.start).toISOString()).toBe('2026-11-30T22:00:00.000Z');
    expect(slots[0]!.onTimeUntil).toBe(at('2026-12-01 08:00'));
    expect(slots[0]!.missedAt).toBe(at('2026-12-01 10:00'));
  });

  it('the last slot lasts over midnight until the first of the next day', () => {
    const last = slot('18:00');
    expect(last.onTimeUntil).toBe(at('2026-12-01 20:00'));
    expect(last.missedAt).toBe(at('2026-12-02 06:00'));
  });

  it('a schedule changed mid-day applies to the slots that start after the change, and rewrites none before', () => {
    const later: ScheduleVersion = { version: 2, slots: ['08:00', '12:00', '16:00', '20:00'].map((time) => ({ time, onTimeMinutes: 90 })), effectiveFrom: at('2026-12-01 11:00') };
    const slots = day('2026-12-01', [base, later]);
    expect(slots.map((s) => `${s.time}/v${s.version}`)).toEqual(['06:00/v1', '10:00/v1', '12:00/v2', '16:00/v2', '20:00/v2']);
    // The 10:00 slot now ends when the new 12:00 one starts.
    expect(slots[1]!.missedAt).toBe(at('2026-12-01 12:00'));
    expect(slots[2]!.onTimeUntil).toBe(at('2026-12-01 13:30'));
    // The day before keeps the old schedule entirely.
    expect(day('2026-11-30', [base, later]).map((s) => s.time)).toEqual(['06:00', '10:00', '14:00', '18:00']);
  });
});

describe('slot states', () => {
  const s: DaySlot = slot('10:00');
  const cases: [string, { status: 'done' | 'skipped'; finishedAt: number }[], string, string][] = [
    ['no record, before the slot', [], '2026-12-01 09:59', 'upcoming'],
    ['no record, the slot just began', [], '2026-12-01 10:00', 'due'],
    ['no record, last minute before the next slot', [], '2026-12-01 13:59', 'due'],
    ['no record, the next slot began', [], '2026-12-01 14:00', 'missed'],
    ['finished one minute before the window closes', [done('2026-12-01 11:59')], '2026-12-01 12:30', 'done'],
    ['finished exactly as the window closes', [done('2026-12-01 12:00')], '2026-12-01 12:30', 'late'],
    ['finished after the next slot began', [done('2026-12-01 14:05')], '2026-12-01 15:00', 'missed'],
    ['finished a little early', [done('2026-12-01 09:50')], '2026-12-01 09:55', 'done'],
    ['skipped with a reason', [{ status: 'skipped', finishedAt: at('2026-12-01 10:10') }], '2026-12-01 10:30', 'skipped'],
    ['skipped, then done after all', [{ status: 'skipped', finishedAt: at('2026-12-01 10:10') }, done('2026-12-01 11:00')], '2026-12-01 12:00', 'done'],
    ['two records for one slot: the best counts', [done('2026-12-01 13:00'), done('2026-12-01 10:40')], '2026-12-01 14:00', 'done'],
  ];
  it.each(cases)('%s → %s', (_, records, now, state) => expect(slotState(s, records, at(now))).toBe(state));

  it('a record arriving days later from an offline tablet counts by when it was done, not when it arrived', () => {
    expect(slotState(s, [], at('2026-12-04 09:00'))).toBe('missed');
    expect(slotState(s, [done('2026-12-01 10:30')], at('2026-12-04 09:00'))).toBe('done');
  });

  it('the last slot of a day, across midnight', () => {
    const evening = slot('18:00');
    expect(slotState(evening, [], at('2026-12-02 05:59'))).toBe('due');
    expect(slotState(evening, [], at('2026-12-02 06:00'))).toBe('missed');
    expect(slotState(evening, [done('2026-12-01 23:30')], at('2026-12-02 07:00'))).toBe('late');
  });
});

describe('a place added during the day', () => {
  // 崇文佳苑 adds 20号楼 at 15:48: the morning was over before it existed.
  const added = at('2026-12-01 15:48');
  const state = (time: string, now = '2026-12-01 16:00', records: { status: 'done' | 'skipped'; finishedAt: number }[] = []) => placeSlotState(slot(time), records, at(now), added);

  it('owes no slot that was over before it existed, owes the one still on time, and the ones after', () => {
    expect(state('06:00')).toBeNull();
    expect(state('10:00')).toBeNull();
    expect(state('14:00')).toBe('due');
    expect(state('18:00')).toBe('upcoming');
    // The next day is a whole day.
    expect(placeSlotState(slot('06:00', '2026-12-02'), [], at('2026-12-02 11:00'), added)).toBe('missed');
  });

  it('a slot whose on-time window had closed when the place was added is not owed, even though it ran on', () => {
    expect(placeSlotState(slot('14:00'), [], at('2026-12-01 18:30'), at('2026-12-01 16:00'))).toBeNull();
    expect(placeSlotState(slot('14:00'), [], at('2026-12-01 18:30'), at('2026-12-01 15:59'))).toBe('missed');
  });

  it('a round recorded for a slot it did not owe still counts', () => {
    expect(state('14:00', '2026-12-01 16:00', [done('2026-12-01 15:55')])).toBe('done');
    // A round on a slot never owed cannot be late: it was never due (a building added at 16:30 whose first
    // round is put on 14:00).
    expect(state('06:00', '2026-12-01 16:00', [done('2026-12-01 09:55')])).toBe('done');
    // Done after the next slot began would be "missed" for a place that owed it; this one never did.
    expect(state('10:00', '2026-12-01 16:00', [done('2026-12-01 15:55')])).toBeNull();
    expect(state('06:00', '2026-12-01 16:00', [{ status: 'skipped', finishedAt: at('2026-12-01 15:50') }])).toBe('skipped');
  });

  it('a place that existed all day owes every slot', () => {
    expect(placeSlotState(slot('06:00'), [], at('2026-12-01 16:00'), at('2026-11-01 09:00'))).toBe('missed');
  });
});

describe('the slot a round is for', () => {
  const states = (now: string) => day().map((s) => ({ slot: s, state: slotState(s, [], at(now)) }));
  const pick = (now: string) => slotToRecord(states(now), at(now))?.slot.time ?? null;
  it.each([
    ['2026-12-01 05:59', null],
    ['2026-12-01 06:00', '06:00'],
    ['2026-12-01 09:59', '06:00'],
    ['2026-12-01 16:02', '14:00'],
    ['2026-12-01 17:59', '14:00'],
    ['2026-12-01 18:00', '18:00'],
    ['2026-12-01 23:30', '18:00'],
  ])('at %s: %s (never a slot that has not begun)', (now, time) => expect(pick(now)).toBe(time));

  it('when the due one is done, the latest that has begun, not the next', () => {
    const list = day().map((s) => ({ slot: s, state: slotState(s, s.time === '14:00' ? [done('2026-12-01 14:30')] : [], at('2026-12-01 16:02')) }));
    expect(slotToRecord(list, at('2026-12-01 16:02'))?.slot.time).toBe('14:00');
  });

  it('the server refuses a round finished before its slot began, to the minute', () => {
    const r = (finished: string, slotTime = '18:00') => roundTooEarly({ slotDate: '2026-12-01', slotTime, finishedAt: new Date(at(finished)).toISOString() }, TZ);
    expect(r('2026-12-01 16:02')).toEqual({ date: '2026-12-01', time: '18:00' });
    expect(r('2026-12-01 17:59')).toEqual({ date: '2026-12-01', time: '18:00' });
    expect(r('2026-12-01 18:00')).toBeNull();
    expect(r('2026-12-02 01:00')).toBeNull();
    expect(r('2026-12-01 16:02', '14:00')).toBeNull();
  });
});

describe('checklists', () => {
  it('repeat elevator items for each elevator', () => {
    const items = checklistFor(defaultTemplates().building, 2);
    expect(items.map((i) => i.label)).toEqual(['公共区域（大厅、楼道、扶手）', '电梯1（按钮、轿厢）', '电梯2（按钮、轿厢）', '垃圾桶及垃圾收集点', '单元门把手、门禁按键']);
    expect(items.map((i) => i.key)).toEqual(['public', 'elevator_1', 'elevator_2', 'trash', 'doors']);
    expect(checklistFor(defaultTemplates().building, 0).map((i) => i.key)).toEqual(['public', 'trash', 'doors']);
  });
});
