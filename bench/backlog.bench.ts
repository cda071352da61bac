import SQLite from 'better-sqlite3';
import { ingestBatch } from '../server/gate/ingest.js';
import { bigCompound, records, serverProcess } from './sync.bench.js';
import { fmt, median, table } from './lib.js';

/**
 * A server restarted with a backlog in the analysis queue (what a crash under sync load leaves): while it
 * re-runs the rules on thousands of stored batches, /healthz and tablets' syncs must still be answered at
 * once. Prints their latencies while the queue drains, beside the aim, and that the queue empties.
 */
const BATCHES = Number(process.env.BENCH_BACKLOG ?? 2_000);
const PER_BATCH = 5;

const queueLength = (file: string) => {
  const conn = new SQLite(file, { readonly: true });
  const n = (conn.prepare('select count(*) as n from analysis_queue').get() as { n: number }).n;
  conn.close();
  return n;
};

async function timed(fn: () => Promise<Response>): Promise<number> {
  const start = performance.now();
  const res = await fn();
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return performance.now() - start;
}

export async function run() {
  console.log(`Setting up a compound, then ${fmt(BATCHES)} synced batches of ${PER_BATCH} checks whose analysis has not run…`);
  const env = await bigCompound();
  const device = { id: env.deviceId, compoundId: env.cid, name: '东门平板' };
  for (let b = 0; b < BATCHES; b++) {
    await ingestBatch(env.deps, device, { sentAt: new Date().toISOString(), records: records(env, 1_000 + b, PER_BATCH) });
  }
  const file = env.database.file!;
  await env.database.close();
  const backlog = queueLength(file);

  const server = await serverProcess(file); // schedules the catch-up at start, as npm start does
  const start = performance.now();
  const health: number[] = [];
  const syncs: number[] = [];
  let run = 0;
  let left = backlog;
  while (left > 0) {
    health.push(await timed(() => fetch(`${server.url}/healthz`)));
    if (health.length % 10 === 0) {
      const body = JSON.stringify({ sentAt: new Date().toISOString(), records: records(env, 100_000 + run++, 200) });
      syncs.push(await timed(() => fetch(`${server.url}/api/device/sync`, { method: 'POST', headers: { authorization: `Bearer ${env.token}`, 'content-type': 'application/json' }, body })));
    }
    await new Promise((r) => setTimeout(r, 20));
    left = queueLength(file);
  }
  const drained = (performance.now() - start) / 1000;
  await server.stop();
  await env.cleanup();

  const max = (xs: number[]) => Math.max(...xs);
  console.log(`\nBacklog of ${fmt(backlog)} batches (${fmt(backlog * PER_BATCH)} checks), drained in ${fmt(drained, 1)} s while being asked:`);
  table([
    ['request', 'count', 'median ms', 'max ms', 'aim'],
    ['GET /healthz', health.length, fmt(median(health), 1), fmt(max(health), 1), 'answered within ~50 ms throughout'],
    ['POST /api/device/sync, 200 checks', syncs.length, fmt(median(syncs), 1), fmt(max(syncs), 1), 'within ~50 ms + its own work'],
  ]);
  console.log(`queue empty at the end: ${left === 0 ? 'yes' : `no (${left} left)`}`);
}
