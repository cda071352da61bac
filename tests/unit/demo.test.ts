import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../server/db/database.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { seedDemo } from '../../server/demo/seed.js';

async function demoCounts() {
  const d = openSqlite(':memory:');
  await migrateToLatest(d);
  await seedDemo(d, { timezone: 'Asia/Shanghai', now: new Date('2026-11-28T00:00:00Z'), hash: async (s) => `plain$${s}` });
  const count = async (table: 'compound' | 'building' | 'household' | 'resident' | 'gate' | 'point') =>
    Number((await d.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const roles = await d.db.selectFrom('user').select('role').groupBy('role').orderBy('role').execute();
  const first = await d.db.selectFrom('resident').select('name').orderBy('id').limit(3).execute();
  const result = {
    compounds: await count('compound'),
    buildings: await count('building'),
    households: await count('household'),
    residents: await count('resident'),
    gates: await count('gate'),
    points: await count('point'),
    roles: roles.map((r) => r.role),
    first: first.map((r) => r.name),
  };
  await d.close();
  return result;
}

describe('the demo district', () => {
  it('is the size of the real one and the same on every run', async () => {
    const a = await demoCounts();
    expect(a.compounds).toBe(6);
    expect(a.buildings).toBe(200);
    expect(a.households).toBeGreaterThan(5500);
    expect(a.households).toBeLessThan(6500);
    expect(a.residents).toBeGreaterThan(18000);
    expect(a.residents).toBeLessThan(22000);
    expect(a.gates).toBeGreaterThanOrEqual(12);
    expect(a.roles).toEqual(['admin', 'manager', 'supervisor', 'volunteer']);
    for (const name of a.first) expect(name).toMatch(/^[\u4e00-\u9fa5]{2,4}$/);
    expect(await demoCounts()).toEqual(a);
  });
});
