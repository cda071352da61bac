import path from 'node:path';
import { bundled, fmt, median, spawnServer, table } from './lib.js';
import { bigCompound, serverProcess } from './sync.bench.js';

/**
 * The online check: POST /api/device/checks (a volunteer online: the server decides on its live data and
 * records the check) as requests per second at a fixed concurrency, beside a bare Hono app on
 * @hono/node-server doing one INSERT of the same row with the same pragmas (bench/check-bare.ts), in the
 * same run, both servers in their own process. `BENCH_CHECKS` requests a run (1,000), `BENCH_CONCURRENCY` (8).
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const N = Number(process.env.BENCH_CHECKS ?? 1_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

/** N posts with CONCURRENCY in flight: requests per second and the 99th percentile latency. */
async function load(url: string, headers: Record<string, string>, body: (i: number) => unknown): Promise<{ rps: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < N; i = next++) {
        const t = performance.now();
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body(i)) });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`${res.status} ${text}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: N / seconds, p99: latencies[Math.floor(latencies.length * 0.99)]! };
}

export async function run() {
  const env = await bigCompound();
  const file = env.database.file!;
  await env.database.close();
  const app = await serverProcess(file);
  let bare: Awaited<ReturnType<typeof spawnServer>> | null = null;
  try {
    const login = await fetch(`${app.url}/api/device/login`, { method: 'POST', headers: { authorization: `Bearer ${env.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ phone: '13800000001', pin: '123456' }) });
    const { token } = (await login.json()) as { token: string };
    const gate = env.gateIds[0]!;
    const results = { app: [] as { rps: number; p99: number }[], bare: [] as { rps: number; p99: number }[] };
    let k = 0;
    for (let r = 0; r < RUNS; r++) {
      // Each check a different resident (20,000 passes), so no one is turned back as already out.
      const base = k;
      k += N;
      const body = (i: number) => ({ gateId: gate, direction: 'out', code: env.passes[(base + i) % env.passes.length]!.code });
      results.app.push(await load(`${app.url}/api/device/checks`, { authorization: `Bearer ${token}` }, body));
      // The baseline copies a row the app stored: started once there is one.
      bare ??= await spawnServer(await bundled(path.join(import.meta.dirname, 'check-bare.ts')), [file]);
      results.bare.push(await load(`${bare.url}/api/device/checks`, {}, body));
    }
    const [a, b] = [median(results.app.map((x) => x.rps)), median(results.bare.map((x) => x.rps))];
    console.log(`\nOnline check, ${fmt(N)} requests at concurrency ${CONCURRENCY}, median of ${RUNS} runs (servers in their own process):`);
    table([
      ['server', 'req/s (median)', 'p99 ms (median)', 'runs req/s'],
      ['POST /api/device/checks (decide on live data + record)', Math.round(a), fmt(median(results.app.map((x) => x.p99)), 1), results.app.map((x) => Math.round(x.rps)).join(' ')],
      ['bare Hono + one INSERT, same pragmas', Math.round(b), fmt(median(results.bare.map((x) => x.p99)), 1), results.bare.map((x) => Math.round(x.rps)).join(' ')],
    ]);
    console.log(`ratio app / bare = ${fmt(a / b, 2)}  (aim ≥ 0.7)`);
  } finally {
    await app.stop();
    await bare?.stop();
    await env.cleanup().catch(() => {});
  }
}
