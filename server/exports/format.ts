import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Lang } from '../core/i18n.js';
import { breathe } from '../db/breathe.js';

/** A column of an export: its header in both languages and how to read it from a row. */
export interface Column<R> {
  zh: string;
  en: string;
  /** Width in characters (XLSX). */
  width?: number;
  value: (row: R) => string | number | null;
}

export type Cell = string | number | null;

const DANGEROUS_START = /^[=+\-@\t\r\0]/;

/**
 * Make a cell inert: a spreadsheet must never take a value for a formula (=, +, -, @) or hide it behind a
 * control character (tab, CR, NUL). Such a text gets a leading apostrophe, in CSV and XLSX alike.
 * Numbers are written as numbers and exports hold no negative ones.
 */
export function inert(value: Cell): Cell {
  if (typeof value !== 'string') return value;
  return DANGEROUS_START.test(value) ? `'${value}` : value;
}

/** One RFC 4180 field: quoted when it holds a comma, a quote or a line break; quotes doubled. */
function csvField(value: Cell): string {
  const v = inert(value);
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(values: Cell[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export function headers<R>(columns: Column<R>[], lang: Lang): string[] {
  return columns.map((c) => (lang === 'zh' ? c.zh : c.en));
}

const ROWS_PER_CHUNK = 500;


/**
 * CSV as a web stream: UTF-8 with a BOM (so Excel and WPS read Chinese right), CRLF lines. Rows are
 * pulled from the source only as fast as the client reads, so memory stays flat however many there are.
 */
export function csvStream<R>(columns: Column<R>[], rows: AsyncIterable<R>, opts: StreamOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const it = rows[Symbol.asyncIterator]();
  let count = 0;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\uFEFF${csvLine(headers(columns, opts.lang))}`));
    },
    async pull(controller) {
      let text = '';
      try {
        await breathe();
        for (let i = 0; i < ROWS_PER_CHUNK; i++) {
          const next = await it.next();
          if (next.done) {
            if (text) controller.enqueue(encoder.encode(text));
            controller.close();
            await opts.onEnd?.(count);
            return;
          }
          count++;
          text += csvLine(columns.map((c) => c.value(next.value)));
        }
      } catch (err) {
        await opts.onEnd?.(null);
        throw err;
      }
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await it.return?.();
      await opts.onEnd?.(null);
    },
  });
}

export interface StreamOptions {
  lang: Lang;
  /** Called once when the stream has ended: with the number of rows, or null if it failed or was cancelled. */
  onEnd?: (rows: number | null) => void | Promise<void>;
}

/**
 * XLSX through exceljs's streaming writer: each row is committed (written out and forgotten) as it is
 * made, and the source waits whenever the client has not read what was written, so memory stays flat.
 */
export function xlsxStream<R>(columns: Column<R>[], rows: AsyncIterable<R>, opts: StreamOptions & { sheetName: string }): ReadableStream<Uint8Array> {
  const { lang, sheetName } = opts;
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  (async () => {
    // exceljs is loaded when the first XLSX is asked for, not by every server at start.
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const ws = wb.addWorksheet(sheetName.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = columns.map((c) => ({ header: lang === 'zh' ? c.zh : c.en, width: c.width ?? 14 }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    let count = 0;
    for await (const row of rows) {
      ws.addRow(columns.map((c) => inert(c.value(row)))).commit();
      count++;
      // Every few rows the compressor gets its turn, and the client its bytes, before more are made.
      if (count % 20 === 0) {
        await breathe();
        if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), once(out, 'close')]);
      }
      // The client went away: stop reading rows (leaving the loop closes the source).
      if (out.destroyed) {
        await opts.onEnd?.(null);
        return;
      }
    }
    ws.commit();
    await wb.commit();
    await opts.onEnd?.(count);
  })().catch(async (err) => {
    out.destroy(err);
    await opts.onEnd?.(null);
  });
  // Handed on chunk by chunk as the client reads (Node 20's Readable.toWeb reads ahead without a limit).
  const chunks = out[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value as Uint8Array);
      },
      async cancel() {
        await chunks.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
