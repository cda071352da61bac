import type { Verdict } from '../../../server/core/reasons';

/** A sound and a vibration for each verdict: the volunteer hears the answer without looking. */
let audio: AudioContext | null = null;

function tone(ctx: AudioContext, freq: number, start: number, length: number) {
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = 'square';
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.0001, ctx.currentTime + start);
  gain.gain.exponentialRampToValueAtTime(0.25, ctx.currentTime + start + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + start + length);
  osc.connect(gain).connect(ctx.destination);
  osc.start(ctx.currentTime + start);
  osc.stop(ctx.currentTime + start + length + 0.02);
}

const PATTERNS: Record<Verdict, { tones: [number, number, number][]; vibrate: number[] }> = {
  allow: { tones: [[1320, 0, 0.12]], vibrate: [80] },
  deny: { tones: [[220, 0, 0.22], [220, 0.3, 0.22]], vibrate: [220, 100, 220] },
  review: { tones: [[660, 0, 0.14], [440, 0.18, 0.18]], vibrate: [120, 80, 120] },
};

/** Make the audio context ahead of time (it starts suspended and wakes on the volunteer's first tap). */
export function prepareSound(): void {
  try {
    audio ??= new AudioContext();
    const wake = () => void audio?.resume();
    window.addEventListener('pointerdown', wake, { once: true });
  } catch {
    // no audio here
  }
}

export function signal(verdict: Verdict, muted: boolean): void {
  const p = PATTERNS[verdict];
  try {
    navigator.vibrate?.(p.vibrate);
  } catch {
    // not every browser lets a page vibrate
  }
  if (muted) return;
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
    for (const [f, start, length] of p.tones) tone(audio, f, start, length);
  } catch {
    // no audio output: the colour still says it
  }
}
