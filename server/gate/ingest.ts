import { recordAudit } from '../audit/queries.js';
import { parseScanned, type ScannedCode } from '../core/phone-code.js';
import { bindingsOf } from '../phone/queries.js';
import { verifyPhoneSignature } from '../phone/verify.js';
import type { Db } from '../db/database.js';
import type { SyncOutcome, SyncRecord } from '../core/sync.js';
import { parseSyncRecord } from '../core/sync-fast.js';
import type { MessageParams } from '../core/messages.js';
import { lockCompound } from '../db/bulk.js';
import type { AppDeps } from '../deps.js';
import type { AuthDevice } from '../auth/actor.js';
import { issuesOf } from '../http/validate.js';
import { bumpRosterVersion } from '../roster/version.js';
import type { AlertView } from '../alerts/queries.js';
import { testResultsStored } from '../rounds/service.js';
import { passIdOf } from '../core/gate-check.js';
import { type AcceptedCheck, anythingToWrite, type BatchContext, emptyWrites, handleRecord, reject, storeWrites } from './ingest-kinds.js';
import { type Holder, identities, loadReferences, passesWithHouseholds, storedRecords } from './ingest-queries.js';

export type { AcceptedCheck } from './ingest-kinds.js';

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
export interface IngestResult {
  results: SyncOutcome[];
  rosterVersion: number;
  accepted: AcceptedCheck[];
  /** Alerts raised by positive results this batch stored. */
  alerts: AlertView[];
}

/** How far ahead of the server's clock, or before its compound existed, a device's time may be. */
const MAX_AHEAD_MS = 24 * 3_600_000;
const MAX_BEFORE_COMPOUND_MS = 2 * 24 * 3_600_000;

/**
 * A record's device times as the server will store them. A tablet whose clock is off by more than a day
 * (one that lost power at an offline gate comes back in 1970) is off for its whole batch, `sentAt`
 * included: its records are put right by the batch's skew (kept on each row, so the device's own time
 * can be read back) rather than lost. What is still impossible after that (a record dated 9999 from a
 * tablet whose clock is right) is rejected: it would be everyone's "last passage" for ever.
 */
function onServerClock(r: SyncRecord, skew: number): SyncRecord {
  if (Math.abs(skew) <= MAX_AHEAD_MS) return r;
  const shift = (iso: string) => new Date(Date.parse(iso) + skew).toISOString();
  return r.kind === 'disinfection' ? { ...r, at: shift(r.at), startedAt: shift(r.startedAt), finishedAt: shift(r.finishedAt) } : { ...r, at: shift(r.at) };
}

/** Why a record's times cannot be right, or null. */
function implausible(r: SyncRecord, receivedAt: number, compoundCreatedAt: number): MessageParams<'implausible_time'> | null {
  const wrong = (t: number) => t > receivedAt + MAX_AHEAD_MS || t < compoundCreatedAt - MAX_BEFORE_COMPOUND_MS;
  const times = r.kind === 'disinfection' ? [r.at, r.startedAt, r.finishedAt] : [r.at];
  const bad = times.find((t) => wrong(Date.parse(t)));
  if (bad) return { at: bad, what: 'record' };
  // A result shown on a phone can be older than the compound, never from the future.
  if (r.kind === 'test_result' && Date.parse(r.sampledAt) > receivedAt + MAX_AHEAD_MS) return { at: r.sampledAt, what: 'sample' };
  return null;
}

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
    : { id: record.id, status: 'rejected', reason: reject('id_in_use') };
}

/**
 * Acknowledge a batch: validate each record, then in one transaction check what every record needs
 * (not stored already, by a volunteer of this compound, at a plausible time), hand it to its kind's
 * handler (ingest-kinds.ts), store what was accepted, settle what another transaction stored first, and
 * queue the checks for the server's re-run of the rules; audit rows and live events only for what this
 * batch stored.
 */
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
  /** A second copy of a record in the batch, and where its first copy is: it is answered as that one is. */
  const copies: { index: number; of: string }[] = [];
  batch.records.forEach((raw, index) => {
    const parsed = parseSyncRecord(raw);
    const rawId = typeof (raw as { id?: unknown })?.id === 'string' ? ((raw as { id: string }).id as string) : null;
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      outcomes[index] = { id: rawId, status: 'rejected', reason: reject('invalid_record', { fields: issues.map((i) => i.path) }) };
      return;
    }
    if (seen.has(parsed.data.id)) {
      copies.push({ index, of: parsed.data.id });
      return;
    }
    seen.add(parsed.data.id);
    valid.push({ index, record: parsed.data });
  });
  // A copy is "duplicate" only if its first copy was delivered (or was there already); if that one was
  // refused, so is the copy, for the same reason: "duplicate" would say it had arrived.
  const answerCopies = () => {
    const first = new Map(valid.map((v) => [v.record.id, outcomes[v.index]!]));
    for (const c of copies) {
      const o = first.get(c.of)!;
      outcomes[c.index] = o.status === 'rejected' ? o : { id: c.of, status: 'duplicate' };
    }
  };
  if (!valid.length) {
    const c = await db.selectFrom('compound').select('rosterVersion').where('id', '=', compoundId).executeTakeFirstOrThrow();
    return { results: outcomes, rosterVersion: c.rosterVersion, accepted: [], alerts: [] };
  }
  const codes = new Map<string, ScannedCode | null>();
  for (const { record } of valid) {
    if (record.kind === 'gate_check' && record.subject === 'code' && record.code) codes.set(record.id, parseScanned(record.code));
  }

  let accepted: AcceptedCheck[] = [];
  let alerts: AlertView[] = [];
  const rosterVersion = await db.transaction().execute(async (tx) => {
    // One compound's syncs take turns (PostgreSQL; SQLite has one writer anyway): what the server "has
    // already" is then read after any other sync of the compound committed, so a batch replayed in
    // parallel is answered "duplicate" and its side effects (audit, roster version, live events) happen once.
    const compound = await lockCompound(tx, deps.database.kind, compoundId);
    const refs = await loadReferences(tx, compoundId, valid.map((v) => v.record));
    const passes = await passesWithHouseholds(tx, compoundId, [...codes.values()].flatMap((c) => passIdOf(c, compoundId) ?? []));
    // Everyone the checks may name, for the identity each check keeps (ingest-kinds.ts picks whose it is):
    // the passes' holders came with their passes; those looked up by hand or visited are read here.
    const people = await identities(tx, compoundId, [...refs.residents.keys()], [...refs.residents.values(), ...refs.households]);
    for (const p of passes.values()) {
      people.names.set(p.residentId, p.name);
      people.addresses.set(p.householdId, p.address);
    }
    const phoneSigned = await phoneSignedChecks(tx, codes);
    const b: BatchContext = { compoundId, device, receivedAt, skew, refs, codes, passes, phoneSigned, people, writes: emptyWrites(), sqlite: deps.database.sqlite };

    // 2. Each record against what the server knows, then by its kind.
    for (const entry of valid) {
      const r = onServerClock(entry.record, skew);
      entry.record = r;
      const index = entry.index;
      const why = implausible(r, Date.parse(receivedAt), Date.parse(compound.createdAt));
      outcomes[index] = refs.existing.has(r.id)
        ? already(r, refs.existing.get(r.id), device)
        : why
          ? { id: r.id, status: 'rejected', reason: reject('implausible_time', why) }
          : !refs.volunteers.has(r.volunteerId)
            ? { id: r.id, status: 'rejected', reason: reject('unknown_volunteer', { id: r.volunteerId }) }
            : handleRecord(b, r);
    }

    // 3. Store, and settle what another transaction stored first (the lock above covers one compound;
    // the same id from another compound's tablet can still race): not acknowledged, and no side effects.
    const rv = anythingToWrite(b.writes) ? await bumpRosterVersion(tx, compoundId) : compound.rosterVersion;
    const stored = await storeWrites(tx, b, rv);
    const lost = valid.filter(({ index, record }) => outcomes[index]?.status === 'accepted' && !stored.has(record.id));
    if (lost.length) {
      const holders = await storedRecords(tx, lost.map((l) => l.record));
      for (const { index, record } of lost) {
        outcomes[index] = record.kind === 'shift_end' && !holders.has(record.id) ? { id: record.id, status: 'rejected', reason: reject('shift_already_ended') } : already(record, holders.get(record.id), device);
      }
    }
    const isStored = (id: string) => stored.has(id);
    // What the live feed hears of: the checks this batch stored, in the batch's order.
    accepted = b.writes.checks
      .filter((c) => isStored(c.id))
      .map((c) => ({ id: c.id!, compoundId, gateId: c.gateId, direction: c.direction, verdict: c.verdict, passed: c.passed === 1, occurredAt: c.occurredAt }));

    // 4. The server's own look at these checks follows (analysis.ts); the queue entry commits with them.
    const checkIds = b.writes.checks.map((c) => c.id!).filter(isStored);
    const voidedCheckIds = b.writes.voids.filter((v) => isStored(v.id)).map((v) => v.gateCheckId);
    if (checkIds.length || voidedCheckIds.length) {
      await tx.insertInto('analysisQueue').values({ compoundId, checkIds: JSON.stringify(checkIds), voidedCheckIds: JSON.stringify(voidedCheckIds), createdAt: receivedAt }).execute();
    }
    // Results from the gate and the doors: their rounds' coverage, and an alert for a positive one.
    const tests = b.writes.tests.filter((t) => isStored(t.recordId));
    if (tests.length) {
      const ids = await tx.selectFrom('testResult').select('id').where('recordId', 'in', tests.map((t) => t.recordId)).execute();
      alerts = await testResultsStored(tx, compoundId, { ids: ids.map((i) => i.id), sampledAts: tests.map((t) => t.sampledAt), residentIds: tests.map((t) => t.residentId) }, { kind: 'device', device }, receivedAt);
    }
    for (const r of b.writes.overrides.filter((o) => isStored(o.id))) {
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

  answerCopies();
  return { results: outcomes, rosterVersion, accepted, alerts };
}

/**
 * The checks whose phone code was signed by a phone once bound to its pass: the code is that resident's
 * (whether it was live, or the phone still bound, is the verdict's business: analysis.ts).
 */
async function phoneSignedChecks(tx: Db, codes: Map<string, ScannedCode | null>): Promise<Set<string>> {
  const phone = [...codes].filter((e): e is [string, Extract<ScannedCode, { kind: 'phone' }>] => e[1]?.kind === 'phone');
  const out = new Set<string>();
  if (!phone.length) return out;
  const keys = new Map<number, string[]>();
  for (const b of await bindingsOf(tx, [...new Set(phone.map(([, c]) => c.passId))])) keys.set(b.passId, [...(keys.get(b.passId) ?? []), b.publicKey]);
  for (const [id, c] of phone) if ((keys.get(c.passId) ?? []).some((k) => verifyPhoneSignature(k, c.message, c.signature))) out.add(id);
  return out;
}
