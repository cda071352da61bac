import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import QRCode from 'qrcode';

/**
 * A video for Chromium's fake camera (--use-file-for-fake-video-capture): each segment shows a QR code
 * (or a blank white frame) for some seconds. Y4M, I420, small frames and a low rate keep the file small.
 */
export interface Segment {
  text: string | null;
  seconds: number;
}

export function hasFfmpeg(): boolean {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Make the video; returns its path and a function that deletes it (raw video is large: ~260 KB a frame). */
export async function makeCameraVideo(segments: Segment[], opts: { fps?: number; size?: number } = {}): Promise<{ path: string; dispose: () => void }> {
  const fps = opts.fps ?? 5;
  const size = opts.size ?? 360;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatepost-camera-'));
  const inputs: string[] = [];
  const filters: string[] = [];
  // A pass held up to a camera is never quite still, and a sensor is never quiet: each code is shown at a
  // few distances, with a little noise in every frame. (Identical synthetic frames would turn a decoder's
  // rare blind spot for one symbol into a certain miss.)
  const shots: { text: string | null; seconds: number; scale: number }[] = segments.flatMap((seg) =>
    seg.text ? [0.92, 0.8, 0.68].map((scale) => ({ text: seg.text, seconds: seg.seconds / 3, scale })) : [{ ...seg, scale: 1 }],
  );
  for (const [i, shot] of shots.entries()) {
    const png = path.join(dir, `s${i}.png`);
    if (shot.text) await QRCode.toFile(png, shot.text, { width: Math.round(size * shot.scale), margin: 2, errorCorrectionLevel: 'M' });
    else await QRCode.toFile(png, ' ', { width: 8, margin: 0, color: { dark: '#ffffffff', light: '#ffffffff' } });
    inputs.push('-loop', '1', '-t', String(shot.seconds), '-i', png);
    filters.push(`[${i}:v]scale='min(${size},iw)':-1,pad=${Math.round((size * 4) / 3)}:${size}:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p,fps=${fps},noise=alls=14:allf=t,setsar=1[v${i}]`);
  }
  const concat = `${shots.map((_, i) => `[v${i}]`).join('')}concat=n=${shots.length}:v=1:a=0[out]`;
  const out = path.join(dir, 'camera.y4m');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...inputs, '-filter_complex', `${filters.join(';')};${concat}`, '-map', '[out]', '-pix_fmt', 'yuv420p', out]);
  return { path: out, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
