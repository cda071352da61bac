import type { Database } from '../db/database.js';
import { addDays, zonedDate, zonedToUtc } from '../core/time.js';
import { createDeps } from '../deps.js';
import { DEMO_PASSWORD, DEMO_PIN, seedDistrict } from './district.js';
import { Random } from './random.js';
import { type HistorySummary, seedCompoundHistory } from './traffic.js';
import { recordTestResult } from '../test-results/service.js';

/**
 * The whole demo, step by step, from one seed. Returns lines to print: what was made and how to sign in.
 */
export async function seedDemo(
  database: Database,
  opts: { timezone: string; now: Date; hash: (secret: string) => Promise<string>; seed?: number; days?: number; log?: (line: string) => void },
): Promise<string[]> {
  const rng = new Random(opts.seed ?? 20220104);
  const db = database.db;
  const days = opts.days ?? 7;
  // The district is set up just before its history begins (firstDay 05:00, see traffic.ts): a place owes
  // no round from before it existed, and owes every one from then on, so the history is whole days.
  const today = zonedDate(opts.now.getTime(), opts.timezone);
  const at = new Date(days > 0 ? zonedToUtc(addDays(today, -(days - 1)), opts.timezone, '04:30') : opts.now.getTime()).toISOString();
  const [passwordHash, pinHash] = await Promise.all([opts.hash(DEMO_PASSWORD), opts.hash(DEMO_PIN)]);
  const district = await db.transaction().execute((tx) => seedDistrict(tx, rng, { at, timezone: opts.timezone, passwordHash, pinHash }));
  const lines = [
    `Demo district: ${district.compounds.length} compounds, ${district.buildings} buildings, ${district.households} households, ${district.residents} residents.`,
  ];

  if (days > 0) {
    // History is made through the real services with the clock set to when each thing happened.
    let clock = opts.now;
    const deps = { ...createDeps(database, { timezone: opts.timezone, sessionIdleMinutes: 480, trustProxy: false, secureCookies: false, logRequests: false, dataDir: '', shiftIdleHours: 12 }, { now: () => clock, log: () => {} }), setNow: (d: Date) => (clock = d) };
    const total: HistorySummary = { checks: 0, denied: 0, overrides: 0, visitors: 0, conflicts: 0, rounds: 0, disinfection: { done: 0, late: 0, skipped: 0, missed: 0 } };
    for (const c of district.compounds) {
      const s = await seedCompoundHistory(deps, rng, { ...c, timezone: opts.timezone }, { now: opts.now, days });
      opts.log?.(`  ${c.name}: ${s.checks} gate checks, ${s.visitors} visitor entries/exits, ${s.conflicts} conflicts`);
      for (const k of ['checks', 'denied', 'overrides', 'visitors', 'conflicts', 'rounds'] as const) total[k] += s[k];
      for (const k of ['done', 'late', 'skipped', 'missed'] as const) total.disinfection[k] += s.disinfection[k];
    }
    // One positive case just in, for a new user to see at once: the first compound's resident who went
    // through its gates most in the last days, phoned in positive by the station this morning. Its alert
    // is open (no quarantine yet) and its gate contacts are whoever passed near them.
    const first = district.compounds[0]!;
    const since = new Date(opts.now.getTime() - 3 * 86_400_000).toISOString();
    const busiest = await db
      .selectFrom('gateCheck as g')
      .innerJoin('household as h', 'h.id', 'g.householdId')
      .select(['g.residentId', (eb) => eb.fn.countAll<number>().as('n')])
      .where('g.compoundId', '=', first.id)
      .where('g.passed', '=', 1)
      .where('g.residentId', 'is not', null)
      .where('h.quarantineUntil', 'is', null)
      .where('g.occurredAt', '>=', since)
      .groupBy('g.residentId')
      .orderBy('n', 'desc')
      .orderBy('g.residentId')
      .limit(1)
      .executeTakeFirst();
    if (busiest?.residentId) {
      deps.setNow(opts.now);
      await recordTestResult(deps, null, first.id, busiest.residentId, { sampledAt: new Date(opts.now.getTime() - 6 * 3_600_000).toISOString(), result: 'positive' }, 'demo');
      lines.push(`A positive result just in at ${first.name} (resident #${busiest.residentId}): its alert is on the dashboards, with its gate contacts.`);
    }
    lines.push(
      `Passes issued to every resident; ${total.rounds} testing rounds imported; ${days} days of gate traffic:`,
      `  ${total.checks} resident checks (${total.denied} turned back, ${total.overrides} overrides), ${total.visitors} visitor entries/exits, ${total.conflicts} conflicts to reconcile.`,
      `  Disinfection rounds: ${total.disinfection.done} on time, ${total.disinfection.late} late, ${total.disinfection.skipped} skipped, ${total.disinfection.missed} missed.`,
    );
  }
  lines.push(
    '',
    'Sign in (office: http://localhost:8080/login; tablets: phone number + PIN):',
    ...district.logins.map((l) => `  ${l.role.padEnd(10)} ${l.login.padEnd(14)} ${l.secret.padEnd(16)} ${l.scope}`),
  );
  return lines;
}
