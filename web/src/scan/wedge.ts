/**
 * A USB or Bluetooth scanner that "types" the code and presses Enter. Scanners type far faster than
 * people (a few milliseconds a character, against a few hundred), so a run typed fast on average and
 * ended by Enter is a code, even if the stream hiccups now and then. Typing into form fields is left alone.
 */
export function listenForWedge(onCode: (text: string) => void, opts: { maxAverageMs?: number; minLength?: number } = {}): () => void {
  const maxAverage = opts.maxAverageMs ?? 50;
  const min = opts.minLength ?? 8;
  let buffer = '';
  let first = 0;
  let last = 0;
  const onKey = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable)) return;
    const now = performance.now();
    // A long pause means whatever came before was not one scan.
    if (now - last > 1_000) buffer = '';
    if (e.key === 'Enter') {
      const average = buffer.length > 1 ? (last - first) / (buffer.length - 1) : Number.POSITIVE_INFINITY;
      if (buffer.length >= min && average <= maxAverage) {
        e.preventDefault();
        onCode(buffer);
      }
      buffer = '';
      return;
    }
    if (e.key.length !== 1) return;
    if (!buffer) first = now;
    buffer += e.key;
    last = now;
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
