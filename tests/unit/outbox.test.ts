import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RosterPayload } from '../../server/core/roster.js';
import type { SyncOutcome, SyncRecord } from '../../server/core/sync.js';
import { uuidv7 } from '../../server/core/uuid.js';
import { type GateDatabase, openGateDb } from '../../web/src/tablet/db.js';
import { Outbox, RetryableError } from '../../web/src/tablet/outbox.js';
import { RosterStore } from '../../web/src/tablet/roster.js';

let db: GateDatabase;
let name: string;
let n = 0;
beforeEach(async () => {
  name = `outbox-test-${++n}-${Math.random()}`;
  db = await openGateDb(name);
});
afterEach(() => db.close());

const rec = (i: number): SyncRecord => ({ kind: 'shift_start', id: uuidv7(1_800_000_000_000 + i), at: new Date(1_800_000_000_000 + i).toISOString(), gateId: 1, volunteerId: i });

/** A fake server: records what it received, answers as told. */
function server(answer: (r: SyncRecord) => SyncOutcome | 'fail' = (r) => ({ id: r.id, status: 'accepted' })) {
  const received: SyncRecord[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send = async (records: SyncRecord[]) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    if (records.some((r) => answer(r) === 'fail')) throw new RetryableError('network down');
    received.push(records);
    return { results: records.map((r) => answer(r) as SyncOutcome) };
  };
  return { send, received, maxInFlight: () => maxInFlight };
}

/** Count the reads of outbox records (getAll, cursors, gets) made through `db` from now on. */
function spyOnReads(d: GateDatabase): () => number {
  let n = 0;
  const proto = IDBObjectStore.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const iproto = IDBIndex.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const restore: (() => void)[] = [];
  for (const p of [proto, iproto]) {
    for (const m of ['getAll', 'get', 'openCursor', 'count']) {
      const orig = p[m]!;
      p[m] = function (this: IDBObjectStore | IDBIndex, ...a: unknown[]) {
        const store = this instanceof IDBIndex ? this.objectStore : this;
        if (store.name === 'outbox' && store.transaction.db.name === d.name) n++;
        return orig.apply(this, a);
      };
      restore.push(() => {
        p[m] = orig;
      });
    }
  }
  afterEach(() => {
    for (const r of restore) r();
  });
  return () => n;
}

describe('the outbox', () => {
  it('sends first in, first out, in batches, and empties once the server has everything', async () => {
    const s = server();
    const box = new Outbox(db, s.send, { batchSize: 4 });
    const records = Array.from({ length: 10 }, (_, i) => rec(i));
    for (const r of records) await box.add(r);
    expect(await box.pendingCount()).toBe(10);
    const report = await box.sync();
    expect(report).toEqual({ sent: 10, accepted: 10, rejected: 0 });
    expect(s.received.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(s.received.flat().map((r) => r.id)).toEqual(records.map((r) => r.id));
    expect(await box.pendingCount()).toBe(0);
  });

  it('runs one sync at a time: a second call joins the one running', async () => {
    const s = server();
    const box = new Outbox(db, s.send, { batchSize: 2 });
    for (let i = 0; i < 6; i++) await box.add(rec(i));
    const [a, b, c] = await Promise.all([box.sync(), box.sync(), box.sync()]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(s.maxInFlight()).toBe(1);
    expect(s.received.flat()).toHaveLength(6);
  });

  it('keeps everything when the network fails, and sends it all when it is back', async () => {
    let down = true;
    const s = server((r) => (down ? 'fail' : { id: r.id, status: 'accepted' }));
    const box = new Outbox(db, s.send);
    for (let i = 0; i < 3; i++) await box.add(rec(i));
    await expect(box.sync()).rejects.toBeInstanceOf(RetryableError);
    expect(await box.pendingCount()).toBe(3);
    down = false;
    await box.sync();
    expect(await box.pendingCount()).toBe(0);
    expect(s.received.flat()).toHaveLength(3);
  });

  it('keeps a rejected record, with its reason, out of the way of the others', async () => {
    const bad = rec(1);
    const s = server((r) => (r.id === bad.id ? { id: r.id, status: 'rejected' as const, reason: { code: 'unknown_gate', params: { id: 1 }, message: 'Gate 1 is not a gate of this compound.' } } : { id: r.id, status: 'accepted' as const }));
    const box = new Outbox(db, s.send);
    for (const r of [rec(0), bad, rec(2)]) await box.add(r);
    expect(await box.sync()).toEqual({ sent: 3, accepted: 2, rejected: 1 });
    const rejected = await box.rejected();
    expect(rejected.map((e) => [e.id, e.reason?.code])).toEqual([[bad.id, 'unknown_gate']]);
    // It is not sent again and again.
    await box.add(rec(3));
    await box.sync();
    expect(s.received.at(-1)!.map((r) => r.id)).toEqual([expect.any(String)]);
    expect(await box.rejected()).toHaveLength(1);
  });

  it('treats "the server already has it" as delivered', async () => {
    const s = server((r) => ({ id: r.id, status: 'duplicate' }));
    const box = new Outbox(db, s.send);
    await box.add(rec(0));
    await box.sync();
    expect(await box.pendingCount()).toBe(0);
  });

  it('survives a new instance (a reload, a crash): nothing expires, order is kept', async () => {
    const box = new Outbox(db, server(() => 'fail').send);
    const records = Array.from({ length: 5 }, (_, i) => rec(i));
    for (const r of records) await box.add(r);
    db.close();
    db = await openGateDb(name);
    const s = server();
    const again = new Outbox(db, s.send);
    expect(await again.pendingCount()).toBe(5);
    await again.sync();
    expect(s.received.flat().map((r) => r.id)).toEqual(records.map((r) => r.id));
  });

  it('takes records added during a sync in the same run', async () => {
    const s = server();
    const box = new Outbox(db, s.send, { batchSize: 1 });
    await box.add(rec(0));
    const running = box.sync();
    await box.add(rec(1));
    await running;
    expect(await box.pendingCount()).toBe(0);
  });

  it('keeps its count through adds, deliveries and refusals without reading the records again', async () => {
    const bad = rec(2);
    const s = server((r) => (r.id === bad.id ? { id: r.id, status: 'rejected' as const, reason: { code: 'unknown_gate', params: { id: 1 }, message: 'x' } } : { id: r.id, status: 'accepted' as const }));
    const box = new Outbox(db, s.send, { batchSize: 3 });
    for (const r of [rec(0), rec(1), bad, rec(3), rec(4)]) await box.add(r);
    expect(await box.pendingCount()).toBe(5);
    // Counted once; from then on no read of the outbox at all for the count.
    const reads = spyOnReads(db);
    await box.add(rec(5));
    expect(await box.pendingCount()).toBe(6);
    expect(reads()).toBe(0);
    await box.sync();
    expect(await box.pendingCount()).toBe(0);
    expect((await box.rejected()).map((e) => e.id)).toEqual([bad.id]);
    // A new instance (a reload) counts from the index, and agrees.
    await box.add(rec(6));
    expect(await new Outbox(db, s.send).pendingCount()).toBe(1);
    expect(await box.pendingCount()).toBe(1);
  });

  it('counts right when a record is added while it counts', async () => {
    const box = new Outbox(db, server().send);
    for (let i = 0; i < 3; i++) await box.add(rec(i));
    const fresh = new Outbox(db, server().send);
    const [counted] = await Promise.all([fresh.pendingCount(), fresh.add(rec(3))]);
    expect([3, 4]).toContain(counted);
    expect(await fresh.pendingCount()).toBe(4);
  });

  it('sends thousands waiting in order, in batches read from the index', async () => {
    const s = server();
    const box = new Outbox(db, s.send, { batchSize: 200 });
    const records = Array.from({ length: 1200 }, (_, i) => rec(i));
    const tx = db.transaction('outbox', 'readwrite');
    for (const r of records) void tx.store.add({ id: r.id, record: r, createdAt: 0, status: 'pending' });
    await tx.done;
    expect(await box.pendingCount()).toBe(1200);
    await box.sync();
    expect(s.received.map((b) => b.length)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(s.received.flat().map((r) => r.id)).toEqual(records.map((r) => r.id));
    expect(await box.pendingCount()).toBe(0);
  });

  it('an outbox from the previous version keeps every record, counted and sent in order', async () => {
    db.close();
    const old = `outbox-v2-${Math.random()}`;
    const v2 = await openDB(old, 2, {
      upgrade(d) {
        const o = d.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
        o.createIndex('byId', 'id', { unique: true });
        d.createObjectStore('recent', { keyPath: 'id' }).createIndex('byAt', 'at');
        d.createObjectStore('kv');
        d.createObjectStore('photos', { keyPath: 'recordId' });
      },
    });
    const records = Array.from({ length: 4 }, (_, i) => rec(i));
    for (const [i, r] of records.entries()) await v2.add('outbox', { id: r.id, record: r, createdAt: 0, status: i === 1 ? 'rejected' : 'pending' });
    v2.close();
    db = await openGateDb(old);
    const s = server();
    const box = new Outbox(db, s.send);
    expect(await box.pendingCount()).toBe(3);
    expect((await box.rejected()).map((e) => e.id)).toEqual([records[1]!.id]);
    await box.sync();
    expect(s.received.flat().map((r) => r.id)).toEqual([records[0]!.id, records[2]!.id, records[3]!.id]);
  });

  it('refuses the same record id twice', async () => {
    const box = new Outbox(db, server().send);
    const r = rec(0);
    await box.add(r);
    await expect(box.add(r)).rejects.toThrow();
    expect(await box.pendingCount()).toBe(1);
  });
});

describe('the roster on the tablet', () => {
  const payload = (o: Partial<RosterPayload>): RosterPayload => ({
    compound: { id: 1, name: 'x', timezone: 'Asia/Shanghai' },
    version: 1,
    since: null,
    generatedAt: '2026-11-28T00:00:00Z',
    base: 29_000_000,
    policy: { version: 1, rules: {} as RosterPayload['policy']['rules'] },
    keys: [],
    gates: [],
    buildings: [],
    points: [],
    disinfection: { schedules: [], templates: {} as RosterPayload['disinfection']['templates'] },
    households: { id: [10, 1], building: [1, 1], unit: ['1', '1'], room: ['101', '102'], quarantine: [] },
    residents: { id: [100, 1], household: [10, 1], name: ['张*', '李*'], pass: [1000, 1] },
    revokedPasses: [],
    tests: { resident: [100], at: [5000], result: 'n' },
    exits: [],
    passages: { resident: [], at: [], direction: '' },
    removed: { residents: [] },
    ...o,
  });

  it('keeps a snapshot, merges a delta on top, and reloads it after a restart', async () => {
    const answers = [
      payload({}),
      payload({
        version: 2,
        since: 1,
        households: { id: [11], building: [1], unit: ['2'], room: ['201'], quarantine: [[11, '2026-12-05']] },
        residents: { id: [102], household: [11], name: ['王*'], pass: [1002] },
        revokedPasses: [1001],
        tests: { resident: [100], at: [6000], result: 'p' },
        removed: { residents: [101] },
      }),
    ];
    const store = new RosterStore(db, async () => answers.shift()!);
    await store.refresh(1);
    await store.refresh(2);
    const again = new RosterStore(db, async () => {
      throw new Error('offline');
    });
    const s = (await again.load())!;
    expect(s.version).toBe(2);
    expect([...s.residents.keys()]).toEqual([100, 102]);
    expect(s.passes.get(1002)).toBe(102);
    expect(s.passes.has(1001)).toBe(false);
    expect(s.revoked.has(1001)).toBe(true);
    expect(s.households.get(11)?.quarantineUntil).toBe('2026-12-05');
    expect(s.tests.get(100)).toEqual({ sampledAt: (29_000_000 + 6000) * 60_000, result: 'positive' });
  });

  it('falls back to a full snapshot when a delta does not fit its version', async () => {
    const calls: (number | null)[] = [];
    const answers = [payload({}), payload({ version: 9, since: 5 }), payload({ version: 9 })];
    const store = new RosterStore(db, async (since) => {
      calls.push(since);
      return answers.shift()!;
    });
    await store.refresh();
    const s = await store.refresh();
    expect(calls).toEqual([null, 1, null]);
    expect(s.version).toBe(9);
  });
});
