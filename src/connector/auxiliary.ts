/**
 * The policy for data that does not decide who exists: auxiliary metadata (field and list
 * metadata, departments, locations, company details, custom-field definitions) that does not fit
 * its schema is skipped item by item, with a snapshot warning that names what was skipped and why,
 * and the sync completes. Employee rows are never read through here: a bad employee row fails the
 * sync loudly (see `validateRow` in define.ts).
 *
 * Connectors use it in two ways: `ResourceDef.auxiliary: true` for a paged lookup read through the
 * runtime (groups and locations resources are auxiliary by default), or `rt.auxiliary(...)` for a
 * lookup they request themselves (e.g. BambooHR's `/v1/meta/lists`).
 */
import type { z } from 'zod';

/** A short label for an auxiliary item in a warning: its id, alias, name or field id when it has any. */
export function auxiliaryLabel(raw: unknown): string {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return '';
  const r = raw as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of ['id', 'uuid', 'name', 'alias', 'fieldId', 'title']) {
    const v = r[k];
    if ((typeof v === 'string' && v.trim() !== '') || typeof v === 'number')
      parts.push(`${k} ${JSON.stringify(String(v).slice(0, 60))}`);
    if (parts.length === 3) break;
  }
  return parts.join(', ');
}

/** The warning for one skipped auxiliary item. */
export function skippedMessage(vendorName: string, what: string, index: number, raw: unknown, reason: string): string {
  const label = auxiliaryLabel(raw);
  return `${vendorName}: skipped ${what} #${index + 1}${label ? ` (${label})` : ''}: ${reason}. It is auxiliary data, so the sync continued without it.`;
}

export function zodReason(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`)
    .join('; ');
}

export interface AuxiliaryParse<T> {
  vendorName: string;
  /** What one item is, for messages (e.g. "list in /v1/meta/lists"). */
  what: string;
  schema: z.ZodType<T>;
  /** The vendor's list (anything else is skipped whole, with a warning). */
  data: unknown;
  warn: (message: string) => void;
}

/** Parse a list of auxiliary items, skipping (and warning about) each one that does not fit. */
export function parseAuxiliary<T>(o: AuxiliaryParse<T>): T[] {
  if (!Array.isArray(o.data)) {
    const got = o.data === null ? 'null' : typeof o.data;
    o.warn(
      `${o.vendorName}: expected a list of items (${o.what}) but got ${got}; skipped them all. It is auxiliary data, so the sync continued without it.`,
    );
    return [];
  }
  const out: T[] = [];
  o.data.forEach((raw, i) => {
    const r = o.schema.safeParse(raw);
    if (r.success) out.push(r.data);
    else
      o.warn(
        skippedMessage(o.vendorName, o.what, i, raw, `it does not match the documented shape (${zodReason(r.error)})`),
      );
  });
  return out;
}
