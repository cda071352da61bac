import { fromBase64Url, type ParsedCode, parseCode, toBase64Url } from './code.js';
import type { PolicyRules } from './policy.js';

/**
 * The resident's phone pass (手机动态码): a code the phone makes afresh every step (15 s by default), signed
 * by a key that only that phone holds (made in its browser at activation; the server and the tablets have
 * only its public key, which travels with the roster). A screenshot stops working after a few steps, and a
 * phone that is not the pass's current one cannot make a code the tablet accepts:
 *
 *   GM1.<pass id>.<compound id>.<step length, s>.<step number>.<Ed25519 signature, base64url>
 *
 * Numbers are base 36; the step number is Unix seconds / step length. The step length is in the code so a
 * phone that learned another step length than the tablet's policy is still judged by the right clock. The
 * signature covers everything before the last dot. Pure (no Node, no DOM): tablet and server share it.
 */
export interface PhoneCode {
  kind: 'phone';
  passId: number;
  compoundId: number;
  stepSeconds: number;
  step: number;
  message: string;
  signature: string;
}

/** Every code a gate may be shown: a printed pass, a placard, a phone's rotating code. */
export type ScannedCode = ParsedCode | PhoneCode;

const PREFIX = 'GM1';
const B36 = /^[1-9a-z][0-9a-z]{0,11}$/;
const SIG = /^[A-Za-z0-9_-]{86}$/;
/** Step lengths a policy may set, seconds. */
export const STEP_RANGE = { min: 5, max: 60 } as const;

function num(s: string | undefined): number | null {
  if (!s || !B36.test(s)) return null;
  const n = Number.parseInt(s, 36);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** The step number `now` falls in. */
export const stepAt = (now: number, stepSeconds: number) => Math.floor(now / 1000 / stepSeconds);

/** The text a phone signs for one step. */
export function phoneCodeMessage(p: { passId: number; compoundId: number; stepSeconds: number; step: number }): string {
  return [PREFIX, p.passId.toString(36), p.compoundId.toString(36), p.stepSeconds.toString(36), p.step.toString(36)].join('.');
}

/**
 * Parse a phone's code; null for anything else, or for a text not written exactly as a phone writes it
 * (leading zeros, upper case, spaces, a signature whose unused bits are set): one code, one text.
 */
export function parsePhoneCode(text: string): PhoneCode | null {
  const parts = text.split('.');
  if (parts.length !== 6 || parts[0] !== PREFIX) return null;
  const [, pass, compound, stepLen, step, signature] = parts as [string, string, string, string, string, string];
  const passId = num(pass);
  const compoundId = num(compound);
  const stepSeconds = num(stepLen);
  const stepNo = num(step);
  if (passId === null || compoundId === null || stepSeconds === null || stepNo === null || !SIG.test(signature)) return null;
  if (stepSeconds < STEP_RANGE.min || stepSeconds > STEP_RANGE.max) return null;
  if (toBase64Url(fromBase64Url(signature)) !== signature) return null;
  return { kind: 'phone', passId, compoundId, stepSeconds, step: stepNo, message: parts.slice(0, 5).join('.'), signature };
}

/** Any code the gate reads: a printed one (see code.ts) or a phone's. */
export function parseScanned(text: string): ScannedCode | null {
  return parseCode(text) ?? parsePhoneCode(text);
}

/** What the policy says about phone passes and printed cards (absent in policies older than phone passes). */
export interface PhonePassRules {
  /** Printed (static) cards: accepted for everyone, only for residents flagged as having no phone, or not at all. */
  staticCards: 'all' | 'no_phone' | 'none';
  stepSeconds: number;
  /** How many steps either side of the tablet's own clock a code may be. */
  toleranceSteps: number;
}

export const DEFAULT_PHONE_PASS: PhonePassRules = { staticCards: 'all', stepSeconds: 15, toleranceSteps: 2 };

export function phonePassRules(policy: Pick<PolicyRules, 'phonePass'>): PhonePassRules {
  return policy.phonePass ?? DEFAULT_PHONE_PASS;
}

export interface StepJudgement {
  status: 'live' | 'stale' | 'future';
  /**
   * How far the code's step is from the deciding clock, seconds: positive when the code is older than now
   * (a screenshot, or a phone clock behind), negative when it is from the future (a phone clock ahead).
   */
  skewSeconds: number;
}

/**
 * Is the code's step the one of `now`, within the policy's tolerance (± toleranceSteps × the policy's step)?
 * Older: stale (an old screenshot, a replay of a code seen earlier). Newer: from the future (the phone's
 * clock is ahead). The difference is always reported, so a volunteer sees a skewed clock even when it is
 * within the tolerance.
 */
export function judgeStep(code: Pick<PhoneCode, 'step' | 'stepSeconds'>, now: number, rules: PhonePassRules): StepJudgement {
  const skewSeconds = (stepAt(now, code.stepSeconds) - code.step) * code.stepSeconds;
  const tolerance = rules.toleranceSteps * rules.stepSeconds;
  const status = skewSeconds > tolerance ? 'stale' : skewSeconds < -tolerance ? 'future' : 'live';
  return { status, skewSeconds };
}

/** The text a phone signs to ask for its resident page: pass, then the phone's time in ms. */
export function phoneRequestMessage(p: { passId: number; at: number }): string {
  return ['GMR1', p.passId.toString(36), p.at.toString(36)].join('.');
}

/** A phone's public key as the roster and the server keep it: 32 bytes, base64url (43 characters). */
export const PUBLIC_KEY = /^[A-Za-z0-9_-]{43}$/;
export function isPublicKey(text: string): boolean {
  return PUBLIC_KEY.test(text) && fromBase64Url(text).length === 32 && toBase64Url(fromBase64Url(text)) === text;
}
