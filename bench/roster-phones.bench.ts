import { generateKeyPairSync } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { buildRoster } from '../server/roster/service.js';
import { makeTestApp } from '../tests/helpers/app.js';
import { fmt, table } from './lib.js';

/**
 * What phone passes cost the roster a tablet downloads: the gzipped snapshot of a compound of N residents
 * with passes, with no phone bound and with every pass bound to a phone (a random 32-byte Ed25519 key
 * each, which no compression can shrink). The target: a phone adds at most its own 32 bytes (plus its
 * pass id) per activated pass. Sizes, not times: the figure does not depend on the machine.
 */
const SIZES = (process.env.BENCH_RESIDENTS ?? '1000,5000').split(',').map(Number);

async function rosterBytes(residents: number, phones: number): Promise<number> {
  const t = await makeTestApp();
  const db = t.database.db;
  const at = t.clock.now.toISOString();
  const c = await db.insertInto('compound').values({ name: '崇文佳苑一区', timezone: 'Asia/Shanghai', createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow();
  const b = await db.insertInto('building').values({ compoundId: c.id, name: '1号楼', createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow();
  const family = ['张', '李', '王', '赵', '刘', '陈', '杨', '黄'];
  for (let i = 0; i < residents; i += 500) {
    const n = Math.min(500, residents - i);
    const hs = await db
      .insertInto('household')
      .values(Array.from({ length: n }, (_, k) => ({ compoundId: c.id, buildingId: b.id, unit: String(((i + k) % 6) + 1), room: String(1000 + i + k), createdAt: at, updatedAt: at })))
      .returning('id')
      .execute();
    const rs = await db
      .insertInto('resident')
      .values(hs.map((h, k) => ({ compoundId: c.id, householdId: h.id, name: `${family[(i + k) % 8]}三${i + k}`, createdAt: at, updatedAt: at })))
      .returning('id')
      .execute();
    const ps = await db
      .insertInto('pass')
      .values(rs.map((r) => ({ compoundId: c.id, residentId: r.id, code: '', status: 'active' as const, issuedAt: at })))
      .returning('id')
      .execute();
    const bound = ps.filter((_, k) => i + k < phones);
    if (!bound.length) continue;
    const acts = await db
      .insertInto('phoneActivation')
      .values(bound.map((p) => ({ compoundId: c.id, passId: p.id, tokenHash: `h${p.id}`, createdAt: at, expiresAt: at, usedAt: at })))
      .returning(['id', 'passId'])
      .execute();
    await db
      .insertInto('phoneBinding')
      .values(acts.map((a) => ({ compoundId: c.id, passId: a.passId, activationId: a.id, boundAt: at, publicKey: generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x! })))
      .execute();
  }
  const payload = await buildRoster(t.deps, c.id, null);
  const bytes = gzipSync(JSON.stringify(payload)).length;
  await t.close();
  return bytes;
}

export async function run() {
  const rows: (string | number)[][] = [['residents', 'no phones (gzip B)', 'all bound (gzip B)', 'per phone (B)', 'target']];
  for (const n of SIZES) {
    const without = await rosterBytes(n, 0);
    const withPhones = await rosterBytes(n, n);
    rows.push([fmt(n), fmt(without), fmt(withPhones), fmt((withPhones - without) / n, 1), '≤ 32 + its pass id']);
  }
  table(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
