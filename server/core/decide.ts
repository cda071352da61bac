import { judgeStep, phonePassRules, type ScannedCode } from './phone-code.js';
import { type PolicyRules, temperatureRules } from './policy.js';
import { isDeny, type Reason, type Verdict } from './reasons.js';
import { addDays, daysBetween, zonedDate, zonedToUtc } from './time.js';

/**
 * The gate's decision, as a pure function: the same on the tablet (offline, from its roster) and on the
 * server (re-run on its own data when a record syncs). Everything it needs comes in; nothing is looked up.
 */
export type Direction = 'in' | 'out';

/** A test sampled up to this long "after" a check still counts for it: the tablet's and the station's clocks differ. */
export const TEST_CLOCK_ALLOWANCE_MS = 5 * 60_000;
export type TestResultValue = 'negative' | 'positive' | 'pending';

export type Subject =
  /**
   * A scanned code; `signature` says what the platform's Ed25519 check found: for a printed pass against the
   * server's keys, for a phone's code against the pass's phone key (`unknown_key`: the deciding side knows
   * no phone for that pass).
   */
  | { kind: 'code'; code: ScannedCode | null; signature: 'valid' | 'invalid' | 'unknown_key' }
  /** No code: the volunteer looked the person up by building, room and name. */
  | { kind: 'manual'; residentId: number }
  /**
   * A visitor registered at the gate: their test is the one their phone shows (in `facts.test`), their host
   * the household they visit (in `facts.household`).
   */
  | { kind: 'visitor'; hostHouseholdId: number | null };

export interface GateFacts {
  /** The pass the code names, when the roster has it. */
  pass?: { id: number; residentId: number; status: 'active' | 'revoked' } | undefined;
  /** `noPhone`: flagged as having no phone (a printed card may still pass where the policy says so). */
  resident?: { id: number; householdId: number; noPhone?: boolean | undefined } | undefined;
  household?: { id: number; quarantineUntil: string | null } | undefined;
  /** The latest test sampled before now. */
  test?: { sampledAt: number; result: TestResultValue } | undefined;
  /** When this household's members went out (passed, not voided), excluding this check. */
  householdExits: number[];
  /** This person's last passage through a gate before now. */
  lastPassage?: { direction: Direction; at: number } | undefined;
  /** The testing round this person is in now (core/rounds.ts currentRound), when the policy asks for one. */
  round?: { name: string; startsAt: number } | undefined;
  /** Exempt from testing (bedridden, an infant, away): no round asks them for a test. */
  exempt?: boolean | undefined;
}

export interface DecideInput {
  now: number;
  direction: Direction;
  compoundId: number;
  timezone: string;
  policy: PolicyRules;
  /** How old the deciding roster is; null when deciding on live data (the server). */
  rosterAgeMs: number | null;
  subject: Subject;
  facts: GateFacts;
  /** The body temperature taken at the gate, °C; null or absent when none was taken. */
  temperatureC?: number | null | undefined;
  /** The volunteer read a normal temperature and confirmed it with one tap, without the number. */
  temperatureNormal?: boolean | null | undefined;
}

export interface TestStatus {
  result: TestResultValue;
  sampledAt: number;
  ageHours: number;
}

export interface Decision {
  verdict: Verdict;
  reasons: Reason[];
  /** May the volunteer override (every denial is one the policy allows to override)? */
  canOverride: boolean;
  residentId: number | null;
  householdId: number | null;
  passId: number | null;
  test: TestStatus | null;
  /**
   * A phone code's clock difference to the deciding clock, seconds (positive: the code is older), shown to
   * the volunteer whatever the verdict; absent for anything but a phone code with a valid signature.
   */
  phoneSkewSeconds?: number;
}

const HOUR = 3_600_000;

/** The exit-quota period containing `now`: [start, end) as instants, and the local date the next one starts. */
export function quotaPeriod(now: number, quota: { days: number; anchorDate: string }, tz: string) {
  const today = zonedDate(now, tz);
  const index = Math.floor(daysBetween(quota.anchorDate, today) / quota.days);
  const startDate = addDays(quota.anchorDate, index * quota.days);
  const nextDate = addDays(startDate, quota.days);
  return { start: zonedToUtc(startDate, tz), end: zonedToUtc(nextDate, tz), startDate, nextDate };
}

function verdictOf(reasons: Reason[]): Verdict {
  if (reasons.some((r) => isDeny(r.code))) return 'deny';
  return reasons.length ? 'review' : 'allow';
}

export function decide(input: DecideInput): Decision {
  const { policy, facts, now, direction } = input;
  const reasons: Reason[] = [];
  let residentId: number | null = null;
  let passId: number | null = null;
  let testStatus: TestStatus | null = null;
  let phoneSkewSeconds: number | undefined;

  const finish = (): Decision => {
    // Temperature, whoever the person is (a fever at the gate matters even with a bad code). A reading is
    // not asked for where a denial stands anyway (a positive test, a forged code, a poster's QR code): the
    // volunteer learns that first, without a thermometer at the person's forehead.
    const temp = temperatureRules(policy);
    const reading = input.temperatureC ?? null;
    const standing = reasons.some((r) => isDeny(r.code) && !(policy.overridable as string[]).includes(r.code));
    if (reading !== null && reading >= temp.feverC) reasons.push({ code: 'fever', temperatureC: reading, thresholdC: temp.feverC });
    else if (reading === null && !input.temperatureNormal && !standing && temp[direction === 'in' ? 'entry' : 'exit'].required) reasons.push({ code: 'temperature_missing' });
    if (input.rosterAgeMs !== null && input.rosterAgeMs > policy.maxRosterAgeMinutes * 60_000) {
      reasons.push({ code: 'roster_stale', ageMinutes: Math.floor(input.rosterAgeMs / 60_000), limitMinutes: policy.maxRosterAgeMinutes });
    }
    const verdict = verdictOf(reasons);
    const denials = reasons.filter((r) => isDeny(r.code));
    return {
      verdict,
      reasons,
      canOverride: verdict !== 'allow' && denials.every((r) => (policy.overridable as string[]).includes(r.code)),
      residentId,
      householdId: facts.resident?.householdId ?? null,
      passId,
      test: testStatus,
      ...(phoneSkewSeconds === undefined ? {} : { phoneSkewSeconds }),
    };
  };

  // Who is it?
  const subject = input.subject;
  if (subject.kind === 'visitor') return decideVisitor(input, reasons, (t) => (testStatus = t), finish);
  if (subject.kind === 'code') {
    const code = subject.code;
    if (code?.kind !== 'pass' && code?.kind !== 'phone') {
      reasons.push({ code: 'code_invalid' });
      return finish();
    }
    if (code.kind === 'pass' && subject.signature !== 'valid') {
      reasons.push({ code: 'code_forged' });
      return finish();
    }
    if (code.compoundId !== input.compoundId) {
      reasons.push({ code: 'code_foreign' });
      return finish();
    }
    passId = code.passId;
    if (code.kind === 'phone') {
      // The phone's key, not the server's: the roster's key for this pass, or none known yet.
      if (subject.signature === 'invalid') {
        reasons.push({ code: 'phone_key_wrong' });
        return finish();
      }
      if (subject.signature === 'unknown_key') {
        reasons.push({ code: 'phone_unknown' });
        return finish();
      }
    }
    if (!facts.pass) {
      // Genuine, but issued after this roster: a person to look at, not a forgery.
      reasons.push({ code: 'pass_unknown' });
      return finish();
    }
    if (facts.pass.status === 'revoked') {
      reasons.push({ code: 'pass_revoked' });
      return finish();
    }
    residentId = facts.pass.residentId;
    if (code.kind === 'phone') {
      // The phone's own, but is it live? Judged once the pass is known, so the volunteer sees whose it is.
      const step = judgeStep(code, now, phonePassRules(policy));
      phoneSkewSeconds = step.skewSeconds;
      if (step.status !== 'live') {
        reasons.push({ code: step.status === 'stale' ? 'phone_code_expired' : 'phone_clock_ahead', skewSeconds: step.skewSeconds });
        return finish();
      }
    }
  } else {
    residentId = subject.residentId;
  }
  if (!facts.resident || facts.resident.id !== residentId) {
    reasons.push({ code: 'person_unknown' });
    return finish();
  }
  // A printed card where the policy now wants the phone (for everyone, or for all who have one).
  if (subject.kind === 'code' && subject.code?.kind === 'pass') {
    const cards = phonePassRules(policy).staticCards;
    if (cards === 'none' || (cards === 'no_phone' && !facts.resident.noPhone)) reasons.push({ code: 'static_card_refused' });
  }

  testStatus = judgeTest(input, direction === 'in' ? policy.entry.requireTest : policy.exit.requireTest, reasons);

  // Home quarantine: through the end of its last day, in the compound's time zone.
  const until = facts.household?.quarantineUntil;
  if (until && zonedDate(now, input.timezone) <= until) {
    if (direction === 'out' && policy.exit.blockQuarantined) reasons.push({ code: 'household_quarantined', until });
    else if (direction === 'in') reasons.push({ code: 'quarantine_entry', until });
  }

  // One member out every so many days.
  if (direction === 'out' && policy.exitQuota) {
    const period = quotaPeriod(now, policy.exitQuota, input.timezone);
    const used = facts.householdExits.filter((t) => t >= period.start && t < period.end).length;
    if (used >= policy.exitQuota.exits) {
      reasons.push({ code: 'exit_quota_used', used, allowed: policy.exitQuota.exits, nextDate: period.nextDate });
    }
  }

  // Anti-passback: a second "in" without an "out" between means a shared or copied code.
  const last = facts.lastPassage;
  if (policy.antiPassback && last && last.at <= now && last.direction === direction) {
    reasons.push({ code: direction === 'in' ? 'already_inside' : 'already_outside', since: last.at });
  }

  return finish();
}

/** The test, as it stands at this moment: its status, and any reason it gives (a positive one always does). */
function judgeTest(input: DecideInput, required: boolean, reasons: Reason[]): TestStatus | null {
  const { now, policy, facts } = input;
  const test = facts.test && facts.test.sampledAt <= now + TEST_CLOCK_ALLOWANCE_MS ? facts.test : undefined;
  const status = test ? { result: test.result, sampledAt: test.sampledAt, ageHours: Math.max(0, Math.floor((now - test.sampledAt) / HOUR)) } : null;
  // "Tested in the current round" (policy.roundRule 'round' or 'both'): a test sampled since the round began.
  const rule = policy.roundRule ?? 'window';
  const round = rule !== 'window' && !facts.exempt ? facts.round : undefined;
  if (test?.result === 'positive') {
    reasons.push({ code: 'test_positive' });
  } else if (required) {
    if (round && !(test && test.sampledAt >= round.startsAt)) reasons.push({ code: 'round_untested', round: round.name });
    else if (!test) reasons.push({ code: 'test_missing' });
    else if (test.result === 'pending') reasons.push({ code: 'test_pending' });
    else if ((!round || rule === 'both') && now - test.sampledAt >= policy.testValidityHours * HOUR) {
      reasons.push({ code: 'test_expired', ageHours: status!.ageHours, validHours: policy.testValidityHours });
    }
  }
  return status;
}

/**
 * A visitor: the test their phone shows (as the policy requires), a host household (as it requires), and
 * no visit to a household under home quarantine. No anti-passback and no exit quota: those are a
 * household's, and a visitor is nobody's household.
 */
function decideVisitor(input: DecideInput, reasons: Reason[], setTest: (t: TestStatus | null) => void, finish: () => Decision): Decision {
  const { policy, facts, now } = input;
  setTest(judgeTest(input, policy.visitors.requireTest, reasons));
  const host = input.subject.kind === 'visitor' ? input.subject.hostHouseholdId : null;
  if (host === null) {
    if (policy.visitors.requireHost) reasons.push({ code: 'visitor_no_host' });
  } else {
    const until = facts.household?.quarantineUntil;
    if (input.direction === 'in' && until && zonedDate(now, input.timezone) <= until) reasons.push({ code: 'host_quarantined', until });
  }
  return finish();
}
