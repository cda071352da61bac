import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, isDateString, parseLocalDateTime, zonedDate, zonedParts, zonedTime, zonedToUtc } from '../../server/core/time.js';
import { maskName, maskPhone } from '../../server/core/mask.js';
import { parseCode } from '../../server/core/code.js';
import { uuidv7, UUID_V7, uuidv7Time } from '../../server/core/uuid.js';

describe('time in a compound zone', () => {
  it.each([
    ['Asia/Shanghai', '2026-12-01T15:59:00Z', '2026-12-01', '23:59'],
    ['Asia/Shanghai', '2026-12-01T16:00:00Z', '2026-12-02', '00:00'],
    ['America/New_York', '2026-03-08T06:59:00Z', '2026-03-08', '01:59'],
    ['America/New_York', '2026-03-08T07:00:00Z', '2026-03-08', '03:00'], // clocks jump forward
    ['Asia/Kathmandu', '2026-12-01T18:14:00Z', '2026-12-01', '23:59'], // +05:45
  ])('%s at %s is %s %s', (tz, iso, date, time) => {
    expect(zonedDate(Date.parse(iso), tz)).toBe(date);
    expect(zonedTime(Date.parse(iso), tz)).toBe(time);
  });

  it('finds the instant of a local wall-clock time, across a DST change', () => {
    expect(new Date(zonedToUtc('2026-12-02', 'Asia/Shanghai')).toISOString()).toBe('2026-12-01T16:00:00.000Z');
    expect(new Date(zonedToUtc('2026-03-08', 'America/New_York', '12:00')).toISOString()).toBe('2026-03-08T16:00:00.000Z');
    expect(new Date(zonedToUtc('2026-03-07', 'America/New_York', '12:00')).toISOString()).toBe('2026-03-07T17:00:00.000Z');
  });

  it('agrees with Intl for every quarter hour of a year (the offset cache)', () => {
    const f = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 15 * 60_000 + 7_000) {
      const p = zonedParts(t, 'Europe/London');
      const want = f.format(new Date(t)).replace(',', '');
      expect(`${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`).toBe(want);
    }
  });

  it('does calendar arithmetic on dates', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-11-01', '2026-12-01')).toBe(30);
    expect(isDateString('2026-02-29')).toBe(false);
    expect(isDateString('2028-02-29')).toBe(true);
  });

  it.each([
    ['2026-12-01 08:30', '2026-12-01T00:30:00.000Z'],
    ['2026/12/1 8:30:15', '2026-12-01T00:30:15.000Z'],
    ['2026年12月1日 08：30', '2026-12-01T00:30:00.000Z'],
    ['2026-12-01', '2026-11-30T16:00:00.000Z'],
    ['2026-12-01T08:30:00+08:00', '2026-12-01T00:30:00.000Z'],
  ])('reads "%s" as wall-clock time in Shanghai', (text, iso) => {
    expect(new Date(parseLocalDateTime(text, 'Asia/Shanghai')!).toISOString()).toBe(iso);
  });

  it.each(['昨天', '2026-13-01 08:00', '2026-12-01 25:00', ''])('refuses "%s"', (text) => {
    expect(parseLocalDateTime(text, 'Asia/Shanghai')).toBeNull();
  });
});

describe('what volunteers see and what tablets make', () => {
  it.each([
    ['张三', '张*'],
    ['张小三', '张*三'],
    ['欧阳小明', '欧**明'],
    ['=cmd|\'/c calc\'!A1', '=***1'],
  ])('masks %s as %s', (name, masked) => expect(maskName(name)).toBe(masked));

  it('masks phone numbers', () => expect(maskPhone('13812345678')).toBe('138****5678'));

  it('makes increasing UUIDv7 ids carrying their time', () => {
    const ids = Array.from({ length: 1000 }, () => uuidv7(1_800_000_000_000));
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
    expect(uuidv7Time(uuidv7(1_800_000_000_123))).toBeGreaterThanOrEqual(1_800_000_000_123);
  });

  it.each(['https://example.com', 'GP1.k1.7.1.abc', `GP2.k1.7.1.sgmnk0.${'A'.repeat(86)}`, `GP1.k1.-7.1.sgmnk0.${'A'.repeat(86)}`, `GD1.k1.x7.1.sgmnk0.${'A'.repeat(86)}`])(
    'does not take "%s" for one of our codes',
    (text) => expect(parseCode(text)).toBeNull(),
  );
});
