import { issue, type Message } from './messages.js';
import { z } from 'zod';
import { PHONE_PATTERN } from './mask.js';
import { TEMPERATURE_RANGE } from './policy.js';
import { REASON_CODES } from './reasons.js';
import { UUID_V7 } from './uuid.js';

/**
 * What a tablet sends: records made offline, each with a UUIDv7 made on the device and the device's time.
 * The server validates every record with these schemas; the tablet builds its records from the same types
 * (server/core/gate-check.ts makes gate checks), so what it sends has this shape by construction.
 */
const uuid = z.string().regex(UUID_V7, issue('uuid_v7'));
const time = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());
const int = z.number().int().positive();
/** A body temperature as a thermometer reads it, °C, kept to a tenth. */
export const TemperatureSchema = z
  .number()
  .min(TEMPERATURE_RANGE.min, `a body temperature of at least ${TEMPERATURE_RANGE.min} °C`)
  .max(TEMPERATURE_RANGE.max, `a body temperature of at most ${TEMPERATURE_RANGE.max} °C`)
  .transform((c) => Math.round(c * 10) / 10);

export const ReasonSchema = z.looseObject({ code: z.enum(REASON_CODES as [string, ...string[]]) });

export const TestStatusSchema = z.object({
  result: z.enum(['negative', 'positive', 'pending']),
  sampledAt: z.number().int(),
  ageHours: z.number().int().min(0),
});

export const VisitorSchema = z.object({
  name: z.string().trim().min(1).max(40),
  phone: z.string().trim().regex(PHONE_PATTERN, issue('phone_format')),
  reason: z.string().trim().min(1).max(100),
  hostHouseholdId: int.nullish(),
});

export const GateCheckRecordSchema = z
  .object({
    kind: z.literal('gate_check'),
    id: uuid,
    at: time,
    gateId: int,
    shiftId: uuid.nullish(),
    volunteerId: int,
    direction: z.enum(['in', 'out']),
    subject: z.enum(['code', 'manual', 'visitor']),
    code: z.string().max(300).nullish(),
    residentId: int.nullish(),
    visitor: VisitorSchema.nullish(),
    verdict: z.enum(['allow', 'deny', 'review']),
    reasons: z.array(ReasonSchema).max(20),
    testStatus: TestStatusSchema.nullish(),
    /** Body temperature taken at the gate, °C, to a tenth. */
    temperatureC: TemperatureSchema.nullish(),
    /** A normal temperature, confirmed with one tap (no number). */
    temperatureNormal: z.boolean().nullish(),
    override: z.object({ reason: z.string().trim().min(1).max(200) }).nullish(),
    passed: z.boolean(),
    policyVersion: z.number().int().min(0),
    rosterVersion: z.number().int().min(0),
  })
  .superRefine((r, ctx) => {
    const need = (ok: boolean, path: string, message: string) => ok || ctx.addIssue({ code: 'custom', path: [path], message });
    need(r.subject !== 'code' || !!r.code, 'code', issue('needs_code'));
    need(r.subject !== 'manual' || !!r.residentId, 'residentId', issue('needs_resident'));
    need(r.subject !== 'visitor' || !!r.visitor, 'visitor', issue('needs_visitor'));
    need(!r.override || r.verdict !== 'allow', 'override', issue('nothing_to_override'));
    need(!(r.temperatureNormal && r.temperatureC != null), 'temperatureNormal', issue('temperature_or_normal'));
    need(!r.passed || r.verdict === 'allow' || !!r.override, 'passed', issue('passed_needs_override'));
  });

export const VoidRecordSchema = z.object({
  kind: z.literal('gate_check_void'),
  id: uuid,
  at: time,
  checkId: uuid,
  reason: z.string().trim().min(1).max(200),
  volunteerId: int,
});

export const ShiftStartSchema = z.object({ kind: z.literal('shift_start'), id: uuid, at: time, gateId: int, volunteerId: int });

export const ShiftEndSchema = z.object({
  kind: z.literal('shift_end'),
  id: uuid,
  at: time,
  shiftId: uuid,
  volunteerId: int,
  handoverNote: z.string().trim().max(2000),
});

/**
 * A result a person showed on their phone at the gate, recorded by the volunteer (source 'gate', the
 * default); or a resident ticked off the door-to-door list, sampled at home (source 'home', pending).
 */
export const GateTestResultSchema = z.object({
  kind: z.literal('test_result'),
  id: uuid,
  at: time,
  residentId: int,
  volunteerId: int,
  sampledAt: time,
  result: z.enum(['negative', 'positive', 'pending']),
  source: z.enum(['gate', 'home']).optional(),
});

/** One round of disinfection of a building or point: done (boxes ticked) or skipped with a reason. */
export const DisinfectionRecordSchema = z
  .object({
    kind: z.literal('disinfection'),
    id: uuid,
    at: time,
    volunteerId: int,
    shiftId: uuid.nullish(),
    target: z.object({ kind: z.enum(['building', 'point']), id: int }),
    slotDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, issue('date_format')),
    slotTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, issue('time_format')),
    status: z.enum(['done', 'skipped']),
    items: z.array(z.object({ key: z.string().max(40), label: z.string().max(80), done: z.boolean() })).max(60),
    disinfectant: z.string().trim().max(40).nullish(),
    concentration: z.string().trim().max(40).nullish(),
    note: z.string().trim().max(500).nullish(),
    skipReason: z.string().trim().max(200).nullish(),
    startedAt: time,
    finishedAt: time,
    via: z.enum(['placard', 'manual']),
  })
  .superRefine((r, ctx) => {
    if (r.status === 'skipped' && !r.skipReason) ctx.addIssue({ code: 'custom', path: ['skipReason'], message: issue('needs_skip_reason') });
    if (r.status === 'done' && !r.items.some((i) => i.done)) ctx.addIssue({ code: 'custom', path: ['items'], message: issue('needs_area') });
    if (Date.parse(r.finishedAt) < Date.parse(r.startedAt)) ctx.addIssue({ code: 'custom', path: ['finishedAt'], message: issue('finished_before_start') });
  });
export type DisinfectionRecord = z.output<typeof DisinfectionRecordSchema>;

export const SyncRecordSchema = z.discriminatedUnion('kind', [
  GateCheckRecordSchema,
  VoidRecordSchema,
  ShiftStartSchema,
  ShiftEndSchema,
  GateTestResultSchema,
  DisinfectionRecordSchema,
]);
export type SyncRecord = z.output<typeof SyncRecordSchema>;
export type GateCheckRecord = z.output<typeof GateCheckRecordSchema>;

export const MAX_BATCH = 1000;

export const SyncBatchSchema = z.object({
  /** The device's clock when it sent the batch: the server records the skew. */
  sentAt: time,
  records: z.array(z.unknown()).min(1).max(MAX_BATCH),
  /** How the tablet is doing, for the dashboard. */
  status: z
    .object({ appVersion: z.string().max(40).optional(), pending: z.number().int().min(0).optional(), rosterVersion: z.number().int().min(0).optional() })
    .optional(),
});

export type SyncOutcome =
  | { id: string; status: 'accepted' | 'duplicate' }
  | { id: string | null; status: 'rejected'; reason: Rejection };

/** Why a record was refused: a catalogued code and its params (the tablet shows them in its language), and the English text. */
export type Rejection = Message & { message: string };

export interface SyncResponse {
  results: SyncOutcome[];
  rosterVersion: number;
}
