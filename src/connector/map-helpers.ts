/** Small pure helpers for connector mappers: vendor values in, normalized values out. */

/** Trimmed string or null for empty/absent values. */
export function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
  if (s === null) return null;
  const t = s.trim();
  return t === '' ? null : t;
}

/** Id-like value as a string (numbers become strings), or null. */
export function idOf(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return text(v);
}

/** Lower-cased trimmed email, or null when it does not look like one. */
export function email(v: unknown): string | null {
  const s = text(v);
  if (!s || !s.includes('@')) return null;
  return s.toLowerCase();
}

/**
 * Normalize a vendor date to `YYYY-MM-DD`. Accepts `YYYY-MM-DD`, ISO timestamps, and dates with
 * an offset such as Workday's `2024-05-31-07:00` (the calendar date is kept as written). Returns
 * null for empty values and placeholders such as BambooHR's `0000-00-00`.
 */
export function isoDate(v: unknown): string | null {
  const s = text(v);
  if (!s) return null;
  // `YYYY-MM-DD` at the start, read digit by digit (this runs several times per person).
  const year = digits(s, 0, 4);
  const month = year >= 0 && s.charCodeAt(4) === 45 ? digits(s, 5, 2) : -1;
  const day = month >= 0 && s.charCodeAt(7) === 45 ? digits(s, 8, 2) : -1;
  if (day < 0) {
    const t = Date.parse(s);
    if (Number.isNaN(t)) return null;
    return new Date(t).toISOString().slice(0, 10);
  }
  if (year === 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return s.length === 10 ? s : s.slice(0, 10);
}

/** The number written by `n` ASCII digits at `at`, or -1 when any of them is not a digit (or missing). */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Normalize a timestamp to ISO 8601 UTC, or null. */
export function isoDateTime(v: unknown): string | null {
  const s = text(v);
  if (!s) return null;
  // Already `YYYY-MM-DDTHH:MM:SSZ` or `...SS.sssZ` with every field in range: the same string
  // `Date.parse` + `toISOString` would give, without them (this runs for every person).
  const n = s.length;
  if ((n === 20 || (n === 24 && s.charCodeAt(19) === 46 && digits(s, 20, 3) >= 0)) && s.charCodeAt(n - 1) === 90) {
    const year = digits(s, 0, 4);
    const month = s.charCodeAt(4) === 45 ? digits(s, 5, 2) : -1;
    const day = s.charCodeAt(7) === 45 ? digits(s, 8, 2) : -1;
    const hour = s.charCodeAt(10) === 84 ? digits(s, 11, 2) : -1;
    const minute = s.charCodeAt(13) === 58 ? digits(s, 14, 2) : -1;
    const second = s.charCodeAt(16) === 58 ? digits(s, 17, 2) : -1;
    if (
      year >= 0 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= daysInMonth(year, month) &&
      hour >= 0 &&
      hour <= 23 &&
      minute >= 0 &&
      minute <= 59 &&
      second >= 0 &&
      second <= 59
    )
      return n === 24 ? s : `${s.slice(0, 19)}.000Z`;
  }
  const t = Date.parse(s);
  if (Number.isNaN(t)) return null;
  return new Date(t).toISOString();
}

/** Booleans as vendors send them: true/false, "true"/"false" (any case), 1/0, "1"/"0", "yes"/"no". */
export function bool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  const s = text(v)?.toLowerCase();
  if (s === undefined || s === null) return null;
  if (['true', '1', 'yes', 'y'].includes(s)) return true;
  if (['false', '0', 'no', 'n'].includes(s)) return false;
  return null;
}

/** Today as `YYYY-MM-DD` in UTC (or for the given date). */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Build a record from entries without ever touching a prototype: keys such as `__proto__` and
 * `constructor` become ordinary own properties.
 */
export function safeRecord(entries: Iterable<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    if (k === '__proto__')
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

/** A shallow copy of a record that keeps a `__proto__` key as data (fast path when there is none). */
export function copyRecord(rec: Record<string, unknown>): Record<string, unknown> {
  if (!Object.prototype.hasOwnProperty.call(rec, '__proto__')) return { ...rec };
  return safeRecord(Object.entries(rec));
}
