import { describe, expect, it } from 'vitest';
import { FAST_GATE_CHECK, fastGateCheck, parseSyncRecord } from '../../server/core/sync-fast.js';
import { SyncRecordSchema } from '../../server/core/sync.js';

// The one-pass validation of a synced gate check must answer exactly as the zod schema does: the same
// records accepted, with the same output; everything else refused (by zod, with zod's reasons).
const base = {
  kind: 'gate_check',
  id: '019ad0f2-3c4e-7a10-8b2c-3d4e5f607182',
  at: '2026-11-28T08:00:00.123Z',
  gateId: 3,
  shiftId: '019ad0f2-0000-7a10-8b2c-3d4e5f607182',
  volunteerId: 9,
  direction: 'out',
  subject: 'code',
  code: 'GP1.k1.ya.7.t0abcd.AAAA',
  residentId: null,
  visitor: null,
  verdict: 'allow',
  reasons: [],
  testStatus: { result: 'negative', sampledAt: 1764300000000, ageHours: 10 },
  override: null,
  passed: true,
  policyVersion: 1,
  rosterVersion: 4,
};
const variants: Record<string, unknown>[] = [
  base,
  { ...base, subject: 'manual', code: null, residentId: 12 },
  { ...base, verdict: 'deny', reasons: [{ code: 'test_expired', extra: 1 }], override: { reason: '复查已阴性' }, passed: true },
  { ...base, verdict: 'review', reasons: [{ code: 'roster_stale' }], passed: false },
  { ...base, temperatureC: 36.64 },
  { ...base, temperatureNormal: true },
  { ...base, temperatureNormal: false, temperatureC: null },
  { ...base, shiftId: undefined, testStatus: undefined, override: undefined, visitor: undefined, residentId: undefined },
  { ...base, extraField: 'dropped' },
];
/** Each field replaced by values zod may or may not take (the answer must be zod's either way). */
const replacements: Record<string, unknown[]> = {
  id: ['', 'not-a-uuid', '019ad0f2-3c4e-4a10-8b2c-3d4e5f607182', 12, null],
  at: ['2026-11-28T08:00:00Z', '2026-11-28T16:00:00.123+08:00', '2026-02-30T08:00:00.000Z', '2026-11-28T24:00:00.000Z', '2026-11-28 08:00:00.000Z', '2026-11-28T08:00:00.1234Z', 1764300000000, null],
  gateId: [0, -1, 1.5, '3', 2 ** 60, Number.NaN, null],
  shiftId: ['x', null, 5],
  volunteerId: [0, '9', null],
  direction: ['up', null],
  subject: ['visitor', 'manual', 'other'],
  code: ['', 'x'.repeat(300), 'x'.repeat(301), 5, null],
  residentId: [0, 12, '12', -3],
  visitor: [{ name: ' 王 ', phone: '13800000000', reason: '探亲' }, { name: '王', phone: 'abc', reason: 'x' }, 'x'],
  verdict: ['maybe', 'deny', 'review', null],
  reasons: [null, [{ code: 'nope' }], [{}], ['test_expired'], Array.from({ length: 21 }, () => ({ code: 'test_expired' })), [{ code: 'test_expired' }]],
  testStatus: [{ result: 'unknown', sampledAt: 1, ageHours: 1 }, { result: 'negative', sampledAt: 1.5, ageHours: 1 }, { result: 'negative', sampledAt: -5, ageHours: -1 }, { result: 'pending', sampledAt: 0, ageHours: 0, x: 1 }, [], 'negative'],
  temperatureC: [33.9, 34, 43, 43.01, 37.25, Number.POSITIVE_INFINITY, '36.5', null],
  temperatureNormal: ['yes', 1, true, null],
  override: [{ reason: '' }, { reason: ' 有证明 ' }, { reason: 'x'.repeat(201) }, { reason: 'ok', by: 3 }, 'reason'],
  passed: ['true', 1, false, null],
  policyVersion: [-1, 0, 1.2, '1'],
  rosterVersion: [-1, 0, 2 ** 53],
};

function sameAnswer(record: Record<string, unknown>) {
  const zod = SyncRecordSchema.safeParse(record);
  const fast = parseSyncRecord(record);
  expect(fast.success, JSON.stringify(record)).toBe(zod.success);
  if (zod.success) expect(fast.data, JSON.stringify(record)).toEqual(zod.data);
  else expect(fast.error?.issues).toEqual(zod.error.issues);
}

describe('one-pass validation of a synced gate check', () => {
  it('is on for the schema as it stands (a field it does not know turns it off)', () => {
    expect(FAST_GATE_CHECK).toBe(true);
  });

  it('takes what the tablet writes itself, in one pass, as zod would', () => {
    for (const v of variants) {
      expect(fastGateCheck(v), JSON.stringify(v)).toBeDefined();
      sameAnswer(v);
    }
  });

  it('answers as zod does for every field set to anything else, on every variant', () => {
    let n = 0;
    for (const v of variants) {
      for (const [field, values] of Object.entries(replacements)) {
        for (const value of values) {
          sameAnswer({ ...v, [field]: value });
          const without = { ...v };
          delete without[field];
          sameAnswer(without);
          n += 2;
        }
      }
    }
    expect(n).toBeGreaterThan(1000);
  });

  it('leaves other kinds and other shapes to zod', () => {
    for (const r of [null, 'x', [], {}, { kind: 'gate_check' }, { ...base, kind: 'shift_start', gateId: 3 }]) sameAnswer(r as Record<string, unknown>);
  });
});
