/**
 * Value comparison helpers and content-derived event ids.
 */
import { createHash } from 'node:crypto';
import type { FieldChange } from '../changes.js';
import type { ChangeType } from './types.js';

/** Structural equality for JSON-like values (custom fields). Iterative: deep values cannot overflow the stack. */
export function deepEqual(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length) {
    const [x, y] = stack.pop()!;
    if (Object.is(x, y)) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i], y[i]]);
      continue;
    }
    if (Array.isArray(y)) return false;
    if (x instanceof Date || y instanceof Date) {
      if (!(x instanceof Date && y instanceof Date) || x.getTime() !== y.getTime()) return false;
      continue;
    }
    const xk = Object.keys(x);
    const yo = y as Record<string, unknown>;
    if (xk.length !== Object.keys(yo).length) return false;
    const xo = x as Record<string, unknown>;
    for (const k of xk) {
      if (!Object.prototype.hasOwnProperty.call(yo, k)) return false;
      stack.push([xo[k], yo[k]]);
    }
  }
  return true;
}

/** JSON with sorted object keys, so equal values always serialize identically (used for event ids). */
export function stableStringify(value: unknown, depth = 0): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify(String(value));
    return JSON.stringify(value) ?? 'null';
  }
  if (depth > 256) return '"[too deep]"';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => stableStringify(v, depth + 1)).join(',')}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(o[k], depth + 1)}`).join(',')}}`;
}

export function sortedUnique(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort(compareStrings);
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sameCustomFields(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (!Object.prototype.hasOwnProperty.call(a, k)) continue;
    n++;
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    const x = a[k];
    const y = b[k];
    if (x !== y && (typeof x !== 'object' || typeof y !== 'object' || !deepEqual(x, y))) return false;
  }
  for (const k in b) if (Object.prototype.hasOwnProperty.call(b, k)) n--;
  return n === 0;
}

/** Group membership compared as a set (order and duplicates do not matter). */
export function sameGroupSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === b.length) {
    let same = true;
    for (let i = 0; i < a.length; i++)
      if (a[i] !== b[i]) {
        same = false;
        break;
      }
    if (same) return true;
  }
  const sa = new Set(a);
  const sb = new Set(b);
  if (sa.size !== sb.size) return false;
  for (const x of sa) if (!sb.has(x)) return false;
  return true;
}

export function eventId(parts: {
  type: ChangeType;
  subject: string;
  previousId?: string | undefined;
  changes: readonly FieldChange[];
}): string {
  const h = createHash('sha256');
  h.update(parts.type);
  h.update('\u0000');
  h.update(parts.subject);
  h.update('\u0000');
  h.update(parts.previousId ?? '');
  h.update('\u0000');
  for (const c of parts.changes) {
    h.update(c.field);
    h.update('\u0001');
    h.update(stableStringify(c.before));
    h.update('\u0001');
    h.update(stableStringify(c.after));
    h.update('\u0002');
  }
  return h.digest('hex');
}
