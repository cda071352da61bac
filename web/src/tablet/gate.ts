import { parseScanned } from '../../../server/core/phone-code';
import { type Decision, type DecideInput, type Direction, decide, type GateFacts, type TestStatus } from '../../../server/core/decide';
import { countsAsExit, gateCheckRecord, passIdOf } from '../../../server/core/gate-check';
import type { Reason } from '../../../server/core/reasons';
import type { RosterState } from '../../../server/core/roster';
import { roundFacts } from '../../../server/core/rounds';
import type { GateCheckRecord } from '../../../server/core/sync';
import { verifyCode, verifyPhoneCode } from './crypto';
import type { RecentPassage } from './db';

/**
 * The gate's decision on the tablet: the roster (as last downloaded) plus this tablet's own recent
 * passages (which the roster may not have yet), through the shared rules in server/core/decide.ts.
 */
export type Subject =
  | { kind: 'code'; text: string }
  | { kind: 'manual'; residentId: number }
  /** A visitor, with the test their phone shows (null: none shown). */
  | { kind: 'visitor'; visitor: Visitor; test: VisitorTest | null };

export type Visitor = NonNullable<GateCheckRecord['visitor']>;
export interface VisitorTest {
  result: TestStatus['result'];
  sampledAt: number;
  /** What the volunteer read off the phone: sampled within this many hours, or (null) longer ago than the validity. */
  within?: number | null;
}

export interface Person {
  residentId: number;
  householdId: number;
  name: string;
  building: string;
  unit: string;
  room: string;
}

/** A body temperature taken at the gate: a number typed in, or a normal one confirmed with one tap. */
export type Reading = { kind: 'measured'; c: number } | { kind: 'normal' };

export interface LocalDecision extends Decision {
  subject: Subject;
  /** The way the person was going when decided (what the record says, whatever the lane shows later). */
  direction: Direction;
  person: Person | null;
  rosterVersion: number;
  policyVersion: number;
  /** The temperature it was decided with, if one was taken. */
  reading: Reading | null;
}

export function personOf(roster: RosterState, residentId: number): Person | null {
  const r = roster.residents.get(residentId);
  if (!r) return null;
  const h = roster.households.get(r.householdId);
  const b = h ? roster.buildings.find((x) => x.id === h.buildingId) : undefined;
  return { residentId, householdId: r.householdId, name: r.name, building: b?.name ?? '', unit: h?.unit ?? '', room: h?.room ?? '' };
}

function facts(roster: RosterState, recent: RecentPassage[], residentId: number | null, passId: number | null, now: number): GateFacts {
  const pass =
    passId === null
      ? undefined
      : roster.passes.has(passId)
        ? { id: passId, residentId: roster.passes.get(passId)!, status: 'active' as const }
        : roster.revoked.has(passId)
          ? { id: passId, residentId: -1, status: 'revoked' as const }
          : undefined;
  const rid = pass?.status === 'active' ? pass.residentId : residentId;
  const resident = rid !== null && rid !== undefined ? roster.residents.get(rid) : undefined;
  const household = resident ? roster.households.get(resident.householdId) : undefined;
  // This tablet's own passages join the roster's (the same check, synced back, counts once).
  const exits = new Map<string, number>();
  for (const e of (household && roster.exits.get(household.id)) || []) exits.set(e.checkId, e.at);
  let last = resident ? roster.passages.get(resident.id) : undefined;
  for (const p of recent) {
    if (p.at > now) continue;
    if (household && p.exit && p.householdId === household.id) exits.set(p.id, p.at);
    if (resident && p.residentId === resident.id && (!last || p.at >= last.at)) last = { direction: p.direction, at: p.at };
  }
  return {
    pass,
    resident: resident ? { id: resident.id, householdId: resident.householdId, noPhone: roster.noPhone?.has(resident.id) ?? false } : undefined,
    household: household ? { id: household.id, quarantineUntil: household.quarantineUntil } : undefined,
    test: resident ? roster.tests.get(resident.id) : undefined,
    householdExits: [...exits.values()],
    lastPassage: last,
    ...roundFacts(roster.rounds ?? [], household?.buildingId, !!resident && !!roster.exempt?.has(resident.id), now, roster.compound.timezone),
  };
}

export async function decideLocally(roster: RosterState, recent: RecentPassage[], subject: Subject, direction: Direction, now: number, reading: Reading | null = null): Promise<LocalDecision> {
  const { who, facts: known } = await subjectAndFacts(roster, recent, subject, now);
  const d = decide({
    now,
    direction,
    compoundId: roster.compound.id,
    timezone: roster.compound.timezone,
    policy: roster.policy.rules,
    rosterAgeMs: now - roster.fetchedAt,
    subject: who,
    facts: known,
    temperatureC: reading?.kind === 'measured' ? reading.c : null,
    temperatureNormal: reading?.kind === 'normal',
  });
  return { ...d, subject, direction, person: d.residentId !== null ? personOf(roster, d.residentId) : null, rosterVersion: roster.version, policyVersion: roster.policy.version, reading };
}

/**
 * Who the rules are deciding on, and what the roster knows of them. A visitor's facts are the test their
 * phone shows and their host household (for its quarantine); nothing else of the roster is theirs.
 */
async function subjectAndFacts(roster: RosterState, recent: RecentPassage[], subject: Subject, now: number): Promise<{ who: DecideInput['subject']; facts: GateFacts }> {
  if (subject.kind === 'visitor') {
    const hostId = subject.visitor.hostHouseholdId ?? null;
    const host = hostId === null ? undefined : roster.households.get(hostId);
    return {
      who: { kind: 'visitor', hostHouseholdId: hostId },
      facts: { test: subject.test ?? undefined, household: host ? { id: host.id, quarantineUntil: host.quarantineUntil } : undefined, householdExits: [] },
    };
  }
  const code = subject.kind === 'code' ? parseScanned(subject.text) : null;
  const passId = passIdOf(code, roster.compound.id);
  // A phone's code is checked against the key of the phone the roster says holds its pass.
  const signature = !code ? 'invalid' : code.kind === 'phone' ? await verifyPhoneCode(code, roster.phoneKeys?.get(code.passId)) : await verifyCode(code, roster.keys);
  return {
    who: subject.kind === 'code' ? { kind: 'code', code, signature } : { kind: 'manual', residentId: subject.residentId },
    facts: facts(roster, recent, subject.kind === 'manual' ? subject.residentId : null, passId, now),
  };
}

/** Does this decision wait for a temperature? (decide() says so with `temperature_missing`.) */
export const needsReading = (d: LocalDecision) => d.reading === null && d.reasons.some((r) => r.code === 'temperature_missing');

/** The record of a check, as it goes to the outbox. */
export function checkRecord(
  d: LocalDecision,
  ctx: { gateId: number; shiftId: string; volunteerId: number; now: number; override?: { reason: string } | null },
): GateCheckRecord {
  const subject = d.subject.kind === 'visitor' ? { kind: 'visitor' as const, visitor: d.subject.visitor } : d.subject;
  return gateCheckRecord(subject, d, {
    ...ctx,
    direction: d.direction,
    policyVersion: d.policyVersion,
    rosterVersion: d.rosterVersion,
    temperatureC: d.reading?.kind === 'measured' ? d.reading.c : null,
    temperatureNormal: d.reading?.kind === 'normal',
  });
}

/** What a passed check adds to this tablet's own recent passages. */
export function passageOf(record: GateCheckRecord, d: LocalDecision): RecentPassage | null {
  if (!record.passed || !d.person) return null;
  return {
    id: record.id,
    residentId: d.person.residentId,
    householdId: d.person.householdId,
    direction: record.direction,
    at: Date.parse(record.at),
    exit: countsAsExit(record),
  };
}

export type { Reason, TestStatus };
