/**
 * Calendar arithmetic in a compound's time zone, with nothing but Intl: shared by the server and the tablet.
 * A "date" here is a local calendar date string 'YYYY-MM-DD'; an instant is epoch milliseconds.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The offset by asking Intl (slow: a few microseconds; cached below). */
function intlOffsetMs(ms: number, tz: string): number {
  const out: Record<string, number> = {};
  for (const p of partsFormatter(tz).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(out.year!, out.month! - 1, out.day!, out.hour === 24 ? 0 : out.hour!, out.minute!, out.second!);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

// Zones change their offset only on a quarter hour, so one lookup serves a whole quarter hour: the gate's
// rules and the sync ask this thousands of times a second.
const QUARTER = 900_000;
const offsets = new Map<string, number>();

/** Offset of `tz` from UTC at instant `ms`, in milliseconds (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(ms: number, tz: string): number {
  const key = `${tz}|${Math.floor(ms / QUARTER)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    offset = intlOffsetMs(Math.floor(ms / QUARTER) * QUARTER, tz);
    if (offsets.size > 100_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/** The wall-clock reading in `tz` at instant `ms`. */
export function zonedParts(ms: number, tz: string): ZonedParts {
  const d = new Date(ms + zoneOffsetMs(ms, tz));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The local calendar date in `tz` at instant `ms`, as 'YYYY-MM-DD'. */
export function zonedDate(ms: number, tz: string): string {
  const p = zonedParts(ms, tz);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** The local time of day in `tz` at instant `ms`, as 'HH:MM'. */
export function zonedTime(ms: number, tz: string): string {
  const p = zonedParts(ms, tz);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isDateString(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

export function isTimeOfDay(s: string): boolean {
  return TIME_RE.test(s);
}

/** The instant at which the wall clock in `tz` reads `date` `time` ('HH:MM', default midnight). */
export function zonedToUtc(date: string, tz: string, time = '00:00'): number {
  const d = DATE_RE.exec(date);
  const t = TIME_RE.exec(time);
  if (!d || !t) throw new RangeError(`not a local date/time: ${date} ${time}`);
  const wall = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]));
  // Two passes settle the offset even on a day the zone changes its clocks.
  let guess = wall - zoneOffsetMs(wall, tz);
  guess = wall - zoneOffsetMs(guess, tz);
  return guess;
}

/** Calendar arithmetic on 'YYYY-MM-DD' (no time zone involved). */
export function addDays(date: string, days: number): string {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`not a date: ${date}`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days));
  return d.toISOString().slice(0, 10);
}

/** Whole days from date `a` to date `b` (negative when b is earlier). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** 'YYYY-MM-DD HH:MM' in `tz`, the way gate logs and reports print a time. */
export function formatLocal(ms: number, tz: string): string {
  return `${zonedDate(ms, tz)} ${zonedTime(ms, tz)}`;
}

/**
 * A date-time as people write it in spreadsheets and forms, read as wall-clock time in `tz`:
 * "2026-12-01 08:30", "2026/12/1 8:30:15", "2026-12-01" (midnight), or ISO with Z/offset. Null if unreadable.
 */
export function parseLocalDateTime(text: string, tz: string): number | null {
  const s = text.trim();
  if (/T.*(Z|[+-]\d{2}:?\d{2})$/.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : t;
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$/.exec(s);
  if (!m) return null;
  const date = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  if (!isDateString(date)) return null;
  const hour = Number(m[4] ?? 0);
  if (hour > 23) return null;
  const time = `${String(hour).padStart(2, '0')}:${m[5] ?? '00'}`;
  if (!isTimeOfDay(time)) return null;
  return zonedToUtc(date, tz, time) + Number(m[6] ?? 0) * 1000;
}

/**
 * Whether `tz` is a time zone spelled as the zone database spells it (Asia/Shanghai, not asia/shanghai,
 * EST or +08:00): what a compound may be set to. Where it names a known zone under another spelling or an
 * old alias, `canonicalZone` says which.
 */
export function isZoneName(tz: string): boolean {
  const canonical = canonicalZone(tz);
  return canonical !== null && (canonical === tz || tz === 'UTC' || supportedZones().includes(tz));
}

/** The zone database's own name for `tz`, or null when Intl does not know it. */
export function canonicalZone(tz: string): string | null {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

let zones: string[] | undefined;
/** Every zone this runtime knows, Asia/Shanghai first (where the districts are), then A–Z. */
export function supportedZones(): string[] {
  zones ??= ['Asia/Shanghai', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'Asia/Shanghai'), ...(Intl.supportedValuesOf('timeZone').includes('UTC') ? [] : ['UTC'])];
  return zones;
}
