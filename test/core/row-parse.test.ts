/**
 * The compiled vendor-row parser (src/connector/row-parse.ts) against zod itself: whenever the
 * compiled parser answers, zod accepts the same row and returns an equal value; whenever zod
 * rejects a row, the compiled parser does not answer. Checked on every object found in the vendor
 * fixtures against every connector's row schemas, on mutations of those objects (wrong types,
 * missing and extra keys, `__proto__` keys, whitespace around ids), and on hand-written schemas
 * using each construct.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectors } from '../../connectors/index.js';
import { compiledRowParser } from '../../src/connector/row-parse.js';
import { keepOwnKeys, validateRow } from '../../src/connector/validate.js';

type Schema = z.ZodType<unknown>;

/** Every row schema a shipped connector declares (employees, groups, locations, company). */
function rowSchemas(): Array<[string, Schema]> {
  const out: Array<[string, Schema]> = [];
  for (const [id, factory] of Object.entries(connectors)) {
    const def = (factory as unknown as { definition: Record<string, unknown> }).definition;
    for (const res of ['employees', 'groups', 'locations', 'company']) {
      const r = def[res] as { row?: Schema } | undefined;
      if (r && typeof r === 'object' && r.row) out.push([`${id}.${res}`, r.row]);
    }
  }
  return out;
}

function fixtureObjects(): unknown[] {
  const root = path.resolve(__dirname, '../../fixtures');
  const out: unknown[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      out.push(v);
      Object.values(v).forEach(visit);
    }
  };
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.json')) {
        try {
          const j = JSON.parse(readFileSync(p, 'utf8')) as { body?: unknown };
          visit(j);
          if (typeof j?.body === 'string' && /^\s*[[{]/.test(j.body)) visit(JSON.parse(j.body));
        } catch {
          /* not JSON: skipped */
        }
      }
    }
  };
  walk(root);
  return out;
}

/** Deterministic pseudo-random numbers (the same cases on every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const odd: unknown[] = [
  null,
  0,
  1.5,
  -1,
  '',
  '  x  ',
  ' 42 ',
  'x',
  true,
  false,
  [],
  {},
  ['a'],
  { value: 1 },
  '2024-01-01',
];

function mutate(v: unknown, r: () => number, depth = 0): unknown {
  if (Array.isArray(v)) return v.map((x) => (r() < 0.3 ? mutate(x, r, depth + 1) : x));
  if (!v || typeof v !== 'object') return r() < 0.5 ? odd[Math.floor(r() * odd.length)] : v;
  const o = JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
  const keys = Object.keys(o);
  const k = keys[Math.floor(r() * keys.length)];
  const pick = r();
  if (k !== undefined && pick < 0.35) o[k] = odd[Math.floor(r() * odd.length)];
  else if (k !== undefined && pick < 0.5) delete o[k];
  else if (k !== undefined && pick < 0.75 && depth < 3) o[k] = mutate(o[k], r, depth + 1);
  else if (pick < 0.85) o[`extra${Math.floor(r() * 3)}`] = odd[Math.floor(r() * odd.length)];
  else return JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(o).slice(1)}`.replace(', }', '}'));
  return o;
}

/** Own enumerable data as plain objects (prototype of the copy: Object.prototype), nested `__proto__` keys left out. */
function plain(v: unknown, depth = 0): unknown {
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1));
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = plain((v as Record<string, unknown>)[k], depth + 1);
    if (k === '__proto__') {
      if (depth === 0)
        Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    } else out[k] = x;
  }
  return out;
}

/** The compiled parser agrees with zod on `value`; returns whether it answered. */
function agrees(name: string, schema: Schema, value: unknown): boolean {
  const parse = compiledRowParser(schema);
  if (!parse) return false;
  const zod = schema.safeParse(value);
  const fast = parse(value);
  if (!zod.success) {
    expect(fast, `${name}: zod rejects ${JSON.stringify(value)?.slice(0, 200)}`).toBeUndefined();
    return false;
  }
  if (!fast) return false;
  // What validateRow returned before: zod's result with its own top-level `__proto__` key restored
  // (zod drops nested ones, the compiled parser keeps them as data: compared without them).
  const zodValue = plain(keepOwnKeys(value, zod.data));
  const fastValue = plain(fast.value);
  expect(isDeepStrictEqual(fastValue, zodValue), `${name}: ${JSON.stringify(value)?.slice(0, 300)}`).toBe(true);
  return true;
}

describe('compiled vendor-row parser', () => {
  const schemas = rowSchemas();
  const objects = fixtureObjects();

  it('compiles the row schemas of the shipped connectors that matter for throughput', () => {
    const compiled = new Set(schemas.filter(([, s]) => compiledRowParser(s)).map(([n]) => n));
    for (const n of ['gusto.employees', 'bamboohr.employees', 'scim.employees', 'hibob.employees'])
      expect(compiled).toContain(n);
    expect(objects.length).toBeGreaterThan(100);
  });

  it('agrees with zod on every fixture object against every connector row schema', () => {
    let answered = 0;
    for (const [name, schema] of schemas) for (const o of objects) if (agrees(name, schema, o)) answered++;
    expect(answered).toBeGreaterThan(20); // the fast path is used, not only refused
  });

  it('agrees with zod on mutated fixture objects', () => {
    const r = rng(16);
    let answered = 0;
    let refused = 0;
    for (const [name, schema] of schemas) {
      for (const o of objects) {
        if (!schema.safeParse(o).success) continue; // mutate rows that fit this schema
        for (let i = 0; i < 12; i++) {
          const m = mutate(o, r);
          if (agrees(name, schema, m)) answered++;
          else refused++;
        }
      }
    }
    expect(answered).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });

  it('returns the vendor object itself when nothing is transformed, a copy otherwise', () => {
    const Row = z.looseObject({ id: z.union([z.string(), z.number()]).transform(String), name: z.string().optional() });
    const same = { id: 'a1', name: 'Ada', extra: { deep: [1] } };
    expect(compiledRowParser(Row)!(same)!.value).toBe(same);
    const num = { id: 7, name: 'Bob' };
    const out = compiledRowParser(Row)!(num)!.value as Record<string, unknown>;
    expect(out).not.toBe(num);
    expect(out).toEqual({ id: '7', name: 'Bob' });
    expect(num.id).toBe(7); // the vendor object is not changed
  });

  it('keeps an own __proto__ key as data and never changes a prototype', () => {
    const Row = z.looseObject({ id: z.string() });
    const raw = JSON.parse('{"id":"x","__proto__":{"admin":true}}') as Record<string, unknown>;
    const out = validateRow({ id: 'toy', name: 'Toy' } as never, 'employees', Row, raw, 0) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('handles each construct as zod does', () => {
    const cases: Array<[Schema, unknown[]]> = [
      [z.string().trim().min(1), ['a', ' a ', '   ', '', 1, null]],
      [
        z
          .string()
          .max(3)
          .regex(/^[a-z]+$/),
        ['abc', 'abcd', 'AB', ''],
      ],
      [z.number(), [1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1']],
      [z.boolean().nullable().optional(), [true, null, undefined, 'true']],
      [z.literal('x'), ['x', 'y']],
      [z.enum(['A', 'B']), ['A', 'C', 0]],
      [z.union([z.string(), z.number().transform((n) => n * 2)]), ['s', 2, null]],
      [z.array(z.string().trim()), [['a '], [], [1], 'a']],
      [z.object({ a: z.string() }), [{ a: 'x' }, { a: 'x', b: 1 }, {}]],
      [z.strictObject({ a: z.string() }), [{ a: 'x' }, { a: 'x', b: 1 }]],
      [z.looseObject({ a: z.string().optional() }), [{}, { b: 1 }, { a: 1 }, [], null, Object.create(null)]],
      [z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(['a'])), ['A', 'a', 'b']],
      [
        z.string().transform((s, ctx) => {
          if (s === 'bad') ctx.addIssue({ code: 'custom', message: 'bad' });
          return s.length;
        }),
        ['ok', 'bad'],
      ],
      [z.looseObject({ n: z.unknown(), m: z.any() }), [{}, { n: 1, m: null }]],
      [
        z.record(z.string(), z.unknown()).nullable().optional(),
        [
          {},
          { a: 1, b: { c: [2] } },
          null,
          undefined,
          [],
          'x',
          Object.create(null),
          JSON.parse('{"a":1,"__proto__":{"admin":true}}'),
          Object.assign({ [Symbol('s')]: 1 }, { a: 1 }),
          Object.defineProperty({ a: 1 }, 'hidden', { value: 2, enumerable: false }),
        ],
      ],
      [z.record(z.string(), z.string().trim()), [{ a: ' x ' }, { a: 'x' }, { a: 1 }]],
    ];
    for (const [schema, values] of cases) {
      expect(compiledRowParser(schema), String(schema.def.type)).not.toBeNull();
      for (const v of values) agrees(String(schema.def.type), schema, v);
    }
  });

  it('leaves to zod what it does not know', () => {
    for (const s of [
      z.number().int(),
      z.string().email(),
      z.string().default('x'),
      z.xor([z.string(), z.string().min(1)]),
      z.object({}).catchall(z.string()),
      z.date(),
      z.record(z.enum(['a', 'b']), z.string()),
      z.record(z.string().min(2), z.string()),
    ] as Schema[])
      expect(compiledRowParser(s)).toBeNull();
  });
});
