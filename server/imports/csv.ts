import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { AppError } from '../errors.js';
import { type SheetLimits, tooManyCells, unreadable } from './limits.js';
import type { RawRow } from './rows.js';

/** UTF-8 when it is valid UTF-8 (BOM or not); otherwise GB18030 (what Excel and WPS save on a Chinese Windows), which covers GBK and GB2312. */
export function textEncoding(bytes: Uint8Array): 'utf-8' | 'gb18030' {
  return (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) || isUtf8(bytes) ? 'utf-8' : 'gb18030';
}

/** csv-parse parses each piece it is given in one go: 16 KB is a millisecond or two of work. */
const CHUNK = 16 * 1024;
/** Excel's last column. A CSV that Excel saves never has more cells in a line, even empty ones. */
const MAX_FIELDS = 16_384;

/**
 * A CSV file's records, decoded and parsed 16 KB at a time (csv-parse's streaming parser), so that a large
 * file neither sits in memory as one string nor holds the event loop while it is parsed.
 */
export async function* csvRows(bytes: Uint8Array, limits: SheetLimits): AsyncGenerator<RawRow> {
  const decoder = new TextDecoder(textEncoding(bytes)); // drops a UTF-8 BOM
  // A line of a million commas would make a million cells before any check could count them: count the
  // fields of each record in the text first. What it finds is kept here and the text ended there, because
  // an error thrown into a pipe is not passed on to the parser.
  let refused: AppError | undefined;
  const fields = fieldCounter(MAX_FIELDS);
  const text = function* () {
    for (let i = 0; i < bytes.length; i += CHUNK) {
      const piece = decoder.decode(bytes.subarray(i, i + CHUNK), { stream: true });
      const over = fields(piece);
      if (over) {
        refused = tooManyCells(limits.maxColumns, over, MAX_FIELDS);
        return;
      }
      yield piece;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  };
  const source = Readable.from(text(), { objectMode: false });
  const parser = source.pipe(
    parse({
      relax_column_count: true,
      skip_empty_lines: true,
      bom: true,
      trim: false,
      // A record longer than its cells may be is an unclosed quote running on: stop it before it is the whole file.
      max_record_size: limits.maxColumns * limits.maxCellChars * 4,
    }),
  );
  let line = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line++;
      const cells: string[] = [];
      let last = 0;
      for (let j = 0; j < record.length; j++) {
        const text = record[j]!.trim();
        if (!text) continue;
        cells[j] = text;
        last = j + 1;
      }
      yield { line, cells, last };
    }
  } catch (err) {
    if (refused) throw refused;
    // csv-parse's errors say how many records it had made and the line of the file it had got to (records
    // before the error may not have reached us yet).
    const e = err as Error & { code?: string; records?: number; lines?: number };
    if (e.code === 'CSV_MAX_RECORD_SIZE') {
      const row = (e.records ?? line) + 1;
      const max = limits.maxColumns * limits.maxCellChars * 4;
      throw unreadable('CSV', 'runaway_row', { row, max });
    }
    throw unreadable('CSV', 'parse', { detail: e.message });
  } finally {
    source.destroy();
    parser.destroy();
  }
  if (refused) throw refused;
}

/**
 * Counts the fields of each record as the text goes by (a quote toggles quoting, which also covers `""`
 * inside quotes); returns the 1-based record number where one has more than `max`, else 0.
 */
function fieldCounter(max: number) {
  let quoted = false;
  let fields = 1;
  let record = 1;
  let empty = true; // csv-parse skips empty lines: they are not records
  return (text: string): number => {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 34) quoted = !quoted;
      else if (quoted) continue;
      else if (c === 10 || c === 13) {
        if (!empty) record++;
        [fields, empty] = [1, true];
        continue;
      } else if (c === 44 && ++fields > max) return record;
      empty = false;
    }
    return 0;
  };
}
