import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { migrateDownAll, migrateToLatest } from '../../server/db/migrate.js';
import { migrations } from '../../migrations/index.js';
import { makeTestApp, officeClient, seedCast } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, sync } from '../helpers/gate.js';
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

  it('syncs idempotently, flags conflicts and serves rosters', async () => {
    const pg = await freshPostgres();
    await migrateToLatest(pg.database);
    const t = await makeTestApp({ database: pg.database });
    try {
      const s = await buildScene(t);
      const { tablet } = await enrollTablet(t, s.manager, s.compoundId);
      const H = 3_600_000;
      const batch = [checkRecord(s, { person: 'zhang', atMs: s.now() - 2 * H }), checkRecord(s, { person: 'li', atMs: s.now() - H })];
      expect((await sync(t, tablet, batch)).body.results.map((r: any) => r.status)).toEqual(['accepted', 'accepted']);
      expect((await sync(t, tablet, batch)).body.results.map((r: any) => r.status)).toEqual(['duplicate', 'duplicate']);
      const conflicts = (await s.manager.get(`/api/compounds/${s.compoundId}/conflicts`)).body.conflicts;
      expect(conflicts.map((c: any) => c.kind)).toEqual(['exit_quota_used']);
      const roster = (await tablet.get('/api/device/roster')).body;
      expect(roster.residents.name).toHaveLength(4);
      expect(roster.exits).toHaveLength(1);
      const checks = (await s.manager.get(`/api/compounds/${s.compoundId}/gate-checks`)).body.checks;
      expect(checks.map((c: any) => c.residentName)).toEqual(['李四', '张三']);

      // The dashboard, and exports streamed through a cursor.
      const dash = (await s.manager.get(`/api/compounds/${s.compoundId}/dashboard`)).body;
      expect(dash.summary.out).toBe(2);
      const day = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(t.clock.now);
      for (const dataset of ['gate-checks', 'daily-summaries', 'disinfection', 'shifts']) {
        const res = await t.app.request(`http://localhost/api/exports/${dataset}?from=${day}&to=${day}&compoundId=${s.compoundId}`, {
          headers: { cookie: `gp_session=${s.manager.auth.cookie}`, origin: 'http://localhost' },
        });
        expect(res.status).toBe(200);
        const rows = parse(await res.text(), { bom: true });
        expect(rows.length).toBe({ 'gate-checks': 3, 'daily-summaries': 2, disinfection: 1, shifts: 1 }[dataset]);
      }
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
