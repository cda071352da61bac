import type { PolicyRules } from './policy.js';

/**
 * The roster a tablet decides from, in a compact column form (20,000 residents must stay well under a
 * megabyte gzipped). Times are Unix seconds. A full snapshot has `since: null`; a delta carries only rows
 * changed after `since`, and replaces what the tablet holds for those keys.
 */
export interface RosterPayload {
  compound: { id: number; name: string; timezone: string };
  version: number;
  since: number | null;
  generatedAt: string;
  policy: { version: number; rules: PolicyRules };
  keys: { kid: string; publicKey: string }[];
  gates: { id: number; name: string }[];
  buildings: { id: number; name: string; unitCount: number }[];
  /** [id, buildingId, unit, room, quarantineUntil or ''] */
  households: [number, number, string, string, string][];
  /** [id, householdId, masked name] */
  residents: [number, number, string][];
  /** [id, residentId, active 1 / revoked 0] */
  passes: [number, number, 0 | 1][];
  /** [residentId, sampledAt (s), 'n' negative | 'p' positive | 'w' waiting] : the latest per resident */
  tests: [number, number, 'n' | 'p' | 'w'][];
  /** Per household: the exits of the current quota period, [checkId, at (s)][] (replaces the tablet's list). */
  exits: [number, [string, number][]][];
  /** [residentId, 'i' | 'o', at (s), checkId]: each person's last passage (replaces the tablet's). */
  passages: [number, 'i' | 'o', number, string][];
  removed: { residents: number[]; households: number[] };
}

export const RESULT_CODE = { negative: 'n', positive: 'p', pending: 'w' } as const;
export const RESULT_OF = { n: 'negative', p: 'positive', w: 'pending' } as const;

/** A tablet's merged roster: indexed for the gate's look-ups. */
export interface RosterState {
  compound: RosterPayload['compound'];
  version: number;
  /** When the roster was last brought up to date (ms): its age decides "review". */
  fetchedAt: number;
  policy: RosterPayload['policy'];
  keys: RosterPayload['keys'];
  gates: RosterPayload['gates'];
  buildings: RosterPayload['buildings'];
  households: Map<number, { id: number; buildingId: number; unit: string; room: string; quarantineUntil: string | null }>;
  residents: Map<number, { id: number; householdId: number; name: string }>;
  passes: Map<number, { id: number; residentId: number; status: 'active' | 'revoked' }>;
  tests: Map<number, { sampledAt: number; result: 'negative' | 'positive' | 'pending' }>;
  exits: Map<number, { checkId: string; at: number }[]>;
  passages: Map<number, { direction: 'in' | 'out'; at: number; checkId: string }>;
}

export function emptyRoster(): Omit<RosterState, 'compound' | 'policy'> {
  return { version: 0, fetchedAt: 0, keys: [], gates: [], buildings: [], households: new Map(), residents: new Map(), passes: new Map(), tests: new Map(), exits: new Map(), passages: new Map() };
}

/**
 * Apply a snapshot or a delta. A snapshot replaces everything; a delta replaces the rows it names. The
 * result is a new state (the old one is left as it was, so a failed save loses nothing).
 */
export function applyRoster(prev: RosterState | null, p: RosterPayload, fetchedAt: number): RosterState {
  const base = p.since === null || !prev ? emptyRoster() : prev;
  if (p.since !== null && prev && p.since !== prev.version) {
    throw new Error(`roster delta from version ${p.since} cannot apply to version ${prev.version}`);
  }
  const s: RosterState = {
    compound: p.compound,
    version: p.version,
    fetchedAt,
    policy: p.policy,
    keys: p.keys,
    gates: p.gates,
    buildings: p.buildings,
    households: new Map(base.households),
    residents: new Map(base.residents),
    passes: new Map(base.passes),
    tests: new Map(base.tests),
    exits: new Map(base.exits),
    passages: new Map(base.passages),
  };
  for (const [id, buildingId, unit, room, q] of p.households) s.households.set(id, { id, buildingId, unit, room, quarantineUntil: q || null });
  for (const [id, householdId, name] of p.residents) s.residents.set(id, { id, householdId, name });
  for (const [id, residentId, active] of p.passes) s.passes.set(id, { id, residentId, status: active ? 'active' : 'revoked' });
  for (const [residentId, at, r] of p.tests) {
    const sampledAt = at * 1000;
    const cur = s.tests.get(residentId);
    if (!cur || cur.sampledAt <= sampledAt) s.tests.set(residentId, { sampledAt, result: RESULT_OF[r] });
  }
  for (const [householdId, list] of p.exits) s.exits.set(householdId, list.map(([checkId, at]) => ({ checkId, at: at * 1000 })));
  for (const [residentId, d, at, checkId] of p.passages) s.passages.set(residentId, { direction: d === 'i' ? 'in' : 'out', at: at * 1000, checkId });
  for (const id of p.removed.residents) s.residents.delete(id);
  for (const id of p.removed.households) s.households.delete(id);
  return s;
}
