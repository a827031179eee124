/**
 * A validator compiled from `EmployeeSchema` itself: plain predicates per field, roughly 10x
 * faster than zod for the common case. It answers only "valid or not"; callers fall back to zod
 * for anything it rejects (zod decides and writes the error messages), and it disables itself
 * (null) if the schema uses a construct it does not know.
 */
import { EmployeeSchema } from './model.js';

type Check = (v: unknown) => boolean;

interface ZodDefLike {
  type: string;
  checks?: {
    _zod: { def: { check: string; minimum?: number; maximum?: number; format?: string; pattern?: RegExp } };
  }[];
  innerType?: ZodSchemaLike;
  element?: ZodSchemaLike;
  keyType?: ZodSchemaLike;
  valueType?: ZodSchemaLike;
  entries?: Record<string, unknown>;
  values?: unknown[];
  shape?: Record<string, ZodSchemaLike>;
  catchall?: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

interface ZodSchemaLike {
  def: ZodDefLike;
  safeParse(v: unknown): { success: boolean };
}

function compileCheck(schema: ZodSchemaLike): Check | null {
  const def = schema.def;
  const checks = def.checks ?? [];
  switch (def.type) {
    case 'custom':
      // A predicate (e.g. customFields: "a non-array object"): ask zod itself; custom never transforms.
      return (v) => schema.safeParse(v).success;
    case 'string': {
      let min = 0;
      let max = Infinity;
      const patterns: RegExp[] = [];
      for (const c of checks) {
        const d = c._zod.def;
        if (d.check === 'min_length' && typeof d.minimum === 'number') min = Math.max(min, d.minimum);
        else if (d.check === 'max_length' && typeof d.maximum === 'number') max = Math.min(max, d.maximum);
        else if (
          d.check === 'string_format' &&
          d.format === 'regex' &&
          d.pattern instanceof RegExp &&
          !d.pattern.global &&
          !d.pattern.sticky
        )
          patterns.push(d.pattern);
        else return null;
      }
      return (v) => {
        if (typeof v !== 'string' || v.length < min || v.length > max) return false;
        for (const p of patterns) if (!p.test(v)) return false;
        return true;
      };
    }
    case 'nullable':
    case 'optional': {
      if (checks.length || !def.innerType) return null;
      const inner = compileCheck(def.innerType);
      if (!inner) return null;
      return def.type === 'nullable' ? (v) => v === null || inner(v) : (v) => v === undefined || inner(v);
    }
    case 'enum': {
      if (checks.length || !def.entries) return null;
      const allowed = new Set(Object.values(def.entries));
      return (v) => (typeof v === 'string' || typeof v === 'number') && allowed.has(v);
    }
    case 'array': {
      if (checks.length || !def.element) return null;
      const el = compileCheck(def.element);
      if (!el) return null;
      return (v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!el(v[i])) return false;
        return true;
      };
    }
    case 'record': {
      const k = def.keyType?.def;
      const val = def.valueType?.def;
      if (
        checks.length ||
        !k ||
        !val ||
        k.type !== 'string' ||
        (k.checks ?? []).length ||
        (val.type !== 'unknown' && val.type !== 'any')
      )
        return null;
      return (v) => isPlainObject(v) && Object.getOwnPropertySymbols(v).length === 0;
    }
    case 'unknown':
    case 'any':
      return checks.length ? null : () => true;
    default:
      return null;
  }
}

function compileObjectCheck(def: ZodDefLike): ((v: unknown) => boolean) | null {
  if (def.type !== 'object' || !def.shape || def.catchall !== undefined || (def.checks ?? []).length) return null;
  const keys: string[] = [];
  const checks: Check[] = [];
  for (const [key, schema] of Object.entries(def.shape)) {
    const c = compileCheck(schema);
    if (!c) return null;
    keys.push(key);
    checks.push(c);
  }
  const n = keys.length;
  return (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    for (let i = 0; i < n; i++) if (!checks[i]!(o[keys[i]!])) return false;
    return true;
  };
}

/** Null when the schema uses something the compiler does not understand (then use zod). */
export const compiledEmployeeCheck: ((v: unknown) => boolean) | null = compileObjectCheck(
  (EmployeeSchema as unknown as { def: ZodDefLike }).def,
);
