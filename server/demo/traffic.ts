import { parseCode } from '../core/code.js';
import { decide, type Direction, type GateFacts } from '../core/decide.js';
import { countsAsExit, gateCheckRecord, passIdOf } from '../core/gate-check.js';
import { defaultPolicy, type PolicyRules } from '../core/policy.js';
import type { Reason } from '../core/reasons.js';
import type { SyncRecord } from '../core/sync.js';
import { addDays, formatLocal, zonedDate, zonedToUtc } from '../core/time.js';
import { uuidv7 } from '../core/uuid.js';
import { defaultSlots, DISINFECTANTS } from '../core/disinfection.js';
import { checklistOf, places as placesOf, templates } from '../disinfection/queries.js';
import { analyzerOf } from '../gate/analysis.js';
import { ingestBatch } from '../gate/ingest.js';
import type { AppDeps } from '../deps.js';
import type { AuthDevice } from '../auth/actor.js';
import { readSheet } from '../imports/spreadsheet.js';
import { issueMissingPasses } from '../passes/service.js';
import { insertPolicyVersion } from '../policy/queries.js';
import { setQuarantine } from '../residents/service.js';
import { bumpRosterVersion } from '../roster/version.js';
import { importTestRound } from '../test-results/service.js';
import { createRound, setExemption } from '../rounds/service.js';
import { mobile } from './names.js';

import type { Random } from './random.js';

const H = 3_600_000;

/**
 * A week of history for one compound, made the way it would really happen: passes issued, two testing
 * rounds imported from spreadsheets, and tablets at every gate deciding with the same rules as the real
 * ones and syncing their records through the real sync path.
 *
 * Long on purpose: seedCompoundHistory draws from one seeded random stream in a fixed order, so the same
 * seed makes the same district on every run (tests/unit/demo.test.ts); pieces split off would have to
 * share that order anyway.
 */
const OVERRIDE_REASONS = ['就医', '持纸质阴性报告', '送孩子就医', '刚才漏扫', '物业确认'];
const HANDOVER_NOTES = ['一切正常', '快递较多，已登记', '测温枪电量低，已更换电池', '东侧栏杆松动，已报修', '消毒液剩余半桶', '有居民询问下轮核酸时间'];
const VISITOR_REASONS: [string, string][] = [
  ['快递', '送快递'],
  ['外卖', '送餐'],
  ['医护', '上门采样'],
  ['亲属', '送生活物资'],
  ['维修', '水管维修'],
];

interface Person {
  id: number;
  householdId: number;
  name: string;
  code: string;
}

export interface HistorySummary {
  checks: number;
  denied: number;
  overrides: number;
  visitors: number;
  conflicts: number;
  rounds: number;
  /** Disinfection rounds recorded: on time, late, skipped; and slots nobody recorded (missed). */
  disinfection: { done: number; late: number; skipped: number; missed: number };
}

const SKIP_REASONS = ['楼内封控，无法进入', '消毒液用完，等待补货', '暴雨，室外点位暂停'];
const DISINFECTION_NOTES = ['', '', '', '电梯按钮重点擦拭', '垃圾桶周边加喷一次', '大厅地面湿拖'];

/** Minutes after local midnight, drawn around the morning and evening peaks. */
function peakMinute(rng: Random, peak: 'morning' | 'midday'): number {
  const [from, to] = peak === 'morning' ? [7 * 60, 10 * 60 + 30] : [11 * 60, 15 * 60];
  // The mean of two uniforms leans towards the middle of the window: a peak.
  return Math.round((rng.int(from, to) + rng.int(from, to)) / 2);
}

export async function seedCompoundHistory(
  deps: AppDeps & { setNow: (d: Date) => void },
  rng: Random,
  c: { id: number; name: string; timezone: string; gateIds: number[] },
  opts: { now: Date; days: number },
): Promise<HistorySummary> {
  const db = deps.database.db;
  const tz = c.timezone;
  const today = zonedDate(opts.now.getTime(), tz);
  const firstDay = addDays(today, -(opts.days - 1));
  const at = (date: string, minute: number) => zonedToUtc(date, tz) + minute * 60_000;
  const summary: HistorySummary = { checks: 0, denied: 0, overrides: 0, visitors: 0, conflicts: 0, rounds: 0, disinfection: { done: 0, late: 0, skipped: 0, missed: 0 } };

  // Everything is dated as it would have been: the week began at firstDay 06:00.
  deps.setNow(new Date(at(firstDay, 5 * 60)));
  await issueMissingPasses(deps, null, c.id, undefined, 'demo');
  const rules: PolicyRules = { ...defaultPolicy(firstDay), testValidityHours: 72 };
  await db.transaction().execute((tx) => insertPolicyVersion(tx, c.id, rules, new Date(at(firstDay, 5 * 60)).toISOString(), null, '每三天一轮全员核酸：有效期72小时'));
  const policyVersion = (await db.selectFrom('policy').select((eb) => eb.fn.max('version').as('v')).where('compoundId', '=', c.id).executeTakeFirstOrThrow()).v as number;

  const people: Person[] = (
    await db
      .selectFrom('resident as r')
      .innerJoin('pass as p', (j) => j.onRef('p.residentId', '=', 'r.id').on('p.status', '=', 'active'))
      .select(['r.id', 'r.householdId', 'r.name', 'p.code'])
      .where('r.compoundId', '=', c.id)
      .orderBy('r.id')
      .execute()
  ).map((p) => ({ ...p, code: p.code }));
  const address = new Map(
    (
      await db
        .selectFrom('resident as r')
        .innerJoin('household as h', 'h.id', 'r.householdId')
        .innerJoin('building as b', 'b.id', 'h.buildingId')
        .select(['r.id', 'r.phone', 'b.name as building', 'h.unit', 'h.room'])
        .where('r.compoundId', '=', c.id)
        .execute()
    ).map((r) => [r.id, r]),
  );
  const households = new Map<number, Person[]>();
  for (const p of people) households.set(p.householdId, [...(households.get(p.householdId) ?? []), p]);

  // Two testing rounds, imported from the station's spreadsheet as a manager would.
  const tests = new Map<number, { sampledAt: number; result: 'negative' | 'positive' | 'pending' }[]>();
  const positives: Person[] = [];
  const secondRound = Math.max(1, Math.min(4, opts.days - 3));
  const exempted = new Set<number>();
  for (const [round, dayOffset, coverage] of [[1, 0, 0.93], [2, secondRound, 0.91]] as const) {
    const date = addDays(firstDay, dayOffset);
    const lines = ['楼栋,单元,房号,姓名,手机号,采样时间,检测结果'];
    for (const p of people) {
      if (!rng.chance(coverage)) continue;
      const a = address.get(p.id)!;
      const sampled = at(date, rng.int(6 * 60, 10 * 60));
      const result = round === 2 && rng.chance(0.0006) ? 'positive' : 'negative';
      if (result === 'positive') positives.push(p);
      const local = formatLocal(sampled, tz);
      lines.push([a.building, a.unit, a.room, p.name, a.phone ?? '', local, result === 'positive' ? '阳性' : '阴性'].join(','));
      tests.set(p.id, [...(tests.get(p.id) ?? []), { sampledAt: sampled, result }]);
    }
    // The round (a date window over the whole compound) is made the morning it starts; its file comes after.
    deps.setNow(new Date(at(date, 5 * 60)));
    await createRound(deps, null, c.id, { name: `第${round}轮全员核酸`, startsOn: date, endsOn: addDays(date, 1), buildingIds: null }, 'demo');
    deps.setNow(new Date(at(date, 13 * 60)));
    const sheet = await readSheet({ name: `${c.name}第${round}轮核酸.csv`, bytes: new TextEncoder().encode(lines.join('\n')) });
    await importTestRound(deps, null, c.id, sheet, { name: `${date} 第${round}轮全员核酸`, mode: 'valid_rows', dryRun: false, fileName: `${c.name}第${round}轮核酸.csv` }, 'demo');
    summary.rounds++;
    // A couple of residents who were not sampled are bedridden or infants: exempt, counted apart.
    const untested = people.filter((p) => !(tests.get(p.id) ?? []).some((x) => zonedDate(x.sampledAt, tz) === date));
    for (const [i, reason] of (['bedridden', 'infant'] as const).entries()) {
      const p = untested[Math.floor(((i + 1) * untested.length) / 3)];
      if (p && !exempted.has(p.id)) {
        exempted.add(p.id);
        await setExemption(deps, null, c.id, p.id, { reason, note: reason === 'bedridden' ? '长期卧床，上门采样另行安排' : '未满3个月婴儿' }, 'demo');
      }
    }
  }
  // The model decides from exactly what the import stored.
  const stored = await db.selectFrom('testResult').select(['residentId', 'sampledAt', 'result']).where('compoundId', '=', c.id).orderBy('sampledAt').execute();
  tests.clear();
  for (const t of stored) tests.set(t.residentId, [...(tests.get(t.residentId) ?? []), { sampledAt: Date.parse(t.sampledAt), result: t.result }]);

  // Positive results put their households under home quarantine (from the afternoon of round 2); a few
  // others are under it too. The flag is stored after the week's records are synced, as it was set then.
  const quarantine = new Map<number, string>();
  for (const p of positives) quarantine.set(p.householdId, addDays(today, 12));
  for (const h of households.keys()) if (rng.chance(0.006)) quarantine.set(h, addDays(today, rng.int(1, 5)));
  const quarantineFrom = at(addDays(firstDay, secondRound), 15 * 60);

  // One tablet at each gate, enrolled.
  const devices: AuthDevice[] = [];
  for (const gateId of c.gateIds) {
    const gate = await db.selectFrom('gate').select('name').where('id', '=', gateId).executeTakeFirstOrThrow();
    const d = await db
      .insertInto('device')
      .values({ compoundId: c.id, name: `${gate.name}平板`, enrolledAt: new Date(at(firstDay, 5 * 60)).toISOString(), createdAt: new Date(at(firstDay, 5 * 60)).toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    devices.push({ id: d.id, compoundId: c.id, name: `${gate.name}平板` });
  }
  const volunteers = (await db.selectFrom('user').innerJoin('userCompound as uc', 'uc.userId', 'user.id').select('user.id').where('uc.compoundId', '=', c.id).where('user.role', '=', 'volunteer').orderBy('user.id').execute()).map((v) => v.id);

  // The model a tablet decides from (here one for all gates: they are well synced, mostly).
  const passages = new Map<number, { direction: Direction; at: number }>();
  const exits = new Map<number, number[]>();
  const factsFor = (p: Person, t: number): GateFacts => {
    const test = (tests.get(p.id) ?? []).filter((x) => x.sampledAt <= t).pop();
    return {
      pass: { id: 0, residentId: p.id, status: 'active' },
      resident: { id: p.id, householdId: p.householdId },
      household: { id: p.householdId, quarantineUntil: t >= quarantineFrom ? (quarantine.get(p.householdId) ?? null) : null },
      test,
      householdExits: (exits.get(p.householdId) ?? []).filter((x) => x < t),
      lastPassage: passages.get(p.id),
    };
  };

  type Event = { t: number; record: SyncRecord; gate: number };
  const events: Event[] = [];
  const nowMs = opts.now.getTime();

  /** A person at a gate. `reluctant`: someone who knows they will be turned back mostly stays home. */
  const attempt = (p: Person, direction: Direction, t: number, gate: number, opt: { manual?: boolean; offline?: boolean; reluctant?: boolean } = {}) => {
    if (t > nowMs) return false;
    const code = opt.manual ? null : p.code;
    const parsed = parseCode(p.code)!; // issued by the server a moment ago: genuine
    const parsedPassId = passIdOf(parsed, c.id)!;
    const facts = factsFor(p, t);
    const d = decide({
      now: t,
      direction,
      compoundId: c.id,
      timezone: tz,
      policy: rules,
      rosterAgeMs: rng.int(2, 50) * 60_000,
      subject: opt.manual ? { kind: 'manual', residentId: p.id } : { kind: 'code', code: parsed, signature: 'valid' },
      facts: { ...facts, pass: { id: parsedPassId, residentId: p.id, status: 'active' } },
    });
    if (opt.reluctant && d.verdict === 'deny' && !rng.chance(0.12)) return false;
    // A tablet that missed the other gate's exit (offline) lets the second member out.
    const verdict = opt.offline ? 'allow' : d.verdict;
    const reasons: Reason[] = opt.offline ? [] : d.reasons;
    let override: { reason: string } | null = null;
    if (verdict === 'review') override = { reason: '人工核验通过' };
    else if (verdict === 'deny' && d.canOverride && rng.chance(0.35)) override = { reason: rng.pick(OVERRIDE_REASONS) };
    const record = gateCheckRecord(opt.manual ? { kind: 'manual', residentId: p.id } : { kind: 'code', text: code! }, { verdict, reasons, test: d.test }, {
      now: t,
      gateId: gate,
      shiftId: null,
      volunteerId: 0,
      direction,
      override,
      policyVersion,
      rosterVersion: 0,
    });
    const passed = record.passed;
    events.push({ t, record, gate });
    if (passed) {
      passages.set(p.id, { direction, at: t });
      if (countsAsExit(record)) exits.set(p.householdId, [...(exits.get(p.householdId) ?? []), t]);
    }
    return passed;
  };

  for (let day = 0; day < opts.days; day++) {
    const date = addDays(firstDay, day);
    const dayEvents: { t: number; run: () => void }[] = [];
    for (const [, members] of households) {
      if (!rng.chance(0.5)) continue;
      const p = rng.pick(members);
      const gate = rng.pick(c.gateIds);
      const tOut = at(date, peakMinute(rng, rng.chance(0.7) ? 'morning' : 'midday')) + rng.int(0, 59) * 1000;
      const back = tOut + rng.int(60, 300) * 60_000;
      const manual = rng.chance(0.05);
      dayEvents.push({
        t: tOut,
        run: () => {
          if (attempt(p, 'out', tOut, gate, { manual, reluctant: true })) {
            const returnGate = rng.chance(0.8) ? gate : rng.pick(c.gateIds);
            dayEvents.push({ t: back, run: () => attempt(p, 'in', back, returnGate) });
          }
        },
      });
      // Now and then a second member tries to go out too: the quota says no.
      if (members.length > 1 && rng.chance(0.06)) {
        const q = rng.pick(members.filter((m) => m !== p));
        const t2 = tOut + rng.int(20, 240) * 60_000;
        dayEvents.push({ t: t2, run: () => attempt(q, 'out', t2, rng.pick(c.gateIds)) });
      }
    }
    // Visitors: couriers, medical staff, relatives; in and out again.
    for (const gate of c.gateIds) {
      for (let v = rng.int(3, 8); v > 0; v--) {
        const [kind, reason] = rng.pick(VISITOR_REASONS);
        const host = rng.pick([...households.keys()]);
        const tIn = at(date, rng.int(8 * 60, 20 * 60));
        const visitor = { name: `${kind}${rng.pick(['张', '王', '李', '刘', '陈'])}师傅`, phone: mobile(rng), reason, hostHouseholdId: host };
        for (const [direction, t] of [['in', tIn], ['out', tIn + rng.int(5, 40) * 60_000]] as const) {
          if (t > nowMs) continue;
          events.push({
            t,
            gate,
            record: gateCheckRecord({ kind: 'visitor', visitor }, null, { now: t, gateId: gate, shiftId: null, volunteerId: 0, direction, policyVersion, rosterVersion: 0 }),
          });
          summary.visitors++;
        }
      }
    }
    // Twice this week, two tablets both let one household out (one of them offline): a conflict to reconcile.
    if ((day === 2 || day === 5) && c.gateIds.length > 1) {
      const [, members] = rng.pick([...households].filter(([h, m]) => m.length > 1 && !quarantine.has(h)));
      const t1 = at(date, 16 * 60 + rng.int(0, 30));
      dayEvents.push({
        t: t1,
        run: () => {
          attempt(members[0]!, 'out', t1, c.gateIds[0]!);
          attempt(members[1]!, 'out', t1 + 25 * 60_000, c.gateIds[1]!, { offline: true });
        },
      });
    }
    // In time order; a return trip joins the queue when its exit happens.
    while (dayEvents.length) {
      dayEvents.sort((a, b) => a.t - b.t);
      dayEvents.shift()!.run();
    }
  }

  // Disinfection: the four daily rounds of every building and point, shared out between the gates'
  // tablets; now and then one is late, skipped with a reason, or not done at all.
  const places = await placesOf(db, c.id);
  const checklists = await templates(db, c.id);
  const slots = defaultSlots();
  const disinfectionBy = (gi: number, date: string, from: number, to: number, shiftId: string, volunteerId: number): SyncRecord[] => {
    const out: SyncRecord[] = [];
    places.forEach((place, pi) => {
      if (pi % c.gateIds.length !== gi) return;
      const items = checklistOf(place, checklists);
      for (const slot of slots) {
        const start = at(date, Number.parseInt(slot.time, 10) * 60);
        if (start < at(date, from * 60) || start >= at(date, to * 60) || start > nowMs) continue;
        const roll = rng.next();
        if (roll < 0.04) {
          if (start + 4 * H < nowMs) summary.disinfection.missed++;
          continue;
        }
        const skipped = roll < 0.06;
        const late = !skipped && roll < 0.13;
        const finished = start + (late ? rng.int(125, 230) : rng.int(10, 110)) * 60_000 + rng.int(0, 59) * 1000;
        if (finished > nowMs) continue;
        const startedAt = finished - rng.int(6, 18) * 60_000;
        summary.disinfection[skipped ? 'skipped' : late ? 'late' : 'done']++;
        out.push({
          kind: 'disinfection',
          id: uuidv7(finished),
          at: new Date(finished).toISOString(),
          volunteerId,
          shiftId,
          target: { kind: place.kind, id: place.id },
          slotDate: date,
          slotTime: slot.time,
          status: skipped ? 'skipped' : 'done',
          items: items.map((i) => ({ ...i, done: !skipped && (i.key !== 'trash' || rng.chance(0.97)) })),
          disinfectant: skipped ? null : DISINFECTANTS[0],
          concentration: skipped ? null : rng.chance(0.8) ? '500 mg/L' : '1000 mg/L',
          note: skipped ? null : rng.pick(DISINFECTION_NOTES) || null,
          skipReason: skipped ? rng.pick(SKIP_REASONS) : null,
          startedAt: new Date(startedAt).toISOString(),
          finishedAt: new Date(finished).toISOString(),
          via: rng.chance(0.92) ? 'placard' : 'manual',
        });
      }
    });
    return out;
  };

  // Shifts: two a day at each gate (06:00–14:00, 14:00–22:00), each with a volunteer and a handover note.
  events.sort((a, b) => a.t - b.t);
  const batches = new Map<number, SyncRecord[]>(devices.map((d) => [d.id, []]));
  for (let day = 0; day < opts.days; day++) {
    const date = addDays(firstDay, day);
    c.gateIds.forEach((gate, gi) => {
      const device = devices[gi]!;
      for (const [si, [from, to]] of [[6, 14], [14, 22]].entries()) {
        const start = at(date, from! * 60);
        if (start > nowMs) continue;
        const end = at(date, to! * 60);
        const volunteerId = volunteers[(gi * 2 + si + day) % volunteers.length]!;
        const shiftId = uuidv7(start);
        const list = batches.get(device.id)!;
        list.push({ kind: 'shift_start', id: shiftId, at: new Date(start).toISOString(), gateId: gate, volunteerId });
        for (const e of events) {
          if (e.gate !== gate || e.t < start || e.t >= end || e.record.kind !== 'gate_check') continue;
          e.record.shiftId = shiftId;
          e.record.volunteerId = volunteerId;
          list.push(e.record);
        }
        list.push(...disinfectionBy(gi, date, from!, to!, shiftId, volunteerId));
        if (end <= nowMs) list.push({ kind: 'shift_end', id: uuidv7(end), at: new Date(end).toISOString(), shiftId, volunteerId, handoverNote: rng.pick(HANDOVER_NOTES) });
      }
    });
  }
  // Records outside the shift hours are few; they sync under the first volunteer.
  for (const e of events) {
    if (e.record.kind === 'gate_check' && e.record.volunteerId === 0) {
      e.record.volunteerId = volunteers[0]!;
      batches.get(devices[c.gateIds.indexOf(e.gate)]!.id)!.push(e.record);
    }
  }

  // The tablets sync as the week goes on: every three hours each sends what it made since, so records
  // from different gates arrive in about the order they happened (as with tablets mostly online).
  const queues = devices.map((d) => ({ device: d, records: batches.get(d.id)!.sort((a, b) => Date.parse(a.at) - Date.parse(b.at)) }));
  for (let t = at(firstDay, 0) + 3 * H; t < nowMs + 3 * H; t += 3 * H) {
    for (const q of queues) {
      const due = q.records.findIndex((r) => Date.parse(r.at) >= t);
      const batch = q.records.splice(0, due < 0 ? q.records.length : due);
      for (let i = 0; i < batch.length; i += 500) {
        const syncedAt = Math.min(t + rng.int(1, 10) * 60_000, nowMs);
        deps.setNow(new Date(syncedAt));
        await ingestBatch(deps, q.device, { sentAt: new Date(syncedAt - rng.int(-20, 40) * 1000).toISOString(), records: batch.slice(i, i + 500), status: { appVersion: deps.version, pending: 0 } });
      }
    }
  }
  await analyzerOf(deps).drain();
  // The tablets fetched their roster a few minutes ago, as tablets that are on do every two minutes.
  for (const d of devices) {
    await db.updateTable('device').set({ rosterFetchedAt: new Date(nowMs - rng.int(1, 4) * 60_000).toISOString() }).where('id', '=', d.id).execute();
  }
  deps.setNow(new Date(quarantineFrom));
  for (const [h, until] of quarantine) await setQuarantine(deps, null, c.id, h, until, '居家隔离观察', 'demo');
  // The round's positives were acted on: their alerts say so.
  for (const p of positives) {
    await db.updateTable('alert').set({ quarantineUntil: quarantine.get(p.householdId) ?? null, handledAt: new Date(quarantineFrom).toISOString() }).where('residentId', '=', p.id).execute();
  }
  for (const e of events) {
    if (e.record.kind !== 'gate_check' || e.record.subject === 'visitor') continue;
    summary.checks++;
    if (!e.record.passed) summary.denied++;
    if (e.record.override) summary.overrides++;
  }
  summary.conflicts = Number((await db.selectFrom('conflict').select((eb) => eb.fn.countAll().as('n')).where('compoundId', '=', c.id).executeTakeFirstOrThrow()).n);
  await db.transaction().execute((tx) => bumpRosterVersion(tx, c.id));
  return summary;
}
