import { describe, expect, it } from 'vitest';
import type { ParsedCode } from '../../server/core/code.js';
import { type DecideInput, decide, type GateFacts, quotaPeriod } from '../../server/core/decide.js';
import type { PhoneCode } from '../../server/core/phone-code.js';
import { reasonText } from '../../server/core/i18n.js';
import { defaultPolicy, type PolicyRules } from '../../server/core/policy.js';
import { REASON_CODES } from '../../server/core/reasons.js';

const TZ = 'Asia/Shanghai';
const H = 3_600_000;
/** 2026-12-01 10:00 in Shanghai. */
const NOW = Date.parse('2026-12-01T02:00:00Z');
const at = (iso: string) => Date.parse(iso);

const pass = (o: Partial<ParsedCode> = {}): ParsedCode =>
  ({ kind: 'pass', kid: 'k1', passId: 7, compoundId: 1, issuedAt: NOW - 10 * 24 * H, message: 'm', signature: 's', ...o }) as ParsedCode;

const phone = (at: number): PhoneCode => ({ kind: 'phone', passId: 7, compoundId: 1, stepSeconds: 15, step: Math.floor(at / 15_000), message: 'm', signature: 's' });

const goodFacts = (): GateFacts => ({
  pass: { id: 7, residentId: 70, status: 'active' },
  resident: { id: 70, householdId: 700 },
  household: { id: 700, quarantineUntil: null },
  test: { sampledAt: NOW - 20 * H, result: 'negative' },
  householdExits: [],
  lastPassage: { direction: 'in', at: NOW - 5 * H },
});

function input(o: { policy?: Partial<PolicyRules>; facts?: Partial<GateFacts>; direction?: 'in' | 'out'; now?: number; rosterAgeMs?: number | null; subject?: DecideInput['subject']; temperatureC?: number | null; temperatureNormal?: boolean } = {}): DecideInput {
  return {
    now: o.now ?? NOW,
    direction: o.direction ?? 'out',
    compoundId: 1,
    timezone: TZ,
    policy: { ...defaultPolicy('2026-11-01'), ...o.policy },
    rosterAgeMs: o.rosterAgeMs === undefined ? 10 * 60_000 : o.rosterAgeMs,
    subject: o.subject ?? { kind: 'code', code: pass(), signature: 'valid' },
    facts: { ...goodFacts(), ...o.facts },
    temperatureC: o.temperatureC,
    temperatureNormal: o.temperatureNormal,
  };
}

/** A visitor's facts: the test their phone shows, their host household; nothing else is theirs. */
const visitorFacts = (o: Partial<GateFacts> = {}): GateFacts => ({ test: { sampledAt: NOW - 20 * H, result: 'negative' }, household: { id: 700, quarantineUntil: null }, householdExits: [], pass: undefined, resident: undefined, lastPassage: undefined, ...o });
/** Readings required both ways, fever from 37.3 °C. */
const TEMP = { temperature: { entry: { required: true }, exit: { required: true }, feverC: 37.3 } };

const codes = (i: DecideInput) => decide(i).reasons.map((r) => r.code);

describe('decide: every reason', () => {
  const cases: { name: string; in: DecideInput; verdict: string; reason?: string }[] = [
    { name: 'a resident with a fresh negative test goes out', in: input(), verdict: 'allow' },
    { name: 'not one of our codes', in: input({ subject: { kind: 'code', code: null, signature: 'invalid' } }), verdict: 'deny', reason: 'code_invalid' },
    { name: 'a placard is not a pass', in: input({ subject: { kind: 'code', code: { ...pass(), kind: 'placard', target: { kind: 'building', id: 1 } } as ParsedCode, signature: 'valid' } }), verdict: 'deny', reason: 'code_invalid' },
    { name: 'a bad signature', in: input({ subject: { kind: 'code', code: pass(), signature: 'invalid' } }), verdict: 'deny', reason: 'code_forged' },
    { name: 'a key this roster does not know', in: input({ subject: { kind: 'code', code: pass(), signature: 'unknown_key' } }), verdict: 'deny', reason: 'code_forged' },
    { name: "another compound's genuine pass", in: input({ subject: { kind: 'code', code: pass({ compoundId: 2 }), signature: 'valid' } }), verdict: 'deny', reason: 'code_foreign' },
    { name: 'a revoked pass', in: input({ facts: { pass: { id: 7, residentId: 70, status: 'revoked' } } }), verdict: 'deny', reason: 'pass_revoked' },
    { name: 'a genuine pass issued after the roster', in: input({ facts: { pass: undefined } }), verdict: 'review', reason: 'pass_unknown' },
    { name: 'a pass whose resident left the roster', in: input({ facts: { resident: undefined } }), verdict: 'deny', reason: 'person_unknown' },
    { name: 'a manual look-up of nobody', in: input({ subject: { kind: 'manual', residentId: 99 } }), verdict: 'deny', reason: 'person_unknown' },
    { name: 'no test on record', in: input({ facts: { test: undefined } }), verdict: 'deny', reason: 'test_missing' },
    { name: 'an expired test', in: input({ facts: { test: { sampledAt: NOW - 52 * H, result: 'negative' } } }), verdict: 'deny', reason: 'test_expired' },
    { name: 'a positive test', in: input({ facts: { test: { sampledAt: NOW - 2 * H, result: 'positive' } } }), verdict: 'deny', reason: 'test_positive' },
    { name: 'a positive test even where no test is required', in: input({ policy: { exit: { requireTest: false, blockQuarantined: true } }, facts: { test: { sampledAt: NOW - 2 * H, result: 'positive' } } }), verdict: 'deny', reason: 'test_positive' },
    { name: 'a pending test', in: input({ facts: { test: { sampledAt: NOW - 2 * H, result: 'pending' } } }), verdict: 'review', reason: 'test_pending' },
    { name: 'a quarantined household going out', in: input({ facts: { household: { id: 700, quarantineUntil: '2026-12-05' } } }), verdict: 'deny', reason: 'household_quarantined' },
    { name: 'a quarantined household coming in', in: input({ direction: 'in', facts: { household: { id: 700, quarantineUntil: '2026-12-05' }, lastPassage: { direction: 'out', at: NOW - H } } }), verdict: 'review', reason: 'quarantine_entry' },
    { name: 'the household already went out this period', in: input({ facts: { householdExits: [NOW - 3 * H] } }), verdict: 'deny', reason: 'exit_quota_used' },
    { name: 'in twice without an out', in: input({ direction: 'in', facts: { lastPassage: { direction: 'in', at: NOW - H } } }), verdict: 'deny', reason: 'already_inside' },
    { name: 'out twice without an in', in: input({ facts: { lastPassage: { direction: 'out', at: NOW - H }, householdExits: [] } }), verdict: 'deny', reason: 'already_outside' },
    { name: 'a roster older than the policy allows', in: input({ rosterAgeMs: 13 * H }), verdict: 'review', reason: 'roster_stale' },
    { name: 'a visitor with no host household', in: input({ subject: { kind: 'visitor', hostHouseholdId: null }, facts: visitorFacts({ household: undefined }) }), verdict: 'deny', reason: 'visitor_no_host' },
    { name: 'a visitor to a household under home quarantine', in: input({ direction: 'in', subject: { kind: 'visitor', hostHouseholdId: 700 }, facts: visitorFacts({ household: { id: 700, quarantineUntil: '2026-12-05' } }) }), verdict: 'deny', reason: 'host_quarantined' },
    { name: 'a fever', in: input({ policy: TEMP, temperatureC: 37.8 }), verdict: 'deny', reason: 'fever' },
    { name: 'no temperature where one is required', in: input({ policy: TEMP }), verdict: 'review', reason: 'temperature_missing' },
    { name: 'a normal temperature', in: input({ policy: TEMP, temperatureC: 36.5 }), verdict: 'allow' },
    { name: 'a phone code signed by another key', in: input({ subject: { kind: 'code', code: phone(NOW), signature: 'invalid' } }), verdict: 'deny', reason: 'phone_key_wrong' },
    { name: 'a phone code for a pass with no phone in this roster', in: input({ subject: { kind: 'code', code: phone(NOW), signature: 'unknown_key' } }), verdict: 'review', reason: 'phone_unknown' },
    { name: 'a phone code from 2 minutes ago', in: input({ subject: { kind: 'code', code: phone(NOW - 120_000), signature: 'valid' } }), verdict: 'review', reason: 'phone_code_expired' },
    { name: 'a phone code from 5 minutes ahead', in: input({ subject: { kind: 'code', code: phone(NOW + 300_000), signature: 'valid' } }), verdict: 'review', reason: 'phone_clock_ahead' },
    { name: 'a printed card where the policy wants the phone', in: input({ policy: { phonePass: { staticCards: 'none', stepSeconds: 15, toleranceSteps: 2 } } }), verdict: 'deny', reason: 'static_card_refused' },
    { name: 'a normal temperature, confirmed with one tap', in: input({ policy: TEMP, temperatureNormal: true }), verdict: 'allow' },
    // "Tested in the current round" (issue 15): the round began 10 h ago; the test is 20 h old (valid by the window).
    { name: 'not tested in the current round', in: input({ policy: { roundRule: 'round' }, facts: { round: { name: '第3轮', startsAt: NOW - 10 * H } } }), verdict: 'deny', reason: 'round_untested' },
    { name: 'tested in the current round', in: input({ policy: { roundRule: 'round' }, facts: { round: { name: '第3轮', startsAt: NOW - 30 * H } } }), verdict: 'allow' },
    { name: 'round rule, but exempt from testing', in: input({ policy: { roundRule: 'round' }, facts: { round: { name: '第3轮', startsAt: NOW - 10 * H }, exempt: true } }), verdict: 'allow' },
    { name: 'round rule, no round under way: the window decides', in: input({ policy: { roundRule: 'round' }, facts: { round: undefined } }), verdict: 'allow' },
    { name: "the window rule ignores a round", in: input({ facts: { round: { name: '第3轮', startsAt: NOW - 10 * H } } }), verdict: 'allow' },
    { name: "round only: an old test taken in the round still counts", in: input({ policy: { roundRule: 'round' }, facts: { test: { sampledAt: NOW - 60 * H, result: 'negative' }, round: { name: '第3轮', startsAt: NOW - 70 * H } } }), verdict: 'allow' },
    { name: "both: taken in the round but past the window", in: input({ policy: { roundRule: 'both' }, facts: { test: { sampledAt: NOW - 60 * H, result: 'negative' }, round: { name: '第3轮', startsAt: NOW - 70 * H } } }), verdict: 'deny', reason: 'test_expired' },
  ];

  it('covers every reason code', () => {
    const covered = new Set(cases.map((c) => c.reason).filter(Boolean));
    expect([...REASON_CODES].filter((c) => !covered.has(c))).toEqual([]);
  });

  it.each(cases)('$name → $verdict $reason', (c) => {
    const d = decide(c.in);
    expect(d.verdict).toBe(c.verdict);
    if (c.reason) expect(d.reasons.map((r) => r.code)).toContain(c.reason);
    else expect(d.reasons).toEqual([]);
    for (const r of d.reasons) {
      expect(reasonText(r, 'zh', TZ, NOW).length).toBeGreaterThan(3);
      expect(reasonText(r, 'en', TZ, NOW)).not.toMatch(/undefined|NaN/);
    }
  });
});

describe('decide: temperature', () => {
  it.each([
    [37.2, 'allow'],
    [37.3, 'deny'],
    [38.5, 'deny'],
  ] as const)('%f °C against a 37.3 °C threshold → %s', (c, verdict) => {
    expect(decide(input({ policy: TEMP, temperatureC: c })).verdict).toBe(verdict);
  });

  it('the threshold is the policy\'s', () => {
    const p = { temperature: { ...TEMP.temperature, feverC: 37.5 } };
    expect(decide(input({ policy: p, temperatureC: 37.4 })).verdict).toBe('allow');
    expect(decide(input({ policy: p, temperatureC: 37.5 })).reasons).toEqual([{ code: 'fever', temperatureC: 37.5, thresholdC: 37.5 }]);
  });

  it('says the reading in plain words', () => {
    const d = decide(input({ policy: TEMP, temperatureC: 37.8 }));
    expect(reasonText(d.reasons[0]!, 'zh', TZ)).toMatch(/^体温异常 37\.8 °C/);
    expect(reasonText(d.reasons[0]!, 'en', TZ)).toMatch(/^Fever 37\.8 °C/);
  });

  it('a reading is required per direction', () => {
    const inOnly = { temperature: { entry: { required: true }, exit: { required: false }, feverC: 37.3 } };
    expect(codes(input({ policy: inOnly, direction: 'out' }))).toEqual([]);
    expect(codes(input({ policy: inOnly, direction: 'in', facts: { lastPassage: { direction: 'out', at: NOW - H } } }))).toEqual(['temperature_missing']);
    // A policy from before temperatures were taken requires none.
    const { temperature: _, ...old } = defaultPolicy('2026-11-01');
    expect(decide({ ...input(), policy: old as PolicyRules }).verdict).toBe('allow');
  });

  it('a fever counts where no reading is required, and on every path (a bad code too)', () => {
    expect(codes(input({ temperatureC: 38 }))).toEqual(['fever']);
    expect(codes(input({ temperatureC: 38, subject: { kind: 'code', code: null, signature: 'invalid' } }))).toEqual(['code_invalid', 'fever']);
  });

  it('a volunteer cannot override a fever by default; a policy may let them', () => {
    const d = decide(input({ policy: TEMP, temperatureC: 37.8 }));
    expect(d.canOverride).toBe(false);
    expect(defaultPolicy('2026-11-01').overridable).not.toContain('fever');
    expect(decide(input({ policy: { ...TEMP, overridable: ['fever'] }, temperatureC: 37.8 })).canOverride).toBe(true);
    // A missing reading is for the volunteer to settle (a broken thermometer): with a reason.
    expect(decide(input({ policy: TEMP })).canOverride).toBe(true);
  });
});

describe('decide: boundaries', () => {
  it('a test is valid until exactly the validity hours, then expired (with its age)', () => {
    const justValid = input({ facts: { test: { sampledAt: NOW - 48 * H + 1, result: 'negative' } } });
    const justExpired = input({ facts: { test: { sampledAt: NOW - 48 * H, result: 'negative' } } });
    expect(decide(justValid).verdict).toBe('allow');
    expect(decide(justExpired).reasons).toEqual([{ code: 'test_expired', ageHours: 48, validHours: 48 }]);
    expect(reasonText(decide(input({ facts: { test: { sampledAt: NOW - 52.5 * H, result: 'negative' } } })).reasons[0]!, 'zh', TZ)).toBe(
      '核酸已超时：52小时前采样（有效期48小时）',
    );
  });

  it.each([24, 48, 72])('honours a %i-hour window', (hours) => {
    const p = { testValidityHours: hours };
    expect(decide(input({ policy: p, facts: { test: { sampledAt: NOW - (hours - 1) * H, result: 'negative' } } })).verdict).toBe('allow');
    expect(decide(input({ policy: p, facts: { test: { sampledAt: NOW - hours * H, result: 'negative' } } })).verdict).toBe('deny');
  });

  it('lets an entry through without a test when the policy does not require one', () => {
    const d = decide(input({ direction: 'in', policy: { entry: { requireTest: false } }, facts: { test: undefined, lastPassage: { direction: 'out', at: NOW - H } } }));
    expect(d.verdict).toBe('allow');
  });

  describe('exit quota periods (1 exit every 2 days from 2026-11-01, Shanghai)', () => {
    const quota = { exits: 1, days: 2, anchorDate: '2026-11-01' };
    it('periods start at local midnight', () => {
      // 2026-12-01 is day 30 from the anchor: period [12-01, 12-03)
      const p = quotaPeriod(NOW, quota, TZ);
      expect(p.startDate).toBe('2026-12-01');
      expect(p.nextDate).toBe('2026-12-03');
      expect(new Date(p.start).toISOString()).toBe('2026-11-30T16:00:00.000Z');
      expect(new Date(p.end).toISOString()).toBe('2026-12-02T16:00:00.000Z');
    });

    const firstMinute = at('2026-11-30T16:00:00Z'); // 12-01 00:00 local
    const lastMinute = at('2026-12-02T15:59:00Z'); // 12-02 23:59 local
    const nextPeriod = at('2026-12-02T16:00:00Z'); // 12-03 00:00 local
    const quotaCase = (now: number, exits: number[]) =>
      decide(input({ now, facts: { householdExits: exits, test: { sampledAt: now - H, result: 'negative' }, lastPassage: { direction: 'in', at: now - 2 * H } } }));

    it('an exit in the first minute of the period uses it up to its last minute', () => {
      expect(quotaCase(firstMinute, []).verdict).toBe('allow');
      const d = quotaCase(lastMinute, [firstMinute]);
      expect(d.verdict).toBe('deny');
      expect(d.reasons).toEqual([{ code: 'exit_quota_used', used: 1, allowed: 1, nextDate: '2026-12-03' }]);
      expect(reasonText(d.reasons[0]!, 'zh', TZ)).toBe('本户本周期外出次数已用完（1/1），下次可外出：12-03');
    });

    it('the next period starts fresh at local midnight, not UTC midnight', () => {
      expect(quotaCase(nextPeriod, [firstMinute, lastMinute]).verdict).toBe('allow');
      // one minute before local midnight (but already the next day in UTC terms? no: 15:59Z is 23:59 local)
      expect(quotaCase(nextPeriod - 60_000, [firstMinute]).verdict).toBe('deny');
    });

    it('an exit just before the period does not count in it', () => {
      expect(quotaCase(firstMinute + H, [firstMinute - 60_000]).verdict).toBe('allow');
    });

    it('counts up to N exits', () => {
      const d = decide(input({ policy: { exitQuota: { exits: 2, days: 3, anchorDate: '2026-11-01' } }, facts: { householdExits: [NOW - H] } }));
      expect(d.verdict).toBe('allow');
      const d2 = decide(input({ policy: { exitQuota: { exits: 2, days: 3, anchorDate: '2026-11-01' } }, facts: { householdExits: [NOW - H, NOW - 2 * H] } }));
      expect(d2.reasons[0]).toMatchObject({ code: 'exit_quota_used', used: 2, allowed: 2 });
    });

    it('works before the anchor date too', () => {
      const p = quotaPeriod(at('2026-10-30T04:00:00Z'), quota, TZ); // 10-30 local, anchor 11-01
      expect(p.startDate).toBe('2026-10-30');
      expect(p.nextDate).toBe('2026-11-01');
    });
  });

  describe('midnight in the compound time zone', () => {
    it('quarantine lasts through its last local day and ends at local midnight', () => {
      const q = { household: { id: 700, quarantineUntil: '2026-12-01' } };
      expect(codes(input({ now: at('2026-12-01T15:59:00Z'), facts: q }))).toContain('household_quarantined'); // 23:59 local
      expect(codes(input({ now: at('2026-12-01T16:00:00Z'), facts: { ...q, test: { sampledAt: at('2026-12-01T10:00:00Z'), result: 'negative' } } }))).toEqual([]); // 00:00 next day
    });

    it('a compound in another zone counts its own days', () => {
      const now = at('2026-12-01T05:30:00Z'); // 12-01 00:30 in New York? no: 2026-12-01 00:30 EST
      const p = quotaPeriod(now, { days: 1, anchorDate: '2026-11-01' }, 'America/New_York');
      expect(p.startDate).toBe('2026-12-01');
      expect(new Date(p.start).toISOString()).toBe('2026-12-01T05:00:00.000Z');
    });
  });

  it('stale roster turns an allow into a review and keeps a deny a deny', () => {
    expect(decide(input({ rosterAgeMs: 12 * H + 60_000 })).verdict).toBe('review');
    expect(decide(input({ rosterAgeMs: 12 * H })).verdict).toBe('allow');
    const d = decide(input({ rosterAgeMs: 20 * H, subject: { kind: 'code', code: pass(), signature: 'invalid' } }));
    expect(d.verdict).toBe('deny');
    expect(d.reasons.map((r) => r.code)).toEqual(['code_forged', 'roster_stale']);
  });

  it('decides on live data without a roster age (the server)', () => {
    expect(decide(input({ rosterAgeMs: null })).verdict).toBe('allow');
  });

  it('allows an override only when every denial is one the policy lets volunteers override', () => {
    const inside = decide(input({ direction: 'in', facts: { lastPassage: { direction: 'in', at: NOW - H } } }));
    expect(inside.canOverride).toBe(true);
    const forged = decide(input({ subject: { kind: 'code', code: pass(), signature: 'invalid' } }));
    expect(forged.canOverride).toBe(false);
    const positive = decide(input({ facts: { test: { sampledAt: NOW - H, result: 'positive' } } }));
    expect(positive.canOverride).toBe(false);
    const quotaAndExpired = decide(input({ facts: { householdExits: [NOW - H], test: { sampledAt: NOW - 60 * H, result: 'negative' } } }));
    expect(quotaAndExpired.canOverride).toBe(false); // the quota is not overridable by default
  });

  it('reports the test as seen: result, sampling time, age', () => {
    expect(decide(input()).test).toEqual({ result: 'negative', sampledAt: NOW - 20 * H, ageHours: 20 });
  });

  it('anti-passback can be switched off', () => {
    expect(decide(input({ direction: 'in', policy: { antiPassback: false }, facts: { lastPassage: { direction: 'in', at: NOW - H } } })).verdict).toBe('allow');
  });
});

describe('decide: visitors, by the same rules', () => {
  const visitor = (o: { policy?: Partial<PolicyRules>; facts?: Partial<GateFacts>; direction?: 'in' | 'out'; host?: number | null } = {}) =>
    input({ ...o, subject: { kind: 'visitor', hostHouseholdId: o.host === undefined ? 700 : o.host }, facts: visitorFacts(o.facts) });

  it('lets in a visitor with a host and a fresh negative test shown on their phone', () => {
    const d = decide(visitor({ direction: 'in' }));
    expect(d).toMatchObject({ verdict: 'allow', reasons: [], residentId: null, householdId: null, test: { result: 'negative', ageHours: 20 } });
  });

  it('holds a visitor to the test window, and a positive or missing test, like a resident', () => {
    expect(codes(visitor({ direction: 'in', facts: { test: { sampledAt: NOW - 50 * H, result: 'negative' } } }))).toEqual(['test_expired']);
    expect(codes(visitor({ direction: 'in', facts: { test: undefined } }))).toEqual(['test_missing']);
    expect(codes(visitor({ direction: 'in', facts: { test: { sampledAt: NOW - 2 * H, result: 'positive' } } }))).toEqual(['test_positive']);
    expect(decide(visitor({ direction: 'in', facts: { test: { sampledAt: NOW - 2 * H, result: 'pending' } } })).verdict).toBe('review');
  });

  it('follows the policy: no test or no host required', () => {
    expect(decide(visitor({ direction: 'in', policy: { visitors: { requireTest: false, requireHost: true } }, facts: { test: undefined } })).verdict).toBe('allow');
    expect(decide(visitor({ direction: 'in', policy: { visitors: { requireTest: true, requireHost: false } }, host: null, facts: { household: undefined } })).verdict).toBe('allow');
  });

  it('never applies a household rule to a visitor: no anti-passback, no exit quota, no quarantine on the way out', () => {
    const d = decide(visitor({ direction: 'out', facts: { householdExits: [NOW - H], lastPassage: { direction: 'out', at: NOW - H }, household: { id: 700, quarantineUntil: '2026-12-05' } } }));
    expect(d.verdict).toBe('allow');
  });

  it('a visitor denial is overridable as the policy says, like any other', () => {
    expect(decide(visitor({ direction: 'in', facts: { test: { sampledAt: NOW - 50 * H, result: 'negative' } } })).canOverride).toBe(true); // test_expired is overridable by default
    expect(decide(visitor({ direction: 'in', facts: { test: undefined } })).canOverride).toBe(false);
    expect(decide(visitor({ direction: 'in', host: null, facts: { household: undefined }, policy: { overridable: ['visitor_no_host'] } })).canOverride).toBe(true);
  });

  it('reads a stored policy of before visitors had rules with the default ones', async () => {
    const { PolicyRulesSchema } = await import('../../server/core/policy.js');
    const { visitors, repeatScanSeconds, ...old } = defaultPolicy('2026-11-01');
    expect(PolicyRulesSchema.parse(old)).toMatchObject({ visitors: { requireTest: true, requireHost: true }, repeatScanSeconds: 30 });
    expect([visitors, repeatScanSeconds]).toBeTruthy();
  });
});

describe('decide: no temperature asked before a denial that stands', () => {
  const TEMP_BOTH = { temperature: { entry: { required: true }, exit: { required: true }, feverC: 37.3 } };
  it('a positive test or a code that is nobody\'s is denied at once, without waiting for a reading', () => {
    expect(codes(input({ policy: TEMP_BOTH, facts: { test: { sampledAt: NOW - 2 * H, result: 'positive' } } }))).toEqual(['test_positive']);
    expect(codes(input({ policy: TEMP_BOTH, subject: { kind: 'code', code: null, signature: 'invalid' } }))).toEqual(['code_invalid']);
  });
  it('a denial the volunteer may override still asks for the reading (they may let the person through)', () => {
    expect(codes(input({ policy: TEMP_BOTH, facts: { test: { sampledAt: NOW - 52 * H, result: 'negative' } } }))).toEqual(['test_expired', 'temperature_missing']);
  });
});
