import { describe, expect, it } from 'vitest';
import { migrateDownAll, migrateToLatest } from '../../server/db/migrate.js';
import { migrations } from '../../migrations/index.js';
import { makeTestApp, officeClient, seedCast } from '../helpers/app.js';
import { freshPostgres, PG_URL } from '../helpers/postgres.js';

// The same code on PostgreSQL (city-wide deployments): the migrations and a management round trip.
describe.skipIf(!PG_URL)('on PostgreSQL', () => {
  it('runs all migrations up, down and up again', async () => {
    const pg = await freshPostgres();
    try {
      const names = Object.keys(migrations);
      expect(await migrateToLatest(pg.database)).toEqual(names);
      expect((await migrateDownAll(pg.database)).length).toBe(names.length);
      expect(await migrateToLatest(pg.database)).toEqual(names);
    } finally {
      await pg.drop();
    }
  });

  it('signs in, manages a compound and enforces scope', async () => {
    const pg = await freshPostgres();
    await migrateToLatest(pg.database);
    const t = await makeTestApp({ database: pg.database });
    try {
      const ids = await seedCast(t);
      const mgr = await officeClient(t, 'mgrA');
      expect((await mgr.post(`/api/compounds/${ids.a}/gates`, { name: '东门' })).status).toBe(201);
      expect((await mgr.post(`/api/compounds/${ids.a}/gates`, { name: '东门' })).status).toBe(409);
      expect((await mgr.post(`/api/compounds/${ids.b}/gates`, { name: '东门' })).status).toBe(403);
      expect((await mgr.get(`/api/compounds/${ids.a}/gates`)).body.items.map((g: any) => g.name)).toEqual(['东门']);
      const audit = (await mgr.get('/api/audit')).body.entries;
      expect(audit[0]).toMatchObject({ action: 'gate.create', compoundId: ids.a });
      expect((await t.client().get('/healthz')).body.database).toBe('postgres');
    } finally {
      await pg.drop();
    }
  });
});
