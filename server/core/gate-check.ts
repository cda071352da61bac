import type { ScannedCode } from './phone-code.js';
import type { Decision, Direction } from './decide.js';
import type { GateCheckRecord } from './sync.js';
import { uuidv7 } from './uuid.js';

/**
 * The gate check, in one place: who a scanned code stands for, what counts as a household's exit, and the
 * record every path writes (the tablet offline, the online check, the demo), so the tablet, the server's
 * ingest and its re-run of the rules cannot come to disagree about any of them.
 */

/** The pass a scanned code stands for at this compound; null for anything else (another compound's, a placard, nothing). */
export function passIdOf(code: ScannedCode | null | undefined, compoundId: number): number | null {
  return (code?.kind === 'pass' || code?.kind === 'phone') && code.compoundId === compoundId ? code.passId : null;
}

/**
 * Does a passage use up the household's exit quota? A resident's "out" that was let through. Visitors go
 * out too, but they are nobody's household exit. (Voided checks count for nothing: the queries say so.)
 */
export function countsAsExit(c: { passed: boolean | number; direction: Direction; subject: GateCheckRecord['subject'] }): boolean {
  return !!c.passed && c.direction === 'out' && c.subject !== 'visitor';
}

/**
 * What a check adds to a day's, an hour's or a shift's counts: a resident who went in or out, a visitor
 * let through (never anyone's entry or exit), or someone turned back. The server's summaries and the
 * tablet's own counts both tally by it.
 */
export type Tally = 'in' | 'out' | 'visitor' | 'turnedBack';
export function tallyOf(c: { passed: boolean | number; direction: Direction; subject: string }): Tally {
  if (!c.passed) return 'turnedBack';
  return c.subject === 'visitor' ? 'visitor' : c.direction;
}

export type CheckSubject =
  | { kind: 'code'; text: string }
  | { kind: 'manual'; residentId: number }
  | { kind: 'visitor'; visitor: NonNullable<GateCheckRecord['visitor']> };

/**
 * The record of one gate check, as it is stored and synced. `decision` is what the rules said (null: none
 * applied, the demo's visitors); an override counts only against a verdict that was not "allow", and a
 * check is passed when it was allowed or overridden.
 */
export function gateCheckRecord(
  subject: CheckSubject,
  decision: Pick<Decision, 'verdict' | 'reasons' | 'test'> | null,
  ctx: {
    id?: string;
    now: number;
    gateId: number;
    shiftId: string | null;
    volunteerId: number;
    direction: Direction;
    override?: { reason: string } | null;
    policyVersion: number;
    rosterVersion: number;
    /** The body temperature taken, °C (the one `decision` was made with). */
    temperatureC?: number | null | undefined;
    temperatureNormal?: boolean | null | undefined;
  },
): GateCheckRecord {
  const verdict = decision?.verdict ?? 'allow';
  const override = ctx.override && verdict !== 'allow' ? ctx.override : null;
  return {
    kind: 'gate_check',
    id: ctx.id ?? uuidv7(ctx.now),
    at: new Date(ctx.now).toISOString(),
    gateId: ctx.gateId,
    shiftId: ctx.shiftId,
    volunteerId: ctx.volunteerId,
    direction: ctx.direction,
    subject: subject.kind,
    code: subject.kind === 'code' ? subject.text : null,
    residentId: subject.kind === 'manual' ? subject.residentId : null,
    visitor: subject.kind === 'visitor' ? subject.visitor : null,
    verdict,
    reasons: (decision?.reasons ?? []) as GateCheckRecord['reasons'],
    testStatus: decision?.test ?? null,
    temperatureC: ctx.temperatureC ?? null,
    temperatureNormal: ctx.temperatureNormal ? true : null,
    override,
    passed: verdict === 'allow' || !!override,
    policyVersion: ctx.policyVersion,
    rosterVersion: ctx.rosterVersion,
  };
}

export interface CheckSummary {
  total: number;
  in: number;
  out: number;
  allow: number;
  deny: number;
  review: number;
  turnedBack: number;
  overrides: number;
  visitors: number;
  /** Checks whose temperature was at or above the fever threshold. */
  fevers: number;
  denialsByReason: Record<string, number>;
}

/**
 * Counts of a set of checks: residents passed in and out, verdicts, turned back, overrides, visitors let
 * through (never counted as anyone's entry or exit), reasons.
 */
export function summarize(rows: { direction: string; verdict: string; passed: number; subject: string; overrideReason: string | null; reasons: string }[]): CheckSummary {
  const s: CheckSummary = { total: 0, in: 0, out: 0, allow: 0, deny: 0, review: 0, turnedBack: 0, overrides: 0, visitors: 0, fevers: 0, denialsByReason: {} };
  for (const r of rows) {
    s.total++;
    const tally = tallyOf({ ...r, direction: r.direction as Direction });
    s[tally === 'visitor' ? 'visitors' : tally]++;
    s[r.verdict as 'allow' | 'deny' | 'review']++;
    if (r.overrideReason) s.overrides++;
    const reasons = JSON.parse(r.reasons) as { code: string }[];
    if (reasons.some((x) => x.code === 'fever')) s.fevers++;
    if (r.verdict !== 'allow') for (const { code } of reasons) s.denialsByReason[code] = (s.denialsByReason[code] ?? 0) + 1;
  }
  return s;
}
