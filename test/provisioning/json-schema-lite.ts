/**
 * A small JSON Schema (draft 2020-12) checker for tests: the keywords zod's exporter emits.
 * (No JSON Schema library is installed; `ajv` would be the production choice.)
 */
type Schema = Record<string, unknown> | boolean;

/** Keywords of draft 2020-12 (core, applicator, validation, meta-data, format-annotation). */
export const KNOWN_KEYWORDS = new Set([
  '$schema',
  '$id',
  '$ref',
  '$defs',
  '$comment',
  '$anchor',
  '$dynamicRef',
  '$dynamicAnchor',
  '$vocabulary',
  'type',
  'const',
  'enum',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  'if',
  'then',
  'else',
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'propertyNames',
  'unevaluatedProperties',
  'items',
  'prefixItems',
  'contains',
  'minItems',
  'maxItems',
  'uniqueItems',
  'unevaluatedItems',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minProperties',
  'maxProperties',
  'dependentRequired',
  'dependentSchemas',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'contentEncoding',
  'contentMediaType',
]);

/** Structural check of a schema document: known keywords, well-typed values, resolvable $refs. Returns problems. */
export function checkSchemaDocument(root: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const walk = (s: unknown, at: string): void => {
    if (typeof s === 'boolean') return;
    if (!s || typeof s !== 'object' || Array.isArray(s)) {
      problems.push(`${at}: a schema must be an object or boolean`);
      return;
    }
    for (const [k, v] of Object.entries(s)) {
      if (!KNOWN_KEYWORDS.has(k)) problems.push(`${at}: unknown keyword ${k}`);
      if (k === '$ref') {
        if (typeof v !== 'string' || resolve(root, v) === undefined)
          problems.push(`${at}: unresolvable $ref ${String(v)}`);
      } else if (k === 'properties' || k === '$defs' || k === 'patternProperties') {
        for (const [pk, pv] of Object.entries(v as object)) walk(pv, `${at}/${k}/${pk}`);
      } else if (k === 'anyOf' || k === 'oneOf' || k === 'allOf' || k === 'prefixItems') {
        if (!Array.isArray(v) || !v.length) problems.push(`${at}: ${k} must be a non-empty array`);
        else v.forEach((x, i) => walk(x, `${at}/${k}/${i}`));
      } else if (k === 'items' || k === 'not' || k === 'additionalProperties' || k === 'propertyNames') {
        walk(v, `${at}/${k}`);
      } else if (k === 'required') {
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
          problems.push(`${at}: required must be an array of strings`);
      } else if (k === 'type') {
        const types = Array.isArray(v) ? v : [v];
        for (const t of types)
          if (!['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'].includes(t as string))
            problems.push(`${at}: bad type ${String(t)}`);
      } else if (k === 'pattern') {
        try {
          new RegExp(v as string, 'u');
        } catch {
          problems.push(`${at}: bad pattern`);
        }
      }
    }
  };
  walk(root, '#');
  return problems;
}

function resolve(root: Record<string, unknown>, ref: string): Schema | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let cur: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    cur =
      cur && typeof cur === 'object'
        ? (cur as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')]
        : undefined;
  }
  return cur as Schema | undefined;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Validate `value` against `schema`; returns error strings (empty = valid). */
export function validate(root: Record<string, unknown>, value: unknown): string[] {
  const errors: string[] = [];
  const check = (s: Schema, v: unknown, at: string, out: string[]): void => {
    if (s === true) return;
    if (s === false) {
      out.push(`${at}: not allowed`);
      return;
    }
    if (typeof s.$ref === 'string') check(resolve(root, s.$ref)!, v, at, out);
    if (s.type !== undefined) {
      const types = (Array.isArray(s.type) ? s.type : [s.type]) as string[];
      const t = typeOf(v);
      const ok = types.some((x) => x === t || (x === 'integer' && t === 'number' && Number.isInteger(v)));
      if (!ok) {
        out.push(`${at}: expected ${types.join('|')}, got ${t}`);
        return;
      }
    }
    if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(v))
      out.push(`${at}: expected const ${JSON.stringify(s.const)}`);
    if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v)))
      out.push(`${at}: not in enum`);
    if (
      Array.isArray(s.anyOf) &&
      !s.anyOf.some((b) => {
        const e: string[] = [];
        check(b as Schema, v, at, e);
        return e.length === 0;
      })
    )
      out.push(`${at}: matches no anyOf branch`);
    if (Array.isArray(s.oneOf)) {
      const n = s.oneOf.filter((b) => {
        const e: string[] = [];
        check(b as Schema, v, at, e);
        return e.length === 0;
      }).length;
      if (n !== 1) out.push(`${at}: matches ${n} oneOf branches`);
    }
    if (Array.isArray(s.allOf)) for (const b of s.allOf) check(b as Schema, v, at, out);
    if (typeof v === 'string') {
      if (typeof s.minLength === 'number' && v.length < s.minLength) out.push(`${at}: shorter than ${s.minLength}`);
      if (typeof s.maxLength === 'number' && v.length > s.maxLength) out.push(`${at}: longer than ${s.maxLength}`);
      if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v))
        out.push(`${at}: does not match ${s.pattern}`);
    }
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) out.push(`${at}: below ${s.minimum}`);
      if (typeof s.maximum === 'number' && v > s.maximum) out.push(`${at}: above ${s.maximum}`);
    }
    if (Array.isArray(v)) {
      if (typeof s.minItems === 'number' && v.length < s.minItems) out.push(`${at}: fewer than ${s.minItems} items`);
      if (s.items !== undefined) v.forEach((x, i) => check(s.items as Schema, x, `${at}/${i}`, out));
    }
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const r of (s.required ?? []) as string[]) if (!(r in obj)) out.push(`${at}: missing ${r}`);
      for (const [k, x] of Object.entries(obj)) {
        if (k in props) check(props[k]!, x, `${at}/${k}`, out);
        else if (s.additionalProperties === false) out.push(`${at}: unexpected property ${k}`);
        else if (s.additionalProperties && typeof s.additionalProperties === 'object')
          check(s.additionalProperties as Schema, x, `${at}/${k}`, out);
      }
    }
  };
  check(root, value, '#', errors);
  return errors;
}
