import type { Direction } from '../../../server/core/decide';
import type { LocalDecision } from './gate';
import type { ShownVerdict } from './types';

/** A person seen lately: when last seen, the verdict they got, and whether the volunteer let them through against it. */
export interface Sighting {
  seenAt: number;
  shown: ShownVerdict;
  overridden?: boolean;
}

/**
 * The people a gate tablet has seen lately, for the policy's repeat window: the same person going the same
 * way within the window of being last seen is the same passage. Kept by the code's very text (a held pass
 * is read ten times a second: no need to decide again) and by who the rules found (a code that changes is
 * still one person); several at once (a family holds up its passes together and the camera reads them in
 * turn). A code that is nobody's (forged, foreign, not ours) is kept by its text only, so a forged copy of
 * someone's pass is never taken for them.
 */
export class Sightings {
  private byKey = new Map<string, Sighting>();

  /** Forget whoever was last seen a whole window ago or longer: they are new people again. */
  forget(now: number, windowMs: number): void {
    for (const [key, s] of this.byKey) if (now - s.seenAt >= windowMs) this.byKey.delete(key);
  }

  clear(): void {
    this.byKey.clear();
  }

  /** The person this very code text was, going `direction`. */
  byText(text: string, direction: Direction): Sighting | undefined {
    return this.byKey.get(textKey(text, direction));
  }

  /** The resident `residentId`, going `direction` (a look-up by hand). */
  byResident(residentId: number, direction: Direction): Sighting | undefined {
    return this.byKey.get(`resident:${residentId}|${direction}`);
  }

  /**
   * The person a fresh decision found, if they were seen going its way: only if the rules found the same
   * genuine pass and resident (with the same word on the code itself); the code's text then points there too.
   */
  samePersonAs(d: LocalDecision, text: string | null): Sighting | undefined {
    const person = personKey(d);
    const s = person ? this.byKey.get(`${person}|${d.direction}`) : undefined;
    if (!s || !samePass(d, s.shown.decision)) return undefined;
    if (text !== null) this.byKey.set(textKey(text, d.direction), s);
    return s;
  }

  /** A verdict just shown: its person, under their code's text and (when the rules found them) who they are. */
  saw(shown: ShownVerdict, text: string | null, now: number): void {
    const s: Sighting = { seenAt: now, shown };
    if (text !== null) this.byKey.set(textKey(text, shown.decision.direction), s);
    const person = personKey(shown.decision);
    if (person) this.byKey.set(`${person}|${shown.decision.direction}`, s);
  }

  /** The volunteer let this decision's person through: shown again, they are not overridden twice. */
  overridden(d: LocalDecision): void {
    for (const s of this.byKey.values()) if (s.shown.decision === d) s.overridden = true;
  }
}

const textKey = (text: string, direction: Direction) => `text:${text}|${direction}`;

/** Who a decision found: the resident, else the genuine pass (one issued after the roster); null for a code that is nobody's. */
function personKey(d: LocalDecision): string | null {
  if (d.residentId !== null) return `resident:${d.residentId}`;
  return d.passId !== null ? `pass:${d.passId}` : null;
}

/** The same genuine pass and resident, with the same word on the code itself (revoked, new): the same person. */
const CODE_REASONS = new Set([
  'code_invalid',
  'code_forged',
  'code_foreign',
  'pass_revoked',
  'pass_unknown',
  'person_unknown',
  // A phone's code that is stale, from the future, from another phone or unknown is a word on the code too:
  // the live code after a screenshot (or the other way round) is decided and shown afresh.
  'phone_code_expired',
  'phone_clock_ahead',
  'phone_key_wrong',
  'phone_unknown',
  'static_card_refused',
]);
function samePass(a: LocalDecision, b: LocalDecision): boolean {
  const codeWords = (d: LocalDecision) =>
    d.reasons
      .filter((r) => CODE_REASONS.has(r.code))
      .map((r) => r.code)
      .join();
  return a.passId === b.passId && a.residentId === b.residentId && codeWords(a) === codeWords(b);
}
