import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../server/core/uuid.js';
import { type Client, insertUser, makeTestApp, officeClient, type TestApp } from '../helpers/app.js';
import { buildScene, checkRecord, enrollTablet, placesStandSince, type Scene, sync } from '../helpers/gate.js';

let t: TestApp;
let s: Scene;
let tablet: Client;
let dir: string;

const EVIL = `=cmd|'/c calc'!A1`;

beforeEach(async () => {
  // A database file, so exports run on their own read-only connection as in production.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatepost-export-'));
  // 2026-11-28 16:00 in Shanghai
  t = await makeTestApp({ file: path.join(dir, 'gatepost.db'), now: '2026-11-28T08:00:00.000Z' });
  s = await buildScene(t);
  await placesStandSince(t);
  ({ tablet } = await enrollTablet(t, s.manager, s.compoundId));
});
afterEach(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const H = 3_600_000;

async function seedChecks() {
  // A resident whose name looks like a formula, and awkward text in every free field.
  const evil = (await s.manager.post(`/api/compounds/${s.compoundId}/residents`, { buildingId: s.buildingId, unit: '1', room: '302', name: EVIL, phone: '13900000009' })).body.resident;
  await s.manager.post(`/api/compounds/${s.compoundId}/passes/issue`, {});
  const evilPass = (await s.manager.get(`/api/compounds/${s.compoundId}/passes?residentId=${evil.id}`)).body.passes[0];
  const base = s.now() - 5 * H;
  const records = [
    checkRecord(s, { atMs: base, person: 'zhang', direction: 'out' }),
    checkRecord(s, { atMs: base + H, person: 'li', direction: 'in', gateId: s.gateB }),
    checkRecord(s, {
      atMs: base + 2 * H,
      person: 'zhao',
      verdict: 'deny',
      reasons: [{ code: 'test_missing' }],
      passed: true,
      override: { reason: '就医, 持"纸质"报告\n已登记' },
    }),
    checkRecord(s, { atMs: base + 3 * H, code: evilPass.code, direction: 'out' }),
    checkRecord(s, {
      atMs: base + 4 * H,
      subject: 'visitor',
      code: null,
      direction: 'in',
      visitor: { name: '+SUM(A1:A9)', phone: '13700000000', reason: '@快递\t送件', hostHouseholdId: s.people.wang.householdId },
    }),
    // Yesterday: outside a one-day range.
    checkRecord(s, { atMs: base - 24 * H, person: 'wang' }),
  ];
  const res = await sync(t, tablet, records);
  expect(res.body.results.every((r: any) => r.status === 'accepted')).toBe(true);
  return records;
}

async function download(client: Client, query: string) {
  const res = await t.app.request(`http://localhost/api/exports/${query}`, { headers: { cookie: `gp_session=${client.auth.cookie}`, origin: 'http://localhost' } });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

async function readXlsx(bytes: Uint8Array) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const rows: (string | number | null)[][] = [];
  ws.eachRow((row) => {
    const values: (string | number | null)[] = [];
    for (let i = 1; i <= ws.columnCount; i++) {
      const cell = row.getCell(i);
      expect(cell.formula).toBeFalsy();
      values.push(cell.value === null || cell.value === undefined ? null : (cell.value as string | number));
    }
    rows.push(values);
  });
  return { name: ws.name, rows };
}

describe('exports', () => {
  it('gate checks as CSV: UTF-8 with BOM, CRLF, Chinese headers, the same rows as the database, formulas made inert', async () => {
    await seedChecks();
    const res = await download(s.manager, `gate-checks?from=2026-11-28&to=2026-11-28&compoundId=${s.compoundId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(decodeURIComponent(res.headers.get('content-disposition')!)).toContain('门岗核验记录_崇文佳苑一区_2026-11-28_2026-11-28.csv');
    expect([...res.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(res.bytes);
    expect(text.split('\r\n').length).toBeGreaterThan(5);
    const rows: string[][] = parse(text, { bom: true });
    expect(rows[0]!.slice(0, 6)).toEqual(['时间', '小区', '门岗', '方向', '方式', '姓名']);
    const col = (name: string) => rows[0]!.indexOf(name);
    const body = rows.slice(1);

    const db = await t.database.db
      .selectFrom('gateCheck')
      .select(['id', 'occurredAt'])
      .where('compoundId', '=', s.compoundId)
      .where('occurredAt', '>=', '2026-11-27T16:00:00.000Z')
      .orderBy('occurredAt')
      .execute();
    expect(body.map((r) => r[col('记录编号')])).toEqual(db.map((r) => r.id));
    expect(body.map((r) => r[col('时间')])).toEqual(['2026-11-28 11:00', '2026-11-28 12:00', '2026-11-28 13:00', '2026-11-28 14:00', '2026-11-28 15:00']);
    expect(body.map((r) => r[col('姓名')])).toEqual(['张三', '李四', '赵六', `'${EVIL}`, `'+SUM(A1:A9)`]);
    expect(body.map((r) => r[col('门岗')])).toEqual(['东门', '西门', '东门', '东门', '东门']);
    expect(body.map((r) => r[col('方向')])).toEqual(['出', '进', '出', '出', '进']);
    expect(body[2]![col('核验结论')]).toBe('禁止');
    expect(body[2]![col('原因')]).toBe('无核酸');
    expect(body[2]![col('人工放行原因')]).toBe('就医, 持"纸质"报告\n已登记');
    expect(body[4]![col('访客事由')]).toBe(`'@快递\t送件`);
    expect(body[4]![col('方式')]).toBe('访客');
    expect(body[0]![col('楼栋')]).toBe('1号楼');
    // No cell a spreadsheet would run.
    for (const r of body) for (const v of r) expect(v).not.toMatch(/^[=+\-@\t\r\0]/);
  });

  it('gate checks as XLSX (streamed): the same rows, English headers on request, text cells only where text was', async () => {
    await seedChecks();
    const res = await download(s.manager, `gate-checks?from=2026-11-27&to=2026-11-28&format=xlsx&lang=en`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const { name, rows } = await readXlsx(res.bytes);
    expect(name).toBe('Gate checks');
    expect(rows[0]!.slice(0, 4)).toEqual(['Time', 'Compound', 'Gate', 'Direction']);
    const col = (n: string) => rows[0]!.indexOf(n);
    const body = rows.slice(1);
    expect(body).toHaveLength(6);
    expect(body.map((r) => r[col('Name')])).toEqual(['王五', '张三', '李四', '赵六', `'${EVIL}`, `'+SUM(A1:A9)`]);
    expect(body[3]![col('Verdict')]).toBe('Deny');
    expect(body[3]![col('Passed')]).toBe('yes');
    expect(body[0]![col('Policy version')]).toBe(1);
    expect(body[0]![col('Compound')]).toBe('崇文佳苑一区');
  });

  it('daily summaries, disinfection records and shift logs, each checked against what was recorded', async () => {
    const shiftId = uuidv7(s.now() - 6 * H);
    const finished = new Date(Date.parse('2026-11-28T06:40:00+08:00')).toISOString();
    await sync(t, tablet, [
      { kind: 'shift_start', id: shiftId, at: new Date(s.now() - 6 * H).toISOString(), gateId: s.gateA, volunteerId: s.volunteerId },
      checkRecord(s, { atMs: s.now() - 5 * H, shiftId }),
      checkRecord(s, { atMs: s.now() - 4 * H, person: 'zhao', verdict: 'deny', reasons: [{ code: 'test_missing' }], passed: false, shiftId }),
      { kind: 'shift_end', id: uuidv7(s.now() - H), at: new Date(s.now() - H).toISOString(), shiftId, volunteerId: s.volunteerId, handoverNote: `-交接：${EVIL}` },
      {
        kind: 'disinfection',
        id: uuidv7(Date.parse(finished)),
        at: finished,
        volunteerId: s.volunteerId,
        target: { kind: 'building', id: s.buildingId },
        slotDate: '2026-11-28',
        slotTime: '06:00',
        status: 'done',
        items: [
          { key: 'public', label: '公共区域', done: true },
          { key: 'trash', label: '垃圾桶', done: true },
        ],
        disinfectant: '含氯消毒剂',
        concentration: '500 mg/L',
        note: '=1+1',
        skipReason: null,
        startedAt: new Date(Date.parse(finished) - 15 * 60_000).toISOString(),
        finishedAt: finished,
        via: 'placard',
      },
    ]);

    const daily = parse(new TextDecoder().decode((await download(s.manager, 'daily-summaries?from=2026-11-27&to=2026-11-28')).bytes), { bom: true, columns: true }) as Record<string, string>[];
    expect(daily.map((d) => d['日期'])).toEqual(['2026-11-27', '2026-11-28']);
    expect(daily[1]).toMatchObject({ 小区: '崇文佳苑一区', 进: '0', 出: '1', 劝返: '1', 禁止: '1', 应消杀轮次: '4', 按时完成: '1', 漏消: '1' }); // 10:00 missed; 14:00 still due at 16:00
    expect(daily[0]).toMatchObject({ 出: '0', 应消杀轮次: '4', 漏消: '4' });

    const dis = parse(new TextDecoder().decode((await download(s.manager, 'disinfection?from=2026-11-28&to=2026-11-28')).bytes), { bom: true, columns: true }) as Record<string, string>[];
    expect(dis).toHaveLength(1);
    expect(dis[0]).toMatchObject({ 时段: '06:00', '楼栋/点位': '1号楼', 状态: '已消杀', 消毒区域: '公共区域、垃圾桶', 浓度: '500 mg/L', 备注: "'=1+1", 消杀人: '张志愿', 完成时间: '2026-11-28 06:40', 照片: '否' });

    const shifts = parse(new TextDecoder().decode((await download(s.manager, 'shifts?from=2026-11-28&to=2026-11-28&format=csv')).bytes), { bom: true, columns: true }) as Record<string, string>[];
    expect(shifts).toHaveLength(1);
    expect(shifts[0]).toMatchObject({ 门岗: '东门', 志愿者: '张志愿', 上岗时间: '2026-11-28 10:00', 交班时间: '2026-11-28 15:00', 核验总数: '2', 出: '1', 劝返: '1', 交接备注: `'-交接：${EVIL}` });
  });

  it('is for office roles in scope only, refuses bad ranges with a clear error, and every export is audited', async () => {
    await seedChecks();
    // A volunteer on a tablet cannot export.
    const v = await tablet.post('/api/device/login', { phone: '13800000001', pin: '123456' });
    const volunteer = t.client({ bearer: v.body.token });
    const refused = await volunteer.get(`/api/exports/gate-checks?from=2026-11-28&to=2026-11-28&compoundId=${s.compoundId}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await tablet.get('/api/exports/gate-checks?from=2026-11-28&to=2026-11-28')).status).toBe(403);

    // A manager of compound A gets 403 on B, and "all" means their own compounds.
    expect((await s.manager.get(`/api/exports/gate-checks?from=2026-11-28&to=2026-11-28&compoundId=${s.otherCompoundId}`)).status).toBe(403);
    await insertUser(t, { role: 'manager', username: 'mgrB', password: 'correct horse battery', compoundIds: [s.otherCompoundId] });
    const mgrB = await officeClient(t, 'mgrB');
    const theirs = parse(new TextDecoder().decode((await download(mgrB, 'gate-checks?from=2026-11-28&to=2026-11-28')).bytes), { bom: true });
    expect(theirs).toHaveLength(1); // headers only: none of A's checks
    await insertUser(t, { role: 'supervisor', username: 'super', password: 'correct horse battery' });
    const sup = await officeClient(t, 'super');
    const all = parse(new TextDecoder().decode((await download(sup, 'gate-checks?from=2026-11-28&to=2026-11-28')).bytes), { bom: true });
    expect(all).toHaveLength(6);

    // Bad input: a clear 400 that says what to fix.
    const backwards = await s.manager.get('/api/exports/gate-checks?from=2026-11-28&to=2026-11-01');
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toMatch(/"to" must be on or after "from"/);
    expect((await s.manager.get('/api/exports/gate-checks?from=2026-02-30&to=2026-03-01')).status).toBe(400);
    expect((await s.manager.get('/api/exports/residents?from=2026-11-28&to=2026-11-28')).status).toBe(400);
    expect((await s.manager.get('/api/exports/gate-checks?from=2020-01-01&to=2026-11-28')).status).toBe(400);

    expect((await s.manager.get('/api/exports/gate-checks?from=9999-12-31&to=9999-12-31')).status).toBe(400);

    // A HEAD (download managers ask first) reads nothing and exports nothing.
    const head = await t.app.request('http://localhost/api/exports/gate-checks?from=2026-11-28&to=2026-11-28&format=xlsx', {
      method: 'HEAD',
      headers: { cookie: `gp_session=${s.manager.auth.cookie}`, origin: 'http://localhost' },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toContain('spreadsheetml');

    // Each export is in the audit log once per compound it held: mgrB's of B, the supervisor's of A and B.
    const audit = await t.database.db.selectFrom('auditLog').select(['userId', 'compoundId', 'details']).where('action', '=', 'export').orderBy('id').execute();
    expect(audit.map((a) => a.compoundId)).toEqual([s.otherCompoundId, s.compoundId, s.otherCompoundId]);
    expect(JSON.parse(audit[0]!.details!)).toMatchObject({ dataset: 'gate-checks', format: 'csv', from: '2026-11-28', compoundIds: [s.otherCompoundId] });
    expect(JSON.parse(audit[1]!.details!).compoundIds).toHaveLength(2);
  });
});
