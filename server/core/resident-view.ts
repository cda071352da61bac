import { type Direction, quotaPeriod, type TestResultValue } from './decide.js';
import type { PolicyRules } from './policy.js';
import { phonePassRules } from './phone-code.js';
import { zonedDate } from './time.js';

/**
 * What a resident sees on their own phone (住户页): their test and until when it counts, whether their
 * household may go out today and the next date it may, home quarantine, and their own last passages.
 * Only their own and their household's (a count, never who): nothing about anyone else. Pure, from the
 * facts the server loads; the phone keeps the last copy and shows its age when offline.
 */
export interface ResidentView {
  generatedAt: number;
  compound: { name: string; timezone: string };
  resident: { maskedName: string; building: string; unit: string; room: string };
  /** The latest test; `validUntil`: when a negative one stops counting (null: it never counts). */
  test: { result: TestResultValue; sampledAt: number; validUntil: number | null; valid: boolean } | null;
  testValidityHours: number;
  /** null: the compound has no exit quota. */
  quota: { used: number; allowed: number; days: number; periodStart: string; nextDate: string } | null;
  quarantineUntil: string | null;
  /** May the household go out today (quota and quarantine), and if not, from which date. */
  goOut: { today: boolean; nextDate: string | null };
  passages: { at: number; direction: Direction; gate: string }[];
  phonePass: { stepSeconds: number };
}

export function residentView(p: {
  now: number;
  policy: PolicyRules;
  compound: { name: string; timezone: string };
  resident: ResidentView['resident'];
  test: { result: TestResultValue; sampledAt: number } | null;
  householdExits: number[];
  quarantineUntil: string | null;
  passages: ResidentView['passages'];
}): ResidentView {
  const { now, policy } = p;
  const tz = p.compound.timezone;
  const validUntil = p.test?.result === 'negative' ? p.test.sampledAt + policy.testValidityHours * 3_600_000 : null;
  const today = zonedDate(now, tz);
  let quota: ResidentView['quota'] = null;
  let quotaNext: string | null = null;
  if (policy.exitQuota) {
    const period = quotaPeriod(now, policy.exitQuota, tz);
    const used = p.householdExits.filter((t) => t >= period.start && t < period.end).length;
    quota = { used, allowed: policy.exitQuota.exits, days: policy.exitQuota.days, periodStart: period.startDate, nextDate: period.nextDate };
    if (used >= policy.exitQuota.exits) quotaNext = period.nextDate;
  }
  const quarantined = p.quarantineUntil !== null && today <= p.quarantineUntil && policy.exit.blockQuarantined;
  let nextDate = quotaNext;
  if (quarantined) {
    // The day after the quarantine's last day, or the quota's next period if later.
    const after = new Date(`${p.quarantineUntil}T00:00:00Z`);
    after.setUTCDate(after.getUTCDate() + 1);
    const day = after.toISOString().slice(0, 10);
    nextDate = nextDate && nextDate > day ? nextDate : day;
  }
  return {
    generatedAt: now,
    compound: p.compound,
    resident: p.resident,
    test: p.test ? { ...p.test, validUntil, valid: validUntil !== null && now < validUntil } : null,
    testValidityHours: policy.testValidityHours,
    quota,
    quarantineUntil: p.quarantineUntil !== null && today <= p.quarantineUntil ? p.quarantineUntil : null,
    goOut: { today: nextDate === null, nextDate },
    passages: p.passages,
    phonePass: { stepSeconds: phonePassRules(policy).stepSeconds },
  };
}
