import { quotaPeriod } from '../core/decide.js';
import { maskName } from '../core/mask.js';
import { deltas, RESULT_CODE, type RosterPayload } from '../core/roster.js';
import type { AppDeps } from '../deps.js';
import type { Db } from '../db/database.js';
import { PASSBACK_DAYS } from '../gate/facts.js';
import { schedules, templates } from '../disinfection/queries.js';
import { countsAsExitSql, notVoided } from '../gate/queries.js';
import { currentPolicy } from '../policy/queries.js';
import { sortNaturally } from '../core/natural.js';
import { roundWindow } from '../core/rounds.js';
import { listRounds } from '../rounds/queries.js';

const sec = (iso: string) => Math.floor(Date.parse(iso) / 1000);


/**
 * The roster for a compound's tablets: a full snapshot (since = null), or only what changed after version
 * `since`. Read in one read transaction from the read-only connection: one consistent version.
 */
export async function buildRoster(deps: AppDeps, compoundId: number, since: number | null): Promise<RosterPayload> {
  const now = deps.now();
  // The policy (and the signing key) may be made on first use: that is a write, so it happens first.
  const policy = await currentPolicy(deps.database.db, compoundId, now);
  const keys = await deps.keys.publicKeys();
  const scheduleVersions = await schedules(deps.database.db, compoundId);
  const checklists = await templates(deps.database.db, compoundId);

  return deps.database.reader.transaction().execute(async (db: Db) => {
    const compound = await db.selectFrom('compound').select(['id', 'name', 'timezone', 'rosterVersion']).where('id', '=', compoundId).executeTakeFirstOrThrow();
    // A version from the future (a restored database) gets a full snapshot.
    const from = since !== null && since <= compound.rosterVersion ? since : null;
    const changed = <T extends { where: any }>(q: T, col: string): T => (from === null ? q : q.where(col, '>', from));

    // Places in the order people count them (1号门, 2号门 … 10号门), for the tablet's pickers.
    const gates = sortNaturally(await db.selectFrom('gate').select(['id', 'name']).where('compoundId', '=', compoundId).execute());
    const buildings = await db.selectFrom('building').select(['id', 'name', 'unitCount', 'elevatorCount', 'createdAt']).where('compoundId', '=', compoundId).execute().then(sortNaturally);
    const points = await db.selectFrom('point').select(['id', 'name', 'kind', 'createdAt']).where('compoundId', '=', compoundId).execute().then(sortNaturally);
    const households = await changed(db.selectFrom('household').select(['id', 'buildingId', 'unit', 'room', 'quarantineUntil']).where('compoundId', '=', compoundId), 'rv').orderBy('id').execute();
    // Residents, each with their active pass: those that changed, or whose pass did.
    let residentQuery = db
      .selectFrom('resident as r')
      .leftJoin('pass as p', (j) => j.onRef('p.residentId', '=', 'r.id').on('p.status', '=', 'active'))
      .select(['r.id', 'r.householdId', 'r.name', 'r.deletedAt', 'r.noPhone', 'p.id as passId'])
      .where('r.compoundId', '=', compoundId);
    if (from !== null) {
      residentQuery = residentQuery.where((eb) =>
        eb.or([eb('r.rv', '>', from), eb.exists(eb.selectFrom('pass as q').select('q.id').whereRef('q.residentId', '=', 'r.id').where('q.rv', '>', from))]),
      );
    }
    const residents = await residentQuery.orderBy('r.id').execute();
    const revoked = await changed(db.selectFrom('pass').select('id').where('compoundId', '=', compoundId).where('status', '=', 'revoked'), 'rv').orderBy('id').execute();

    // Phones: every current binding (a snapshot), or the passes whose phone changed (a delta).
    const phoneRows = await db
      .selectFrom('phoneBinding as b')
      .innerJoin('pass as p', 'p.id', 'b.passId')
      .select(['b.passId', 'b.publicKey', 'b.unboundAt'])
      .where('b.compoundId', '=', compoundId)
      .where('p.status', '=', 'active')
      .$call((q) => (from === null ? q.where('b.unboundAt', 'is', null) : q.where('b.rv', '>', from)))
      .orderBy('b.passId')
      .execute();
    const boundKeys = new Map<number, string>();
    const unboundPhones = new Set<number>();
    for (const b of phoneRows) {
      if (b.unboundAt === null) boundKeys.set(b.passId, b.publicKey);
      else unboundPhones.add(b.passId);
    }
    for (const passId of boundKeys.keys()) unboundPhones.delete(passId);
    const phonePasses = [...boundKeys.keys()].sort((a, b) => a - b);

    const tests =
      from === null
        ? await db
            .selectFrom('testResult as t')
            .innerJoin(
              (eb) => eb.selectFrom('testResult').select(['residentId', (e) => e.fn.max('sampledAt').as('latest')]).where('compoundId', '=', compoundId).groupBy('residentId').as('x'),
              (j) => j.onRef('x.residentId', '=', 't.residentId').onRef('x.latest', '=', 't.sampledAt'),
            )
            .select(['t.residentId', 't.sampledAt', 't.result'])
            .orderBy('t.residentId')
            .execute()
        : await db.selectFrom('testResult').select(['residentId', 'sampledAt', 'result']).where('compoundId', '=', compoundId).where('rv', '>', from).orderBy('residentId').execute();

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
        .where(countsAsExitSql)
        .where('g.householdId', 'is not', null)
        .where('g.occurredAt', '>=', new Date(period.start).toISOString())
        .where('g.occurredAt', '<', new Date(period.end).toISOString());
      if (exitHouseholds) q = q.where('g.householdId', 'in', exitHouseholds);
      for (const e of await q.orderBy('g.occurredAt').execute()) {
        const list = exits.get(e.householdId!) ?? [];
        list.push([e.id, sec(e.occurredAt)]);
        exits.set(e.householdId!, list);
      }
      // A touched household with no exits left (one was voided) must be told so: an empty list.
      for (const h of exitHouseholds ?? []) if (!exits.has(h)) exits.set(h, []);
    }

    const passages = new Map<number, { direction: string; at: string }>();
    if (passageResidents === undefined || passageResidents.length) {
      let q = db
        .selectFrom('gateCheck as g')
        .select(['g.id', 'g.residentId', 'g.direction', 'g.occurredAt'])
        .where('g.compoundId', '=', compoundId)
        .where('g.passed', '=', 1)
        .where('g.residentId', 'is not', null)
        .where('g.occurredAt', '>=', new Date(now.getTime() - PASSBACK_DAYS * 86_400_000).toISOString())
        .where(notVoided);
      if (passageResidents) q = q.where('g.residentId', 'in', passageResidents);
      for (const p of await q.orderBy('g.occurredAt').orderBy('g.id').execute()) {
        passages.set(p.residentId!, { direction: p.direction, at: p.occurredAt });
      }
    }

    // Whole minutes since `base` (a minute before the oldest time sent, so every offset is small and positive).
    const base = Math.floor(now.getTime() / 60_000) - 60 * 24 * 31;
    const minutes = (iso: string) => Math.floor(Date.parse(iso) / 60_000) - base;
    const sortedPassages = [...passages.entries()].sort((a, b) => a[0] - b[0]);
    const live = residents.filter((r) => !r.deletedAt);
    // Rounds not over yet, and the exempt: whole every time (a handful of each).
    const rounds = (await listRounds(db, compoundId))
      .filter((r) => roundWindow(r, compound.timezone).end > now.getTime())
      .map((r) => ({ id: r.id, name: r.name, startsOn: r.startsOn, endsOn: r.endsOn, buildingIds: r.buildingIds }));
    const exempt = (await db.selectFrom('testExemption').select('residentId').where('compoundId', '=', compoundId).orderBy('residentId').execute()).map((e) => e.residentId);
    return {
      compound: { id: compound.id, name: compound.name, timezone: compound.timezone },
      version: compound.rosterVersion,
      since: from,
      generatedAt: now.toISOString(),
      base,
      policy: { version: policy.version, rules: policy.rules },
      keys,
      gates,
      buildings,
      points,
      disinfection: { schedules: scheduleVersions, templates: checklists },
      households: {
        id: deltas(households.map((h) => h.id)),
        building: households.map((h) => h.buildingId),
        unit: households.map((h) => h.unit),
        room: households.map((h) => h.room),
        quarantine: households.filter((h) => h.quarantineUntil).map((h) => [h.id, h.quarantineUntil!] as [number, string]),
      },
      residents: {
        id: deltas(live.map((r) => r.id)),
        household: deltas(live.map((r) => r.householdId)),
        name: live.map((r) => maskName(r.name)),
        pass: deltas(live.map((r) => r.passId ?? 0)),
      },
      revokedPasses: deltas(revoked.map((p) => p.id)),
      tests: {
        resident: deltas(tests.map((t) => t.residentId)),
        at: deltas(tests.map((t) => minutes(t.sampledAt))),
        result: tests.map((t) => RESULT_CODE[t.result]).join(''),
      },
      exits: [...exits.entries()],
      passages: {
        resident: deltas(sortedPassages.map(([id]) => id)),
        at: deltas(sortedPassages.map(([, p]) => minutes(p.at))),
        direction: sortedPassages.map(([, p]) => (p.direction === 'in' ? 'i' : 'o')).join(''),
      },
      removed: { residents: residents.filter((r) => r.deletedAt).map((r) => r.id), ...(unboundPhones.size ? { phones: [...unboundPhones].sort((a, b) => a - b) } : {}) },
      ...(phonePasses.length ? { phones: { pass: deltas(phonePasses), key: phonePasses.map((id) => boundKeys.get(id)!).join('') } } : {}),
      ...(live.some((r) => r.noPhone) ? { noPhone: deltas(live.filter((r) => r.noPhone).map((r) => r.id)) } : {}),
      rounds,
      exempt,
    };
  });
}
