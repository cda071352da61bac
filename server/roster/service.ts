import { quotaPeriod } from '../core/decide.js';
import { maskName } from '../core/mask.js';
import { RESULT_CODE, type RosterPayload } from '../core/roster.js';
import type { AppDeps, Db } from '../http/context.js';
import { notVoided } from '../gate/queries.js';
import { currentPolicy } from '../policy/queries.js';

const sec = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const PASSBACK_WINDOW_DAYS = 7;


/**
 * The roster for a compound's tablets: a full snapshot (since = null), or only what changed after version
 * `since`. Read in one read transaction from the read-only connection: one consistent version.
 */
export async function buildRoster(deps: AppDeps, compoundId: number, since: number | null): Promise<RosterPayload> {
  const now = deps.now();
  // The policy (and the signing key) may be made on first use: that is a write, so it happens first.
  const policy = await currentPolicy(deps.database.db, compoundId, now);
  const keys = await deps.keys.publicKeys();

  return deps.database.reader.transaction().execute(async (db: Db) => {
    const compound = await db.selectFrom('compound').select(['id', 'name', 'timezone', 'rosterVersion']).where('id', '=', compoundId).executeTakeFirstOrThrow();
    // A version from the future (a restored database) gets a full snapshot.
    const from = since !== null && since <= compound.rosterVersion ? since : null;
    const changed = <T extends { where: any }>(q: T, col: string): T => (from === null ? q : q.where(col, '>', from));

    const gates = await db.selectFrom('gate').select(['id', 'name']).where('compoundId', '=', compoundId).orderBy('name').execute();
    const buildings = await db.selectFrom('building').select(['id', 'name', 'unitCount']).where('compoundId', '=', compoundId).orderBy('id').execute();
    const households = await changed(db.selectFrom('household').select(['id', 'buildingId', 'unit', 'room', 'quarantineUntil']).where('compoundId', '=', compoundId), 'rv').execute();
    const residents = await changed(db.selectFrom('resident').select(['id', 'householdId', 'name', 'deletedAt']).where('compoundId', '=', compoundId), 'rv').execute();
    const passes = await changed(db.selectFrom('pass').select(['id', 'residentId', 'status']).where('compoundId', '=', compoundId), 'rv').execute();

    const tests =
      from === null
        ? await db
            .selectFrom('testResult as t')
            .innerJoin(
              (eb) => eb.selectFrom('testResult').select(['residentId', (e) => e.fn.max('sampledAt').as('latest')]).where('compoundId', '=', compoundId).groupBy('residentId').as('x'),
              (j) => j.onRef('x.residentId', '=', 't.residentId').onRef('x.latest', '=', 't.sampledAt'),
            )
            .select(['t.residentId', 't.sampledAt', 't.result'])
            .execute()
        : await db.selectFrom('testResult').select(['residentId', 'sampledAt', 'result']).where('compoundId', '=', compoundId).where('rv', '>', from).execute();

    // Which households' exits and which people's last passage to send: all, or those a change touched.
    let exitHouseholds: number[] | undefined;
    let passageResidents: number[] | undefined;
    if (from !== null) {
      const touched = await db
        .selectFrom('gateCheck as g')
        .select(['g.residentId', 'g.householdId'])
        .where('g.compoundId', '=', compoundId)
        .where((eb) => eb.or([eb('g.rv', '>', from), eb.exists(eb.selectFrom('gateCheckVoid as v').select('v.id').whereRef('v.gateCheckId', '=', 'g.id').where('v.rv', '>', from))]))
        .execute();
      exitHouseholds = [...new Set(touched.map((t) => t.householdId).filter((x): x is number => x !== null))];
      passageResidents = [...new Set(touched.map((t) => t.residentId).filter((x): x is number => x !== null))];
    }

    const exits = new Map<number, [string, number][]>();
    const quota = policy.rules.exitQuota;
    if (quota && (exitHouseholds === undefined || exitHouseholds.length)) {
      const period = quotaPeriod(now.getTime(), quota, compound.timezone);
      let q = db
        .selectFrom('gateCheck as g')
        .select(['g.id', 'g.householdId', 'g.occurredAt'])
        .where('g.compoundId', '=', compoundId)
        .where('g.passed', '=', 1)
        .where('g.direction', '=', 'out')
        .where('g.subject', '!=', 'visitor')
        .where('g.householdId', 'is not', null)
        .where('g.occurredAt', '>=', new Date(period.start).toISOString())
        .where('g.occurredAt', '<', new Date(period.end).toISOString())
        .where(notVoided);
      if (exitHouseholds) q = q.where('g.householdId', 'in', exitHouseholds);
      for (const e of await q.orderBy('g.occurredAt').execute()) {
        const list = exits.get(e.householdId!) ?? [];
        list.push([e.id, sec(e.occurredAt)]);
        exits.set(e.householdId!, list);
      }
      // A touched household with no exits left (one was voided) must be told so: an empty list.
      for (const h of exitHouseholds ?? []) if (!exits.has(h)) exits.set(h, []);
    }

    const passages = new Map<number, [number, 'i' | 'o', number, string]>();
    if (passageResidents === undefined || passageResidents.length) {
      let q = db
        .selectFrom('gateCheck as g')
        .select(['g.id', 'g.residentId', 'g.direction', 'g.occurredAt'])
        .where('g.compoundId', '=', compoundId)
        .where('g.passed', '=', 1)
        .where('g.residentId', 'is not', null)
        .where('g.occurredAt', '>=', new Date(now.getTime() - PASSBACK_WINDOW_DAYS * 86_400_000).toISOString())
        .where(notVoided);
      if (passageResidents) q = q.where('g.residentId', 'in', passageResidents);
      for (const p of await q.orderBy('g.occurredAt').orderBy('g.id').execute()) {
        passages.set(p.residentId!, [p.residentId!, p.direction === 'in' ? 'i' : 'o', sec(p.occurredAt), p.id]);
      }
    }

    return {
      compound: { id: compound.id, name: compound.name, timezone: compound.timezone },
      version: compound.rosterVersion,
      since: from,
      generatedAt: now.toISOString(),
      policy: { version: policy.version, rules: policy.rules },
      keys,
      gates,
      buildings,
      households: households.map((h) => [h.id, h.buildingId, h.unit, h.room, h.quarantineUntil ?? '']),
      residents: residents.filter((r) => !r.deletedAt).map((r) => [r.id, r.householdId, maskName(r.name)]),
      passes: passes.map((p) => [p.id, p.residentId, p.status === 'active' ? 1 : 0]),
      tests: tests.map((t) => [t.residentId, sec(t.sampledAt), RESULT_CODE[t.result]]),
      exits: [...exits.entries()],
      passages: [...passages.values()],
      removed: { residents: residents.filter((r) => r.deletedAt).map((r) => r.id), households: [] },
    };
  });
}
