import http from 'node:http';

// Many dashboards watching one compound's live feed, in a process of their own (so reading what they are
// sent does not slow the benchmark's tablet, which times its syncs in the parent). Driven over IPC by
// live.bench.ts:
//   { open: { url, cid, tokens, perToken, n } } → { opened: ms } | { failed: message }
//   { refusal: { url, cid, token } }             → { refusal: "<status> <code>" }
//   { await: id }                                → { has: id }   once every open dashboard has event `id`
//   { closeAll: true }                           → { stats: { bytes, closed } } of those closed now
//   { stop: true }                               → { stats }, then exits

interface Dashboard {
  req: http.ClientRequest;
  /** The end of what it received so far (enough to hold the last event's id line). */
  tail: string;
  bytes: number;
  /** The server ended the feed (it drops a dashboard that does not keep up). */
  closed: boolean;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const dashboards: Dashboard[] = [];
const waiting = new Set<(d: Dashboard) => void>();
const send = (m: unknown) => process.send!(m);

/** Open one live feed; resolves once the server has said `ready`, rejects with its answer otherwise. */
function openDashboard(url: string, cid: number, token: string): Promise<Dashboard> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/api/compounds/${cid}/live`, { agent, headers: { cookie: `gp_session=${token}` } }, (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => reject(new Error(`${res.statusCode} ${JSON.parse(body || '{}').error?.code}`)));
        return;
      }
      const d: Dashboard = { req, tail: '', bytes: 0, closed: false };
      let ready = false;
      res.on('data', (chunk: Buffer) => {
        d.bytes += chunk.length;
        // Only the end is looked at: decoding all 70 MB a batch brings would take the server's CPU.
        d.tail = (d.tail + chunk.subarray(-400).toString('latin1')).slice(-400);
        if (!ready && d.tail.includes('event: ready')) {
          ready = true;
          resolve(d);
        }
        for (const w of waiting) w(d);
      });
      res.on('error', () => {});
      res.on('close', () => {
        d.closed = true;
        for (const w of waiting) w(d);
      });
    });
    req.on('error', reject);
  });
}

function everyoneHas(id: string): Promise<void> {
  const mark = `id: ${id}\n`;
  const missing = new Set(dashboards.filter((d) => !d.closed && !d.tail.includes(mark)));
  if (!missing.size) return Promise.resolve();
  return new Promise((resolve) => {
    const check = (d: Dashboard) => {
      if (missing.has(d) && (d.closed || d.tail.includes(mark))) missing.delete(d);
      if (!missing.size) {
        waiting.delete(check);
        resolve();
      }
    };
    waiting.add(check);
  });
}

process.on('message', async (m: any) => {
  if (m.open) {
    const { url, cid, tokens, perToken, n } = m.open as { url: string; cid: number; tokens: string[]; perToken: number; n: number };
    const start = performance.now();
    try {
      // Fifty at a time: a page of dashboards opening together, not one socket storm.
      for (let i = 0; i < n; i += 50) {
        dashboards.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => openDashboard(url, cid, tokens[Math.floor((i + k) / perToken)]!)))));
      }
      send({ opened: performance.now() - start });
    } catch (e) {
      send({ failed: (e as Error).message });
    }
  } else if (m.refusal) {
    const { url, cid, token } = m.refusal as { url: string; cid: number; token: string };
    try {
      (await openDashboard(url, cid, token)).req.destroy();
      send({ refusal: 'accepted (!)' });
    } catch (e) {
      send({ refusal: (e as Error).message });
    }
  } else if (m.await) {
    await everyoneHas(m.await);
    send({ has: m.await });
  } else if (m.closeAll || m.stop) {
    const stats = { bytes: dashboards.map((d) => d.bytes), closed: dashboards.filter((d) => d.closed).length };
    for (const d of dashboards.splice(0)) d.req.destroy();
    send({ stats });
    if (m.stop) {
      agent.destroy();
      process.disconnect();
    }
  }
});
