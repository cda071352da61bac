/**
 * Is this really a JPEG or PNG, and how big is it? Read from the bytes, not the file name or the
 * Content-Type a client claims: a photo must be an image a manager's browser can show.
 */
export interface ImageInfo {
  type: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

export function imageInfo(b: Uint8Array): ImageInfo | null {
  if (b.length > 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[12] === 0x49 && b[13] === 0x48 && b[14] === 0x44 && b[15] === 0x52) {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const width = v.getUint32(16);
    const height = v.getUint32(20);
    // A PNG ends with its IEND chunk.
    const end = String.fromCharCode(...b.subarray(b.length - 8, b.length - 4));
    return width && height && end === 'IEND' ? { type: 'image/png', width, height } : null;
  }
  if (b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    // Walk the JPEG's segments to its frame header (SOF0–SOF15, but not DHT/JPG/DAC), which holds the size.
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return null;
      const marker = b[i + 1]!;
      const length = (b[i + 2]! << 8) | b[i + 3]!;
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        const height = (b[i + 5]! << 8) | b[i + 6]!;
        const width = (b[i + 7]! << 8) | b[i + 8]!;
        // …and a whole JPEG ends with its End Of Image marker.
        const complete = b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;
        return width && height && complete ? { type: 'image/jpeg', width, height } : null;
      }
      if (length < 2) return null;
      i += 2 + length;
    }
  }
  return null;
}
