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
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (!m) {
    const t = Date.parse(s);
    if (Number.isNaN(t)) return null;
    return new Date(t).toISOString().slice(0, 10);
  }
  const [, y, mo, d] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year === 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return s.length === 10 ? s : `${y}-${mo}-${d}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Normalize a timestamp to ISO 8601 UTC, or null. */
export function isoDateTime(v: unknown): string | null {
  const s = text(v);
  if (!s) return null;
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
