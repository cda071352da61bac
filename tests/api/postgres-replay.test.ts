import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../server/db/migrate.js';
import { analyzerOf } from '../../server/gate/analysis.js';
import { makeTestApp, officeClient } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet } from '../helpers/gate.js';
import { freshPostgres, PG_URL } from '../helpers/postgres.js';

const H = 3_600_000;

// Several server instances share one PostgreSQL database, and a tablet whose answer was lost sends its
// batch again, maybe while the first is still being written: every record is accepted once, and what
// accepting it does (the override's audit row, the roster version, the analysis) happens once.
describe.skipIf(!PG_URL)('on PostgreSQL, a batch replayed in parallel', () => {
  it('is answered "accepted" once per record and "duplicate" for every other copy, with side effects once', async () => {
    const pg = await freshPostgres();
    await migrateToLatest(pg.database);
    const t = await makeTestApp({ database: pg.database });
    try {
      const s = await buildScene(t);
      const { tablet } = await enrollTablet(t, s.manager, s.compoundId);
      const people = ['zhang', 'li', 'wang', 'zhao'] as const;
      const batch = [
        ...Array.from({ length: 50 }, (_, i) => checkRecord(s, { person: people[i % 4], direction: i % 2 ? 'in' : 'out', atMs: s.now() - 3 * H + i * 60_000 })),
        checkRecord(s, { person: 'zhao', atMs: s.now() - H, verdict: 'deny', reasons: [{ code: 'test_missing' }], override: { reason: '就医' }, passed: true }),
      ];
      const version = async () => (await t.database.db.selectFrom('compound').select('rosterVersion').where('id', '=', s.compoundId).executeTakeFirstOrThrow()).rosterVersion;
      const before = await version();
      const body = { sentAt: t.clock.now.toISOString(), records: batch };
      const answers = await Promise.all(Array.from({ length: 10 }, () => tablet.post('/api/device/sync', body)));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
      const statuses = answers.flatMap((a) => a.body.results.map((r: { status: string }) => r.status));
      expect(statuses.filter((x) => x === 'accepted').length).toBe(51);
      expect(statuses.filter((x) => x === 'duplicate').length).toBe(51 * 9);
      for (const record of batch) {
        expect(answers.filter((a) => a.body.results.some((r: { id: string; status: string }) => r.id === record.id && r.status === 'accepted')).length).toBe(1);
      }
      expect(await version()).toBe(before + 1);
      const count = async (table: 'gateCheck' | 'analysisQueue') => Number((await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      expect(await count('gateCheck')).toBe(51);
      expect(await count('analysisQueue')).toBe(1);
      const audits = await t.database.db.selectFrom('auditLog').select('entityId').where('action', '=', 'gate_check.override').execute();
      expect(audits).toEqual([{ entityId: batch[50]!.id }]);
      await analyzerOf(t.deps).drain();

      // The same ids from another compound's tablet, in parallel with a replay: never "delivered".
      const admin = await officeClient(t, 'admin');
      const foreign = (await enrollTablet(t, admin, s.otherCompoundId)).tablet;
      const [again, theirs] = await Promise.all([tablet.post('/api/device/sync', body), foreign.post('/api/device/sync', body)]);
      expect(new Set(again.body.results.map((r: { status: string }) => r.status))).toEqual(new Set(['duplicate']));
      expect(new Set(theirs.body.results.map((r: { status: string; reason?: { code: string } }) => r.reason?.code ?? r.status))).toEqual(new Set(['id_in_use']));
      await analyzerOf(t.deps).drain();
    } finally {
      await pg.drop();
    }
  }, 60_000);
});
