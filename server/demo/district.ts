import type { Db } from '../db/database.js';
import { chineseName, mobile } from './names.js';
import type { Random } from './random.js';

/** The demo's compounds (the model: Jinghe New City, Xi'an) and how big each is. */
export const DEMO_COMPOUNDS = [
  { name: '崇文佳苑一区', buildings: 36, gates: ['东门', '西门', '南门'] },
  { name: '崇文佳苑三区', buildings: 34, gates: ['北门', '南门'] },
  { name: '崇文佳苑八区', buildings: 32, gates: ['东门', '北门'] },
  { name: '崇文尚学', buildings: 30, gates: ['正门', '侧门'] },
  { name: '瀛洲新苑', buildings: 36, gates: ['东门', '西门', '北门', '南门'] },
  { name: '泾河湾', buildings: 32, gates: ['东门', '西门'] },
] as const;

export const DEMO_PASSWORD = 'gatepost-demo';
export const DEMO_PIN = '123456';

/** Insert many rows in chunks that stay under every dialect's parameter limit. */
export async function insertChunked<T extends Record<string, unknown>>(db: Db, table: string, rows: T[], size = 400): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const r = await db
      .insertInto(table as 'resident')
      .values(rows.slice(i, i + size) as any)
      .returning('id')
      .execute();
    ids.push(...r.map((x) => x.id));
  }
  return ids;
}

export interface DistrictSummary {
  compounds: { id: number; name: string; gateIds: number[]; buildingIds: number[] }[];
  buildings: number;
  households: number;
  residents: number;
  logins: { role: string; login: string; secret: string; scope: string }[];
}

/** Compounds, gates, buildings, points, households, residents and a user of every role. */
export async function seedDistrict(
  db: Db,
  rng: Random,
  opts: { at: string; timezone: string; passwordHash: string; pinHash: string },
): Promise<DistrictSummary> {
  const at = opts.at;
  const stamp = { createdAt: at, updatedAt: at };
  const summary: DistrictSummary = { compounds: [], buildings: 0, households: 0, residents: 0, logins: [] };

  const user = async (u: { role: string; username?: string; phone?: string; displayName: string; compoundIds: number[] }) => {
    const r = await db
      .insertInto('user')
      .values({
        username: u.username ?? null,
        phone: u.phone ?? null,
        displayName: u.displayName,
        role: u.role,
        passwordHash: u.username ? opts.passwordHash : null,
        pinHash: u.phone ? opts.pinHash : null,
        ...stamp,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (u.compoundIds.length) await db.insertInto('userCompound').values(u.compoundIds.map((compoundId) => ({ userId: r.id, compoundId }))).execute();
  };

  await user({ role: 'admin', username: 'admin', displayName: '系统管理员', compoundIds: [] });
  await user({ role: 'supervisor', username: 'supervisor', displayName: '街道督导组', compoundIds: [] });
  summary.logins.push(
    { role: 'admin', login: 'admin', secret: DEMO_PASSWORD, scope: 'all' },
    { role: 'supervisor', login: 'supervisor', secret: DEMO_PASSWORD, scope: 'all (read + export)' },
  );

  let ci = 0;
  for (const spec of DEMO_COMPOUNDS) {
    ci++;
    const compound = await db.insertInto('compound').values({ name: spec.name, timezone: opts.timezone, ...stamp }).returning('id').executeTakeFirstOrThrow();
    const cid = compound.id;
    const gateIds = await insertChunked(db, 'gate', spec.gates.map((name) => ({ compoundId: cid, name, ...stamp })));
    // Low-rise blocks (6 floors, no lift, 3 stairwells) and towers (11 or 18 floors, a lift or two per unit).
    const buildings = Array.from({ length: spec.buildings }, (_, i) => {
      const floorCount = rng.pick([6, 11, 18]);
      const unitCount = floorCount === 6 ? 3 : rng.int(1, 3);
      return {
        compoundId: cid,
        name: `${i + 1}号楼`,
        unitCount,
        floorCount,
        elevatorCount: floorCount > 6 ? unitCount * rng.int(1, 2) : 0,
        ...stamp,
      };
    });
    const buildingIds = await insertChunked(db, 'building', buildings);
    await insertChunked(db, 'point', [
      ...Array.from({ length: rng.int(1, 2) }, (_, i) => ({ compoundId: cid, name: `核酸采样点${i + 1}`, kind: 'sampling', ...stamp })),
      ...spec.gates.map((g) => ({ compoundId: cid, name: `${g}岗亭`, kind: 'gate', ...stamp })),
    ]);

    // About 30 households per building: each unit gets a handful of floors occupied, two rooms a floor.
    const households: { compoundId: number; buildingId: number; unit: string; room: string; quarantineUntil: string | null; quarantineNote: string | null; createdAt: string; updatedAt: string }[] = [];
    buildings.forEach((b, i) => {
      const target = rng.int(28, 34);
      const slots: [string, string][] = [];
      for (let u = 1; u <= b.unitCount; u++) {
        for (let f = 1; f <= b.floorCount; f++) for (let r = 1; r <= 2; r++) slots.push([String(u), `${f}${String(r).padStart(2, '0')}`]);
      }
      const count = Math.min(target, slots.length);
      for (let k = 0; k < count; k++) {
        const [unit, room] = slots.splice(rng.int(0, slots.length - 1), 1)[0]!;
        households.push({ compoundId: cid, buildingId: buildingIds[i]!, unit, room, quarantineUntil: null, quarantineNote: null, ...stamp });
      }
    });
    const householdIds = await insertChunked(db, 'household', households);
    const residents: { compoundId: number; householdId: number; name: string; phone: string | null; note: string | null; deletedAt: string | null; createdAt: string; updatedAt: string }[] = [];
    for (const householdId of householdIds) {
      const size = rng.weighted([[1, 6], [2, 20], [3, 30], [4, 27], [5, 17]] as const);
      const surname = chineseName(rng).slice(0, 1);
      for (let k = 0; k < size; k++) {
        const name = k < 2 || rng.chance(0.3) ? chineseName(rng) : surname + chineseName(rng).slice(1);
        residents.push({ compoundId: cid, householdId, name, phone: rng.chance(0.85) ? mobile(rng) : null, note: null, deletedAt: null, ...stamp });
      }
    }
    await insertChunked(db, 'resident', residents);

    await user({ role: 'manager', username: `manager${ci}`, displayName: `${spec.name}物业经理`, compoundIds: [cid] });
    summary.logins.push({ role: 'manager', login: `manager${ci}`, secret: DEMO_PASSWORD, scope: spec.name });
    for (let v = 1; v <= 5; v++) {
      const phone = `1380${ci}00000${v}`;
      await user({ role: 'volunteer', phone, displayName: chineseName(rng), compoundIds: [cid] });
      if (v === 1) summary.logins.push({ role: 'volunteer', login: phone, secret: `PIN ${DEMO_PIN}`, scope: `${spec.name} (and ${phone.slice(0, -1)}2…5)` });
    }

    summary.compounds.push({ id: cid, name: spec.name, gateIds, buildingIds });
    summary.buildings += buildings.length;
    summary.households += households.length;
    summary.residents += residents.length;
  }
  return summary;
}
