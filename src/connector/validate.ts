/**
 * Validation at the connector boundary: the factory's options, each vendor row against its schema,
 * each normalized record against the model, and the typed errors that name the record (never its
 * values beyond an id).
 */
import type { z } from 'zod';
import { ConfigError, OrgsyncError, ValidationError } from '../errors.js';
import { compiledRowParser } from './row-parse.js';
import { CommonOptionsSchema, type CommonOptions, type ConnectorDefinition } from './types.js';

export function validateOptions<Opts extends Record<string, unknown>>(
  def: ConnectorDefinition<Opts, any>,
  options: unknown,
): Opts & CommonOptions {
  if (!options || typeof options !== 'object') {
    throw new ConfigError({
      vendor: def.id,
      message: `${def.name}: options are required (${Object.keys(def.options.shape).join(', ')}).`,
    });
  }
  const schema = def.options.merge(CommonOptionsSchema);
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const secrets = new Set<string>(def.secrets as readonly string[]);
    const problems = parsed.error.issues.map((i) => {
      const path = i.path.join('.') || '(options)';
      // zod messages never include values, but be explicit for secret fields.
      return secrets.has(String(i.path[0]))
        ? `${path}: required secret is missing or invalid`
        : `${path}: ${i.message}`;
    });
    throw new ConfigError({ vendor: def.id, message: `${def.name}: invalid options: ${problems.join('; ')}.` });
  }
  // Keep non-schema values (http hooks, signals) as given.
  return { ...(options as object), ...(parsed.data as object) } as Opts & CommonOptions;
}

export function toArray<T>(v: T | T[] | null | undefined): T[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export function rowLabel(raw: unknown): string {
  if (raw && typeof raw === 'object') {
    const r = raw as Record<string, unknown>;
    for (const k of ['id', 'uuid', 'employeeId', 'employee_id', 'userName']) {
      const v = r[k];
      if (typeof v === 'string' || typeof v === 'number') return `${k} ${String(v)}`;
    }
  }
  return '';
}

export function validateRow<Row>(
  def: ConnectorDefinition<any, any>,
  resource: string,
  schema: z.ZodType<Row> | undefined,
  raw: unknown,
  index: number,
): Row {
  if (!schema) return raw as Row;
  // The compiled parser answers rows that fit without copying them (the vendor's own object when
  // nothing is transformed); zod decides, and explains, everything else.
  const fast = compiledRowParser(schema)?.(raw);
  if (fast) return fast.value as Row;
  const r = schema.safeParse(raw);
  if (r.success) return keepOwnKeys(raw, r.data);
  const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`);
  const label = rowLabel(raw);
  throw new ValidationError({
    vendor: def.id,
    code: 'vendor_row_invalid',
    issues,
    message: `${def.name} sent a ${resource} record (#${index + 1}${label ? `, ${label}` : ''}) that does not match its documented shape: ${issues.join('; ')}. No snapshot was written.`,
  });
}

/**
 * Schema parsing copies unknown keys by assignment, which turns an own `__proto__` key of vendor
 * data into a prototype change (and drops it). Put such keys back as plain own properties.
 */
export function keepOwnKeys<T>(raw: unknown, parsed: T): T {
  if (!raw || typeof raw !== 'object' || !parsed || typeof parsed !== 'object' || Array.isArray(raw)) return parsed;
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    if (Object.prototype.hasOwnProperty.call(raw, key)) {
      Object.defineProperty(parsed, key, {
        value: (raw as Record<string, unknown>)[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  if (Object.getPrototypeOf(parsed) !== Object.prototype && Object.getPrototypeOf(parsed) !== null)
    Object.setPrototypeOf(parsed, Object.prototype);
  return parsed;
}

export function validateOutput<Out>(
  def: ConnectorDefinition<any, any>,
  resource: string,
  schema: z.ZodType<Out>,
  value: unknown,
  index: number,
): Out {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`);
  const label = rowLabel(value);
  throw new ValidationError({
    vendor: def.id,
    code: 'normalized_invalid',
    issues,
    message: `${def.name}: ${resource} record #${index + 1}${label ? ` (${label})` : ''} does not fit the orgsync model: ${issues.join('; ')}. This is a connector bug or an unexpected vendor value; no snapshot was written.`,
  });
}

export function mapFailure(
  def: ConnectorDefinition<any, any>,
  resource: string,
  row: unknown,
  e: unknown,
): OrgsyncError {
  if (e instanceof OrgsyncError) return e;
  const label = rowLabel(row);
  return new ValidationError({
    vendor: def.id,
    code: 'mapping_failed',
    message: `${def.name}: mapping a ${resource} record${label ? ` (${label})` : ''} failed: ${(e as Error)?.message ?? String(e)}.`,
  });
}
