/**
 * Names with numbers in them, in the order people count: 1号楼, 2号楼 … 10号楼, 19号楼 (not 1, 10, 19, 2).
 * The one comparator for every list of places, gates and tablets: the server's listings, the roster the
 * tablet shows, and the office pages, so a list reads the same everywhere. Runs of digits compare by
 * value (ASCII and full-width digits alike); the text between them by the Chinese collation (pinyin),
 * then by code point so that no two different names ever compare equal.
 */
const collator = new Intl.Collator('zh-CN', { sensitivity: 'variant' });
const PARTS = /(\d+|[０-９]+)|(\D+)/gu;

function digitsValue(run: string): string {
  // Full-width digits (１２) count as their ASCII twins; leading zeros do not make a number bigger.
  const ascii = run.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  return ascii.replace(/^0+(?=\d)/, '');
}

function parts(s: string): string[] {
  return s.match(PARTS) ?? [];
}

export function compareNatural(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    const xd = /^[\d０-９]/.test(x);
    const yd = /^[\d０-９]/.test(y);
    if (xd && yd) {
      const vx = digitsValue(x);
      const vy = digitsValue(y);
      if (vx.length !== vy.length) return vx.length - vy.length;
      if (vx !== vy) return vx < vy ? -1 : 1;
      continue;
    }
    // A number comes before words at the same place (2号楼 before 东楼, 1 before A).
    if (xd !== yd) return xd ? -1 : 1;
    const c = collator.compare(x, y);
    if (c) return c;
  }
  if (pa.length !== pb.length) return pa.length - pb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A copy of `items` sorted by `name` (or what `key` picks), naturally. */
export function sortNaturally<T>(items: readonly T[], key: (item: T) => string = (item) => (item as { name: string }).name): T[] {
  return [...items].sort((a, b) => compareNatural(key(a), key(b)));
}
