import type { Insertable } from 'kysely';
import { recordAudit } from '../audit/queries.js';
import { type ParsedCode, parseCode } from '../core/code.js';
import { type GateCheckRecord, type SyncOutcome, type SyncRecord, SyncRecordSchema } from '../core/sync.js';
import type { DisinfectionRecordTable, GateCheckTable } from '../db/schema.js';
import type { AppDeps, AuthDevice, Db } from '../http/context.js';
import { issuesOf } from '../http/validate.js';
import { bulkInsert, lockCompound } from '../db/bulk.js';
import { bumpRosterVersion } from '../roster/version.js';

/**
 * Sync: a batch of records a tablet made, offline or not. The contract:
 * - idempotent on the record id: a record the server has is a "duplicate", never a second row;
 * - one bad record is "rejected" with a reason and never sinks the batch;
 * - the whole batch is written in one transaction, so a batch cut off mid-way left nothing behind and is
 *   simply sent again;
 * - the tablet's record is stored as it decided it, and the batch is queued in the same transaction for
 *   the server's own re-run of the rules (analysis.ts), which flags conflicts for a person to reconcile.
 *   The answer does not wait for that: a tablet at a morning peak gets its acknowledgement at once.
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

export interface IngestResult {
  results: SyncOutcome[];
  rosterVersion: number;
  accepted: AcceptedCheck[];
}

type Rejection = { code: string; message: string };
const reject = (code: string, message: string): Rejection => ({ code, message });

interface References {
  gates: Set<number>;
  volunteers: Set<number>;
  residents: Map<number, number>; // resident -> household, in this compound
  households: Set<number>;
  checks: Map<string, { compoundId: number; residentId: number | null; householdId: number | null; occurredAt: string; direction: string }>;
  voidedChecks: Set<string>;
  shifts: Map<string, { endRecordId: string | null }>;
  /** Record ids the server already has, with who sent each. */
  existing: Map<string, Holder>;
  /** When the compound was created: no tablet of it can have recorded anything long before. */
  compoundCreatedAt: number;
  /** Buildings and points of the compound, as "building:12" / "point:3". */
  places: Set<string>;
}

async function loadReferences(db: Db, compoundId: number, records: SyncRecord[]): Promise<References> {
  const ids = (pick: (r: SyncRecord) => number | string | null | undefined) => [...new Set(records.map(pick).filter((v) => v !== null && v !== undefined))];
  const volunteerIds = ids((r) => r.volunteerId) as number[];
  const residentIds = ids((r) => (r.kind === 'gate_check' ? r.residentId : r.kind === 'test_result' ? r.residentId : null)) as number[];
  const householdIds = ids((r) => (r.kind === 'gate_check' ? r.visitor?.hostHouseholdId : null)) as number[];
  const checkIds = ids((r) => (r.kind === 'gate_check_void' ? r.checkId : null)) as string[];
  const shiftIds = ids((r) => (r.kind === 'shift_end' ? r.shiftId : r.kind === 'shift_start' ? r.id : null)) as string[];
  const byKind = (k: SyncRecord['kind']) => records.filter((r) => r.kind === k).map((r) => r.id);

  const gates = await db.selectFrom('gate').select('id').where('compoundId', '=', compoundId).execute();
  const volunteers = volunteerIds.length
    ? await db
        .selectFrom('user')
        .leftJoin('userCompound as uc', (j) => j.onRef('uc.userId', '=', 'user.id').on('uc.compoundId', '=', compoundId))
        .select(['user.id', 'user.role', 'uc.compoundId'])
        .where('user.id', 'in', volunteerIds)
        .execute()
    : [];
  const residents = residentIds.length
    ? await db.selectFrom('resident').select(['id', 'householdId']).where('compoundId', '=', compoundId).where('id', 'in', residentIds).execute()
    : [];
  const households = householdIds.length ? await db.selectFrom('household').select('id').where('compoundId', '=', compoundId).where('id', 'in', householdIds).execute() : [];
  const checks = checkIds.length
    ? await db.selectFrom('gateCheck').select(['id', 'compoundId', 'residentId', 'householdId', 'occurredAt', 'direction']).where('id', 'in', checkIds).execute()
    : [];
  const voided = checkIds.length ? await db.selectFrom('gateCheckVoid').select('gateCheckId').where('gateCheckId', 'in', checkIds).execute() : [];
  const shifts = shiftIds.length ? await db.selectFrom('shift').select(['id', 'endRecordId']).where('compoundId', '=', compoundId).where('id', 'in', shiftIds).execute() : [];

  const existing = await storedRecords(db, records);
  const roundIds = byKind('disinfection');
  const places = new Set<string>();
  if (roundIds.length) {
    for (const b of await db.selectFrom('building').select('id').where('compoundId', '=', compoundId).execute()) places.add(`building:${b.id}`);
    for (const p of await db.selectFrom('point').select('id').where('compoundId', '=', compoundId).execute()) places.add(`point:${p.id}`);
  }
  const compound = await db.selectFrom('compound').select('createdAt').where('id', '=', compoundId).executeTakeFirstOrThrow();

  return {
    gates: new Set(gates.map((g) => g.id)),
    volunteers: new Set(volunteers.filter((v) => v.role === 'admin' || v.compoundId === compoundId).map((v) => v.id)),
    residents: new Map(residents.map((r) => [r.id, r.householdId])),
    households: new Set(households.map((h) => h.id)),
    checks: new Map(checks.map((c) => [c.id, c])),
    voidedChecks: new Set(voided.map((v) => v.gateCheckId)),
    shifts: new Map(shifts.map((s) => [s.id, { endRecordId: s.endRecordId }])),
    places,
    existing,
    compoundCreatedAt: Date.parse(compound.createdAt),
  };
}

/** Who sent a record the server has: its tablet, the tablet's compound, the volunteer on it. */
interface Holder {
  deviceId: number | null;
  compoundId: number;
  volunteerId: number | null;
}

/** Which of these records the server has already, kind by kind, and who sent each. */
async function storedRecords(db: Db, records: { kind: SyncRecord['kind']; id: string }[]): Promise<Map<string, Holder>> {
  const byKind = (k: SyncRecord['kind']) => records.filter((r) => r.kind === k).map((r) => r.id);
  const out = new Map<string, Holder>();
  const add = (rows: ({ id: string | null } & Holder)[]) => {
    for (const { id, ...holder } of rows) if (id) out.set(id, holder);
  };
  const checks = byKind('gate_check');
  if (checks.length) add(await db.selectFrom('gateCheck').select(['id', 'deviceId', 'compoundId', 'volunteerId']).where('id', 'in', checks).execute());
  const voids = byKind('gate_check_void');
  if (voids.length) add(await db.selectFrom('gateCheckVoid').select(['id', 'deviceId', 'compoundId', 'userId as volunteerId']).where('id', 'in', voids).execute());
  const starts = byKind('shift_start');
  if (starts.length) add(await db.selectFrom('shift').select(['id', 'deviceId', 'compoundId', 'volunteerId']).where('id', 'in', starts).execute());
  const ends = byKind('shift_end');
  if (ends.length) add(await db.selectFrom('shift').select(['endRecordId as id', 'deviceId', 'compoundId', 'volunteerId']).where('endRecordId', 'in', ends).execute());
  const rounds = byKind('disinfection');
  if (rounds.length) add(await db.selectFrom('disinfectionRecord').select(['id', 'deviceId', 'compoundId', 'operatorId as volunteerId']).where('id', 'in', rounds).execute());
  const tests = byKind('test_result');
  if (tests.length) add(await db.selectFrom('testResult').select(['recordId as id', 'deviceId', 'compoundId', 'recordedBy as volunteerId']).where('recordId', 'in', tests).execute());
  return out;
}

/** How far ahead of the server's clock, or before its compound existed, a device's time may be. */
const MAX_AHEAD_MS = 24 * 3_600_000;
const MAX_BEFORE_COMPOUND_MS = 2 * 24 * 3_600_000;

/**
 * A record the server has, answered by who sent it: the same tablet sending it again (or the same tablet
 * enrolled anew, resending its outbox: same compound, same volunteer) is a "duplicate". Anyone else's
 * record with the same id is not this one: this one was not stored, and "duplicate" would tell the tablet
 * it was delivered when it was not.
 */
function already(record: SyncRecord, holder: Holder | undefined, device: AuthDevice): SyncOutcome {
  const same = holder && (holder.deviceId === device.id || (holder.compoundId === device.compoundId && holder.volunteerId === record.volunteerId));
  return same
    ? { id: record.id, status: 'duplicate' }
    : { id: record.id, status: 'rejected', reason: reject('id_in_use', 'Another tablet has already sent a record with this id, so this one was not stored. Tell the property office.') };
}

/** The passes a batch names, with whom they were issued to: the only look-up acknowledging needs. */
async function passesWithHouseholds(db: Db, compoundId: number, passIds: number[]) {
  const out = new Map<number, { id: number; code: string; residentId: number; householdId: number }>();
  const ids = [...new Set(passIds)];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('pass as p')
      .innerJoin('resident as r', 'r.id', 'p.residentId')
      .select(['p.id', 'p.code', 'p.residentId', 'r.householdId'])
      .where('p.compoundId', '=', compoundId)
      .where('p.id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

export async function ingestBatch(
  deps: AppDeps,
  device: AuthDevice,
  batch: { sentAt: string; records: unknown[]; status?: { appVersion?: string | undefined; pending?: number | undefined; rosterVersion?: number | undefined } | undefined },
): Promise<IngestResult> {
  const db = deps.database.db;
  const compoundId = device.compoundId;
  const receivedAt = deps.now().toISOString();
  const skew = Date.parse(receivedAt) - Date.parse(batch.sentAt);
  const outcomes: SyncOutcome[] = new Array(batch.records.length);

  // 1. Each record on its own: a malformed one is rejected, the rest go on.
  const valid: { index: number; record: SyncRecord }[] = [];
  const seen = new Set<string>();
  batch.records.forEach((raw, index) => {
    const parsed = SyncRecordSchema.safeParse(raw);
    const rawId = typeof (raw as { id?: unknown })?.id === 'string' ? ((raw as { id: string }).id as string) : null;
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      outcomes[index] = { id: rawId, status: 'rejected', reason: reject('invalid_record', issues.map((i) => `${i.path}: ${i.message}`).join('; ')) };
      return;
    }
    if (seen.has(parsed.data.id)) {
      outcomes[index] = { id: parsed.data.id, status: 'duplicate' };
      return;
    }
    seen.add(parsed.data.id);
    valid.push({ index, record: parsed.data });
  });

  const codes = new Map<string, ParsedCode | null>();
  for (const { record } of valid) {
    if (record.kind === 'gate_check' && record.subject === 'code' && record.code) codes.set(record.id, parseCode(record.code));
  }

  if (!valid.length) {
    const c = await db.selectFrom('compound').select('rosterVersion').where('id', '=', compoundId).executeTakeFirstOrThrow();
    return { results: outcomes, rosterVersion: c.rosterVersion, accepted: [] };
  }
  const accepted: AcceptedCheck[] = [];
  const rosterVersion = await db.transaction().execute(async (tx) => {
    // One compound's syncs take turns (PostgreSQL; SQLite has one writer anyway): what the server "has
    // already" is then read after any other sync of the compound committed, so a batch replayed in
    // parallel is answered "duplicate" and its side effects (audit, roster version, live events) happen once.
    await lockCompound(tx, deps.database.kind, compoundId);
    const refs = await loadReferences(tx, compoundId, valid.map((v) => v.record));
    const passIds = [...codes.values()].flatMap((c) => (c?.kind === 'pass' && c.compoundId === compoundId ? [c.passId] : []));
    const passes = await passesWithHouseholds(tx, compoundId, passIds);

    const checks: Insertable<GateCheckTable>[] = [];
    const voids: { id: string; gateCheckId: string; reason: string; userId: number; createdAt: string }[] = [];
    const starts: { id: string; gateId: number; volunteerId: number; startedAt: string }[] = [];
    const ends: { id: string; shiftId: string; at: string; note: string }[] = [];
    const tests: { recordId: string; residentId: number; sampledAt: string; result: 'negative' | 'positive' | 'pending'; volunteerId: number }[] = [];
    const rounds: Insertable<DisinfectionRecordTable>[] = [];
    const overrides: GateCheckRecord[] = [];
    const batchChecks = new Map<string, { residentId: number | null }>();
    const batchVoided = new Set<string>();

    for (const { index, record: r } of valid) {
      const done = (o: SyncOutcome) => {
        outcomes[index] = o;
      };
      if (refs.existing.has(r.id)) {
        done(already(r, refs.existing.get(r.id), device));
        continue;
      }
      const at = Date.parse(r.at);
      if (at > Date.parse(receivedAt) + MAX_AHEAD_MS || at < refs.compoundCreatedAt - MAX_BEFORE_COMPOUND_MS) {
        done({
          id: r.id,
          status: 'rejected',
          reason: reject('implausible_time', `This record says it was made at ${r.at}, which cannot be right: check the tablet's date, time and time zone.`),
        });
        continue;
      }
      if (!refs.volunteers.has(r.volunteerId)) {
        done({ id: r.id, status: 'rejected', reason: reject('unknown_volunteer', `User ${r.volunteerId} is not a volunteer of this compound.`) });
        continue;
      }
      switch (r.kind) {
        case 'gate_check': {
          if (!refs.gates.has(r.gateId)) {
            done({ id: r.id, status: 'rejected', reason: reject('unknown_gate', `Gate ${r.gateId} is not a gate of this compound.`) });
            continue;
          }
          if (r.subject === 'manual' && !refs.residents.has(r.residentId!)) {
            done({ id: r.id, status: 'rejected', reason: reject('unknown_resident', `Resident ${r.residentId} is not on this compound's roster.`) });
            continue;
          }
          const host = r.visitor?.hostHouseholdId;
          if (r.subject === 'visitor' && host && !refs.households.has(host)) {
            done({ id: r.id, status: 'rejected', reason: reject('unknown_household', `Household ${host} is not in this compound.`) });
            continue;
          }
          // Whose check it is: the resident the code was issued to (the exact text the server issued: a
          // forgery is nobody's), or the one a volunteer looked up. The server's verdict comes later.
          const parsed = codes.get(r.id) ?? null;
          const issued = parsed?.kind === 'pass' && parsed.compoundId === compoundId ? passes.get(parsed.passId) : undefined;
          const genuine = issued && issued.code === r.code ? issued : undefined;
          const residentId = r.subject === 'manual' ? r.residentId! : (genuine?.residentId ?? null);
          const householdId = r.subject === 'visitor' ? (host ?? null) : r.subject === 'manual' ? refs.residents.get(r.residentId!)! : (genuine?.householdId ?? null);
          const passId = genuine?.id ?? null;
          checks.push({
            id: r.id,
            compoundId,
            deviceId: device.id,
            gateId: r.gateId,
            shiftId: r.shiftId ?? null,
            volunteerId: r.volunteerId,
            direction: r.direction,
            subject: r.subject,
            code: r.code ?? null,
            passId,
            residentId,
            householdId,
            visitor: r.visitor ? JSON.stringify({ name: r.visitor.name, phone: r.visitor.phone, reason: r.visitor.reason }) : null,
            testStatus: r.testStatus ? JSON.stringify(r.testStatus) : null,
            verdict: r.verdict,
            reasons: JSON.stringify(r.reasons),
            overrideReason: r.override?.reason ?? null,
            overrideBy: r.override ? r.volunteerId : null,
            passed: r.passed ? 1 : 0,
            policyVersion: r.policyVersion,
            rosterVersion: r.rosterVersion,
            occurredAt: r.at,
            receivedAt,
            clockSkewMs: skew,
          });
          if (r.override) overrides.push(r);
          batchChecks.set(r.id, { residentId });
          accepted.push({ id: r.id, compoundId, gateId: r.gateId, direction: r.direction, verdict: r.verdict, passed: r.passed, occurredAt: r.at });
          done({ id: r.id, status: 'accepted' });
          break;
        }
        case 'gate_check_void': {
          const target = refs.checks.get(r.checkId) ?? batchChecks.get(r.checkId);
          if (!target || ('compoundId' in target && target.compoundId !== compoundId)) {
            done({ id: r.id, status: 'rejected', reason: reject('unknown_check', `There is no gate check ${r.checkId} in this compound.`) });
            continue;
          }
          if (refs.voidedChecks.has(r.checkId) || batchVoided.has(r.checkId)) {
            done({ id: r.id, status: 'rejected', reason: reject('already_voided', 'That gate check has already been voided.') });
            continue;
          }
          batchVoided.add(r.checkId);
          voids.push({ id: r.id, gateCheckId: r.checkId, reason: r.reason, userId: r.volunteerId, createdAt: r.at });
          done({ id: r.id, status: 'accepted' });
          break;
        }
        case 'shift_start': {
          if (!refs.gates.has(r.gateId)) {
            done({ id: r.id, status: 'rejected', reason: reject('unknown_gate', `Gate ${r.gateId} is not a gate of this compound.`) });
            continue;
          }
          starts.push({ id: r.id, gateId: r.gateId, volunteerId: r.volunteerId, startedAt: r.at });
          refs.shifts.set(r.id, { endRecordId: null });
          done({ id: r.id, status: 'accepted' });
          break;
        }
        case 'shift_end': {
          const shift = refs.shifts.get(r.shiftId);
          if (!shift) {
            done({ id: r.id, status: 'rejected', reason: reject('unknown_shift', `There is no shift ${r.shiftId} on this compound's tablets.`) });
            continue;
          }
          if (shift.endRecordId) {
            done({ id: r.id, status: 'rejected', reason: reject('shift_already_ended', 'That shift has already been ended.') });
            continue;
          }
          shift.endRecordId = r.id;
          ends.push({ id: r.id, shiftId: r.shiftId, at: r.at, note: r.handoverNote });
          done({ id: r.id, status: 'accepted' });
          break;
        }
        case 'disinfection': {
          if (!refs.places.has(`${r.target.kind}:${r.target.id}`)) {
            done({ id: r.id, status: 'rejected', reason: reject('unknown_place', `There is no ${r.target.kind} ${r.target.id} in this compound.`) });
            continue;
          }
          rounds.push({
            id: r.id,
            compoundId,
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
            deviceId: device.id,
            shiftId: r.shiftId ?? null,
            receivedAt,
            clockSkewMs: skew,
          });
          done({ id: r.id, status: 'accepted' });
          break;
        }
        case 'test_result': {
          if (!refs.residents.has(r.residentId)) {
            done({ id: r.id, status: 'rejected', reason: reject('unknown_resident', `Resident ${r.residentId} is not on this compound's roster.`) });
            continue;
          }
          tests.push({ recordId: r.id, residentId: r.residentId, sampledAt: r.sampledAt, result: r.result, volunteerId: r.volunteerId });
          done({ id: r.id, status: 'accepted' });
          break;
        }
      }
    }

    const anything = checks.length || voids.length || starts.length || ends.length || tests.length || rounds.length;
    const rv = anything ? await bumpRosterVersion(tx, compoundId) : (await tx.selectFrom('compound').select('rosterVersion').where('id', '=', compoundId).executeTakeFirstOrThrow()).rosterVersion;
    // Each insert says what it stored: a record another transaction stored first (a race the lock above
    // does not cover: the same id from another compound's tablet) is settled below, not acknowledged.
    const stored = new Set<unknown>();
    const keep = (ids: unknown[]) => {
      for (const id of ids) stored.add(id);
    };
    keep(await bulkInsert(tx, 'gate_check', checks.map((c) => ({ ...c, rv })), { onConflict: ['id'], returning: 'id' }));
    if (voids.length) {
      const rows = await tx
        .insertInto('gateCheckVoid')
        .values(voids.map((v) => ({ ...v, compoundId, deviceId: device.id, receivedAt, rv })))
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .execute();
      keep(rows.map((r) => r.id));
    }
    if (starts.length) {
      const rows = await tx
        .insertInto('shift')
        .values(starts.map((s) => ({ ...s, compoundId, deviceId: device.id, receivedAt })))
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .execute();
      keep(rows.map((r) => r.id));
    }
    for (const e of ends) {
      const rows = await tx.updateTable('shift').set({ endRecordId: e.id, endedAt: e.at, handoverNote: e.note }).where('id', '=', e.shiftId).where('endRecordId', 'is', null).returning('endRecordId').execute();
      keep(rows.map((r) => r.endRecordId));
    }
    keep(await bulkInsert(tx, 'disinfection_record', rounds, { onConflict: ['id'], returning: 'id' }));
    if (tests.length) {
      const rows = await tx
        .insertInto('testResult')
        .values(tests.map((t) => ({ compoundId, residentId: t.residentId, sampledAt: t.sampledAt, result: t.result, source: 'gate' as const, roundId: null, recordedBy: t.volunteerId, deviceId: device.id, recordId: t.recordId, createdAt: receivedAt, rv })))
        .onConflict((oc) => oc.column('recordId').doNothing())
        .returning('recordId')
        .execute();
      keep(rows.map((r) => r.recordId));
    }
    const lost = valid.filter(({ index, record }) => outcomes[index]?.status === 'accepted' && !stored.has(record.id)).map((v) => v.record);
    if (lost.length) {
      const holders = await storedRecords(tx, lost);
      for (const { index, record } of valid) {
        if (lost.includes(record)) {
          outcomes[index] = record.kind === 'shift_end' && !holders.has(record.id) ? { id: record.id, status: 'rejected', reason: reject('shift_already_ended', 'That shift has already been ended.') } : already(record, holders.get(record.id), device);
        }
      }
    }
    const isStored = (id: string) => stored.has(id);
    const storedChecks = checks.filter((c) => isStored(c.id));
    const storedVoids = voids.filter((v) => isStored(v.id));
    for (let i = accepted.length - 1; i >= 0; i--) if (!isStored(accepted[i]!.id)) accepted.splice(i, 1);
    // The server's own look at these checks follows (analysis.ts); the queue entry commits with them.
    if (storedChecks.length || storedVoids.length) {
      await tx
        .insertInto('analysisQueue')
        .values({ compoundId, checkIds: JSON.stringify(storedChecks.map((c) => c.id)), voidedCheckIds: JSON.stringify(storedVoids.map((v) => v.gateCheckId)), createdAt: receivedAt })
        .execute();
    }
    for (const r of overrides.filter((o) => isStored(o.id))) {
      await recordAudit(tx, {
        actor: { kind: 'device', device },
        action: 'gate_check.override',
        entity: 'gate_check',
        entityId: r.id,
        compoundId,
        details: { volunteerId: r.volunteerId, reason: r.override!.reason, reasons: r.reasons.map((x) => x.code), at: r.at },
        at: receivedAt,
      });
    }
    if (batch.status) {
      await tx
        .updateTable('device')
        .set({ status: JSON.stringify({ ...batch.status, reportedAt: receivedAt, clockSkewMs: skew }), lastSeenAt: receivedAt })
        .where('id', '=', device.id)
        .execute();
    }
    return rv;
  });

  return { results: outcomes, rosterVersion, accepted };
}
