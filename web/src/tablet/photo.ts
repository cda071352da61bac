/** The largest photo the tablet sends: the server takes up to 512 KB, the network at a gate is slow. */
export const MAX_PHOTO_BYTES = 200 * 1024;

/**
 * Shrink a camera photo to a JPEG of at most 200 KB: scaled to 1280 px on its long side, then lower
 * quality, then smaller, until it fits.
 */
export async function shrinkPhoto(file: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(file);
  let side = Math.min(1280, Math.max(bitmap.width, bitmap.height));
  for (;;) {
    const scale = side / Math.max(bitmap.width, bitmap.height);
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    for (const quality of [0.8, 0.65, 0.5]) {
      const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', quality));
      if (blob && blob.size <= MAX_PHOTO_BYTES) return blob;
    }
    side = Math.round(side * 0.75);
  }
}
