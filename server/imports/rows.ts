import { AppError } from '../errors.js';
import { cellTooLong, type SheetLimits, tooManyColumns, tooManyRows } from './limits.js';
import { eventLoopPace } from './pace.js';

/** A row as a reader gives it: trimmed cells by column (index 0 is column 1; gaps are empty), and the last column holding a value (0: a blank row). */
export interface RawRow {
  /** Line number as a person sees it in the spreadsheet (the header is line 1). */
  line: number;
  cells: string[];
  last: number;
}

export interface SheetRow {
  line: number;
  /** The row's non-empty cells by header (of the columns kept). */
  cells: Record<string, string>;
}

export interface Sheet {
  headers: string[];
  rows: SheetRow[];
}

/** Which headers' cells an import keeps: the columns it maps, e.g. mapColumns' result (which fails when a required one is missing). */
export type ColumnChoice = (headers: string[]) => Record<string, string | undefined>;

/**
 * The header row and the data rows of a file, checked row by row as they are read: the first row that
 * crosses a limit ends the reading. Blank rows are skipped and not counted. With `columns`, only the
 * cells of the columns chosen from the header are kept: what a file holds besides costs no memory.
 */
export async function collectSheet(rows: AsyncIterable<RawRow>, limits: SheetLimits, columns?: ColumnChoice): Promise<Sheet> {
  let headers: string[] | undefined;
  let kept: [header: string, index: number][] = [];
  const out: SheetRow[] = [];
  const pace = eventLoopPace();
  for await (const row of rows) {
    if (pace.due()) await pace.turn();
    if (row.last > limits.maxColumns) throw tooManyColumns(limits.maxColumns, row.line, row.last);
    for (let j = 0; j < row.last; j++) {
      const length = row.cells[j]?.length ?? 0;
      if (length > limits.maxCellChars) throw cellTooLong(limits.maxCellChars, row.line, j + 1, length);
    }
    if (!headers) {
      // The header is the first line; a sheet whose first row is blank has none.
      headers = row.line === 1 ? Array.from({ length: row.last }, (_, j) => row.cells[j] ?? '') : [];
      if (!headers.length) break;
      const chosen = columns && new Set(Object.values(columns(headers)));
      kept = headers.flatMap((h, j): [string, number][] => (!chosen || chosen.has(h) ? [[h, j]] : []));
      continue;
    }
    if (!row.last) continue;
    if (out.length === limits.maxRows) throw tooManyRows(limits.maxRows);
    const cells: Record<string, string> = {};
    for (const [header, j] of kept) {
      const value = row.cells[j];
      if (value) cells[header] = value;
    }
    out.push({ line: row.line, cells });
  }
  if (!headers?.length) {
    throw new AppError(422, 'empty_file');
  }
  return { headers, rows: out };
}
