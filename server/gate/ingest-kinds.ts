import type { Insertable } from 'kysely';
import type { ScannedCode } from '../core/phone-code.js';
import { roundTooEarly } from '../core/disinfection.js';
import { passIdOf } from '../core/gate-check.js';
import type { GateCheckRecord, Rejection, SyncOutcome, SyncRecord } from '../core/sync.js';
import { englishText, type MessageCode, type MessageParams } from '../core/messages.js';
import type { ErrorArgs } from '../errors.js';
import type SQLite from 'better-sqlite3';
import { insertRows } from '../db/bulk.js';
import type { DisinfectionRecordTable, GateCheckTable } from '../db/schema.js';
import type { AuthDevice } from '../auth/actor.js';
import type { Db } from '../db/database.js';
import type { Identities, passesWithHouseholds, References } from './ingest-queries.js';

/**
 * One handler per kind of record a tablet syncs. A handler checks what only its kind needs (its gate,
 * its shift, its place…) and either rejects the record with a reason or adds what to store to the
 * batch's writes; `storeWrites` then writes them all, each insert saying what it stored.
 */
export interface AcceptedCheck {
  id: string;
  compoundId: number;
  gateId: number;
  direction: 'in' | 'out';
  verdict: string;
  passed: boolean;
  occurredAt: string;
}

export const reject = <C extends MessageCode>(code: C, ...[params]: ErrorArgs<C>): Rejection =>
  ({ code, params: params ?? {}, message: englishText(code, (params ?? {}) as MessageParams<C>) }) as Rejection;

/** What a batch being acknowledged knows, and what it will write. */
export interface BatchContext {
  compoundId: number;
  device: AuthDevice;
  receivedAt: string;
  skew: number;
  refs: References;
  codes: Map<string, ScannedCode | null>;
  passes: Awaited<ReturnType<typeof passesWithHouseholds>>;
  /** Checks whose phone code was signed by a phone bound to its pass at some time. */
  phoneSigned: Set<string>;
  /** Names and addresses of the people the batch's checks may name, as they stand at receipt. */
  people: Identities;
  writes: Writes;
  /** The SQLite writer (the transaction's own connection), for prepared inserts; undefined on PostgreSQL. */
  sqlite?: SQLite.Database | undefined;
}

export interface Writes {
  checks: Insertable<GateCheckTable>[];
  voids: { id: string; gateCheckId: string; reason: string; userId: number; createdAt: string }[];
  starts: { id: string; gateId: number; volunteerId: number; startedAt: string }[];
  ends: { id: string; shiftId: string; at: string; note: string }[];
  tests: { recordId: string; residentId: number; sampledAt: string; result: 'negative' | 'positive' | 'pending'; volunteerId: number; source: 'gate' | 'home' }[];
  rounds: Insertable<DisinfectionRecordTable>[];
  overrides: GateCheckRecord[];
  /** Checks and voids of this batch, for a void of a check sent in the same batch. */
  batchChecks: Set<string>;
  batchVoided: Set<string>;
}

export const emptyWrites = (): Writes => ({ checks: [], voids: [], starts: [], ends: [], tests: [], rounds: [], overrides: [], batchChecks: new Set(), batchVoided: new Set() });

type Handler<K extends SyncRecord['kind']> = (b: BatchContext, r: Extract<SyncRecord, { kind: K }>) => SyncOutcome;
const rejected = <C extends MessageCode>(id: string, code: C, ...params: ErrorArgs<C>): SyncOutcome => ({ id, status: 'rejected', reason: reject(code, ...params) });
const ok = (id: string): SyncOutcome => ({ id, status: 'accepted' });

const gateCheck: Handler<'gate_check'> = (b, r) => {
  const { refs, compoundId } = b;
  if (!refs.gates.has(r.gateId)) return rejected(r.id, 'unknown_gate', { id: r.gateId });
  if (r.subject === 'manual' && !refs.residents.has(r.residentId!)) return rejected(r.id, 'unknown_resident', { id: r.residentId! });
  const host = r.visitor?.hostHouseholdId;
  if (r.subject === 'visitor' && host && !refs.households.has(host)) return rejected(r.id, 'unknown_household', { id: host });
  // Whose check it is: the resident the code was issued to (found by the pass id the code names, and only
  // if it is the very text the server issued: a forgery is nobody's), or the one a volunteer looked up.
  // The server's own verdict comes later (analysis.ts).
  const passId = passIdOf(b.codes.get(r.id), compoundId);
  const issued = passId ? b.passes.get(passId) : undefined;
  const genuine = issued && (issued.code === r.code || b.phoneSigned.has(r.id)) ? issued : undefined;
  const residentId = r.subject === 'manual' ? r.residentId! : (genuine?.residentId ?? null);
  const householdId = r.subject === 'visitor' ? (host ?? null) : r.subject === 'manual' ? refs.residents.get(r.residentId!)! : (genuine?.householdId ?? null);
  // The identity as it stands now is kept on the row: a later rename or move does not rewrite the check.
  const address = householdId ? b.people.addresses.get(householdId) : undefined;
  b.writes.checks.push({
    id: r.id,
    compoundId,
    deviceId: b.device.id,
    gateId: r.gateId,
    shiftId: r.shiftId ?? null,
    volunteerId: r.volunteerId,
    direction: r.direction,
    subject: r.subject,
    code: r.code ?? null,
    passId: genuine?.id ?? null,
    residentId,
    householdId,
    visitor: r.visitor ? JSON.stringify({ name: r.visitor.name, phone: r.visitor.phone, reason: r.visitor.reason }) : null,
    testStatus: r.testStatus ? JSON.stringify(r.testStatus) : null,
    temperatureC: r.temperatureC ?? null,
    temperatureNormal: r.temperatureNormal ? 1 : null,
    verdict: r.verdict,
    reasons: JSON.stringify(r.reasons),
    overrideReason: r.override?.reason ?? null,
    overrideBy: r.override ? r.volunteerId : null,
    passed: r.passed ? 1 : 0,
    policyVersion: r.policyVersion,
    rosterVersion: r.rosterVersion,
    occurredAt: r.at,
    receivedAt: b.receivedAt,
    clockSkewMs: b.skew,
    personName: residentId ? (b.people.names.get(residentId) ?? null) : null,
    buildingName: address?.building ?? null,
    unit: address?.unit ?? null,
    room: address?.room ?? null,
  });
  if (r.override) b.writes.overrides.push(r);
  b.writes.batchChecks.add(r.id);
  return ok(r.id);
};

const gateCheckVoid: Handler<'gate_check_void'> = (b, r) => {
  const target = b.refs.checks.get(r.checkId);
  if (!(target ? target.compoundId === b.compoundId : b.writes.batchChecks.has(r.checkId))) return rejected(r.id, 'unknown_check', { id: r.checkId });
  if (b.refs.voidedChecks.has(r.checkId) || b.writes.batchVoided.has(r.checkId)) return rejected(r.id, 'already_voided');
  b.writes.batchVoided.add(r.checkId);
  b.writes.voids.push({ id: r.id, gateCheckId: r.checkId, reason: r.reason, userId: r.volunteerId, createdAt: r.at });
  return ok(r.id);
};

const shiftStart: Handler<'shift_start'> = (b, r) => {
  if (!b.refs.gates.has(r.gateId)) return rejected(r.id, 'unknown_gate', { id: r.gateId });
  b.writes.starts.push({ id: r.id, gateId: r.gateId, volunteerId: r.volunteerId, startedAt: r.at });
  b.refs.shifts.set(r.id, { endRecordId: null });
  return ok(r.id);
};

const shiftEnd: Handler<'shift_end'> = (b, r) => {
  const shift = b.refs.shifts.get(r.shiftId);
  if (!shift) return rejected(r.id, 'unknown_shift', { id: r.shiftId });
  if (shift.endRecordId) return rejected(r.id, 'shift_already_ended');
  shift.endRecordId = r.id;
  b.writes.ends.push({ id: r.id, shiftId: r.shiftId, at: r.at, note: r.handoverNote });
  return ok(r.id);
};

const disinfection: Handler<'disinfection'> = (b, r) => {
  if (!b.refs.places.has(`${r.target.kind}:${r.target.id}`)) return rejected(r.id, 'unknown_place', { kind: r.target.kind, id: r.target.id });
  const early = roundTooEarly(r, b.refs.timezone);
  if (early) return rejected(r.id, 'slot_not_begun', early);
  b.writes.rounds.push({
    id: r.id,
    compoundId: b.compoundId,
    targetKind: r.target.kind,
    targetId: r.target.id,
    slotDate: r.slotDate,
    slotTime: r.slotTime,
    status: r.status,
    items: JSON.stringify(r.items),
    disinfectant: r.disinfectant ?? null,
    concentration: r.concentration ?? null,
    note: r.note ?? null,
    skipReason: r.status === 'skipped' ? (r.skipReason ?? null) : null,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    via: r.via,
    operatorId: r.volunteerId,
    deviceId: b.device.id,
    shiftId: r.shiftId ?? null,
    receivedAt: b.receivedAt,
    clockSkewMs: b.skew,
  });
  return ok(r.id);
};

const testResult: Handler<'test_result'> = (b, r) => {
  if (!b.refs.residents.has(r.residentId)) return rejected(r.id, 'unknown_resident', { id: r.residentId! });
  b.writes.tests.push({ recordId: r.id, residentId: r.residentId, sampledAt: r.sampledAt, result: r.result, volunteerId: r.volunteerId, source: r.source ?? 'gate' });
  return ok(r.id);
};

const HANDLERS: { [K in SyncRecord['kind']]: Handler<K> } = {
  gate_check: gateCheck,
  gate_check_void: gateCheckVoid,
  shift_start: shiftStart,
  shift_end: shiftEnd,
  disinfection,
  test_result: testResult,
};

/** Check a record of any kind and add it to the batch's writes. */
export function handleRecord(b: BatchContext, r: SyncRecord): SyncOutcome {
  return (HANDLERS[r.kind] as Handler<typeof r.kind>)(b, r as never);
}

export const anythingToWrite = (w: Writes) => !!(w.checks.length || w.voids.length || w.starts.length || w.ends.length || w.tests.length || w.rounds.length);

/**
 * Write what the batch accepted, stamped with roster version `rv`. Each insert says what it stored: a
 * record another transaction stored first is missing from the answer, for the caller to settle.
 */
export async function storeWrites(tx: Db, b: BatchContext, rv: number): Promise<Set<unknown>> {
  const { writes: w, compoundId, device, receivedAt } = b;
  const stored = new Set<unknown>();
  const keep = (ids: unknown[]) => {
    for (const id of ids) stored.add(id);
  };
  for (const c of w.checks) c.rv = rv; // stamped in place: no copy of 500 rows
  keep(await insertRows(tx, b.sqlite, 'gate_check', w.checks, { onConflict: ['id'], returning: 'id' }));
  if (w.voids.length) {
    const rows = await tx
      .insertInto('gateCheckVoid')
      .values(w.voids.map((v) => ({ ...v, compoundId, deviceId: device.id, receivedAt, rv })))
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .execute();
    keep(rows.map((r) => r.id));
  }
  if (w.starts.length) {
    const rows = await tx
      .insertInto('shift')
      .values(w.starts.map((s) => ({ ...s, compoundId, deviceId: device.id, receivedAt })))
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    keep(rows.map((r) => r.id));
  }
  for (const e of w.ends) {
    // The volunteer's own end replaces an automatic one (shift-sweep.ts): their time, their handover note.
    const rows = await tx
      .updateTable('shift')
      .set({ endRecordId: e.id, endedAt: e.at, handoverNote: e.note, autoClosedAt: null })
      .where('id', '=', e.shiftId)
      .where('endRecordId', 'is', null)
      .returning('endRecordId')
      .execute();
    keep(rows.map((r) => r.endRecordId));
  }
  keep(await insertRows(tx, b.sqlite, 'disinfection_record', w.rounds, { onConflict: ['id'], returning: 'id' }));
  // Records of a shift the sweep closed while its tablet was silent are the shift's all the same: its
  // automatic end moves to the latest of them, so the shift log covers them.
  const lastOfShift = new Map<string, string>();
  for (const r of [...w.checks.map((c) => ({ shiftId: c.shiftId, at: c.occurredAt })), ...w.rounds.map((d) => ({ shiftId: d.shiftId, at: d.finishedAt }))]) {
    if (r.shiftId && r.at > (lastOfShift.get(r.shiftId) ?? '')) lastOfShift.set(r.shiftId, r.at);
  }
  for (const [shiftId, at] of lastOfShift) {
    await tx.updateTable('shift').set({ endedAt: at }).where('id', '=', shiftId).where('compoundId', '=', compoundId).where('autoClosedAt', 'is not', null).where('endedAt', '<', at).execute();
  }
  if (w.tests.length) {
    const rows = await tx
      .insertInto('testResult')
      .values(w.tests.map((t) => ({ compoundId, residentId: t.residentId, sampledAt: t.sampledAt, result: t.result, source: t.source, roundId: null, recordedBy: t.volunteerId, deviceId: device.id, recordId: t.recordId, createdAt: receivedAt, rv })))
      .onConflict((oc) => oc.column('recordId').doNothing())
      .returning('recordId')
      .execute();
    keep(rows.map((r) => r.recordId));
  }
  return stored;
}
