import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mapColumns, readSheet, type SheetLimits } from '../../server/imports/spreadsheet.js';
import { columnLetters, rowXml, xlsxOf } from '../fixtures/xlsx.js';
import { type Client, insertUser, makeTestApp, officeClient, PASSWORD, type TestApp } from '../helpers/app.js';

// Issue 10, item 4: an upload must not be able to exhaust the server's memory or hold its event loop. Every
// limit is applied while the file is read, answers in words a manager can act on, and imports nothing.

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
  // One resident, so a testing round has someone to match.
  const b = await t.database.db.selectFrom('building').select('id').executeTakeFirstOrThrow();
  await mgr.post(`/api/compounds/${cid}/residents`, { buildingId: b.id, unit: '1', room: '301', name: '张三' });
});
afterEach(() => t.close());

function upload(pathName: 'imports/residents' | 'imports/tests', file: { name: string; bytes: Uint8Array }) {
  const form = new FormData();
  form.append('file', new File([file.bytes as Uint8Array<ArrayBuffer>], file.name));
  return mgr.request('POST', `/api/compounds/${cid}/${pathName}`, form);
}

const csv = (text: string) => new TextEncoder().encode(text);

/** What an import would have written: residents (one was added by hand), test results, rounds, import audits. */
async function stored() {
  const db = t.database.db;
  const count = async (table: 'resident' | 'testResult' | 'testRound') => (await db.selectFrom(table).select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
  const audits = await db.selectFrom('auditLog').select('action').where('action', 'in', ['resident.import', 'test_round.import']).execute();
  return { residents: await count('resident'), testResults: await count('testResult'), rounds: await count('testRound'), importAudits: audits.length };
}
const NOTHING = { residents: 1, testResults: 0, rounds: 0, importAudits: 0 };

/** Data rows of a resident list, as sheet XML: `1号楼, 1, 301…, 住户N`. */
function* residentRowsXml(from: number, to: number, header = true) {
  if (header) yield rowXml(1, ['楼栋', '单元', '房号', '姓名']);
  for (let r = from; r <= to; r++) yield rowXml(r, ['1号楼', 1, 301 + (r % 9), `住户${r}`]);
}

/** An XLSX written by exceljs's streaming writer (shared strings after the sheet, data descriptors: as Excel's order). */
async function exceljsXlsx(rows: (string | number | Date)[][], opts: { useSharedStrings: boolean }): Promise<Uint8Array> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useSharedStrings: opts.useSharedStrings, useStyles: true });
  const ws = wb.addWorksheet('住户');
  for (const r of rows) ws.addRow(r).commit();
  ws.commit();
  await wb.commit();
  return new Uint8Array(Buffer.concat(chunks));
}

describe('import limits, through the API', () => {
  it('an XLSX of more than 200,000 rows is refused as it is read, and nothing is imported', async () => {
    const bytes = await xlsxOf(residentRowsXml(2, 200_002), { level: 1 });
    const r = await upload('imports/residents', { name: '全体住户.xlsx', bytes });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('too_many_rows');
    expect(r.body.error.message).toMatch(/more than 200,000 rows/);
    expect(r.body.error.message).toMatch(/split it/i);
    expect(await stored()).toEqual(NOTHING);
  }, 60_000);

  it('a CSV with more than 50 columns is refused, naming the limit and where it was crossed', async () => {
    const head = ['楼栋', '单元', '房号', '姓名', '采样时间', '结果', ...Array.from({ length: 45 }, (_, i) => `备注${i + 1}`)];
    const row = ['1号楼', '1', '301', '张三', '2026-11-28 08:30', '阴性', ...Array.from({ length: 45 }, () => 'x')];
    for (const path of ['imports/residents', 'imports/tests'] as const) {
      const r = await upload(path, { name: '宽表.csv', bytes: csv(`${head.join(',')}\n${row.join(',')}\n`) });
      expect(r.status).toBe(422);
      expect(r.body.error).toEqual({ code: 'too_many_columns', params: { max: 50, row: 1, column: '51 (AY)' }, message: expect.stringMatching(/more than 50 columns.*row 1.*column 51 \(AY\)/) });
    }
    expect(await stored()).toEqual(NOTHING);
  });

  it('a cell longer than 1,000 characters is refused, naming the row and column, in CSV and in XLSX', async () => {
    const long = '张'.repeat(1_001);
    const fromCsv = await upload('imports/residents', { name: 'a.csv', bytes: csv(`楼栋,单元,房号,姓名\n1号楼,1,302,李四\n1号楼,1,303,${long}\n`) });
    expect(fromCsv.status).toBe(422);
    expect(fromCsv.body.error).toEqual({ code: 'cell_too_long', params: { max: 1000, row: 3, column: '4 (D)', length: 1001 }, message: expect.stringMatching(/row 3, column 4 \(D\) holds 1,001 characters.*at most 1,000/) });
    const bytes = await exceljsXlsx([['姓名', '采样时间', '结果'], ['张三', '2026-11-28 08:30', '阴性'], ['张三', '2026-11-28 08:30', long]], { useSharedStrings: true });
    const fromXlsx = await upload('imports/tests', { name: 'b.xlsx', bytes });
    expect(fromXlsx.status).toBe(422);
    expect(fromXlsx.body.error).toEqual({ code: 'cell_too_long', params: { max: 1000, row: 3, column: '3 (C)', length: 1001 }, message: expect.stringMatching(/row 3, column 3 \(C\) holds 1,001 characters/) });
    expect(await stored()).toEqual(NOTHING);
  });

  it('an upload over 20 MB is refused with 413 in the one error shape, before it is parsed', async () => {
    const line = '1号楼,1,301,张三,13900000001\n';
    const bytes = csv(`楼栋,单元,房号,姓名,手机号\n${line.repeat(Math.ceil((21 * 1024 * 1024) / line.length))}`);
    const r = await upload('imports/residents', { name: 'big.csv', bytes });
    expect(r.status).toBe(413);
    expect(r.body).toEqual({ error: { code: 'payload_too_large', params: { maxBytes: 20 * 1024 * 1024 }, message: expect.stringMatching(/larger than 20 MB/) } });
    expect(await stored()).toEqual(NOTHING);
  });

  it('a zip bomb (a small XLSX whose sheet unpacks to 300 MB) is refused without unpacking it all', async () => {
    // 300 MB of empty rows compresses to about 1 MB: the shape of the file in the issue.
    const block = `<row r="2"><c r="A2"/><c r="B2"/></row>`.repeat(20_000);
    const bytes = await xlsxOf(
      (function* () {
        yield rowXml(1, ['楼栋', '单元', '房号', '姓名']);
        for (let n = 0; n < 300e6 / block.length; n++) yield block;
      })(),
      { level: 1 },
    );
    expect(bytes.length).toBeLessThan(3 * 1024 * 1024);
    const r = await upload('imports/tests', { name: 'bomb.xlsx', bytes });
    expect(r.status).toBe(422);
    expect(r.body.error).toEqual({ code: 'unpacked_too_large', params: { part: 'file', maxBytes: 256 * 1024 * 1024 }, message: expect.stringMatching(/unpacks to more than 256 MB/) });
    expect(await stored()).toEqual(NOTHING);
  }, 60_000);

  it('the files people use still import: an exceljs-streamed XLSX with and without shared strings', async () => {
    for (const useSharedStrings of [true, false]) {
      const bytes = await exceljsXlsx([['楼栋', '单元', '房号', '姓名', '隔离至'], ['1号楼', 2, 502, `王五${useSharedStrings}`, new Date(Date.UTC(2026, 11, 5))]], { useSharedStrings });
      const r = await upload('imports/residents', { name: 'r.xlsx', bytes });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ created: 1, applied: true });
    }
    const h = await t.database.db.selectFrom('household').select('quarantineUntil').where('room', '=', '502').executeTakeFirstOrThrow();
    expect(h.quarantineUntil).toBe('2026-12-05');
  });
});

describe('readSheet limits (small limits, so the files stay small)', () => {
  const small: Partial<SheetLimits> = { maxRows: 100, maxColumns: 5, maxCellChars: 20 };
  const read = (name: string, bytes: Uint8Array, limits: Partial<SheetLimits> = small) => readSheet({ name, bytes }, { limits });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: { status: number; code: string; message: string }) => ({ status: e.status, code: e.code, message: e.message }),
    );

  it('stops reading an XLSX at the row limit: what follows is never read', async () => {
    // 5,000 good rows (some 750 KB of XML), then XML that cannot be parsed. Read to the end, the file is
    // unreadable; read with a limit of 100 rows, it is refused for its rows before the reader gets that far.
    const bytes = await xlsxOf(
      (function* () {
        yield* residentRowsXml(2, 5_001);
        yield '<row r="5002"><c r="A5002"><v>1</v></row></c>';
        yield* residentRowsXml(5_003, 5_100, false);
      })(),
    );
    expect(await refusal(read('x.xlsx', bytes, { ...small, maxRows: 10_000 }))).toMatchObject({ code: 'unreadable_file' });
    expect(await refusal(read('x.xlsx', bytes))).toEqual({ status: 422, code: 'too_many_rows', message: expect.stringMatching(/more than 100 rows/) });
  });

  it('stops reading a CSV at the row limit: what follows is never read', async () => {
    // As above: 5,000 good rows (the parser takes 16 KB at a time), then a quote that is never closed.
    const rows = Array.from({ length: 5_000 }, (_, i) => `1号楼,1,301,住户${i}`);
    const bytes = csv(`楼栋,单元,房号,姓名\n${rows.join('\n')}\n1号楼,1,"301,x\n${rows.join('\n')}`);
    expect(await refusal(read('x.csv', bytes, { ...small, maxRows: 10_000 }))).toMatchObject({ code: 'unreadable_file', message: expect.stringMatching(/row 5,002 runs on/) });
    expect(await refusal(read('x.csv', bytes))).toMatchObject({ code: 'too_many_rows' });
  });

  it('counts rows with data: exactly the limit is read, one more is refused; blank rows do not count', async () => {
    for (const [format, make] of [
      ['csv', (n: number) => csv(`楼栋,姓名\n${Array.from({ length: n }, (_, i) => `1号楼,住户${i}\n,\n`).join('')}`)],
      ['xlsx', (n: number) => xlsxOf((function* () {
        yield rowXml(1, ['楼栋', '姓名']);
        for (let i = 0; i < n; i++) yield rowXml(2 * i + 2, ['1号楼', `住户${i}`]) + rowXml(2 * i + 3, ['', ' ']);
      })())],
    ] as const) {
      const atLimit = await read(`x.${format}`, await make(100));
      expect(atLimit.rows.length).toBe(100);
      expect(atLimit.rows.at(-1)).toEqual({ line: 200, cells: { 楼栋: '1号楼', 姓名: '住户99' } });
      expect(await refusal(read(`x.${format}`, await make(101)))).toMatchObject({ code: 'too_many_rows' });
    }
  });

  it('counts columns to the last cell with a value: empty cells to the right do not count', async () => {
    const ok = await read('x.csv', csv('a,b,c,d,e,,,,,,,\n1,2,3,4,5,,, ,,,\n'));
    // Trailing empty header cells are not columns (Excel's CSV export writes them for formatted columns).
    expect(ok.headers).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await refusal(read('x.csv', csv('a,b,c,d,e\n1,2,3,4,5,,,,6\n')))).toEqual({
      status: 422,
      code: 'too_many_columns',
      message: expect.stringMatching(/more than 5 columns.*row 2.*column 9 \(I\)/),
    });
    const wide = await xlsxOf([rowXml(1, ['a', 'b']), `<row r="2"><c r="${columnLetters(300)}2"><v>7</v></c></row>`]);
    expect(await refusal(read('x.xlsx', wide))).toMatchObject({ code: 'too_many_columns', message: expect.stringMatching(/column 300 \(KN\)/) });
  });

  it('a CSV line of 100,000 commas is refused for its columns without building 100,000 cells', async () => {
    expect(await refusal(read('x.csv', csv(`a,b\n${','.repeat(100_000)}x\n`)))).toMatchObject({ code: 'too_many_columns' });
  });

  it('refuses a cell over the length limit, counting characters, not bytes', async () => {
    expect((await read('x.csv', csv(`a\n${'张'.repeat(20)}\n`))).rows).toHaveLength(1);
    expect(await refusal(read('x.csv', csv(`a\n${'张'.repeat(21)}\n`)))).toMatchObject({ code: 'cell_too_long', message: expect.stringMatching(/row 2, column 1 \(A\) holds 21 characters/) });
    const xlsx = await xlsxOf([rowXml(1, ['a']), rowXml(2, ['张'.repeat(21)])]);
    expect(await refusal(read('x.xlsx', xlsx))).toMatchObject({ code: 'cell_too_long' });
  });

  it('refuses one enormous text in the XML before it is gathered into a string', async () => {
    // 50 MB of text in one inline string: without a bound, the XML parser would build a 100 MB string.
    const bytes = await xlsxOf([rowXml(1, ['a']), `<row r="2"><c r="A2" t="inlineStr"><is><t>`, ...Array.from({ length: 50 }, () => 'x'.repeat(1 << 20)), '</t></is></c></row>'], { level: 1 });
    expect(await refusal(read('x.xlsx', bytes))).toMatchObject({ code: 'cell_too_long', message: expect.stringMatching(/more than/) });
  });

  it('bounds the unpacked sheet and the shared-strings table, which is held in memory', async () => {
    const sheet = await xlsxOf(residentRowsXml(2, 60));
    expect(await refusal(read('x.xlsx', sheet, { maxUnpackedBytes: 4_000 }))).toMatchObject({ code: 'unpacked_too_large', message: expect.stringMatching(/unpacks to more than 4 KB/) });
    const strings = Array.from({ length: 2_000 }, (_, i) => `住户${i}`);
    const shared = await xlsxOf([rowXml(1, ['姓名']), '<row r="2"><c r="A2" t="s"><v>1999</v></c></row>'], { sharedStrings: strings });
    expect((await read('x.xlsx', shared)).rows).toEqual([{ line: 2, cells: { 姓名: '住户1999' } }]);
    expect(await refusal(read('x.xlsx', shared, { maxSharedStringsBytes: 10_000 }))).toMatchObject({ code: 'unpacked_too_large', message: expect.stringMatching(/text/) });
  });

  it('reads an exceljs-streamed XLSX to the row limit and stops there', async () => {
    const rows = [['楼栋', '姓名', '采样时间'], ...Array.from({ length: 101 }, (_, i) => ['1号楼', `住户${i}`, new Date(Date.UTC(2026, 10, 28, 8, 30))])];
    const bytes = await exceljsXlsx(rows, { useSharedStrings: true });
    expect(await refusal(read('x.xlsx', bytes))).toMatchObject({ code: 'too_many_rows' });
    const sheet = await read('x.xlsx', bytes, { ...small, maxRows: 101 });
    expect(sheet.rows[100]).toEqual({ line: 102, cells: { 楼栋: '1号楼', 姓名: '住户100', 采样时间: '2026-11-28 08:30' } });
  });

  it("keeps only the columns an import reads, and reports a missing one before reading the rows", async () => {
    const columns = (headers: string[]) => mapColumns(headers, { name: ['姓名'], phone: ['手机号'] }, ['name']);
    const wide = csv(`姓名,身份证号,手机号,备注\n张三,110101199001011234,13900000001,\n`);
    expect((await read('x.csv', wide)).rows).toEqual([{ line: 2, cells: { 姓名: '张三', 身份证号: '110101199001011234', 手机号: '13900000001' } }]);
    expect((await readSheet({ name: 'x.csv', bytes: wide }, { limits: small, columns })).rows).toEqual([{ line: 2, cells: { 姓名: '张三', 手机号: '13900000001' } }]);
    // 150 rows over a limit of 100, but the header already says the file cannot be imported.
    const noName = csv(`楼栋,房号\n${'1号楼,301\n'.repeat(150)}`);
    expect(await refusal(readSheet({ name: 'x.csv', bytes: noName }, { limits: small, columns }))).toMatchObject({ code: 'missing_columns', message: expect.stringMatching(/姓名/) });
  });

  it('lets other work run while it reads a large file', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => `1号楼,1,301,住户${i},13900000000`);
    const files = [
      { name: 'x.csv', bytes: csv(`楼栋,单元,房号,姓名,手机号\n${rows.join('\n')}`) },
      { name: 'x.xlsx', bytes: await xlsxOf(residentRowsXml(2, 30_001)) },
    ];
    for (const file of files) {
      let turns = 0;
      let reading = true;
      const spin = () => {
        turns++;
        if (reading) setImmediate(spin);
      };
      setImmediate(spin);
      const sheet = await readSheet(file);
      reading = false;
      expect(sheet.rows).toHaveLength(30_000);
      // One turn of the event loop per thousand rows at the least; reading it all in one go would give 1.
      expect(turns).toBeGreaterThanOrEqual(30);
    }
  });
});
