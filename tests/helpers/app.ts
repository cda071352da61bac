import type { Hono } from 'hono';
import { createApp } from '../../server/app.js';
import { hashSecret } from '../../server/auth/secrets.js';
import { signingKeys } from '../../server/codes/keys.js';
import { openSqlite, type Database } from '../../server/db/database.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import type { AppDeps } from '../../server/deps.js';
import type { AppEnv } from '../../server/http/context.js';
import type { Role } from '../../server/auth/actor.js';
import { TestClock } from './clock.js';
import { freshPostgres, TEST_DB } from './postgres.js';

/** Cheap scrypt for tests (the production cost is tested on its own). */
export const TEST_COST = 10;
export const ORIGIN = 'http://localhost';

export interface TestApp {
  app: Hono<AppEnv>;
  deps: AppDeps;
  database: Database;
  clock: TestClock;
  client(auth?: { cookie?: string; bearer?: string }): Client;
  close(): Promise<void>;
}

/**
 * A fresh app on a fresh database built through the real migrations: SQLite (in memory, or in `file`),
 * or in the 'api-pg' pass (TEST_DB) a PostgreSQL database of its own, dropped by `close()`. `file` only
 * says where SQLite keeps it; a test that needs SQLite itself checks `t.database.kind`.
 */
export async function makeTestApp(opts: { file?: string; now?: string; database?: Database } = {}): Promise<TestApp> {
  let drop: (() => Promise<void>) | undefined;
  let database: Database;
  if (opts.database) database = opts.database;
  // A test that names a file is about SQLite's file (backups, its bytes): SQLite in either pass.
  else if (TEST_DB === 'postgres' && !opts.file) {
    const pg = await freshPostgres({ migrated: true });
    database = pg.database;
    drop = pg.drop;
  } else database = openSqlite(opts.file ?? ':memory:');
  await migrateToLatest(database);
  const clock = new TestClock(opts.now);
  const deps: AppDeps = {
    database,
    config: {
      timezone: 'Asia/Shanghai',
      sessionIdleMinutes: 480,
      trustProxy: false,
      secureCookies: false,
      logRequests: false,
      dataDir: '/nonexistent',
      shiftIdleHours: 12,
    },
    now: () => clock.now,
    keys: signingKeys(database.db, () => clock.now),
    passwordCost: TEST_COST,
    version: 'test',
    log: (line) => {
      if (line.startsWith('ERROR')) console.error(line);
    },
  };
  const app = createApp(deps);
  return {
    app,
    deps,
    database,
    clock,
    client: (auth) => new Client(app, auth),
    close: () => (drop ? drop() : database.close()),
  };
}

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the app in-process, the way a browser on our origin would (Origin header, session cookie). */
export class Client {
  constructor(
    private app: Hono<AppEnv>,
    public auth: { cookie?: string | undefined; bearer?: string | undefined } = {},
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
    const h: Record<string, string> = { origin: ORIGIN, ...headers };
    if (this.auth.cookie) h.cookie = `gp_session=${this.auth.cookie}`;
    if (this.auth.bearer) h.authorization = `Bearer ${this.auth.bearer}`;
    let payload: BodyInit | undefined;
    if (body instanceof FormData || body instanceof Blob || body instanceof Uint8Array || typeof body === 'string') payload = body as BodyInit;
    else if (body !== undefined) {
      h['content-type'] ??= 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await this.app.request(`${ORIGIN}${path}`, { method, headers: h, body: payload });
    const cookie = res.headers.get('set-cookie')?.match(/gp_session=([^;]*)/)?.[1];
    if (cookie !== undefined) this.auth.cookie = cookie || undefined;
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }
  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }
  patch<T = any>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }
}

/** Test data builders: the real tables, sensible defaults, overrides for what a test is about. */
export async function insertUser(
  t: TestApp,
  o: { role: Role; username?: string; password?: string; phone?: string; pin?: string; displayName?: string; compoundIds?: number[] },
): Promise<number> {
  const at = t.clock.now.toISOString();
  const r = await t.database.db
    .insertInto('user')
    .values({
      username: o.username ?? null,
      phone: o.phone ?? null,
      displayName: o.displayName ?? o.username ?? o.phone ?? o.role,
      role: o.role,
      passwordHash: o.password ? await hashSecret(o.password, TEST_COST) : null,
      pinHash: o.pin ? await hashSecret(o.pin, TEST_COST) : null,
      createdAt: at,
      updatedAt: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (o.compoundIds?.length) {
    await t.database.db.insertInto('userCompound').values(o.compoundIds.map((compoundId) => ({ userId: r.id, compoundId }))).execute();
  }
  return r.id;
}

export async function insertCompound(t: TestApp, o: { name?: string; timezone?: string } = {}): Promise<number> {
  const at = t.clock.now.toISOString();
  const r = await t.database.db
    .insertInto('compound')
    .values({ name: o.name ?? `小区${Math.random().toString(36).slice(2, 7)}`, timezone: o.timezone ?? 'Asia/Shanghai', createdAt: at, updatedAt: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export const PASSWORD = 'correct horse battery';

/** Sign in an office user through the real endpoint; returns a client carrying the session cookie. */
export async function officeClient(t: TestApp, username: string, password = PASSWORD): Promise<Client> {
  const c = t.client();
  const r = await c.post('/api/auth/login', { username, password });
  if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
  return c;
}

/**
 * The standard cast: two compounds A and B; an admin, a supervisor, a manager of A, a volunteer of A.
 * Every role test starts here.
 */
export async function seedCast(t: TestApp) {
  const a = await insertCompound(t, { name: '崇文佳苑一区' });
  const b = await insertCompound(t, { name: '瀛洲新苑' });
  await insertUser(t, { role: 'admin', username: 'admin', password: PASSWORD });
  await insertUser(t, { role: 'supervisor', username: 'super', password: PASSWORD });
  await insertUser(t, { role: 'manager', username: 'mgrA', password: PASSWORD, compoundIds: [a] });
  await insertUser(t, { role: 'manager', username: 'mgrB', password: PASSWORD, compoundIds: [b] });
  const volunteer = await insertUser(t, { role: 'volunteer', phone: '13800000001', pin: '123456', displayName: '张小三', compoundIds: [a] });
  return { a, b, volunteer };
}
