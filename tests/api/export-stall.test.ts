import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { csvStream } from '../../server/exports/format.js';
import { ingestBatch } from '../../server/gate/ingest.js';
import { makeTestApp, ORIGIN, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, type Scene } from '../helpers/gate.js';

let t: TestApp;
let s: Scene;
let dir: string;
let released: number;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatepost-stall-'));
  t = await makeTestApp({ file: path.join(dir, 'gatepost.db'), now: '2026-11-28T08:00:00.000Z' });
  s = await buildScene(t);
  const { deviceId } = await enrollTablet(t, s.manager, s.compoundId);
  // Enough rows that an export is several chunks long (stored as a sync stores them; not analysed).
  const people = ['zhang', 'li', 'wang', 'zhao'] as const;
  const records = Array.from({ length: 2000 }, (_, i) => checkRecord(s, { atMs: s.now() - 6 * 3_600_000 + i * 1_000, person: people[i % 4], direction: i % 8 < 4 ? 'out' : 'in' }));
  const ack = await ingestBatch(t.deps, { id: deviceId, compoundId: s.compoundId, name: 'x' }, { sentAt: t.clock.now.toISOString(), records });
  expect(ack.accepted.length).toBe(2000);
  // Count the export connections given back.
  released = 0;
  const longReader = t.database.longReader.bind(t.database);
  t.database.longReader = () => {
    const r = longReader();
    return { ...r, release: async () => { released++; await r.release(); } };
  };
});
afterEach(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const download = (app: ReturnType<typeof createApp>, format: 'csv' | 'xlsx') =>
  app.request(`${ORIGIN}/api/exports/gate-checks?from=2026-11-28&to=2026-11-28&compoundId=${s.compoundId}&format=${format}`, {
    headers: { cookie: `gp_session=${s.manager.auth.cookie}`, origin: ORIGIN },
  });

describe('a download whose client stops reading', () => {
  it.each(['csv', 'xlsx'] as const)('%s: is ended after the stall time, and its read connection is given back', async (format) => {
    const app = createApp(t.deps, { stalledDownloadMs: 300 });
    const res = await download(app, format);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    // The client stops reading.
    await new Promise((r) => setTimeout(r, 900));
    expect(released).toBe(1);
    await expect(reader.read()).rejects.toThrow(/read nothing for/);
  });

  it('a client that keeps reading gets the whole file however long it takes', async () => {
    const app = createApp(t.deps, { stalledDownloadMs: 300 });
    const res = await download(app, 'csv');
    const reader = res.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      text += decoder.decode(next.value, { stream: true });
      await new Promise((r) => setTimeout(r, 100)); // slow, but reading
    }
    expect(text.trim().split('\r\n').length).toBe(2001);
    expect(released).toBe(1);
  });
});

describe('a download read a trickle at a time', () => {
  it('is ended once it has lasted the longest a download may, and its source closed', async () => {
    let closed = false;
    async function* endless() {
      try {
        for (let i = 0; ; i++) yield { n: i };
      } finally {
        closed = true;
      }
    }
    let ended: number | null | undefined;
    const stream = csvStream([{ zh: '号', en: 'n', value: (r: { n: number }) => r.n }], endless(), { lang: 'en', stallMs: 1_000, maxMs: 300, onEnd: (n) => {
        ended = n;
      },
    });
    const reader = stream.getReader();
    const read = async () => {
      for (;;) {
        await reader.read();
        await new Promise((r) => setTimeout(r, 50)); // reads often enough never to stall
      }
    };
    await expect(read()).rejects.toThrow(/took longer than/);
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(true);
    expect(ended).toBeNull();
  });
});

describe('downloads at once', () => {
  it('one person may run 3; the 4th is a 429 that says to let one finish, and a finished one frees its place', async () => {
    const app = createApp(t.deps);
    const open = [];
    for (let i = 0; i < 3; i++) {
      const res = await download(app, 'csv');
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      await reader.read(); // started, then left unread
      open.push(reader);
    }
    const fourth = await download(app, 'csv');
    expect(fourth.status).toBe(429);
    const body = await fourth.json();
    expect(body.error).toMatchObject({ code: 'too_many_exports', message: expect.stringContaining('let one finish') });
    await open[0]!.cancel();
    await new Promise((r) => setTimeout(r, 50));
    const again = await download(app, 'csv');
    expect(again.status).toBe(200);
    await again.body!.cancel();
    for (const r of open.slice(1)) await r.cancel();
  });
});
