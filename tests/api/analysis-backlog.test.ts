import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ANALYSIS_STEP, analyzerOf } from '../../server/gate/analysis.js';
import { ingestBatch } from '../../server/gate/ingest.js';
import { enrollTablet, buildScene, checkRecord, type Scene } from '../helpers/gate.js';
import { startServer } from '../helpers/server.js';

type Server = Awaited<ReturnType<typeof startServer>>;
let server: Server;
let s: Scene;
let device: { id: number; compoundId: number; name: string };
let bearer: string;

beforeEach(async () => {
  server = await startServer();
  s = await buildScene(server);
  const { deviceId, tablet } = await enrollTablet(server, s.manager, s.compoundId, '东门平板');
  bearer = tablet.auth.bearer!;
  device = { id: deviceId, compoundId: s.compoundId, name: '东门平板' };
});
afterEach(() => server.stop());

const queued = async () => Number((await server.database.db.selectFrom('analysisQueue').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

/** A backlog as a crash under sync load leaves it: many stored batches whose analysis has not run. */
async function backlog(batches: number, perBatch: number) {
  const people = ['zhang', 'li', 'wang', 'zhao'] as const;
  let k = 0;
  for (let b = 0; b < batches; b++) {
    const records = Array.from({ length: perBatch }, () => {
      k++;
      return checkRecord(s, { person: people[k % 4], direction: k % 2 ? 'in' : 'out', atMs: s.now() - 3_600_000 + k * 100 });
    });
    await ingestBatch(server.deps, device, { sentAt: server.clock.now.toISOString(), records });
  }
}

describe('the server keeps answering while it re-runs the rules', () => {
  it('a backlog of batches: /healthz and a sync are answered while the queue drains, and the queue empties', async () => {
    await backlog(300, 2);
    expect(await queued()).toBe(300);
    const draining = analyzerOf(server.deps).drain();
    // Real requests over a real port: they need the event loop, which a step must hand back.
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const left = await queued();
    expect(left).toBeGreaterThan(0);
    const record = checkRecord(s, { person: 'wang', direction: 'in' });
    const sync = await fetch(`${server.url}/api/device/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, origin: server.url },
      body: JSON.stringify({ sentAt: server.clock.now.toISOString(), records: [record] }),
    });
    expect(sync.status).toBe(200);
    expect((await sync.json()).results).toEqual([{ id: record.id, status: 'accepted' }]);
    expect(await queued()).toBeGreaterThan(0);
    await draining;
    await analyzerOf(server.deps).drain(); // and the sync's own batch
    expect(await queued()).toBe(0);
    expect(Number((await server.database.db.selectFrom('gateCheckAnalysis').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(601);
  }, 60_000);

  it('a batch of 1,000 checks is analysed in steps, each handing the event loop back; a restart resumes where it stopped', async () => {
    await backlog(1, 1000);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const draining = analyzerOf(server.deps).drain();
    // Each step stores what is left of the entry, in the same transaction: a crash now loses no check.
    const entry = () => server.database.db.selectFrom('analysisQueue').select('checkIds').executeTakeFirst();
    let left = 1000;
    while (left === 1000) {
      await new Promise((r) => setTimeout(r, 1));
      const e = await entry();
      left = e ? JSON.parse(e.checkIds).length : 0;
    }
    expect(left).toBeGreaterThan(0);
    expect(left % ANALYSIS_STEP).toBe(0);
    await draining;
    clearInterval(timer);
    expect(ticks).toBeGreaterThanOrEqual(1000 / ANALYSIS_STEP - 1);
    expect(await queued()).toBe(0);
    const analysed = await server.database.db.selectFrom('gateCheckAnalysis').select('gateCheckId').execute();
    expect(new Set(analysed.map((a) => a.gateCheckId)).size).toBe(1000);
  }, 60_000);
});
