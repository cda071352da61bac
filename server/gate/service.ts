import { type Asker, recordAudit } from '../audit/queries.js';
import { parseScanned } from '../core/phone-code.js';
import { decide, type Direction } from '../core/decide.js';
import { gateCheckRecord, passIdOf } from '../core/gate-check.js';
import { maskName } from '../core/mask.js';
import { uuidv7 } from '../core/uuid.js';
import { AppError, NotFoundError } from '../errors.js';
import type { AppDeps } from '../deps.js';
import type { AuthDevice, AuthUser } from '../auth/actor.js';
import { currentPolicy } from '../policy/queries.js';
import { bumpRosterVersion } from '../roster/version.js';
import { loadBatchFacts, signatureOf } from './facts.js';
import { type IngestResult, ingestBatch } from './ingest.js';
import { compoundOfDevice, personAddress } from './queries.js';

/**
 * The online check (a volunteer whose tablet reaches the server): decided on the server's live data
 * with the same rules as offline, recorded through the same ingest as a synced record.
 */
export async function checkOnline(
  deps: AppDeps,
  who: { user: AuthUser; device: AuthDevice },
  body: { id?: string | undefined; gateId: number; shiftId?: string | null | undefined; direction: Direction; code?: string | undefined; residentId?: number | undefined; override?: { reason: string } | undefined; temperatureC?: number | undefined; temperatureNormal?: boolean | undefined },
): Promise<{ result: IngestResult; response: { id: string; status: string; decision: ReturnType<typeof decide> & { passed: boolean }; person: { name: string; building: string; unit: string; room: string } | null } }> {
  const db = deps.database.db;
  const { user, device } = who;
  const now = deps.now();
  const compound = await compoundOfDevice(db, device.compoundId);
  const policy = await currentPolicy(db, device.compoundId, now);
  const parsed = body.code ? parseScanned(body.code) : null;
  const passId = passIdOf(parsed, device.compoundId);
  const facts = await loadBatchFacts(db, device.compoundId, { passIds: passId ? [passId] : [], residentIds: body.residentId ? [body.residentId] : [], from: now.getTime(), to: now.getTime() });
  const recordId = body.id ?? uuidv7(now.getTime());
  const decision = decide({
    now: now.getTime(),
    direction: body.direction,
    compoundId: device.compoundId,
    timezone: compound.timezone,
    policy: policy.rules,
    rosterAgeMs: null,
    subject: body.code ? { kind: 'code', code: parsed, signature: await signatureOf(deps, facts, parsed, body.code, now.getTime()) } : { kind: 'manual', residentId: body.residentId! },
    facts: facts.factsAt(now.getTime(), { passId, residentId: body.residentId ?? null }, recordId),
    temperatureC: body.temperatureC ?? null,
    temperatureNormal: body.temperatureNormal ?? null,
  });
  if (body.override && decision.verdict === 'allow') {
    throw new AppError(400, 'nothing_to_override');
  }
  if (body.override && !decision.canOverride) {
    throw new AppError(403, 'override_not_allowed');
  }
  const record = gateCheckRecord(body.code ? { kind: 'code', text: body.code } : { kind: 'manual', residentId: body.residentId! }, decision, {
    id: recordId,
    now: now.getTime(),
    gateId: body.gateId,
    shiftId: body.shiftId ?? null,
    volunteerId: user.id,
    direction: body.direction,
    override: body.override ?? null,
    policyVersion: policy.version,
    rosterVersion: compound.rosterVersion,
    temperatureC: body.temperatureC ?? null,
    temperatureNormal: body.temperatureNormal ?? null,
  });
  const result = await ingestBatch(deps, device, { sentAt: now.toISOString(), records: [record] });
  const outcome = result.results[0]!;
  if (outcome.status === 'rejected') throw AppError.of(422, outcome.reason);
  const person = decision.residentId && facts.residents.get(decision.residentId) ? await personAddress(db, decision.residentId) : undefined;
  return {
    result,
    response: {
      id: recordId,
      status: outcome.status,
      decision: { ...decision, passed: record.passed },
      person: person ? { name: maskName(person.name), building: person.building, unit: person.unit, room: person.room } : null,
    },
  };
}

/** A correction from the office: the check is kept, marked void with the reason. */
export async function voidCheck(deps: AppDeps, asker: Asker & { user: AuthUser }, cid: number, checkId: string, reason: string): Promise<void> {
  const db = deps.database.db;
  const check = await db.selectFrom('gateCheck').select('id').where('compoundId', '=', cid).where('id', '=', checkId).executeTakeFirst();
  if (!check) throw new NotFoundError('gate_check');
  if (await db.selectFrom('gateCheckVoid').select('id').where('gateCheckId', '=', checkId).executeTakeFirst()) {
    throw new AppError(409, 'already_voided');
  }
  const at = deps.now().toISOString();
  await db.transaction().execute(async (tx) => {
    const rv = await bumpRosterVersion(tx, cid);
    await tx.insertInto('gateCheckVoid').values({ id: uuidv7(), compoundId: cid, gateCheckId: checkId, reason, userId: asker.user.id, deviceId: null, createdAt: at, receivedAt: at, rv }).execute();
    await recordAudit(tx, { actor: asker.actor, action: 'gate_check.void', entity: 'gate_check', entityId: checkId, compoundId: cid, details: { reason }, at, ip: asker.ip });
  });
}

/** A manager's note on a conflict an offline tablet left: reviewed once, audited. */
export async function reviewConflict(deps: AppDeps, asker: Asker & { user: AuthUser }, cid: number, conflictId: number, note: string): Promise<void> {
  const db = deps.database.db;
  const at = deps.now().toISOString();
  const conflict = await db.selectFrom('conflict').select(['id', 'reviewedAt']).where('compoundId', '=', cid).where('id', '=', conflictId).executeTakeFirst();
  if (!conflict) throw new NotFoundError('conflict');
  if (conflict.reviewedAt) throw new AppError(409, 'already_reviewed');
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('conflict').set({ reviewedAt: at, reviewedBy: asker.user.id, reviewNote: note }).where('id', '=', conflictId).execute();
    await recordAudit(tx, { actor: asker.actor, action: 'conflict.review', entity: 'conflict', entityId: conflictId, compoundId: cid, details: { note }, at, ip: asker.ip });
  });
}
