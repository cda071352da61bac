import { type GateFacts, TEST_CLOCK_ALLOWANCE_MS } from '../core/decide.js';
import type { ScannedCode } from '../core/phone-code.js';
import type { AppDeps } from '../deps.js';
import { bindingsOf } from '../phone/queries.js';
import { verifyPhoneSignature } from '../phone/verify.js';
import type { Db } from '../db/database.js';
import { type RoundSpec, roundFacts } from '../core/rounds.js';
import { listRounds } from '../rounds/queries.js';
import { countsAsExitSql, notVoided } from './queries.js';

/**
 * What the server knows about the people in one sync batch, loaded with a handful of queries, so the
 * rules can be re-run for every record without a query per record. (The batch's own checks are stored
 * before they are analysed, so the loaded facts already hold them.)
 */
export interface Crossing {
  id: string;
  at: number;
  direction: 'in' | 'out';
  /** Reason codes the deciding tablet knew of (an override of a known reason is not a conflict). */
  known: string[];
}

const DAY = 86_400_000;
/** How far back a person's last passage still counts for anti-passback (the roster sends the same). */
export const PASSBACK_DAYS = 7;

export class BatchFacts {
  passes = new Map<number, { id: number; residentId: number; status: string; revokedAt: string | null; code: string }>();
  residents = new Map<number, { id: number; householdId: number; deletedAt: string | null; noPhone: number }>();
  /** Per pass, every phone it was bound to, in the order bound. */
  phones = new Map<number, { publicKey: string; boundAt: string; unboundAt: string | null }[]>();

  /** The public key of the phone bound to `passId` at `at`, if one was. */
  phoneKeyAt(passId: number, at: number): string | undefined {
    return (this.phones.get(passId) ?? []).find((b) => Date.parse(b.boundAt) <= at && (b.unboundAt === null || Date.parse(b.unboundAt) > at))?.publicKey;
  }
  households = new Map<number, { id: number; quarantineUntil: string | null; buildingId?: number }>();
  /** The compound's testing rounds and its time zone, and who of these residents is exempt from testing. */
  rounds: RoundSpec[] = [];
  timezone = 'Asia/Shanghai';
  exempt = new Set<number>();
  /** Per resident, tests sorted by sampling time. */
  tests = new Map<number, { sampledAt: number; result: 'negative' | 'positive' | 'pending' }[]>();
  /** Per resident, passed and not voided crossings, sorted by time. */
  crossings = new Map<number, Crossing[]>();
  /** Per household, passed and not voided exits of its members, sorted by time. */
  exits = new Map<number, Crossing[]>();

  /** The facts as they stood just before `at`, for the person the subject names. */
  factsAt(at: number, subject: { passId?: number | null; residentId?: number | null }, excludeId: string): GateFacts {
    const pass = subject.passId ? this.passes.get(subject.passId) : undefined;
    // A pass revoked after this moment was still good at this moment.
    const passNow = pass ? { id: pass.id, residentId: pass.residentId, status: (pass.revokedAt && Date.parse(pass.revokedAt) <= at ? 'revoked' : 'active') as 'active' | 'revoked' } : undefined;
    const residentId = pass?.residentId ?? subject.residentId ?? undefined;
    const resident = residentId ? this.residents.get(residentId) : undefined;
    const alive = resident && (!resident.deletedAt || Date.parse(resident.deletedAt) > at) ? resident : undefined;
    const household = alive ? this.households.get(alive.householdId) : undefined;
    const tests = (residentId && this.tests.get(residentId)) || [];
    let test: GateFacts['test'];
    for (const t of tests) if (t.sampledAt <= at + TEST_CLOCK_ALLOWANCE_MS) test = t;
    const before = (list: Crossing[] | undefined) => (list ?? []).filter((c) => c.at < at && c.id !== excludeId);
    const mine = before(residentId ? this.crossings.get(residentId) : undefined);
    const last = mine[mine.length - 1];
    return {
      pass: passNow,
      resident: alive ? { id: alive.id, householdId: alive.householdId, noPhone: alive.noPhone === 1 } : undefined,
      household,
      test,
      householdExits: before(household ? this.exits.get(household.id) : undefined).map((c) => c.at),
      lastPassage: last ? { direction: last.direction, at: last.at } : undefined,
      ...roundFacts(this.rounds, household?.buildingId, !!alive && this.exempt.has(alive.id), at, this.timezone),
    };
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const known = (reasons: string): string[] => (JSON.parse(reasons) as { code: string }[]).map((r) => r.code);

/** Load the facts for these passes and residents around [from, to]. */
export async function loadBatchFacts(db: Db, compoundId: number, want: { passIds: number[]; residentIds: number[]; from: number; to: number }): Promise<BatchFacts> {
  const f = new BatchFacts();
  if (want.passIds.length) {
    const passes = await db.selectFrom('pass').select(['id', 'residentId', 'status', 'revokedAt', 'code']).where('compoundId', '=', compoundId).where('id', 'in', [...new Set(want.passIds)]).execute();
    for (const p of passes) f.passes.set(p.id, p);
  }
  const residentIds = [...new Set([...want.residentIds, ...[...f.passes.values()].map((p) => p.residentId)])];
  if (!residentIds.length) return f;
  for (const b of await bindingsOf(db, [...f.passes.keys()])) push(f.phones, b.passId, b);
  const residents = await db.selectFrom('resident').select(['id', 'householdId', 'deletedAt', 'noPhone']).where('compoundId', '=', compoundId).where('id', 'in', residentIds).execute();
  for (const r of residents) f.residents.set(r.id, r);
  const householdIds = [...new Set(residents.map((r) => r.householdId))];
  if (householdIds.length) {
    const households = await db.selectFrom('household').select(['id', 'quarantineUntil', 'buildingId']).where('id', 'in', householdIds).execute();
    for (const h of households) f.households.set(h.id, h);
  }
  f.rounds = await listRounds(db, compoundId);
  f.timezone = (await db.selectFrom('compound').select('timezone').where('id', '=', compoundId).executeTakeFirstOrThrow()).timezone;
  for (const e of await db.selectFrom('testExemption').select('residentId').where('residentId', 'in', residentIds).execute()) f.exempt.add(e.residentId);

  // Tests: those sampled in the week before (no policy trusts a test longer); for anyone with none, their
  // latest older one, so an expired test still says how old it is.
  const recentFrom = new Date(want.from - 8 * DAY).toISOString();
  const tests = await db
    .selectFrom('testResult')
    .select(['residentId', 'sampledAt', 'result'])
    .where('residentId', 'in', residentIds)
    .where('sampledAt', '>=', recentFrom)
    .where('sampledAt', '<=', new Date(want.to + DAY).toISOString())
    .orderBy('sampledAt')
    .execute();
  for (const t of tests) push(f.tests, t.residentId, { sampledAt: Date.parse(t.sampledAt), result: t.result });
  const untested = residentIds.filter((id) => !f.tests.has(id));
  if (untested.length) {
    const older = await db
      .selectFrom('testResult as t')
      .select(['t.residentId', 't.sampledAt', 't.result'])
      .where('t.residentId', 'in', untested)
      .where('t.sampledAt', '=', (eb) => eb.selectFrom('testResult as u').select((e) => e.fn.max('u.sampledAt').as('m')).whereRef('u.residentId', '=', 't.residentId').where('u.sampledAt', '<', recentFrom))
      .execute();
    for (const t of older) f.tests.set(t.residentId, [{ sampledAt: Date.parse(t.sampledAt), result: t.result }]);
  }

  // Crossings and exits around the batch: passback looks a week either way (as the tablets' roster does);
  // quota periods are at most 30 days.
  const crossings = await db
    .selectFrom('gateCheck as g')
    .select(['g.id', 'g.residentId', 'g.occurredAt', 'g.direction', 'g.reasons'])
    .where('g.compoundId', '=', compoundId)
    .where('g.residentId', 'in', residentIds)
    .where('g.passed', '=', 1)
    .where('g.occurredAt', '>=', new Date(want.from - PASSBACK_DAYS * DAY).toISOString())
    .where('g.occurredAt', '<=', new Date(want.to + PASSBACK_DAYS * DAY).toISOString())
    .where(notVoided)
    .orderBy('g.occurredAt')
    .orderBy('g.id')
    .execute();
  for (const c of crossings) {
    push(f.crossings, c.residentId!, { id: c.id, at: Date.parse(c.occurredAt), direction: c.direction, known: known(c.reasons) });
  }
  if (householdIds.length) {
    const exits = await db
      .selectFrom('gateCheck as g')
      .select(['g.id', 'g.householdId', 'g.occurredAt', 'g.reasons'])
      .where('g.compoundId', '=', compoundId)
      .where('g.householdId', 'in', householdIds)
      .where(countsAsExitSql)
      .where('g.occurredAt', '>=', new Date(want.from - 31 * DAY).toISOString())
      .where('g.occurredAt', '<=', new Date(want.to + 31 * DAY).toISOString())
      .orderBy('g.occurredAt')
      .orderBy('g.id')
      .execute();
    for (const e of exits) {
      push(f.exits, e.householdId!, { id: e.id, at: Date.parse(e.occurredAt), direction: 'out', known: known(e.reasons) });
    }
  }
  return f;
}

/**
 * What the server finds checking a scanned code's signature, as a tablet would: a printed pass against
 * the server's keys (a text the server issued itself is genuine without a check), a phone's code against
 * the key of the phone bound to its pass at the check's moment (none bound then: unknown_key).
 */
export async function signatureOf(deps: AppDeps, facts: BatchFacts, code: ScannedCode | null, text: string | null, at: number): Promise<'valid' | 'invalid' | 'unknown_key'> {
  if (!code) return 'invalid';
  if (code.kind === 'phone') {
    const key = facts.phoneKeyAt(code.passId, at);
    if (!key) return 'unknown_key';
    return verifyPhoneSignature(key, code.message, code.signature) ? 'valid' : 'invalid';
  }
  const issued = code.kind === 'pass' ? facts.passes.get(code.passId) : undefined;
  return issued && issued.code === text ? 'valid' : deps.keys.verify(code);
}
