/**
 * Small helpers shared by the provisioning modules: canonical JSON, hashing, dates.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';

/** JSON with object keys sorted at every level and `undefined` members dropped: the input of every hash. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Deterministic comparison for strings (code-unit order, not locale order). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const DAY_MS = 86_400_000;

/** Validate an IANA time zone name. */
export function assertTimeZone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new ConfigError({
      message: `unknown time zone "${tz}" (expected an IANA name such as "America/New_York" or "UTC")`,
      code: 'timezone_invalid',
    });
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
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

/** Offset (ms) of `tz` from UTC at the given instant. */
function tzOffsetMs(instant: number, tz: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour! % 24, parts.minute!, parts.second!);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The UTC instant at which the local wall-clock time `date` + `dayOffset` days, `time` (HH:MM), occurs in `tz`.
 * Returned as an ISO string (`...Z`).
 */
export function zonedInstant(date: string, tz: string, time = '00:00', dayOffset = 0): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const guess = Date.UTC(y, m - 1, d + dayOffset, hh, mm);
  const off1 = tzOffsetMs(guess, tz);
  let t = guess - off1;
  const off2 = tzOffsetMs(t, tz);
  if (off2 !== off1) t = guess - off2;
  return new Date(t).toISOString();
}

export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * DAY_MS).toISOString();
}

/** A short message for an unknown thrown value: never its stack, cause or properties. */
export function errorMessage(err: unknown, max = 500): string {
  let msg: string;
  if (err instanceof Error) msg = `${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}`;
  else if (typeof err === 'string') msg = err;
  else if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string')
    msg = (err as { message: string }).message;
  else msg = 'unknown error';
  return msg.length > max ? `${msg.slice(0, max)}…` : msg;
}
