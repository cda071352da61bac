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
  /**
   * What a test must be: within the validity window ('window', the default), taken in the testing round
   * the person is in now ('round': 本轮未检 otherwise; outside any round the window applies), or both.
   */
  roundRule: z.enum(['window', 'round', 'both']).optional(),
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
  /**
   * The same pass seen again at the same gate, in the same direction, within this many seconds of the last
   * sighting is the same passage: the tablet shows its verdict again (刚刚已核验) and records nothing.
   * (A default, so that versions stored before it existed read with it.)
   */
  repeatScanSeconds: z.number().int().min(5).max(600).default(30),
  /**
   * What a visitor needs (decided by the same rules as a resident, and overridden the same way): a test
   * within the validity window, shown on their phone and recorded; a host household (the reason for the
   * visit is always asked).
   */
  visitors: z.object({ requireTest: z.boolean(), requireHost: z.boolean() }).default({ requireTest: true, requireHost: true }),
  /**
   * Body temperature (体温): whether a reading is required per direction, and the fever threshold: a
   * reading at or above it is a denial ("fever", which a volunteer may override only if `overridable`
   * lists it). Absent in policies written before temperatures were taken: see temperatureRules().
   */
  temperature: z
    .object({
      entry: z.object({ required: z.boolean() }),
      exit: z.object({ required: z.boolean() }),
      feverC: z.number().min(35).max(42),
    })
    .optional(),
  /**
   * The resident's phone pass (手机动态码, see phone-code.ts): whether printed cards still pass (for everyone,
   * only for residents flagged as having no phone, or for nobody), the rotating code's step in seconds, and
   * how many steps off the tablet's clock a code may be. Absent in policies older than phone passes: see
   * phonePassRules().
   */
  phonePass: z
    .object({
      staticCards: z.enum(['all', 'no_phone', 'none']),
      stepSeconds: z.number().int().min(5).max(60),
      toleranceSteps: z.number().int().min(0).max(10),
    })
    .optional(),
});

export type PolicyRules = z.infer<typeof PolicyRulesSchema>;
export type TemperatureRules = NonNullable<PolicyRules['temperature']>;

/** The fever threshold of the national guidance of the time, °C. */
export const DEFAULT_FEVER_C = 37.3;

/** A policy's temperature rules; a policy from before they existed requires no reading. */
export function temperatureRules(policy: Pick<PolicyRules, 'temperature'>): TemperatureRules {
  return policy.temperature ?? { entry: { required: false }, exit: { required: false }, feverC: DEFAULT_FEVER_C };
}

/** Temperatures a gate can record, °C (a thermometer reads in tenths). */
export const TEMPERATURE_RANGE = { min: 34, max: 43 } as const;

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
    repeatScanSeconds: 30,
    visitors: { requireTest: true, requireHost: true },
    // Readings are for the manager to turn on, per direction: where they are taken, every check waits for one.
    temperature: { entry: { required: false }, exit: { required: false }, feverC: DEFAULT_FEVER_C },
    phonePass: { staticCards: 'all', stepSeconds: 15, toleranceSteps: 2 },
  };
}
