import zlib from 'node:zlib';
import { unreadable } from './limits.js';

/**
 * Just enough of the zip format to read an XLSX within limits: the central directory of a zip held in
 * memory (an upload is at most 20 MB), each part unpacked as a stream of chunks, and a zip of "stored"
 * (already unpacked) parts written as a stream for exceljs's streaming reader to take in.
 */
export interface ZipPart {
  /** The part's name, e.g. "xl/worksheets/sheet1.xml". */
  name: string;
  method: number;
  compressedSize: number;
  /** Where the part's local header starts. */
  offset: number;
}

const MAX_U32 = 0xffffffff;

/** The parts of a zip by lower-cased name (names in an XLSX are case-insensitive). */
export function listZip(buf: Buffer): Map<string, ZipPart> {
  const notZip = () => unreadable('XLSX', 'not_zip');
  // The end-of-central-directory record: 22 bytes, then a comment of up to 65,535.
  let end = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw notZip();
  const count = buf.readUInt16LE(end + 10);
  let p = buf.readUInt32LE(end + 16);
  const parts = new Map<string, ZipPart>();
  for (let k = 0; k < count; k++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw notZip();
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    let compressedSize = buf.readUInt32LE(p + 20);
    const uncompressedSize = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    let offset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength);
    // Zip64: sizes and offset that do not fit 32 bits are in an extra field, in this order, those only.
    if (compressedSize === MAX_U32 || offset === MAX_U32) {
      const extra = buf.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength);
      for (let e = 0; e + 4 <= extra.length; e += 4 + extra.readUInt16LE(e + 2)) {
        if (extra.readUInt16LE(e) !== 0x0001) continue;
        let q = e + 4;
        const next = () => {
          const v = Number(extra.readBigUInt64LE(q));
          q += 8;
          return v;
        };
        if (uncompressedSize === MAX_U32) next();
        if (compressedSize === MAX_U32) compressedSize = next();
        if (offset === MAX_U32) offset = next();
      }
    }
    if (flags & 0x1) throw unreadable('XLSX', 'password');
    parts.set(name.toLowerCase(), { name, method, compressedSize, offset });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return parts;
}

/** The part's bytes as stored in the zip (compressed or not), after its local header. */
function storedBytes(buf: Buffer, part: ZipPart): Buffer {
  const at = part.offset;
  if (at + 30 > buf.length || buf.readUInt32LE(at) !== 0x04034b50) throw unreadable('XLSX', 'damaged', { part: part.name, detail: 'no local header' });
  const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  if (start + part.compressedSize > buf.length) throw unreadable('XLSX', 'cut_short', { part: part.name });
  return buf.subarray(start, start + part.compressedSize);
}

/**
 * The part unpacked, in chunks of at most `chunkSize` bytes, as fast as they are taken: zlib works in its
 * thread pool and never runs far ahead of the reader, so little but the chunk in hand is held.
 */
export async function* unpackPart(buf: Buffer, part: ZipPart, chunkSize = 64 * 1024): AsyncGenerator<Buffer> {
  const data = storedBytes(buf, part);
  if (part.method === 0) {
    for (let i = 0; i < data.length; i += chunkSize) yield data.subarray(i, i + chunkSize);
    return;
  }
  if (part.method !== 8) throw unreadable('XLSX', 'compression', { part: part.name, detail: `method ${part.method}` });
  const inflater = zlib.createInflateRaw({ chunkSize });
  inflater.end(data);
  try {
    for await (const chunk of inflater) yield chunk as Buffer;
  } catch (err) {
    throw unreadable('XLSX', 'damaged', { part: part.name, detail: (err as Error).message });
  } finally {
    inflater.destroy();
  }
}

/** How many bytes the part unpacks to, counting no further than `max` + 1 chunk: a zip bomb costs no more than that. */
export async function unpackedSize(buf: Buffer, part: ZipPart, max: number): Promise<number> {
  let size = 0;
  for await (const chunk of unpackPart(buf, part)) {
    size += chunk.length;
    if (size > max) break;
  }
  return size;
}

function localHeader(name: string): Buffer {
  const n = Buffer.from(name);
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  // Bit 3: sizes and CRC follow the data (we learn them as we unpack); bit 11: the name is UTF-8.
  h.writeUInt16LE(0x0808, 6);
  h.writeUInt16LE(0, 8); // stored
  h.writeUInt16LE(0x21, 12); // 1980-01-01
  h.writeUInt16LE(n.length, 26);
  return Buffer.concat([h, n]);
}

function dataDescriptor(size: number): Buffer {
  const d = Buffer.alloc(16);
  d.writeUInt32LE(0x08074b50, 0);
  // CRC 0: this zip only goes from us to exceljs's reader (unzipper), which does not check it. (Nor are the
  // upload's own CRCs checked, as exceljs's reader never did: a damaged deflate stream fails in zlib.)
  d.writeUInt32LE(size, 8);
  d.writeUInt32LE(size, 12);
  return d;
}

/** The record that ends a zip, here one with no central directory: unzipper reads a zip front to back. */
const END_OF_ZIP = (() => {
  const e = Buffer.alloc(22);
  e.writeUInt32LE(0x06054b50, 0);
  return e;
})();

/**
 * A zip of the given parts, each stored (not compressed), as a stream of chunks. `accept` sees each chunk
 * first; when it returns false the zip ends there (after the part so far), so that a reader downstream
 * comes to an end rather than waits for the rest.
 */
export async function* storedZip(parts: { name: string; chunks: AsyncIterable<Buffer> | Iterable<Buffer> }[], accept: (part: string, chunk: Buffer) => boolean): AsyncGenerator<Buffer> {
  for (const part of parts) {
    yield localHeader(part.name);
    let size = 0;
    let stop = false;
    for await (const chunk of part.chunks) {
      if (!accept(part.name, chunk)) {
        stop = true;
        break;
      }
      size += chunk.length;
      yield chunk;
    }
    yield dataDescriptor(size);
    if (stop) break;
  }
  yield END_OF_ZIP;
}
