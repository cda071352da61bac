import { parse } from 'csv-parse/sync';
import type ExcelJS from 'exceljs';
import { AppError } from '../errors.js';

/**
 * Spreadsheets as property offices and testing stations keep them: CSV in UTF-8 (with or without BOM) or
 * GB18030 (what Excel and WPS save on a Chinese Windows), or XLSX. The first row holds the headers.
 */
export interface SheetRow {
  /** Line number as a person sees it in the spreadsheet (the header is line 1). */
  line: number;
  cells: Record<string, string>;
}

export interface Sheet {
  headers: string[];
  rows: SheetRow[];
}

const MAX_ROWS = 50_000;

/** UTF-8 when it is valid UTF-8 (BOM or not); otherwise GB18030, which covers GBK and GB2312. */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

function isXlsx(name: string, bytes: Uint8Array): boolean {
  // XLSX is a zip: "PK\x03\x04".
  return /\.xlsx$/i.test(name) || (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04);
}

function fromCsv(bytes: Uint8Array): string[][] {
  const text = decodeText(bytes);
  try {
    return parse(text, { relax_column_count: true, skip_empty_lines: true, bom: true, trim: false }) as string[][];
  } catch (err) {
    throw new AppError(422, 'unreadable_file', `This CSV file cannot be read: ${(err as Error).message}`);
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A cell as the text a person sees in it. Dates: exceljs gives the wall-clock time as if it were UTC. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const d = value;
    const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    return d.getUTCHours() || d.getUTCMinutes() ? `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : date;
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
    if ('error' in value) return '';
  }
  return String(value);
}

async function fromXlsx(bytes: Uint8Array): Promise<string[][]> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
  } catch (err) {
    throw new AppError(422, 'unreadable_file', `This XLSX file cannot be read: ${(err as Error).message}`);
  }
  const sheet = wb.worksheets[0];
  if (!sheet) return [];
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    rows[n - 1] = Array.from(cells, (c) => c ?? '');
  });
  return Array.from(rows, (r) => r ?? []);
}

/** Read a spreadsheet file into header-keyed rows (blank rows skipped, cells trimmed). */
export async function readSheet(file: { name: string; bytes: Uint8Array }): Promise<Sheet> {
  const grid = isXlsx(file.name, file.bytes) ? await fromXlsx(file.bytes) : fromCsv(file.bytes);
  const [head, ...body] = grid;
  if (!head || head.every((h) => !h.trim())) {
    throw new AppError(422, 'empty_file', 'The file has no header row. The first row must name the columns, e.g. 楼栋, 单元, 房号, 姓名, 手机号.');
  }
  if (body.length > MAX_ROWS) throw new AppError(422, 'too_many_rows', `The file has ${body.length} rows; split it into files of at most ${MAX_ROWS}.`);
  const headers = head.map((h) => h.replace(/^\uFEFF/, '').trim());
  const rows: SheetRow[] = [];
  body.forEach((cells, i) => {
    if (!cells.some((c) => c?.trim())) return;
    rows.push({ line: i + 2, cells: Object.fromEntries(headers.map((h, j) => [h, (cells[j] ?? '').trim()])) });
  });
  return { headers, rows };
}

/**
 * Map a sheet's headers to our fields by their usual names (楼栋 / 楼号 / building …). Returns the header
 * used for each field, and fails in words when a required one is missing.
 */
export function mapColumns<F extends string>(headers: string[], synonyms: Record<F, string[]>, required: NoInfer<F>[]): Record<F, string | undefined> {
  const norm = (s: string) => s.toLowerCase().replace(/[\s*_（）()：:]/g, '');
  const out = {} as Record<F, string | undefined>;
  for (const field of Object.keys(synonyms) as F[]) {
    out[field] = headers.find((h) => synonyms[field].some((s) => norm(s) === norm(h)));
  }
  const missing = required.filter((f) => !out[f]);
  if (missing.length) {
    throw new AppError(
      422,
      'missing_columns',
      `The header row lacks: ${missing.map((f) => synonyms[f].slice(0, 2).join(' / ')).join(', ')}. Found: ${headers.join(', ') || '(nothing)'}.`,
    );
  }
  return out;
}
