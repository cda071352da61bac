import type { ChecklistItem, SlotSpec, TemplateTarget } from './disinfection.js';
import type { PolicyRules } from './policy.js';
import type { RoundSpec } from './rounds.js';

/**
 * The roster a tablet decides from, in columns: 20,000 residents stay well under a megabyte gzipped.
 * Ascending ids are sent as differences (1, 1, 1, …: they compress to almost nothing); times of tests and
 * passages are whole minutes since `base`; exits keep seconds and their check ids (the tablet matches
 * them with its own unsynced records). A snapshot has `since: null`; a delta carries only what changed
 * after `since` and replaces what the tablet holds for those keys.
 */
export interface RosterPayload {
  compound: { id: number; name: string; timezone: string };
  version: number;
  since: number | null;
  generatedAt: string;
  /** Minutes are counted from here (Unix minutes). */
  base: number;
  policy: { version: number; rules: PolicyRules };
  keys: { kid: string; publicKey: string }[];
  gates: { id: number; name: string }[];
  /** `createdAt`: when the place was added (slots over by then are not its own); absent in older rosters. */
  buildings: { id: number; name: string; unitCount: number; elevatorCount: number; createdAt?: string }[];
  points: { id: number; name: string; kind: string; createdAt?: string }[];
  /** The disinfection schedule (every version: a change applies from its moment) and checklists. */
  disinfection: { schedules: { version: number; slots: SlotSpec[]; effectiveFrom: number }[]; templates: Record<TemplateTarget, ChecklistItem[]> };
  households: { id: number[]; building: number[]; unit: string[]; room: string[]; quarantine: [number, string][] };
  /** `pass`: the active pass id, 0 for none; `name` is masked (张*三). */
  residents: { id: number[]; household: number[]; name: string[]; pass: number[] };
  revokedPasses: number[];
  /** The latest test per resident; `result` is one letter each: n negative, p positive, w waiting. */
  tests: { resident: number[]; at: number[]; result: string };
  /** Per household: the exits of the current quota period, [checkId, at (s)][] (replaces the tablet's list). */
  exits: [number, [string, number][]][];
  /** Each person's last passage; `direction` is one letter each: i in, o out. */
  passages: { resident: number[]; at: number[]; direction: string };
  removed: { residents: number[]; phones?: number[] };
  /**
   * Phone passes: the pass ids (as differences) whose bound phone's public key is sent, and the keys, 43
   * base64url characters each, one after another (one string: each key costs its own 32 bytes once
   * compressed, and nothing else but its pass id). A delta sends the passes whose phone changed;
   * `removed.phones` lists the passes whose phone was unbound. Absent in rosters before phone passes.
   */
  phones?: { pass: number[]; key: string };
  /** Of the residents this payload sends, those flagged as having no phone (ids as differences). */
  noPhone?: number[];
  /** Testing rounds under way or to come (sent whole with every snapshot and delta); absent in older rosters. */
  rounds?: RoundSpec[];
  /** Residents exempt from testing (sent whole every time: few). */
  exempt?: number[];
}

/** [5, 6, 7, 9] -> [5, 1, 1, 2] */
export function deltas(xs: number[]): number[] {
  return xs.map((x, i) => (i === 0 ? x : x - xs[i - 1]!));
}

/** [5, 1, 1, 2] -> [5, 6, 7, 9] */
export function undeltas(ds: number[]): number[] {
  const out: number[] = new Array(ds.length);
  let acc = 0;
  for (let i = 0; i < ds.length; i++) out[i] = acc += ds[i]!;
  return out;
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
  points: RosterPayload['points'];
  disinfection: RosterPayload['disinfection'];
  households: Map<number, { id: number; buildingId: number; unit: string; room: string; quarantineUntil: string | null }>;
  residents: Map<number, { id: number; householdId: number; name: string }>;
  /** Active passes: pass id -> resident id. */
  passes: Map<number, number>;
  /** Revoked pass ids (they travel with the roster so a tablet refuses them offline). */
  revoked: Set<number>;
  tests: Map<number, { sampledAt: number; result: 'negative' | 'positive' | 'pending' }>;
  exits: Map<number, { checkId: string; at: number }[]>;
  passages: Map<number, { direction: 'in' | 'out'; at: number }>;
  /** Pass id -> its phone's public key (base64url); absent in a state saved before phone passes. */
  phoneKeys?: Map<number, string>;
  /** Residents flagged as having no phone; absent in a state saved before phone passes. */
  noPhone?: Set<number>;
  /** Testing rounds under way or to come. */
  rounds: RoundSpec[];
  exempt: Set<number>;
}

export function emptyRoster(): Omit<RosterState, 'compound' | 'policy' | 'disinfection'> {
  return { version: 0, fetchedAt: 0, keys: [], gates: [], buildings: [], points: [], households: new Map(), residents: new Map(), passes: new Map(), revoked: new Set(), tests: new Map(), exits: new Map(), passages: new Map(), rounds: [], exempt: new Set() };
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
    points: p.points,
    disinfection: p.disinfection,
    households: new Map(base.households),
    residents: new Map(base.residents),
    passes: new Map(base.passes),
    revoked: new Set(base.revoked),
    tests: new Map(base.tests),
    exits: new Map(base.exits),
    passages: new Map(base.passages),
    phoneKeys: new Map(base.phoneKeys ?? []),
    noPhone: new Set(base.noPhone ?? []),
    rounds: p.rounds ?? base.rounds ?? [],
    exempt: p.exempt ? new Set(p.exempt) : new Set(base.exempt ?? []),
  };
  const minutes = (m: number) => (p.base + m) * 60_000;

  const h = p.households;
  const quarantine = new Map(h.quarantine);
  undeltas(h.id).forEach((id, i) => {
    s.households.set(id, { id, buildingId: h.building[i]!, unit: h.unit[i]!, room: h.room[i]!, quarantineUntil: quarantine.get(id) ?? null });
  });

  const r = p.residents;
  const households = undeltas(r.household);
  const passes = undeltas(r.pass);
  // A resident row names their active pass (0: none); the one it replaces is no longer active.
  const activeOf = new Map<number, number>();
  if (p.since !== null) for (const [passId, residentId] of s.passes) activeOf.set(residentId, passId);
  const noPhone = new Set(undeltas(p.noPhone ?? []));
  undeltas(r.id).forEach((id, i) => {
    s.residents.set(id, { id, householdId: households[i]!, name: r.name[i]! });
    if (noPhone.has(id)) s.noPhone!.add(id);
    else s.noPhone!.delete(id);
    const before = activeOf.get(id);
    if (before && before !== passes[i]) s.passes.delete(before);
    if (passes[i]) s.passes.set(passes[i]!, id);
  });
  for (const id of undeltas(p.revokedPasses)) {
    s.passes.delete(id);
    s.revoked.add(id);
  }

  if (p.phones) {
    const key = p.phones.key;
    undeltas(p.phones.pass).forEach((passId, i) => {
      s.phoneKeys!.set(passId, key.slice(i * 43, i * 43 + 43));
    });
  }
  for (const passId of p.removed.phones ?? []) s.phoneKeys!.delete(passId);

  const t = p.tests;
  const testAt = undeltas(t.at);
  undeltas(t.resident).forEach((residentId, i) => {
    const sampledAt = minutes(testAt[i]!);
    const cur = s.tests.get(residentId);
    if (!cur || cur.sampledAt <= sampledAt) s.tests.set(residentId, { sampledAt, result: RESULT_OF[t.result[i] as keyof typeof RESULT_OF] });
  });

  for (const [householdId, list] of p.exits) s.exits.set(householdId, list.map(([checkId, at]) => ({ checkId, at: at * 1000 })));

  const pg = p.passages;
  const passageAt = undeltas(pg.at);
  undeltas(pg.resident).forEach((residentId, i) => {
    s.passages.set(residentId, { direction: pg.direction[i] === 'i' ? 'in' : 'out', at: minutes(passageAt[i]!) });
  });

  if (p.removed.residents.length) {
    const gone = new Set(p.removed.residents);
    for (const id of gone) {
      s.residents.delete(id);
      s.noPhone!.delete(id);
    }
    for (const [passId, residentId] of s.passes) if (gone.has(residentId)) s.passes.delete(passId);
  }
  return s;
}
