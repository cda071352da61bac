import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../server/app.js';
import { openSqlite } from '../server/db/database.js';
import { openPostgres } from '../server/db/postgres.js';
import { createDeps } from '../server/deps.js';
import { analyzerOf } from '../server/gate/analysis.js';

// A Gatepost server on an existing database file (or a postgres:// URL), in its own process (benchmarks talk to it over HTTP as
// tablets would). Prints "PORT <n>" once listening; stops on SIGTERM. A second argument, JSON, is
// createApp's options (the live feed's caps of a benchmark).
const file = process.argv[2];
if (!file) throw new Error('usage: serve-file.ts <database file> [createApp options as JSON]');
const options = process.argv[3] ? (JSON.parse(process.argv[3]) as Parameters<typeof createApp>[1]) : undefined;
const database = /^postgres(ql)?:\/\//.test(file) ? openPostgres(file) : openSqlite(file);
// WEB_DIST: also serve the built web app (browser benchmarks).
const deps = createDeps(database, { timezone: 'Asia/Shanghai', sessionIdleMinutes: 480, trustProxy: false, secureCookies: false, logRequests: false, dataDir: '', shiftIdleHours: 12 }, { log: () => {}, ...(process.env.WEB_DIST ? { webDist: process.env.WEB_DIST } : {}) });
await deps.keys.currentKid();
const app = createApp(deps, options);
analyzerOf(deps).schedule();
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => {
  console.log(`PORT ${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => {
  server.close();
  database.close().finally(() => process.exit(0));
});
