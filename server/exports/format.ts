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

/** How long a download may go unread before the server gives up on it (see stallGuard). */
export const STALLED_DOWNLOAD_MS = 60_000;
/** The longest a download may take at all (a million-row XLSX takes about a minute here). */
export const MAX_DOWNLOAD_MS = 30 * 60_000;

/**
 * A client that stops reading (a laptop closed mid-download, a hostile one) would hold its stream open for
 * ever, and with it a read transaction that keeps SQLite's WAL from being checkpointed. After `ms` without
 * a read, `onStall` ends the download and frees what it holds; every read re-arms it. A client that reads
 * a trickle, just often enough, is ended all the same once the download has lasted MAX_DOWNLOAD_MS.
 */
function stallGuard(ms: number, onStall: (why: Error) => void, maxMs = MAX_DOWNLOAD_MS) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const lifetime = setTimeout(() => onStall(new Error(`The download took longer than ${Math.round(maxMs / 60_000)} minutes and was ended: choose a shorter range.`)), maxMs);
  lifetime.unref?.();
  return {
    arm() {
      clearTimeout(timer);
      timer = setTimeout(() => onStall(new Error(`The client read nothing for ${Math.round(ms / 1000)} s; the download was ended.`)), ms);
      timer.unref?.();
    },
    disarm() {
      clearTimeout(timer);
    },
    done() {
      clearTimeout(timer);
      clearTimeout(lifetime);
    },
  };
}


/**
 * CSV as a web stream: UTF-8 with a BOM (so Excel and WPS read Chinese right), CRLF lines. Rows are
 * pulled from the source only as fast as the client reads, so memory stays flat however many there are.
 */
export function csvStream<R>(columns: Column<R>[], rows: AsyncIterable<R>, opts: StreamOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const it = rows[Symbol.asyncIterator]();
  let count = 0;
  let guard: ReturnType<typeof stallGuard>;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const ms = opts.stallMs ?? STALLED_DOWNLOAD_MS;
      guard = stallGuard(ms, (why) => {
        guard.done();
        controller.error(why);
        void Promise.resolve(it.return?.()).finally(() => opts.onEnd?.(null));
      }, opts.maxMs);
      controller.enqueue(encoder.encode(`\uFEFF${csvLine(headers(columns, opts.lang))}`));
      guard.arm();
    },
    async pull(controller) {
      guard.disarm();
      let text = '';
      try {
        await breathe();
        for (let i = 0; i < ROWS_PER_CHUNK; i++) {
          const next = await it.next();
          if (next.done) {
            guard.done();
            if (text) controller.enqueue(encoder.encode(text));
            controller.close();
            await opts.onEnd?.(count);
            return;
          }
          count++;
          text += csvLine(columns.map((c) => c.value(next.value)));
        }
      } catch (err) {
        guard.done();
        await opts.onEnd?.(null);
        throw err;
      }
      controller.enqueue(encoder.encode(text));
      guard.arm();
    },
    async cancel() {
      guard.done();
      await it.return?.();
      await opts.onEnd?.(null);
    },
  });
}

export interface StreamOptions {
  lang: Lang;
  /** Called once when the stream has ended: with the number of rows, or null if it failed or was cancelled. */
  onEnd?: (rows: number | null) => void | Promise<void>;
  /** Give up on a client that reads nothing for this long (default STALLED_DOWNLOAD_MS). */
  stallMs?: number | undefined;
  /** …and on any download that lasts longer than this (default MAX_DOWNLOAD_MS). */
  maxMs?: number | undefined;
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
    // Every data cell gets this one style object: exceljs looks a style up by the object (a WeakMap) and
    // works out and dedupes a fresh one per cell otherwise (a fifth of an XLSX export in the profile).
    const plain = {};
    for await (const row of rows) {
      const added = ws.addRow(columns.map((c) => inert(c.value(row))));
      added.eachCell((cell) => {
        cell.style = plain;
      });
      added.commit();
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
    // The zip's last bytes wait for the client: one that went away (or stalled) ends it here too.
    await Promise.race([wb.commit(), once(out, 'close')]);
    await opts.onEnd?.(count);
  })().catch(async (err) => {
    out.destroy(err);
    await opts.onEnd?.(null);
  });
  // Handed on chunk by chunk as the client reads (Node 20's Readable.toWeb reads ahead without a limit).
  const chunks = out[Symbol.asyncIterator]();
  let guard: ReturnType<typeof stallGuard>;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const ms = opts.stallMs ?? STALLED_DOWNLOAD_MS;
        // Destroying the writer's stream stops the row loop above, which closes the source and calls onEnd.
        guard = stallGuard(ms, (why) => {
          guard.done();
          controller.error(why);
          out.destroy();
        }, opts.maxMs);
      },
      async pull(controller) {
        guard.disarm();
        const next = await chunks.next();
        if (next.done) {
          guard.done();
          controller.close();
        } else {
          controller.enqueue(next.value as Uint8Array);
          guard.arm();
        }
      },
      async cancel() {
        guard.done();
        await chunks.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
