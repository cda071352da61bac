import type { MessageParams } from '../core/messages.js';
import { AppError } from '../errors.js';

/**
 * How much of a spreadsheet an import reads. Each limit is checked while the file is read, so a file over
 * one is refused as soon as it crosses it, never after it has been read into memory (issue 10, item 4).
 * The upload itself is limited before this: 20 MB for /imports, by sizeLimits() in server/http/middleware.ts
 * (413 payload_too_large), which counts the body as it arrives.
 */
export interface SheetLimits {
  /** Rows holding data, the header not counted. Above the largest compound's population (a testing round of a 50,000-resident compound is one file), with room. */
  maxRows: number;
  /** Columns up to the last one holding a value. Our files use at most a dozen; a station's export a few more. */
  maxColumns: number;
  /** Characters in one cell. The longest thing we store is a 200-character note. */
  maxCellChars: number;
  /**
   * XLSX: bytes all the parts we read unpack to. A 200,000-row testing round of 9 columns unpacks to 86 MB
   * (sheet 74 MB, shared strings 12 MB); a zip can pack a thousand times its size, so a 20 MB upload could
   * otherwise be 20 GB of XML.
   */
  maxUnpackedBytes: number;
  /** XLSX: bytes the shared-strings part unpacks to. Held in memory whole while the sheet is read, so smaller. */
  maxSharedStringsBytes: number;
  /** XLSX: bytes each other part we read unpacks to (styles, the workbook and its relationships). */
  maxSmallPartBytes: number;
}

export const IMPORT_LIMITS: Readonly<SheetLimits> = {
  maxRows: 200_000,
  maxColumns: 50,
  maxCellChars: 1_000,
  maxUnpackedBytes: 256 * 1024 * 1024,
  maxSharedStringsBytes: 48 * 1024 * 1024,
  maxSmallPartBytes: 8 * 1024 * 1024,
};

const n = (x: number) => x.toLocaleString('en-US');

/** The limits in a sentence, for the import routes' API documentation. */
export const LIMITS_DOC = `A file is read as a stream and refused at the first limit it crosses, and nothing is imported: 413 payload_too_large over the upload limit (20 MB); 422 too_many_rows over ${n(IMPORT_LIMITS.maxRows)} rows with data, too_many_columns past column ${n(IMPORT_LIMITS.maxColumns)}, cell_too_long for a cell over ${n(IMPORT_LIMITS.maxCellChars)} characters, unpacked_too_large for an XLSX unpacking to more than ${IMPORT_LIMITS.maxUnpackedBytes / 1024 / 1024} MB.`;

/** Column number → letters as Excel shows them (1 → A, 51 → AY). */
export function columnName(col: number): string {
  let s = '';
  for (let x = col; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

// The refusals, in words a property manager can act on. Row numbers are as the spreadsheet shows them.

export const tooManyRows = (max: number) => new AppError(422, 'too_many_rows', { max });

/** A column as the spreadsheet names it: "51 (AY)". */
const column = (col: number) => `${n(col)} (${columnName(col)})`;

export const tooManyColumns = (max: number, row: number, col: number) => new AppError(422, 'too_many_columns', { max, row, column: column(col) });

/** A CSV line with more cells, empty or not, than Excel has columns: counted before they are made. */
export const tooManyCells = (max: number, row: number, cells: number) => new AppError(422, 'too_many_columns', { max, row, cells });

export const cellTooLong = (max: number, row: number, col: number, length: number) => new AppError(422, 'cell_too_long', { max, row, column: column(col), length });

/** A text in the XML longer than any cell we accept: found before it is gathered, so no place to name. */
export const textTooLong = (maxBytes: number, maxChars: number) => new AppError(422, 'cell_too_long', { max: maxChars, maxBytes });

export const unpackedTooLarge = (what: 'file' | 'texts' | 'part', maxBytes: number, part?: string) =>
  new AppError(422, 'unpacked_too_large', { part: what === 'part' ? (part ?? '') : what, maxBytes });

/** A file that cannot be read: why, in the catalogue's words; `detail` is a reader's own (English) words, for the API's message. */
export const unreadable = (kind: 'CSV' | 'XLSX', cause: MessageParams<'unreadable_file'>['cause'], more: Omit<MessageParams<'unreadable_file'>, 'kind' | 'cause'> = {}) =>
  new AppError(422, 'unreadable_file', { kind, cause, ...more });
