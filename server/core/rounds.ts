import { addDays, zonedToUtc } from './time.js';

/**
 * Testing rounds (轮次), as the server and the tablet both read them: a date window in the compound's time
 * zone (local dates, both inclusive) and a scope (null: every building). A result sampled inside the
 * window counts for the round, whatever brought it (an imported file, the office, the gate, a door).
 */
export interface RoundSpec {
  id: number;
  name: string;
  startsOn: string;
  endsOn: string;
  /** null: the whole compound. */
  buildingIds: number[] | null;
}

export const EXEMPTION_REASONS = ['bedridden', 'infant', 'away', 'other'] as const;
export type ExemptionReason = (typeof EXEMPTION_REASONS)[number];

/** The round's window as instants: [start, end). */
export function roundWindow(r: Pick<RoundSpec, 'startsOn' | 'endsOn'>, tz: string): { start: number; end: number } {
  return { start: zonedToUtc(r.startsOn, tz), end: zonedToUtc(addDays(r.endsOn, 1), tz) };
}

export function roundCovers(r: Pick<RoundSpec, 'buildingIds'>, buildingId: number): boolean {
  return r.buildingIds === null || r.buildingIds.includes(buildingId);
}

/**
 * The round a person of this building is in at `now`: the one whose window holds `now` (the latest to
 * start, if two overlap). None: no round asks anything of them.
 */
export function currentRound<R extends RoundSpec>(rounds: readonly R[], buildingId: number, now: number, tz: string): R | undefined {
  let best: R | undefined;
  for (const r of rounds) {
    const w = roundWindow(r, tz);
    if (now >= w.start && now < w.end && roundCovers(r, buildingId) && (!best || r.startsOn > best.startsOn)) best = r;
  }
  return best;
}

/** Sampled inside the round's window (a sample taken before it started is the previous round's). */
export function testedInRound(sampledAt: number | null | undefined, r: Pick<RoundSpec, 'startsOn' | 'endsOn'>, tz: string): boolean {
  if (sampledAt == null) return false;
  const w = roundWindow(r, tz);
  return sampledAt >= w.start && sampledAt < w.end;
}

/** A person's place in a round's coverage. */
export type CoverageStatus = 'negative' | 'positive' | 'pending' | 'exempt' | 'untested';

/** From the results sampled in the window: a positive one counts first, then a negative one, then a pending one. */
export function coverageStatus(results: readonly ('negative' | 'positive' | 'pending')[], exempt: boolean): CoverageStatus {
  if (results.includes('positive')) return 'positive';
  if (results.includes('negative')) return 'negative';
  if (results.includes('pending')) return 'pending';
  return exempt ? 'exempt' : 'untested';
}

export interface CoverageCounts {
  residents: number;
  negative: number;
  positive: number;
  pending: number;
  exempt: number;
  untested: number;
}

export const emptyCounts = (): CoverageCounts => ({ residents: 0, negative: 0, positive: 0, pending: 0, exempt: 0, untested: 0 });

export function addCounts(a: CoverageCounts, b: CoverageCounts): CoverageCounts {
  return { residents: a.residents + b.residents, negative: a.negative + b.negative, positive: a.positive + b.positive, pending: a.pending + b.pending, exempt: a.exempt + b.exempt, untested: a.untested + b.untested };
}

/** Tested: sampled in the window (whatever the result). */
export const testedOf = (c: CoverageCounts) => c.negative + c.positive + c.pending;

/** Coverage: the tested share of those who should be tested (the exempt are counted apart), 0–100, one decimal. */
export function coveragePercent(c: CoverageCounts): number {
  const due = c.residents - c.exempt;
  return due <= 0 ? 100 : Math.round((testedOf(c) / due) * 1000) / 10;
}

/** What decide() needs of rounds for a person of this building (GateFacts.round and .exempt). */
export function roundFacts(rounds: readonly RoundSpec[], buildingId: number | undefined, exempt: boolean, now: number, tz: string): { round?: { name: string; startsAt: number }; exempt: boolean } {
  const r = buildingId === undefined ? undefined : currentRound(rounds, buildingId, now, tz);
  return r ? { round: { name: r.name, startsAt: roundWindow(r, tz).start }, exempt } : { exempt };
}
