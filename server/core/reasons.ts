/**
 * Why a gate check is not a plain "allow". Each reason has a fixed severity: a deny stops the person, a
 * review asks the volunteer to look. The tablet and the server share these, and so do reports.
 */
export const DENY_REASONS = [
  'code_invalid',
  'code_forged',
  'code_foreign',
  'pass_revoked',
  'person_unknown',
  'test_missing',
  'test_expired',
  'test_positive',
  'household_quarantined',
  'exit_quota_used',
  'already_inside',
  'already_outside',
  'visitor_no_host',
  'host_quarantined',
  'fever',
  /** A phone code signed by a key that is not the pass's current phone (another phone, an unbound one). */
  'phone_key_wrong',
  /** A printed card where the policy wants the phone pass. */
  'static_card_refused',
  'round_untested',
] as const;

export const REVIEW_REASONS = [
  'pass_unknown',
  'test_pending',
  'quarantine_entry',
  'roster_stale',
  'temperature_missing',
  /** A phone code from a step too long ago: a screenshot, or a code shown earlier. */
  'phone_code_expired',
  /** A phone code from a step ahead of this tablet's clock by more than the tolerance. */
  'phone_clock_ahead',
  /** A phone code for a pass with no phone this roster knows of (activated after it). */
  'phone_unknown',
] as const;

export type DenyReason = (typeof DENY_REASONS)[number];
export type ReviewReason = (typeof REVIEW_REASONS)[number];
export type ReasonCode = DenyReason | ReviewReason;
export const REASON_CODES: readonly ReasonCode[] = [...DENY_REASONS, ...REVIEW_REASONS];

/** Denials a policy may let a volunteer override; a forged or foreign code never. */
export const OVERRIDABLE_REASONS = [
  'pass_revoked',
  'person_unknown',
  'test_missing',
  'test_expired',
  'test_positive',
  'household_quarantined',
  'exit_quota_used',
  'already_inside',
  'already_outside',
  'visitor_no_host',
  'host_quarantined',
  'fever',
  'static_card_refused',
  'round_untested',
] as const satisfies readonly DenyReason[];
export type OverridableReason = (typeof OVERRIDABLE_REASONS)[number];

export type Reason =
  | { code: 'test_expired'; ageHours: number; validHours: number }
  | { code: 'household_quarantined' | 'quarantine_entry' | 'host_quarantined'; until: string }
  | { code: 'exit_quota_used'; used: number; allowed: number; nextDate: string }
  | { code: 'already_inside' | 'already_outside'; since: number }
  | { code: 'roster_stale'; ageMinutes: number; limitMinutes: number }
  | { code: 'fever'; temperatureC: number; thresholdC: number }
  | { code: 'phone_code_expired' | 'phone_clock_ahead'; skewSeconds: number }
  | { code: 'round_untested'; round: string }
  | {
      code: Exclude<
        ReasonCode,
        'test_expired' | 'household_quarantined' | 'quarantine_entry' | 'host_quarantined' | 'exit_quota_used' | 'already_inside' | 'already_outside' | 'roster_stale' | 'fever' | 'phone_code_expired' | 'phone_clock_ahead' | 'round_untested'
      >;
    };

export function isDeny(code: string): code is DenyReason {
  return (DENY_REASONS as readonly string[]).includes(code);
}

export type Verdict = 'allow' | 'deny' | 'review';
