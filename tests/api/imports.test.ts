import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Client, insertUser, makeTestApp, officeClient, PASSWORD, type TestApp } from '../helpers/app.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
const fixture = (name: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));

let t: TestApp;
let mgr: Client;
let cid: number;

beforeEach(async () => {
  t = await makeTestApp();
  await insertUser(t, { role: 'admin', username: 'admin', password: PASSWORD });
  const admin = await officeClient(t, 'admin');
  cid = (await admin.post('/api/compounds', { name: '崇文佳苑三区' })).body.compound.id;
  await insertUser(t, { role: 'manager', username: 'mgr', password: PASSWORD, compoundIds: [cid] });
  mgr = await officeClient(t, 'mgr');
  await mgr.post(`/api/compounds/${cid}/buildings`, { name: '1号楼', unitCount: 2 });
  await mgr.post(`/api/compounds/${cid}/buildings`, { name: '2号楼', unitCount: 2 });
});
afterEach(() => t.close());

function upload(pathName: string, file: { name: string; bytes: Uint8Array }, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.append('file', new File([file.bytes as Uint8Array<ArrayBuffer>], file.name));
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return mgr.request('POST', `/api/compounds/${cid}/${pathName}`, form);
}

const residents = async () =>
  (await t.database.db.selectFrom('resident').innerJoin('household', 'household.id', 'resident.householdId').select(['resident.name', 'resident.phone', 'household.unit', 'household.room']).orderBy('resident.id').execute());

describe('resident import', () => {
  it.each([
    ['GB18030 (Excel/WPS on Chinese Windows)', 'residents-gb18030.csv'],
    ['UTF-8 with BOM', 'residents-utf8-bom.csv'],
  ])('reads %s and reports every row', async (_, file) => {
    const r = await upload('imports/residents', { name: file, bytes: fixture(file) });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ created: 4, updated: 0, rejected: 0, applied: true });
    expect(r.body.rows.map((x: any) => [x.line, x.status])).toEqual([[2, 'created'], [3, 'created'], [4, 'created'], [5, 'created']]);
    expect(await residents()).toEqual([
      { name: '张三', phone: '13900000001', unit: '1', room: '301' },
      { name: '李四', phone: '13900000002', unit: '1', room: '301' },
      { name: '王五', phone: '13900000003', unit: '2', room: '502' },
      // A name that looks like a spreadsheet formula is data: stored exactly as written.
      { name: "=cmd|'/c calc'!A1", phone: null, unit: '2', room: '601' },
    ]);
    const audit = await t.database.db.selectFrom('auditLog').select('details').where('action', '=', 'resident.import').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details!)).toMatchObject({ file, created: 4 });
  });

  it('reads UTF-8 without a BOM, and importing the same file again changes nothing', async () => {
    const bytes = fixture('residents-utf8-bom.csv').subarray(3);
    await upload('imports/residents', { name: 'a.csv', bytes });
    const again = await upload('imports/residents', { name: 'a.csv', bytes });
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 4, applied: true });
    expect((await residents()).length).toBe(4);
  });

  it('updates a phone number that changed', async () => {
    await upload('imports/residents', { name: 'a.csv', bytes: fixture('residents-gb18030.csv') });
    const csv = '楼栋,单元,房号,姓名,手机号\n1号楼,1,301,张三,13911111111\n';
    const r = await upload('imports/residents', { name: 'b.csv', bytes: new TextEncoder().encode(csv) });
    expect(r.body.rows).toEqual([expect.objectContaining({ line: 2, status: 'updated', name: '张三' })]);
    expect((await residents())[0]!.phone).toBe('13911111111');
  });

  it('a file with broken rows imports nothing, and says which rows and why', async () => {
    const r = await upload('imports/residents', { name: 'broken.csv', bytes: fixture('residents-broken.csv') });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('import_rejected');
    expect(r.body.error.message).toMatch(/Nothing was imported: 5 row/);
    const rows = r.body.error.details.rows;
    expect(rows.map((x: any) => [x.line, x.status])).toEqual([
      [2, 'created'],
      [3, 'rejected'],
      [4, 'rejected'],
      [5, 'rejected'],
      [6, 'rejected'],
      [7, 'created'],
      [8, 'rejected'],
    ]);
    expect(rows[1].reason).toMatch(/9号楼/);
    expect(rows[2].reason).toMatch(/room is empty/);
    expect(rows[3].reason).toMatch(/12345/);
    expect(rows[4].reason).toMatch(/line 2/);
    expect(rows[6].reason).toMatch(/name is empty/);
    // Each reason is a catalogued code with its params, so the report reads in the UI's language.
    expect(rows[1]).toMatchObject({ code: 'row_no_building', params: { building: expect.stringContaining('9号楼') } });
    expect(rows.filter((x: any) => x.status === 'rejected').map((x: any) => x.code)).toEqual(['row_no_building', 'row_room_empty', 'row_bad_phone', 'row_duplicate', 'row_name_empty']);
    expect(await residents()).toEqual([]);
  });

  it('"import the valid rows" takes the good ones and skips the rest', async () => {
    const r = await upload('imports/residents', { name: 'broken.csv', bytes: fixture('residents-broken.csv') }, { mode: 'valid_rows' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ created: 2, rejected: 5, applied: true });
    expect((await residents()).map((x) => x.name)).toEqual(['张三', '周 "小" 七']);
  });

  it('a dry run reports and writes nothing', async () => {
    const r = await upload('imports/residents', { name: 'a.csv', bytes: fixture('residents-gb18030.csv') }, { dryRun: 'true' });
    expect(r.body).toMatchObject({ created: 4, applied: false, message: expect.stringMatching(/Preview/) });
    expect(await residents()).toEqual([]);
  });

  it('reads XLSX, including numbers and dates as people typed them', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('住户');
    ws.addRow(['楼栋', '单元', '房号', '姓名', '手机号', '隔离至']);
    ws.addRow(['1号楼', 1, 302, '孙七', 13900000010, new Date(Date.UTC(2026, 11, 5))]);
    ws.addRow(['2号楼', '1', '101', { richText: [{ text: '周' }, { text: '八' }] }, '', '']);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    const r = await upload('imports/residents', { name: '住户.xlsx', bytes });
    expect(r.body).toMatchObject({ created: 2, applied: true });
    expect(await residents()).toEqual([
      { name: '孙七', phone: '13900000010', unit: '1', room: '302' },
      { name: '周八', phone: null, unit: '1', room: '101' },
    ]);
    const h = await t.database.db.selectFrom('household').select('quarantineUntil').where('room', '=', '302').executeTakeFirstOrThrow();
    expect(h.quarantineUntil).toBe('2026-12-05');
  });

  it('explains a missing column, an empty file and a file that is not a spreadsheet', async () => {
    const noName = await upload('imports/residents', { name: 'x.csv', bytes: new TextEncoder().encode('楼栋,房号\n1号楼,301\n') });
    expect(noName.status).toBe(422);
    expect(noName.body.error).toMatchObject({ code: 'missing_columns', message: expect.stringMatching(/姓名/) });
    expect((await upload('imports/residents', { name: 'x.csv', bytes: new Uint8Array() })).body.error.code).toBe('empty_file');
    expect((await upload('imports/residents', { name: 'x.xlsx', bytes: new TextEncoder().encode('PK\x03\x04 not really') })).body.error.code).toBe('unreadable_file');
    expect((await mgr.post(`/api/compounds/${cid}/imports/residents`, { file: 'x' })).status).toBe(415);
    expect(await residents()).toEqual([]);
  });
});

describe('test round import', () => {
  beforeEach(async () => {
    await upload('imports/residents', { name: 'r.csv', bytes: fixture('residents-gb18030.csv') });
    await mgr.post(`/api/compounds/${cid}/residents`, { buildingId: (await t.database.db.selectFrom('building').select('id').where('name', '=', '1号楼').executeTakeFirstOrThrow()).id, unit: '2', room: '601', name: '赵六' });
  });

  it('matches by address and name or by phone and name, and reports who matched nobody', async () => {
    const r = await upload('imports/tests', { name: '第12轮.csv', bytes: fixture('tests-round-gb18030.csv') }, { mode: 'valid_rows' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ imported: 3, unmatched: 1, rejected: 1, applied: true });
    expect(r.body.rows.map((x: any) => [x.line, x.status])).toEqual([[2, 'imported'], [3, 'imported'], [4, 'imported'], [5, 'unmatched'], [6, 'rejected']]);
    expect(r.body.rows[4].reason).toMatch(/昨天/);
    expect(r.body.rows[3]).toMatchObject({ code: 'row_no_match', params: {} });
    expect(r.body.rows[4]).toMatchObject({ code: 'row_bad_sample_time', params: { value: expect.stringContaining('昨天') } });
    const results = await t.database.db
      .selectFrom('testResult')
      .innerJoin('resident', 'resident.id', 'testResult.residentId')
      .select(['resident.name', 'testResult.result', 'testResult.sampledAt', 'testResult.source'])
      .orderBy('resident.name')
      .execute();
    expect(results).toEqual([
      { name: '张三', result: 'negative', sampledAt: '2026-11-27T23:30:00.000Z', source: 'import' },
      { name: '李四', result: 'negative', sampledAt: '2026-11-27T23:45:00.000Z', source: 'import' },
      { name: '王五', result: 'positive', sampledAt: '2026-11-28T00:00:00.000Z', source: 'import' },
    ]);
    const rounds = (await mgr.get(`/api/compounds/${cid}/test-rounds`)).body.rounds;
    expect(rounds).toEqual([expect.objectContaining({ name: '第12轮', matched: 3, unmatched: 1 })]);
  });

  it('strict mode refuses a file with a malformed row', async () => {
    const r = await upload('imports/tests', { name: 'x.csv', bytes: fixture('tests-round-gb18030.csv') });
    expect(r.status).toBe(422);
    expect(await t.database.db.selectFrom('testResult').select('id').execute()).toEqual([]);
  });

  it('keeps history; the latest sampling counts', async () => {
    const zhang = (await mgr.get(`/api/compounds/${cid}/residents?q=张三`)).body.residents[0];
    await mgr.post(`/api/compounds/${cid}/residents/${zhang.id}/tests`, { sampledAt: '2026-11-26T01:00:00Z', result: 'negative' });
    await mgr.post(`/api/compounds/${cid}/residents/${zhang.id}/tests`, { sampledAt: '2026-11-28T01:00:00Z', result: 'pending' });
    await mgr.post(`/api/compounds/${cid}/residents/${zhang.id}/tests`, { sampledAt: '2026-11-27T01:00:00Z', result: 'negative' });
    const history = (await mgr.get(`/api/compounds/${cid}/residents/${zhang.id}/tests`)).body.tests;
    expect(history.map((h: any) => h.result)).toEqual(['pending', 'negative', 'negative']);
    const listed = (await mgr.get(`/api/compounds/${cid}/residents?q=张三`)).body.residents[0];
    expect(listed).toMatchObject({ testResult: 'pending', testSampledAt: '2026-11-28T01:00:00.000Z' });
  });
});
