import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../server/db/database.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { seedDemo } from '../../server/demo/seed.js';

async function demo(days: number) {
  const d = openSqlite(':memory:');
  await migrateToLatest(d);
  await seedDemo(d, { timezone: 'Asia/Shanghai', now: new Date('2026-11-28T04:00:00Z'), hash: async (s) => `plain$${s}`, days });
  return d;
}

async function counts(d: Awaited<ReturnType<typeof demo>>) {
  const count = async (table: 'compound' | 'building' | 'household' | 'resident' | 'gate' | 'point' | 'pass' | 'testRound' | 'gateCheck' | 'shift' | 'conflict' | 'disinfectionRecord') =>
    Number((await d.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const roles = await d.db.selectFrom('user').select('role').groupBy('role').orderBy('role').execute();
  const first = await d.db.selectFrom('resident').select('name').orderBy('id').limit(3).execute();
  return {
    compounds: await count('compound'),
    buildings: await count('building'),
    households: await count('household'),
    residents: await count('resident'),
    gates: await count('gate'),
    points: await count('point'),
    passes: await count('pass'),
    rounds: await count('testRound'),
    checks: await count('gateCheck'),
    shifts: await count('shift'),
    conflicts: await count('conflict'),
    disinfection: await count('disinfectionRecord'),
    roles: roles.map((r) => r.role),
    first: first.map((r) => r.name),
  };
}

describe('the demo district', () => {
  it('is the size of the real one and the same on every run', async () => {
    const [one, two] = [await demo(0), await demo(0)];
    const a = await counts(one);
    expect(a).toMatchObject({ compounds: 6, buildings: 200, checks: 0 });
    expect(a.households).toBeGreaterThan(5500);
    expect(a.households).toBeLessThan(6500);
    expect(a.residents).toBeGreaterThan(18000);
    expect(a.residents).toBeLessThan(22000);
    expect(a.gates).toBeGreaterThanOrEqual(12);
    expect(a.roles).toEqual(['admin', 'manager', 'supervisor', 'volunteer']);
    for (const name of a.first) expect(name).toMatch(/^[\u4e00-\u9fa5]{2,4}$/);
    expect(await counts(two)).toEqual(a);
    await Promise.all([one.close(), two.close()]);
  });

  it('has passes, two testing rounds and gate traffic synced through the real path', async () => {
    const d = await demo(3);
    const c = await counts(d);
    expect(c.passes).toBe(c.residents);
    expect(c.rounds).toBe(12);
    // Each import has its testing round, with coverage stored: most tested, a few untested, a couple exempt.
    const rounds = await d.db.selectFrom('testingRound').select('id').execute();
    expect(rounds).toHaveLength(12);
    const cov = await d.db.selectFrom('roundCoverage').select([(eb) => eb.fn.sum<number>('residents').as('residents'), (eb) => eb.fn.sum<number>('untested').as('untested'), (eb) => eb.fn.sum<number>('exempt').as('exempt')]).executeTakeFirstOrThrow();
    expect(Number(cov.untested) / Number(cov.residents)).toBeGreaterThan(0.02);
    expect(Number(cov.untested) / Number(cov.residents)).toBeLessThan(0.15);
    expect(Number(cov.exempt)).toBeGreaterThan(0);
    // One positive case just in, its alert open, with gate contacts.
    const open = await d.db.selectFrom('alert').select(['residentId', 'compoundId']).where('handledAt', 'is', null).execute();
    expect(open).toHaveLength(1);
    const { gateContacts } = await import('../../server/alerts/contacts.js');
    const g = await gateContacts(d.db, open[0]!.compoundId, open[0]!.residentId, { minutes: 10, days: 7, to: Date.parse('2026-11-28T04:00:00Z') });
    expect(g!.people).toBeGreaterThan(0);
    expect(c.checks).toBeGreaterThan(3000);
    expect(c.shifts).toBeGreaterThan(20);
    const verdicts = await d.db.selectFrom('gateCheck').select(['verdict', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('verdict').execute();
    const by = Object.fromEntries(verdicts.map((v) => [v.verdict, Number(v.n)]));
    expect(by.allow).toBeGreaterThan(by.deny!);
    expect(by.deny).toBeGreaterThan(0);
    const overrides = await d.db.selectFrom('gateCheck').select('id').where('overrideReason', 'is not', null).execute();
    expect(overrides.length).toBeGreaterThan(0);
    const visitors = await d.db.selectFrom('gateCheck').select('id').where('subject', '=', 'visitor').execute();
    expect(visitors.length).toBeGreaterThan(0);
    // Morning peak: more checks between 07:00 and 10:00 local than between 00:00 and 06:00.
    const hours = (await d.db.selectFrom('gateCheck').select('occurredAt').execute()).map((r) => (new Date(r.occurredAt).getUTCHours() + 8) % 24);
    expect(hours.filter((h) => h >= 7 && h < 10).length).toBeGreaterThan(hours.filter((h) => h < 6).length * 5);
    // Disinfection rounds, synced like the checks: mostly done on time, some late, skipped or missed.
    const states = await d.db.selectFrom('disinfectionRecord').select(['status', 'slotTime', 'finishedAt', 'slotDate']).execute();
    expect(states.length).toBeGreaterThan(200 * 4 * 2);
    expect(states.filter((r) => r.status === 'skipped').length).toBeGreaterThan(0);
    const late = states.filter((r) => r.status === 'done' && Date.parse(r.finishedAt) - Date.parse(`${r.slotDate}T${r.slotTime}:00+08:00`) > 2 * 3_600_000);
    expect(late.length).toBeGreaterThan(0);
    expect(late.length).toBeLessThan(states.length / 5);
    await d.close();
  }, 60_000);
});
