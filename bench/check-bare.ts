import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import SQLite from 'better-sqlite3';
import { Hono } from 'hono';
import { uuidv7 } from '../server/core/uuid.js';

// The baseline of the online check: a bare Hono app on @hono/node-server that stores the check as ONE
// INSERT of a gate_check row like the ones the app stores (a template row read from the file, with the
// request's gate, direction and code and a new id), same pragmas as the app's writer (WAL,
// synchronous=FULL, foreign keys). Prints "PORT <n>".
const file = process.argv[2]!;
const conn = new SQLite(file);
conn.pragma('journal_mode = WAL');
conn.pragma('synchronous = FULL');
conn.pragma('foreign_keys = ON');
conn.pragma('busy_timeout = 5000');
const template = conn.prepare('select * from gate_check limit 1').get() as Record<string, unknown>;
const cols = Object.keys(template);
const insert = conn.prepare(`insert into gate_check (${cols.join(',')}) values (${cols.map((c) => `@${c}`).join(',')})`);
const app = new Hono().post('/api/device/checks', async (c) => {
  const body = (await c.req.json()) as { gateId: number; direction: string; code: string };
  const id = uuidv7();
  const now = new Date().toISOString();
  insert.run({ ...template, id, gate_id: body.gateId, direction: body.direction, code: body.code, occurred_at: now, received_at: now });
  return c.json({ id, status: 'accepted' });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => console.log(`PORT ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => {
  server.close();
  conn.close();
  process.exit(0);
});
