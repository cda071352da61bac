import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { AppError } from '../errors.js';
import { type SheetLimits, textTooLong, unpackedTooLarge, unreadable } from './limits.js';
import type { RawRow } from './rows.js';
import { listZip, storedZip, unpackedSize, unpackPart, type ZipPart } from './zip.js';

/**
 * The first sheet of an XLSX file, row by row, read as a stream with exceljs's streaming WorkbookReader.
 *
 * exceljs unzips by itself, with no limit, and if the sheet comes before the shared strings in the zip
 * (as Excel and exceljs write them) it spools the whole sheet to a temporary file first. So we open the zip
 * ourselves: measure what each part we need unpacks to (stopping at the limit, so a zip bomb costs a
 * fraction of a second in zlib's threads), then hand exceljs a zip of just those parts, unpacked, in the
 * order it can stream: relationships, workbook, styles (which say which numbers are dates), shared
 * strings, sheet.
 */
export async function* xlsxRows(bytes: Uint8Array, limits: SheetLimits): AsyncGenerator<RawRow> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const zip = listZip(buf);
  const small = async (name: string) => {
    const part = zip.get(name);
    if (!part) throw unreadable('XLSX', 'missing_part', { part: name });
    if ((await unpackedSize(buf, part, limits.maxSmallPartBytes)) > limits.maxSmallPartBytes) throw unpackedTooLarge('part', limits.maxSmallPartBytes, part.name);
    const chunks: Buffer[] = [];
    for await (const chunk of unpackPart(buf, part)) chunks.push(chunk);
    return Buffer.concat(chunks);
  };
  const rels = await small('xl/_rels/workbook.xml.rels');
  const workbook = await small('xl/workbook.xml');
  const targets = relationships(rels.toString('utf8'));
  const sheet = firstSheet(workbook.toString('utf8'), targets, zip);
  if (!sheet) throw unreadable('XLSX', 'no_sheet');
  const ofType = (type: string) => {
    const target = targets.find((r) => r.type.endsWith(`/${type}`))?.target;
    return target ? zip.get(target.toLowerCase()) : undefined;
  };
  const styles = ofType('styles');
  const sharedStrings = ofType('sharedStrings');

  let unpacked = rels.length + workbook.length;
  const measure = async (part: ZipPart | undefined, max: number, tooLarge: () => AppError) => {
    if (!part) return;
    const size = await unpackedSize(buf, part, Math.min(max, limits.maxUnpackedBytes - unpacked));
    if (size > max) throw tooLarge();
    unpacked += size;
    if (unpacked > limits.maxUnpackedBytes) throw unpackedTooLarge('file', limits.maxUnpackedBytes);
  };
  await measure(styles, limits.maxSmallPartBytes, () => unpackedTooLarge('part', limits.maxSmallPartBytes, styles?.name));
  await measure(sharedStrings, limits.maxSharedStringsBytes, () => unpackedTooLarge('texts', limits.maxSharedStringsBytes));
  await measure(sheet, limits.maxUnpackedBytes, () => unpackedTooLarge('file', limits.maxUnpackedBytes));

  // What the reader finds wrong while exceljs streams: kept here, and the zip ended there, because an error
  // thrown into exceljs's pipe of streams is not passed on (its reader would wait for data forever).
  let refused: AppError | undefined;
  const scan = textScanner(Math.max(64 * 1024, limits.maxCellChars * 16));
  const accept = (part: string, chunk: Buffer) => {
    // unzipper ends a part at the bytes "PK\x07\x08"; 0x07 is not allowed in XML, so no real file has it.
    if (chunk.includes(0x07)) refused = unreadable('XLSX', 'control_character', { part });
    else if (!scan(part, chunk)) refused = textTooLong(Math.max(64 * 1024, limits.maxCellChars * 16), limits.maxCellChars);
    return !refused;
  };
  // exceljs parses each chunk it is given in one go: 16 KB is a millisecond or two of work (ten times that
  // while its code is not yet optimised, on the first large file after a start). The parts unpacked whole
  // once already; should one fail now all the same, that too ends the zip rather than the stream.
  const streamed = async function* (part: ZipPart) {
    try {
      yield* unpackPart(buf, part, 16 * 1024);
    } catch (err) {
      refused ??= err instanceof AppError ? err : unreadable('XLSX', 'parse', { detail: (err as Error).message });
    }
  };
  const source = Readable.from(
    storedZip(
      [
        { name: 'xl/_rels/workbook.xml.rels', chunks: [rels] },
        { name: 'xl/workbook.xml', chunks: [workbook] },
        ...(styles ? [{ name: 'xl/styles.xml', chunks: streamed(styles) }] : []),
        // Without a shared-strings part exceljs would spool the sheet to a file: give it an empty one.
        { name: 'xl/sharedStrings.xml', chunks: sharedStrings ? streamed(sharedStrings) : [Buffer.from('<sst/>')] },
        { name: 'xl/worksheets/sheet1.xml', chunks: streamed(sheet) },
      ],
      accept,
    ),
  );
  const { default: Excel } = await import('exceljs');
  const reader = new Excel.stream.xlsx.WorkbookReader(source, { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' });
  try {
    for await (const ws of reader) {
      for await (const row of ws) yield rowOf(row);
      break;
    }
  } catch (err) {
    if (refused) throw refused;
    if (err instanceof AppError) throw err;
    throw unreadable('XLSX', 'parse', { detail: (err as Error).message });
  } finally {
    source.destroy();
  }
  if (refused) throw refused;
}

function rowOf(row: ExcelJS.Row): RawRow {
  const cells: string[] = [];
  let last = 0;
  row.eachCell({ includeEmpty: false }, (cell, col) => {
    const text = cellText(cell.value).trim();
    if (!text) return;
    cells[col - 1] = text;
    last = col;
  });
  return { line: row.number, cells, last };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A cell as the text a person sees in it. Dates: exceljs gives the wall-clock time as if it were UTC. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const d = value;
    const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    return d.getUTCHours() || d.getUTCMinutes() ? `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : date;
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    // A formula whose result was not saved: nothing a person sees.
    if ('formula' in value || 'sharedFormula' in value) return '';
    if ('text' in value) return String(value.text);
    if ('error' in value) return '';
  }
  return String(value);
}

/**
 * A check that no stretch of the XML between one "<" and the next is longer than `max` bytes: a text that
 * long is no cell we accept, and the XML parser would gather all of it into one string before any cell
 * limit could see it. One backwards search per `max` bytes, so it costs next to nothing.
 */
function textScanner(max: number) {
  let part = '';
  let run = 0; // bytes since the last "<", carried from the chunks before
  return (name: string, chunk: Buffer): boolean => {
    if (name !== part) [part, run] = [name, 0];
    let from = 0; // the stretch being checked starts `run` bytes before `from`
    for (;;) {
      const by = from + max - run; // a "<" must come at or before this index
      const lt = chunk.lastIndexOf(0x3c, Math.min(by, chunk.length - 1));
      if (by >= chunk.length) {
        run = lt >= from ? chunk.length - lt - 1 : run + chunk.length - from;
        return true;
      }
      if (lt < from) return false;
      from = lt + 1;
      run = 0;
    }
  };
}

type Relationship = { id: string; type: string; target: string };

const ATTRIBUTE = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
function attributes(tag: string): Map<string, string> {
  const unxml = (s: string) => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return new Map([...tag.matchAll(ATTRIBUTE)].map((m) => [m[1]!, unxml(m[2] ?? m[3] ?? '')]));
}

/** The workbook's relationships, targets as part names ("xl/worksheets/sheet1.xml"). */
function relationships(xml: string): Relationship[] {
  const out: Relationship[] = [];
  for (const m of xml.matchAll(/<(?:[\w.-]+:)?Relationship\b([^>]*)>/g)) {
    const a = attributes(m[1]!);
    const target = a.get('Target');
    if (!target || a.get('TargetMode') === 'External') continue;
    const path: string[] = [];
    for (const seg of (target.startsWith('/') ? target.slice(1) : `xl/${target}`).split('/')) {
      if (seg === '..') path.pop();
      else if (seg && seg !== '.') path.push(seg);
    }
    out.push({ id: a.get('Id') ?? '', type: a.get('Type') ?? '', target: path.join('/') });
  }
  return out;
}

/** The first sheet tab's part, as the in-memory reader took it; else the lowest-numbered worksheet part. */
function firstSheet(workbookXml: string, targets: Relationship[], zip: Map<string, ZipPart>): ZipPart | undefined {
  const tag = /<(?:[\w.-]+:)?sheet\s([^>]*)>/.exec(workbookXml);
  if (tag) {
    const rid = [...attributes(tag[1]!)].find(([k]) => k.endsWith(':id'))?.[1];
    const target = targets.find((r) => r.id === rid)?.target;
    const part = target ? zip.get(target.toLowerCase()) : undefined;
    if (part) return part;
  }
  const numbered = [...zip.entries()].flatMap(([name, part]) => {
    const m = /^xl\/worksheets\/sheet(\d+)\.xml$/.exec(name);
    return m ? [{ n: Number(m[1]), part }] : [];
  });
  return numbered.sort((a, b) => a.n - b.n)[0]?.part;
}
