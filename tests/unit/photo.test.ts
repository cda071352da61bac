import { deflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { imageInfo } from '../../server/disinfection/photo.js';

/** A tiny but complete JPEG (1×1) and PNG (1×1), and a real PNG as a library writes it. */
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxD/2Q==',
  'base64',
);
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const html = Buffer.from('<html><script>alert(document.cookie)</script></html>');

/** A PNG chunk with its CRC, as a writer would make it (so only what the test is about is wrong). */
function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, body, crc]);
}
function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
const SIG = PNG.subarray(0, 8);
const ihdr = (w: number, h: number) => {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(w, 0);
  d.writeUInt32BE(h, 4);
  d.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return chunk('IHDR', d);
};
const png = (w: number, h: number, pixels: Buffer, extra: Buffer[] = []) => Buffer.concat([SIG, ihdr(w, h), chunk('IDAT', deflateSync(pixels)), ...extra, chunk('IEND', Buffer.alloc(0))]);
const rows = (w: number, h: number, filter = 0) => Buffer.concat(Array.from({ length: h }, () => Buffer.concat([Buffer.from([filter]), Buffer.alloc(w * 4, 0x80)])));

describe('a photo is a real JPEG or PNG, checked through its whole structure', () => {
  it('accepts real images, with their size', async () => {
    expect(await imageInfo(JPEG)).toEqual({ type: 'image/jpeg', width: 1, height: 1 });
    expect(await imageInfo(PNG)).toEqual({ type: 'image/png', width: 1, height: 1 });
    expect(await imageInfo(png(3, 2, rows(3, 2, 1)))).toEqual({ type: 'image/png', width: 3, height: 2 });
    const qr = await QRCode.toBuffer('a lobby, freshly cleaned', { width: 300 });
    expect(await imageInfo(qr)).toMatchObject({ type: 'image/png', width: 300, height: 300 });
  });

  const bad: [string, Buffer][] = [
    ['text', Buffer.from('this is not a photo')],
    ['a PNG signature, HTML and a PNG end marker', Buffer.concat([PNG.subarray(0, 33), html, PNG.subarray(PNG.length - 12)])],
    ['a PNG header chunk, then HTML, then IEND', Buffer.concat([SIG, ihdr(1, 1), html, chunk('IEND', Buffer.alloc(0))])],
    ['a PNG with HTML after its end', Buffer.concat([PNG, html])],
    ['a PNG chunk with a wrong CRC', (() => { const b = Buffer.from(PNG); b[30] = b[30]! ^ 0xff; return b; })()],
    ['a PNG whose data is HTML, not deflate', Buffer.concat([SIG, ihdr(1, 1), chunk('IDAT', html), chunk('IEND', Buffer.alloc(0))])],
    ['a PNG whose data is shorter than its header says', png(4, 4, rows(4, 3))],
    ['a PNG whose data is longer than its header says', png(4, 4, rows(4, 5))],
    ['a PNG with a bad scanline filter', png(2, 2, rows(2, 2, 9))],
    ['a PNG of 100,000 × 100,000 pixels', png(100_000, 100_000, rows(1, 1))],
    ['a PNG with no image data', Buffer.concat([SIG, ihdr(1, 1), chunk('IEND', Buffer.alloc(0))])],
    ['a PNG with an unknown critical chunk', png(1, 1, rows(1, 1), [chunk('HTML', html)])],
    ['a JPEG cut short', JPEG.subarray(0, JPEG.length - 2)],
    ['a JPEG with HTML after its end', Buffer.concat([JPEG, html])],
    ['a JPEG start, HTML and a JPEG end', Buffer.concat([JPEG.subarray(0, 2), html, Buffer.from([0xff, 0xd9])])],
    ['a JPEG with no scan', Buffer.concat([JPEG.subarray(0, JPEG.indexOf(Buffer.from([0xff, 0xda]))), Buffer.from([0xff, 0xd9])])],
    ['a JPEG segment longer than the file', Buffer.concat([JPEG.subarray(0, 4), Buffer.from([0xff, 0xff])])],
  ];
  it.each(bad)('refuses %s', async (_name, bytes) => {
    expect(await imageInfo(bytes)).toBeNull();
  });

  it('an HTML chunk the PNG spec lets decoders skip is still only an image, served as one', async () => {
    // Ancillary chunks (lower-case first letter) are part of valid PNGs; the photo is stored and served
    // as image/png with nosniff, so a browser never reads it as a page.
    expect(await imageInfo(png(1, 1, rows(1, 1), [chunk('tEXt', Buffer.concat([Buffer.from('Comment\0'), html]))]))).toMatchObject({ type: 'image/png' });
  });
});
