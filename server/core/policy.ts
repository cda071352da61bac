import { issue } from './messages.js';
import { z } from 'zod';
import { OVERRIDABLE_REASONS } from './reasons.js';
import { isDateString } from './time.js';

/**
 * A compound's pass rules (通行规则). Stored versioned: editing makes a new version, and every gate check
 * keeps the version it was decided under.
 */
export const PolicyRulesSchema = z.object({
  /** A negative test counts for this many hours after sampling (24/48/72 in practice). */
  testValidityHours: z.number().int().min(1).max(168),
  entry: z.object({ requireTest: z.boolean() }),
  exit: z.object({ requireTest: z.boolean(), blockQuarantined: z.boolean() }),
  /** Household exit quota: at most `exits` exits per household in each period of `days` days from `anchorDate`. */
  exitQuota: z
    .object({
      exits: z.number().int().min(1).max(20),
      days: z.number().int().min(1).max(30),
      anchorDate: z.string().refine(isDateString, issue('date_format')),
    })
    .nullable(),
  /** Refuse "in" for someone already inside and "out" for someone already out. */
  antiPassback: z.boolean(),
  /** Which denials a volunteer may override, with a reason. */
  overridable: z.array(z.enum(OVERRIDABLE_REASONS)).max(OVERRIDABLE_REASONS.length),
  /** A tablet whose roster is older than this decides "review" instead of "allow". */
  maxRosterAgeMinutes: z.number().int().min(5).max(7 * 24 * 60),
});

export type PolicyRules = z.infer<typeof PolicyRulesSchema>;

/** What a new compound starts with: the Xi'an rules of January 2022. */
export function defaultPolicy(anchorDate: string): PolicyRules {
  return {
    testValidityHours: 48,
    entry: { requireTest: true },
    exit: { requireTest: true, blockQuarantined: true },
    exitQuota: { exits: 1, days: 2, anchorDate },
    antiPassback: true,
    overridable: ['already_inside', 'already_outside', 'test_expired', 'person_unknown'],
    maxRosterAgeMinutes: 12 * 60,
  };
}
