import { type Insertable, sql } from 'kysely';
import { parseScanned } from '../core/phone-code.js';
import { decide, quotaPeriod } from '../core/decide.js';
import { countsAsExit, passIdOf } from '../core/gate-check.js';
import type { PolicyRules } from '../core/policy.js';
import { isDeny } from '../core/reasons.js';
import { breathe } from '../db/breathe.js';
import { bulkInsert } from '../db/bulk.js';
import type { ConflictTable } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import type { Db } from '../db/database.js';
import type { Job } from '../jobs/scheduler.js';
import { currentPolicy, policyByVersion } from '../policy/queries.js';
import { type BatchFacts, loadBatchFacts, signatureOf } from './facts.js';

/**
 * The server's second look at what tablets decided. Sync stores a batch and answers at once; each stored
 * batch also leaves a queue entry, and this re-runs the rules on the server's own data for its checks,
 * stores the server's verdict beside each (the tablet's record is never touched) and flags conflicts for
 * a person to reconcile: a pass the tablet did not yet know was revoked, a forged code, two offline
 * tablets both letting one household out. The queue lives in the database, so a restart loses nothing.
 */

/** Rules whose verdict depends on the order of records: judged over whole sequences. */
const SEQUENCE_REASONS = new Set(['exit_quota_used', 'already_inside', 'already_outside']);

interface Touched {
  residents: Set<number>;
  /** Households whose exits changed, with the times of those exits (to find their quota periods). */
  exits: Map<number, number[]>;
}

/**
 * Exits beyond the quota in each touched period, and two passages the same way in a row. Returns the
 * flags, and "checkId|kind" for every rule judged on every check (so a flag no longer raised can close).
 */
export function sequenceConflicts(facts: BatchFacts, touched: Touched, policy: PolicyRules, tz: string) {
  const flags: { gateCheckId: string; kind: string; details: string }[] = [];
  const judged: string[] = [];
  const quota = policy.exitQuota;
  if (quota) {
    for (const [householdId, times] of touched.exits) {
      const periods = new Map(times.map((t) => [quotaPeriod(t, quota, tz).start, quotaPeriod(t, quota, tz)]));
      for (const period of periods.values()) {
        const exits = (facts.exits.get(householdId) ?? []).filter((e) => e.at >= period.start && e.at < period.end);
        judged.push(...exits.map((e) => `${e.id}|exit_quota_used`));
        for (const e of exits.slice(quota.exits)) {
          if (e.known.includes('exit_quota_used')) continue;
          flags.push({
            gateCheckId: e.id,
            kind: 'exit_quota_used',
            details: JSON.stringify({ householdId, period: { start: period.startDate, next: period.nextDate }, allowed: quota.exits, checks: exits.map((x) => x.id) }),
          });
        }
      }
    }
  }
  if (policy.antiPassback) {
    for (const residentId of touched.residents) {
      const list = facts.crossings.get(residentId) ?? [];
      // The first passage in the loaded window has no known predecessor: it is not judged.
      for (let i = 1; i < list.length; i++) {
        const [prev, cur] = [list[i - 1]!, list[i]!];
        judged.push(`${cur.id}|already_inside`, `${cur.id}|already_outside`);
        const kind = cur.direction === 'in' ? 'already_inside' : 'already_outside';
        if (cur.direction === prev.direction && !cur.known.includes(kind)) {
          flags.push({ gateCheckId: cur.id, kind, details: JSON.stringify({ residentId, previous: prev.id, checks: [prev.id, cur.id] }) });
        }
      }
    }
  }
  return { flags, judged };
}

/** Analyse one queued batch inside `tx`. */
async function analyseBatch(deps: AppDeps, tx: Db, item: { compoundId: number; checkIds: string[]; voidedCheckIds: string[] }, at: string) {
  const compoundId = item.compoundId;
  const compound = await tx.selectFrom('compound').select('timezone').where('id', '=', compoundId).executeTakeFirstOrThrow();
  const current = await currentPolicy(tx, compoundId, deps.now());
  const policies = await policyByVersion(tx, compoundId);
  const ids = [...new Set([...item.checkIds, ...item.voidedCheckIds])];
  const checks = [];
  for (let i = 0; i < ids.length; i += 500) {
    checks.push(
      ...(await tx
        .selectFrom('gateCheck')
        .select(['id', 'subject', 'code', 'residentId', 'householdId', 'direction', 'occurredAt', 'reasons', 'passed', 'policyVersion', 'temperatureC', 'temperatureNormal'])
        .where('id', 'in', ids.slice(i, i + 500))
        .execute()),
    );
  }
  const mine = new Set(item.checkIds);
  const fresh = checks.filter((c) => mine.has(c.id));
  if (!checks.length) return;
  const codes = new Map(fresh.map((c) => [c.id, c.code ? parseScanned(c.code) : null]));
  const times = checks.map((c) => Date.parse(c.occurredAt));
  const facts = await loadBatchFacts(tx, compoundId, {
    passIds: [...codes.values()].flatMap((p) => passIdOf(p, compoundId) ?? []),
    residentIds: checks.flatMap((c) => (c.residentId ? [c.residentId] : [])),
    from: Math.min(...times),
    to: Math.max(...times),
  });

  const analyses: { gateCheckId: string; verdict: string | null; reasons: string | null; analyzedAt: string }[] = [];
  const conflicts: Insertable<ConflictTable>[] = [];
  const touched: Touched = { residents: new Set(), exits: new Map() };
  const touch = (householdId: number, t: number) => touched.exits.set(householdId, [...(touched.exits.get(householdId) ?? []), t]);

  for (const c of fresh) {
    const t = Date.parse(c.occurredAt);
    const known: string[] = (JSON.parse(c.reasons) as { code: string }[]).map((r) => r.code);
    if (c.passed && c.residentId) touched.residents.add(c.residentId);
    if (countsAsExit(c) && c.householdId) touch(c.householdId, t);
    if (c.subject === 'visitor') {
      analyses.push({ gateCheckId: c.id, verdict: null, reasons: null, analyzedAt: at });
      continue;
    }
    const parsed = codes.get(c.id) ?? null;
    const signature = await signatureOf(deps, facts, parsed, c.code, t);
    const passId = passIdOf(parsed, compoundId);
    const decision = decide({
      now: t,
      direction: c.direction,
      compoundId,
      timezone: compound.timezone,
      policy: (c.policyVersion !== null && policies.get(c.policyVersion)) || current.rules,
      rosterAgeMs: null,
      subject: c.subject === 'manual' ? { kind: 'manual', residentId: c.residentId ?? 0 } : { kind: 'code', code: parsed, signature },
      facts: facts.factsAt(t, { passId, residentId: c.subject === 'manual' ? c.residentId : null }, c.id),
      temperatureC: c.temperatureC,
      temperatureNormal: c.temperatureNormal === 1,
    });
    analyses.push({ gateCheckId: c.id, verdict: decision.verdict, reasons: JSON.stringify(decision.reasons), analyzedAt: at });
    // A tablet let someone through whom the server's data would have stopped, for a reason the tablet did
    // not know, or without the temperature the policy asks for (an old app, a policy it had not seen yet).
    // (The order-dependent rules are judged over the whole sequence below.)
    if (c.passed) {
      for (const reason of decision.reasons) {
        const stops = isDeny(reason.code) || reason.code === 'temperature_missing';
        if (stops && !SEQUENCE_REASONS.has(reason.code) && !known.includes(reason.code)) {
          conflicts.push({ compoundId, gateCheckId: c.id, kind: reason.code, details: JSON.stringify({ server: decision.reasons, device: JSON.parse(c.reasons) }), createdAt: at });
        }
      }
    }
  }
  // A voided check changes the sequence it was in.
  for (const c of checks.filter((x) => item.voidedCheckIds.includes(x.id))) {
    if (c.residentId) touched.residents.add(c.residentId);
    if (c.direction === 'out' && c.householdId) touch(c.householdId, Date.parse(c.occurredAt));
  }

  const sequence = sequenceConflicts(facts, touched, current.rules, compound.timezone);
  for (const f of sequence.flags) conflicts.push({ compoundId, ...f, createdAt: at });
  const voided = new Set(item.voidedCheckIds);
  const flags = conflicts.filter((c) => !voided.has(c.gateCheckId));

  await bulkInsert(tx, 'gate_check_analysis', analyses, { onConflict: ['gateCheckId'] });
  for (let i = 0; i < flags.length; i += 400) {
    await tx
      .insertInto('conflict')
      .values(flags.slice(i, i + 400))
      .onConflict((oc) => oc.columns(['gateCheckId', 'kind']).doNothing())
      .execute();
  }
  // Open flags the whole sequence no longer supports (another tablet's record filled the gap, or a check was
  // voided) close by themselves, with a note saying why; they are never deleted.
  const stillFlagged = new Set(flags.map((f) => `${f.gateCheckId}|${f.kind}`));
  const judged = new Set(sequence.judged);
  const concerned = [...new Set([...sequence.judged.map((j) => j.split('|')[0]!), ...voided])];
  const key = (c: { gateCheckId: string; kind: string }) => `${c.gateCheckId}|${c.kind}`;
  for (let i = 0; i < concerned.length; i += 400) {
    const open = await tx.selectFrom('conflict').select(['id', 'gateCheckId', 'kind']).where('gateCheckId', 'in', concerned.slice(i, i + 400)).where('reviewedAt', 'is', null).execute();
    const stale = open.filter((c) => voided.has(c.gateCheckId) || (judged.has(key(c)) && !stillFlagged.has(key(c))));
    if (stale.length) {
      await tx
        .updateTable('conflict')
        .set({ reviewedAt: at, reviewNote: 'Resolved automatically: a record synced later (or a correction) settles it.' })
        .where('id', 'in', stale.map((c) => c.id))
        .execute();
    }
  }
}

/** Quiet time after a sync before analysis starts, and the longest it waits in a steady stream of syncs. */
const QUIET_MS = 200;
const MAX_WAIT_MS = 3_000;
/**
 * Checks analysed in one step (one transaction). better-sqlite3 is synchronous: while a step runs, the
 * server answers nobody, so a step is kept small (100 checks take a few milliseconds; a whole batch of
 * 1,000 would hold the event loop for ~100 ms) and the loop yields to the event loop between steps.
 */
export const ANALYSIS_STEP = 100;


/**
 * Works through the queue in the order it was stored, in steps of at most ANALYSIS_STEP checks, each
 * step one transaction that also records what is left of its queue entry (so a restart resumes where it
 * stopped). Acknowledging tablets comes first: `schedule()` after each sync starts a run once syncs pause
 * for a moment (or a few seconds at the latest), one run at a time; every step yields to the event loop,
 * and a run steps aside for a while when syncs keep arriving. `drain()` analyses everything queued now
 * (tests, the demo, benchmarks).
 */
export class Analyzer {
  private running: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private firstAsk = 0;
  private lastAsk = 0;
  private again = false;

  constructor(private deps: AppDeps) {}

  schedule(): void {
    const now = Date.now();
    this.lastAsk = now;
    if (this.running) {
      this.again = true;
      return;
    }
    this.firstAsk ||= now;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.start(), Math.max(0, Math.min(QUIET_MS, this.firstAsk + MAX_WAIT_MS - now)));
  }

  private start(): void {
    this.timer = null;
    this.firstAsk = 0;
    this.running = this.loop(true)
      .catch((err) => this.deps.log(`ERROR analysis: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.schedule();
        }
      });
  }

  /**
   * Analyse what is queued, yielding to syncs as a sync's run does: the scheduled catch-up (batches synced
   * before a restart, or left by an instance that died), which resolves when the run ends.
   */
  async catchUp(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.firstAsk = 0;
    while (this.running) await this.running;
    this.start();
    await this.running;
  }

  async drain(): Promise<void> {
    while (this.running) await this.running;
    // (after the run: one that ends with syncs asked for again schedules the next, which this one does now)
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.firstAsk = 0;
    await this.loop(false);
  }

  private async loop(yieldToSyncs: boolean): Promise<void> {
    const db = this.deps.database.db;
    const kind = this.deps.database.kind;
    await this.deps.keys.publicKeys(); // loaded outside the transaction (checks are verified inside it)
    for (;;) {
      await breathe(); // timers and I/O run: the next request, a sync, /healthz
      if (yieldToSyncs && Date.now() - this.lastAsk < QUIET_MS) await new Promise((r) => setTimeout(r, QUIET_MS / 4));
      const done = await db.transaction().execute(async (tx) => {
        const item = await claimNext(tx, kind);
        if (!item) return kind === 'sqlite' || !(await queueHasEntries(tx)) ? 'empty' : 'busy';
        const checkIds: string[] = JSON.parse(item.checkIds);
        const voidedCheckIds: string[] = JSON.parse(item.voidedCheckIds);
        const step = { checkIds: checkIds.slice(0, ANALYSIS_STEP), voidedCheckIds: voidedCheckIds.slice(0, Math.max(0, ANALYSIS_STEP - checkIds.length)) };
        const rest = { checkIds: checkIds.slice(step.checkIds.length), voidedCheckIds: voidedCheckIds.slice(step.voidedCheckIds.length) };
        await analyseBatch(this.deps, tx, { compoundId: item.compoundId, ...step }, this.deps.now().toISOString());
        if (rest.checkIds.length || rest.voidedCheckIds.length) {
          await tx.updateTable('analysisQueue').set({ checkIds: JSON.stringify(rest.checkIds), voidedCheckIds: JSON.stringify(rest.voidedCheckIds) }).where('id', '=', item.id).execute();
        } else {
          await tx.deleteFrom('analysisQueue').where('id', '=', item.id).execute();
        }
        return 'step';
      });
      if (done === 'empty') return;
      if (done === 'busy') {
        // Every entry left belongs to a compound another server is analysing right now: that server goes on
        // to its compound's next entry itself. A run started by a sync comes back for them a moment later
        // all the same (should that server die mid-step, its entries are here again, whole); drain() means
        // "all analysed", so it waits for them.
        if (yieldToSyncs) {
          this.again = true;
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
}

/** Key space of the per-compound advisory locks (the first of the two int4 keys): "an" + "al". */
const ANALYSIS_LOCK = 0x616e616c;

/**
 * The oldest queue entry this server may analyse now, claimed inside `tx` until it commits.
 * - SQLite: one writer, one process: the oldest entry.
 * - PostgreSQL, several servers on one database: the oldest entry of a compound no other server is
 *   analysing. `pg_try_advisory_xact_lock(ANALYSIS_LOCK, compound)` takes the compound for this
 *   transaction (or passes over it when another holds it), and `FOR UPDATE SKIP LOCKED` the entry itself.
 *   Whoever holds a compound always takes its oldest entry, so each compound's batches are analysed one
 *   at a time, in the order they were stored: the same sequence, and the same verdicts and conflicts, as
 *   on one server. A server that dies mid-step loses its transaction, and with it both locks: the entry
 *   is still there, whole, for the next.
 */
export async function claimNext(tx: Db, kind: 'sqlite' | 'postgres') {
  const entry = (q: Db) => q.selectFrom('analysisQueue').select(['id', 'compoundId', 'checkIds', 'voidedCheckIds']).orderBy('id').limit(1);
  if (kind === 'sqlite') return entry(tx).executeTakeFirst();
  // The compounds with work, oldest entry first. (The lock is not taken in this query's WHERE: a scan
  // would take it on every compound it looks at, and hold them all to the end of the step.)
  const { rows } = await sql<{ compoundId: number; id: number }>`
    select distinct on (compound_id) compound_id, id from analysis_queue order by compound_id, id`.execute(tx);
  for (const { compoundId } of rows.sort((a, b) => a.id - b.id)) {
    const { rows: got } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${ANALYSIS_LOCK}, ${compoundId}) as locked`.execute(tx);
    if (!got[0]?.locked) continue;
    // Holding the compound: its oldest entry now (another server may have finished the one seen above).
    const item = await entry(tx).where('compoundId', '=', compoundId).forUpdate().skipLocked().executeTakeFirst();
    if (item) return item;
  }
  return undefined;
}

async function queueHasEntries(tx: Db): Promise<boolean> {
  return !!(await tx.selectFrom('analysisQueue').select('id').limit(1).executeTakeFirst());
}

/**
 * The catch-up on the scheduler (server/jobs): at start when it is due, and every minute, on one instance
 * at a time. Syncs start their own runs on whichever instance took them; this finds what nobody is
 * running for (a restart's backlog, the entries of an instance that died), on SQLite and PostgreSQL alike.
 */
export const analysisCatchUpJob: Job = {
  name: 'analysis-catch-up',
  every: { ms: 60_000 },
  run: (deps) => analyzerOf(deps).catchUp(),
};

const analyzers = new WeakMap<AppDeps, Analyzer>();

/**
 * The analyzer of an app, one per AppDeps (held weakly, keyed by them): every app createApp builds (one
 * per test) has its own, and it goes when they go. Not a process-wide singleton.
 */
export function analyzerOf(deps: AppDeps): Analyzer {
  let a = analyzers.get(deps);
  if (!a) {
    a = new Analyzer(deps);
    analyzers.set(deps, a);
  }
  return a;
}
