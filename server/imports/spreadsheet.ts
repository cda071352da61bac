import { AppError } from '../errors.js';
import { csvRows } from './csv.js';
import { IMPORT_LIMITS, type SheetLimits, unreadable } from './limits.js';
import { type ColumnChoice, collectSheet, type Sheet } from './rows.js';
import { xlsxRows } from './xlsx.js';

export { IMPORT_LIMITS, LIMITS_DOC, type SheetLimits } from './limits.js';
export type { ColumnChoice, Sheet, SheetRow } from './rows.js';

/**
 * Spreadsheets as property offices and testing stations keep them: CSV in UTF-8 (with or without BOM) or
 * GB18030 (what Excel and WPS save on a Chinese Windows), or XLSX. The first row holds the headers.
 */

function isXlsx(name: string, bytes: Uint8Array): boolean {
  // XLSX is a zip: "PK\x03\x04".
  return /\.xlsx$/i.test(name) || (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04);
}

/** An OLE compound file: an Excel 97–2003 workbook, or an encrypted XLSX. */
function isCompoundFile(bytes: Uint8Array): boolean {
  return bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0;
}

/**
 * Read a spreadsheet file into header-keyed rows (blank rows skipped, cells trimmed), within `limits`:
 * XLSX and CSV alike are read as streams and refused (422, in words a manager can act on) at the first
 * row, column, cell or byte over a limit; the event loop gets a turn every few milliseconds. `columns`
 * chooses, from the header row, the columns whose cells are kept (an import's mapColumns): a file's other
 * columns then cost no memory, and a missing column is reported before the rows are read.
 */
export async function readSheet(file: { name: string; bytes: Uint8Array }, opts: { limits?: Partial<SheetLimits>; columns?: ColumnChoice } = {}): Promise<Sheet> {
  const limits = { ...IMPORT_LIMITS, ...opts.limits };
  if (isCompoundFile(file.bytes)) {
    throw unreadable('XLSX', 'xls_or_protected');
  }
  return collectSheet(isXlsx(file.name, file.bytes) ? xlsxRows(file.bytes, limits) : csvRows(file.bytes, limits), limits, opts.columns);
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
    throw new AppError(422, 'missing_columns', { missing: missing.map((f) => synonyms[f].slice(0, 2).join(' / ')), found: headers });
  }
  return out;
}
