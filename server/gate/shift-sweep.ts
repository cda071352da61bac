import { breathe } from '../db/breathe.js';
import type { Db } from '../db/database.js';
import type { AppDeps } from '../deps.js';
import type { Job } from '../jobs/scheduler.js';

/**
 * Shifts end even when nobody ends them. A tablet switched off (battery, a volunteer who walked away)
 * never sends its shift's end, and the shift would stay 在岗 for ever. The sweep closes a shift that has
 * shown no sign of life for `shiftIdleHours`: its end is set to its last activity (not to the time of the
 * sweep, which says nothing about the shift) and it is marked closed automatically.
 *
 * A shift's last activity is the latest of its start, its gate checks and its disinfection rounds: what
 * a volunteer did. Not the tablet's contact with the server: a tablet left switched on at an empty booth
 * syncs every half minute and would keep its shift 在岗 for ever.
 *
 * If the tablet comes back and syncs records of the closed shift, they are accepted and attributed to it
 * as always (ingest-kinds.ts moves the automatic end to the latest of them), and a handover it sends
 * replaces the automatic end with the volunteer's own.
 */

/** How many open shifts one step looks at: the sweep's work is bounded, however many shifts are open. */
export const SWEEP_STEP = 100;
/** How often the server sweeps (it also sweeps at start). */
export const SWEEP_EVERY_MS = 5 * 60_000;

const latest = (...times: (string | null | undefined)[]) => times.reduce<string>((a, b) => (b && b > a ? b : a), '');

/** The open shifts of one step, started before `before`, after the keyset `after` (startedAt|id). */
async function openShifts(db: Db, before: string, after: { startedAt: string; id: string } | null) {
  let q = db
    .selectFrom('shift as s')
    .select(['s.id', 's.startedAt'])
    .where('s.endedAt', 'is', null)
    .where('s.startedAt', '<', before);
  if (after) q = q.where((eb) => eb.or([eb('s.startedAt', '>', after.startedAt), eb.and([eb('s.startedAt', '=', after.startedAt), eb('s.id', '>', after.id)])]));
  return q.orderBy('s.startedAt').orderBy('s.id').limit(SWEEP_STEP).execute();
}

/** The latest gate check and round of each of these shifts. */
async function lastRecords(db: Db, shiftIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!shiftIds.length) return out;
  const checks = await db.selectFrom('gateCheck').select(['shiftId', (eb) => eb.fn.max('occurredAt').as('at')]).where('shiftId', 'in', shiftIds).groupBy('shiftId').execute();
  const rounds = await db.selectFrom('disinfectionRecord').select(['shiftId', (eb) => eb.fn.max('finishedAt').as('at')]).where('shiftId', 'in', shiftIds).groupBy('shiftId').execute();
  for (const r of [...checks, ...rounds]) if (r.shiftId && r.at) out.set(r.shiftId, latest(out.get(r.shiftId), String(r.at)));
  return out;
}

/**
 * Close every shift idle for longer than the configured time, a step of SWEEP_STEP shifts at a time
 * (each step its own short write). Returns the ids it closed.
 */
export async function closeIdleShifts(deps: AppDeps): Promise<string[]> {
  const db = deps.database.db;
  const now = deps.now();
  const cutoff = new Date(now.getTime() - deps.config.shiftIdleHours * 3_600_000).toISOString();
  const closed: string[] = [];
  let after: { startedAt: string; id: string } | null = null;
  for (;;) {
    // A shift that began within the idle time cannot have been idle for it: only older ones are read.
    const step = await openShifts(db, cutoff, after);
    if (!step.length) return closed;
    const records = await lastRecords(db, step.map((s) => s.id));
    const idle = step.map((s) => ({ id: s.id, lastActivity: latest(s.startedAt, records.get(s.id)) })).filter((s) => s.lastActivity < cutoff);
    if (idle.length) {
      await db.transaction().execute(async (tx) => {
        for (const s of idle) {
          // Only if still open (a handover that arrived meanwhile wins) and nothing newer arrived since it
          // was read (a sync in between: the next sweep looks again).
          const r = await tx
            .updateTable('shift')
            .set({ endedAt: s.lastActivity, autoClosedAt: now.toISOString() })
            .where('id', '=', s.id)
            .where('endedAt', 'is', null)
            .where((eb) =>
              eb.and([
                eb.not(eb.exists(eb.selectFrom('gateCheck').select('id').where('shiftId', '=', s.id).where('occurredAt', '>', s.lastActivity))),
                eb.not(eb.exists(eb.selectFrom('disinfectionRecord').select('id').where('shiftId', '=', s.id).where('finishedAt', '>', s.lastActivity))),
              ]),
            )
            .executeTakeFirst();
          if (Number(r.numUpdatedRows)) closed.push(s.id);
        }
      });
    }
    const last = step[step.length - 1]!;
    after = { startedAt: last.startedAt, id: last.id };
    if (step.length < SWEEP_STEP) return closed;
    await breathe();
  }
}

/** The sweep as a scheduled job (server/jobs/scheduler.ts): every SWEEP_EVERY_MS and at start, once across instances. */
export const shiftSweepJob: Job = {
  name: 'shift-sweep',
  every: { ms: SWEEP_EVERY_MS },
  async run(deps) {
    const ids = await closeIdleShifts(deps);
    if (ids.length) deps.log(`Closed ${ids.length} idle shift(s) automatically`);
  },
};
