/**
 * A parser compiled from a vendor row's zod schema, for the common case of a row that fits: one
 * pass of plain predicates that returns zod's result without copying what zod would return
 * unchanged (a `looseObject` whose values all pass as they are is the vendor's own object, not a
 * copy of it). It answers only "here is the parsed row" or "ask zod": anything it does not accept
 * (an invalid row, a transform that reports an issue, a construct it does not know) goes to zod,
 * which decides and explains. It never accepts what zod rejects and never returns something zod
 * would not (only key order and object identity may differ).
 *
 * Known constructs: string (length, regex and overwrite checks: `trim()`), number (no checks),
 * boolean, null, literal, enum, unknown/any, optional, nullable, union (first option that fits, as
 * zod), array, object (loose: unknown keys kept; strip/strict: only without unknown keys), pipe,
 * transform (synchronous, no issue raised), preprocess (a pipe), record with plain string keys.
 * Anything else compiles to null.
 */
import type { z } from 'zod';

/** Returned by a compiled node when the value does not fit (or the node cannot tell). */
const FAIL: unique symbol = Symbol('fail');
type Parse = (v: unknown) => unknown;

interface DefLike {
  type: string;
  checks?: Array<{ _zod: { def: CheckDef } }>;
  innerType?: SchemaLike;
  element?: SchemaLike;
  options?: SchemaLike[];
  in?: SchemaLike;
  out?: SchemaLike;
  shape?: Record<string, SchemaLike>;
  catchall?: SchemaLike;
  values?: unknown[];
  entries?: Record<string, unknown>;
  transform?: (value: unknown, payload: { value: unknown; issues: unknown[] }) => unknown;
  inclusive?: boolean;
  discriminator?: string;
  keyType?: SchemaLike & { _zod?: { values?: unknown } };
  valueType?: SchemaLike;
}
interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  length?: number;
  format?: string;
  pattern?: RegExp;
  tx?: (v: unknown) => unknown;
}
interface SchemaLike {
  def: DefLike;
  _zod?: { optin?: string; optout?: string };
}

function compileString(def: DefLike): Parse | null {
  const steps: Array<(v: string) => string | typeof FAIL> = [];
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === 'overwrite' && typeof d.tx === 'function') {
      const tx = d.tx;
      steps.push((v) => {
        const out = tx(v);
        return typeof out === 'string' ? out : FAIL;
      });
    } else if (d.check === 'min_length' && typeof d.minimum === 'number') {
      const min = d.minimum;
      steps.push((v) => (v.length >= min ? v : FAIL));
    } else if (d.check === 'max_length' && typeof d.maximum === 'number') {
      const max = d.maximum;
      steps.push((v) => (v.length <= max ? v : FAIL));
    } else if (d.check === 'length_equals' && typeof d.length === 'number') {
      const len = d.length;
      steps.push((v) => (v.length === len ? v : FAIL));
    } else if (
      d.check === 'string_format' &&
      d.format === 'regex' &&
      d.pattern instanceof RegExp &&
      !d.pattern.global &&
      !d.pattern.sticky
    ) {
      const p = d.pattern;
      steps.push((v) => (p.test(v) ? v : FAIL));
    } else return null;
  }
  if (steps.length === 0) return (v) => (typeof v === 'string' ? v : FAIL);
  return (v) => {
    if (typeof v !== 'string') return FAIL;
    let s: string | typeof FAIL = v;
    for (const step of steps) {
      s = step(s);
      if (s === FAIL) return FAIL;
    }
    return s;
  };
}

function compileObject(def: DefLike): Parse | null {
  if ((def.checks ?? []).length || !def.shape) return null;
  const catchall = def.catchall?.def.type;
  // loose (unknown keys kept as they are), strip (none expected here), strict (none allowed)
  const mode =
    catchall === undefined ? 'strip' : catchall === 'unknown' ? 'loose' : catchall === 'never' ? 'strict' : null;
  if (mode === null) return null;
  const keys: string[] = [];
  const parsers: Parse[] = [];
  /** Per key, what an absent key means (zod's `optin`/`optout`): 'fail', 'skip' (stays absent) or 'parse' (parse undefined). */
  const absent: Array<'fail' | 'skip' | 'parse'> = [];
  for (const [key, schema] of Object.entries(def.shape)) {
    const p = compile(schema);
    const { optin, optout } = schema._zod ?? {};
    if (!p || optin === 'defaulted') return null;
    keys.push(key);
    parsers.push(p);
    absent.push(optin === undefined ? 'fail' : optout === 'optional' ? 'skip' : 'parse');
  }
  const known = new Set(keys);
  const n = keys.length;
  return (v) => {
    // (zod's result is always a plain object: anything else, e.g. a null-prototype object, goes to zod)
    if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return FAIL;
    const o = v as Record<string, unknown>;
    if (mode !== 'loose') for (const k in o) if (!known.has(k)) return FAIL;
    let out: Record<string, unknown> | undefined;
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      if (!(key in o)) {
        const a = absent[i];
        if (a === 'fail') return FAIL;
        if (a === 'skip') continue;
      }
      const before = o[key];
      const after = parsers[i]!(before);
      if (after === FAIL) return FAIL;
      if (after !== before) {
        // zod leaves an absent key absent when its value parses to undefined.
        if (after === undefined && !(key in o)) continue;
        out ??= { ...o };
        out[key] = after;
      }
    }
    return out ?? o;
  };
}

/**
 * `z.record(z.string(), value)`: a plain object whose values all fit. Zod builds a new object of the
 * enumerable own string keys except `__proto__`; an object with a symbol key, a non-enumerable or a
 * `__proto__` own key (none comes out of `JSON.parse`, except `__proto__`) goes to zod. Other key
 * schemas (enums, checks) go to zod.
 */
function compileRecord(def: DefLike): Parse | null {
  const k = def.keyType;
  if ((def.checks ?? []).length || !k || !def.valueType) return null;
  if (k.def.type !== 'string' || (k.def.checks ?? []).length || k._zod?.values) return null;
  const value = compile(def.valueType);
  if (!value) return null;
  return (v) => {
    if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return FAIL;
    const o = v as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const key of Reflect.ownKeys(o)) {
      if (typeof key !== 'string' || key === '__proto__' || !Object.prototype.propertyIsEnumerable.call(o, key))
        return FAIL;
      const before = o[key];
      const after = value(before);
      if (after === FAIL) return FAIL;
      if (after !== before) {
        out ??= { ...o };
        out[key] = after;
      }
    }
    return out ?? o;
  };
}

interface TransformPayload {
  value: unknown;
  issues: unknown[];
  addIssue(this: TransformPayload, issue: unknown): void;
}
function addIssue(this: TransformPayload, issue: unknown): void {
  this.issues.push(issue);
}

function compile(schema: SchemaLike): Parse | null {
  const def = schema.def;
  const checks = def.checks ?? [];
  switch (def.type) {
    case 'string':
      return compileString(def);
    case 'number':
      return checks.length ? null : (v) => (typeof v === 'number' && Number.isFinite(v) ? v : FAIL);
    case 'boolean':
      return checks.length ? null : (v) => (typeof v === 'boolean' ? v : FAIL);
    case 'null':
      return checks.length ? null : (v) => (v === null ? v : FAIL);
    case 'unknown':
    case 'any':
      return checks.length ? null : (v) => v;
    case 'literal': {
      if (checks.length || !def.values) return null;
      const values = def.values;
      return (v) => (values.includes(v) ? v : FAIL);
    }
    case 'enum': {
      if (checks.length || !def.entries) return null;
      const allowed = new Set(Object.values(def.entries));
      return (v) => ((typeof v === 'string' || typeof v === 'number') && allowed.has(v) ? v : FAIL);
    }
    case 'optional':
    case 'nullable': {
      if (checks.length || !def.innerType) return null;
      const inner = compile(def.innerType);
      if (!inner) return null;
      return def.type === 'optional' ? (v) => (v === undefined ? v : inner(v)) : (v) => (v === null ? v : inner(v));
    }
    case 'union': {
      // (an exclusive union, `z.xor`, needs exactly one option to fit: zod decides)
      if (checks.length || !def.options?.length || def.inclusive === false) return null;
      const options: Parse[] = [];
      for (const o of def.options) {
        const p = compile(o);
        if (!p) return null;
        options.push(p);
      }
      return (v) => {
        for (const p of options) {
          const out = p(v);
          if (out !== FAIL) return out;
        }
        return FAIL;
      };
    }
    case 'array': {
      if (checks.length || !def.element) return null;
      const el = compile(def.element);
      if (!el) return null;
      return (v) => {
        if (!Array.isArray(v)) return FAIL;
        let out: unknown[] | undefined;
        for (let i = 0; i < v.length; i++) {
          const before: unknown = v[i];
          const after = el(before);
          if (after === FAIL) return FAIL;
          if (after !== before) {
            out ??= v.slice();
            out[i] = after;
          }
        }
        return out ?? v;
      };
    }
    case 'object':
      return compileObject(def);
    case 'record':
      return compileRecord(def);
    case 'pipe': {
      if (checks.length || !def.in || !def.out) return null;
      const a = compile(def.in);
      const b = compile(def.out);
      if (!a || !b) return null;
      return (v) => {
        const mid = a(v);
        return mid === FAIL ? FAIL : b(mid);
      };
    }
    case 'transform': {
      const fn = def.transform;
      if (checks.length || typeof fn !== 'function') return null;
      return (v) => {
        // One shared `addIssue` (a method of the payload), not a closure per call: this runs for
        // every transformed field of every row (a transform calling it unbound throws: zod decides).
        const payload: TransformPayload = { value: v, issues: [], addIssue };
        const out = fn(v, payload);
        // An issue (the transform refused the value) or an async transform: zod decides.
        if (payload.issues.length > 0 || out instanceof Promise) return FAIL;
        return out;
      };
    }
    default:
      return null;
  }
}

const cache = new WeakMap<object, ((v: unknown) => { ok: true; value: unknown } | undefined) | null>();

/**
 * The compiled fast path of `schema.safeParse(v)`: `{ ok: true, value }` when the value fits, else
 * undefined (then ask zod). Null when the schema cannot be compiled (always ask zod).
 */
export function compiledRowParser(
  schema: z.ZodType<unknown>,
): ((v: unknown) => { ok: true; value: unknown } | undefined) | null {
  let parser = cache.get(schema);
  if (parser === undefined) {
    let compiled: Parse | null;
    try {
      compiled = compile(schema as unknown as SchemaLike);
    } catch {
      compiled = null;
    }
    parser = compiled
      ? (v) => {
          let out: unknown;
          try {
            out = compiled(v);
          } catch {
            return undefined; // a transform that throws: zod reports it
          }
          return out === FAIL ? undefined : { ok: true, value: out };
        }
      : null;
    cache.set(schema, parser);
  }
  return parser;
}
