import { inflate } from 'node:zlib';

/**
 * Is this really a JPEG or PNG, and how big is it? Read from the bytes, not the file name or the
 * Content-Type a client claims: a photo must be an image a manager's browser can show, and nothing else
 * (a PNG signature, some HTML and a PNG end marker is not a photo).
 *
 * The whole structure is checked, not just its ends: every PNG chunk with its CRC, the image data
 * inflated to exactly the size its header promises (scanline filters included); every JPEG segment, its
 * frame and scans, ending at its End Of Image with nothing after it. A full pixel decode would hold the
 * event loop ~100 ms per photo on a small server; this walks the bytes once and inflates in the thread pool.
 */
export interface ImageInfo {
  type: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

/** Larger than any tablet photo (the app shrinks them to ~1600 px); keeps inflating bounded. */
const MAX_SIDE = 8192;
// A tablet photo inflates to ~8 MB at most; a 512 KB upload must not become much more (uploads run in parallel).
const MAX_PNG_PIXELS_BYTES = 16 * 1024 * 1024;

export async function imageInfo(b: Uint8Array): Promise<ImageInfo | null> {
  if (startsWith(b, PNG_SIGNATURE)) return pngInfo(b);
  if (b[0] === 0xff && b[1] === 0xd8) return jpegInfo(b);
  return null;
}

const startsWith = (b: Uint8Array, prefix: number[]) => b.length >= prefix.length && prefix.every((x, i) => b[i] === x);
const u32 = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
const u16 = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;

// ---------------------------------------------------------------------------------------------------------
// PNG

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(b: Uint8Array, from: number, to: number): number {
  let c = 0xffffffff;
  for (let i = from; i < to; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Bits per pixel for each valid colour type / bit depth (PNG spec, table 11.1). */
const PNG_BITS: Record<number, { channels: number; depths: number[] }> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, depths: [8, 16] },
  3: { channels: 1, depths: [1, 2, 4, 8] },
  4: { channels: 2, depths: [8, 16] },
  6: { channels: 4, depths: [8, 16] },
};

async function pngInfo(b: Uint8Array): Promise<ImageInfo | null> {
  let i = 8;
  let header: { width: number; height: number; bpp: number; interlaced: boolean; palette: boolean } | null = null;
  let sawPalette = false;
  const idat: Uint8Array[] = [];
  let idatDone = false;
  for (;;) {
    if (i + 12 > b.length) return null;
    const length = u32(b, i);
    const type = String.fromCharCode(b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!);
    const data = i + 8;
    const end = data + length;
    if (!/^[A-Za-z]{4}$/.test(type) || end + 4 > b.length) return null;
    if (crc32(b, i + 4, end) !== u32(b, end)) return null;
    if (!header) {
      if (type !== 'IHDR' || length !== 13) return null;
      const [width, height] = [u32(b, data), u32(b, data + 4)];
      const [depth, colour, compression, filter, interlace] = [b[data + 8]!, b[data + 9]!, b[data + 10]!, b[data + 11]!, b[data + 12]!];
      const kind = PNG_BITS[colour];
      if (!kind?.depths.includes(depth) || compression !== 0 || filter !== 0 || interlace > 1) return null;
      if (!width || !height || width > MAX_SIDE || height > MAX_SIDE) return null;
      header = { width, height, bpp: kind!.channels * depth, interlaced: interlace === 1, palette: colour === 3 };
    } else if (type === 'IDAT') {
      if (idatDone) return null; // image data comes in consecutive chunks
      idat.push(b.subarray(data, end));
    } else {
      if (idat.length) idatDone = true;
      if (type === 'PLTE') sawPalette = true;
      if (type === 'IEND') {
        if (length !== 0 || end + 4 !== b.length) return null; // nothing after the end
        break;
      }
      // An unknown critical chunk (upper-case first letter) means a decoder must refuse the image.
      if (type[0]! < 'a' && !['PLTE'].includes(type)) return null;
    }
    i = end + 4;
  }
  if (!header || !idat.length || (header.palette && !sawPalette)) return null;
  const expected = pngDataSize(header);
  if (expected > MAX_PNG_PIXELS_BYTES) return null;
  const pixels = await inflated(Buffer.concat(idat), expected);
  if (!pixels || pixels.length !== expected) return null;
  if (!header.interlaced) {
    const row = 1 + Math.ceil((header.width * header.bpp) / 8);
    for (let r = 0; r < header.height; r++) if (pixels[r * row]! > 4) return null; // a scanline's filter type
  }
  return { type: 'image/png', width: header.width, height: header.height };
}

/** Bytes the image data inflates to: each scanline a filter byte and its pixels (per Adam7 pass if interlaced). */
function pngDataSize(h: { width: number; height: number; bpp: number; interlaced: boolean }): number {
  const line = (w: number) => (w ? 1 + Math.ceil((w * h.bpp) / 8) : 0);
  if (!h.interlaced) return h.height * line(h.width);
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const;
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((h.width - x0) / dx);
    const rows = Math.ceil((h.height - y0) / dy);
    if (w > 0 && rows > 0) total += rows * line(w);
  }
  return total;
}

function inflated(data: Buffer, expected: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    // One byte more than promised is enough to tell "too much" without inflating a bomb.
    inflate(data, { maxOutputLength: expected + 1 }, (err, out) => resolve(err ? null : out));
  });
}

// ---------------------------------------------------------------------------------------------------------
// JPEG

const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegInfo(b: Uint8Array): ImageInfo | null {
  let i = 2;
  let frame: { width: number; height: number; components: number } | null = null;
  let huffman = false;
  let scans = 0;
  for (;;) {
    if (i + 2 > b.length || b[i] !== 0xff) return null;
    while (b[i + 1] === 0xff && i + 2 < b.length) i++; // fill bytes
    const marker = b[i + 1]!;
    i += 2;
    if (marker === 0xd9) {
      // End Of Image: a whole image has its frame and at least one scan, and nothing after it.
      return frame && scans > 0 && i === b.length ? { type: 'image/jpeg', width: frame.width, height: frame.height } : null;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0x00) return null; // not here
    if (i + 2 > b.length) return null;
    const length = u16(b, i);
    if (length < 2 || i + length > b.length) return null;
    const seg = i + 2;
    if (isSof(marker)) {
      if (frame || length < 8) return null; // one frame
      const precision = b[seg]!;
      const height = u16(b, seg + 1);
      const width = u16(b, seg + 3);
      const components = b[seg + 5]!;
      if ((precision !== 8 && precision !== 12) || !width || !height || width > MAX_SIDE || height > MAX_SIDE) return null;
      if (components < 1 || components > 4 || length !== 8 + 3 * components) return null;
      frame = { width, height, components };
      if (marker >= 0xc9) huffman = true; // arithmetic coding needs no Huffman tables
    } else if (marker === 0xc4) {
      huffman = true;
    } else if (marker === 0xda) {
      // Start Of Scan: after the frame and the tables, then entropy-coded data up to the next marker.
      if (!frame || !huffman) return null;
      const n = b[seg]!;
      if (n < 1 || n > frame.components || length !== 6 + 2 * n) return null;
      scans++;
      i += length;
      while (i < b.length) {
        if (b[i] !== 0xff) {
          i++;
          continue;
        }
        const next = b[i + 1];
        if (next === 0x00 || (next !== undefined && next >= 0xd0 && next <= 0xd7)) {
          i += 2; // a stuffed 0xFF, or a restart marker: still the scan
          continue;
        }
        break;
      }
      continue;
    }
    i += length;
  }
}
