import { TEMPERATURE_RANGE } from './policy.js';
import { REASON_CODES } from './reasons.js';
import { type GateCheckRecord, GateCheckRecordSchema, type SyncRecord, SyncRecordSchema } from './sync.js';
import { UUID_V7 } from './uuid.js';

/**
 * Validation of a synced record in one pass, for the record a tablet sends thousands of a day: a gate
 * check written as the tablet writes it. The sync profile had zod's walk of the discriminated union at a
 * fifth of acknowledging a batch. This is not a second set of rules: it accepts a strict subset of what
 * `GateCheckRecordSchema` accepts and builds the same output (times as `toISOString` gives them, the
 * temperature to a tenth, unknown keys dropped); anything else, and every record it does not accept,
 * goes to zod, which decides and says why (so the reasons a tablet is shown are zod's).
 * tests/unit/sync-fast.test.ts holds the two to the same answers.
 */
const HANDLED = [
  'kind', 'id', 'at', 'gateId', 'shiftId', 'volunteerId', 'direction', 'subject', 'code', 'residentId', 'visitor', 'verdict',
  'reasons', 'testStatus', 'temperatureC', 'temperatureNormal', 'override', 'passed', 'policyVersion', 'rosterVersion',
];
/** Off by itself when the schema gains a field this does not know (zod then validates everything). */
export const FAST_GATE_CHECK = Object.keys(GateCheckRecordSchema.shape).length === HANDLED.length && HANDLED.every((k) => k in GateCheckRecordSchema.shape);

const REASONS = new Set<string>(REASON_CODES);
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const positive = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const natural = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
/** A time exactly as `toISOString` writes it (so zod's parse and normalisation give it back unchanged). */
const isoTime = (v: unknown): v is string => typeof v === 'string' && ISO_MS.test(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;
const nullish = (v: unknown) => v === null || v === undefined;
const trimmed = (v: unknown, max: number): v is string => typeof v === 'string' && v.length >= 1 && v.length <= max && v.trim() === v;

export function fastGateCheck(r: Record<string, unknown>): GateCheckRecord | undefined {
  const { id, at, gateId, shiftId, volunteerId, direction, subject, code, residentId, visitor, verdict, reasons, testStatus, temperatureC, temperatureNormal, override, passed, policyVersion, rosterVersion } = r;
  if (typeof id !== 'string' || !UUID_V7.test(id) || !isoTime(at) || !positive(gateId) || !positive(volunteerId)) return undefined;
  if (!nullish(shiftId) && !(typeof shiftId === 'string' && UUID_V7.test(shiftId))) return undefined;
  if ((direction !== 'in' && direction !== 'out') || (verdict !== 'allow' && verdict !== 'deny' && verdict !== 'review')) return undefined;
  if (subject !== 'code' && subject !== 'manual') return undefined; // visitors: zod (their fields are trimmed)
  if (!nullish(visitor)) return undefined;
  if (!nullish(code) && !(typeof code === 'string' && code.length <= 300)) return undefined;
  if (!nullish(residentId) && !positive(residentId)) return undefined;
  if (!Array.isArray(reasons) || reasons.length > 20) return undefined;
  for (const x of reasons) if (!isObject(x) || typeof x.code !== 'string' || !REASONS.has(x.code)) return undefined;
  let test: GateCheckRecord['testStatus'] = testStatus as null | undefined;
  if (!nullish(testStatus)) {
    if (!isObject(testStatus)) return undefined;
    const { result, sampledAt, ageHours } = testStatus;
    if ((result !== 'negative' && result !== 'positive' && result !== 'pending') || !Number.isSafeInteger(sampledAt) || !natural(ageHours)) return undefined;
    test = { result, sampledAt: sampledAt as number, ageHours };
  }
  let temperature: number | null | undefined = temperatureC as null | undefined;
  if (!nullish(temperatureC)) {
    if (typeof temperatureC !== 'number' || !Number.isFinite(temperatureC) || temperatureC < TEMPERATURE_RANGE.min || temperatureC > TEMPERATURE_RANGE.max) return undefined;
    temperature = Math.round(temperatureC * 10) / 10;
  }
  if (!nullish(temperatureNormal) && typeof temperatureNormal !== 'boolean') return undefined;
  let over: GateCheckRecord['override'] = override as null | undefined;
  if (!nullish(override)) {
    if (!isObject(override) || !trimmed(override.reason, 200)) return undefined;
    over = { reason: override.reason };
  }
  if (typeof passed !== 'boolean' || !natural(policyVersion) || !natural(rosterVersion)) return undefined;
  // The schema's cross-field rules (GateCheckRecordSchema's superRefine).
  if (subject === 'code' && !code) return undefined;
  if (subject === 'manual' && !residentId) return undefined;
  if (over && verdict === 'allow') return undefined;
  if (temperatureNormal && !nullish(temperatureC)) return undefined;
  if (passed && verdict !== 'allow' && !over) return undefined;
  const out: Record<string, unknown> = { kind: 'gate_check', id, at, gateId, volunteerId, direction, subject, verdict, reasons: reasons.map((x) => ({ ...x })), passed, policyVersion, rosterVersion };
  // Optional fields as zod gives them: present (null or a value) when sent, absent when not.
  if (shiftId !== undefined) out.shiftId = shiftId;
  if (code !== undefined) out.code = code;
  if (residentId !== undefined) out.residentId = residentId;
  if (visitor !== undefined) out.visitor = visitor;
  if (testStatus !== undefined) out.testStatus = test;
  if (temperatureC !== undefined) out.temperatureC = temperature;
  if (temperatureNormal !== undefined) out.temperatureNormal = temperatureNormal;
  if (override !== undefined) out.override = over;
  return out as GateCheckRecord;
}

/** `SyncRecordSchema.safeParse`, in one pass for a well-formed gate check. */
export function parseSyncRecord(raw: unknown): ReturnType<typeof SyncRecordSchema.safeParse> {
  if (FAST_GATE_CHECK && isObject(raw) && raw.kind === 'gate_check') {
    const data = fastGateCheck(raw);
    if (data) return { success: true, data: data as SyncRecord } as ReturnType<typeof SyncRecordSchema.safeParse>;
  }
  return SyncRecordSchema.safeParse(raw);
}
