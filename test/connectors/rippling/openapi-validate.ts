/**
 * A small OpenAPI 3.0 schema checker for fixture drift tests: `$ref`, `allOf`, `type`, `enum`,
 * `required`, `properties`, `items`, `nullable`. Stricter than OpenAPI in one way: properties a
 * schema does not declare are reported (typos and invented fields), except names the caller
 * allows (e.g. fields that only appear in the spec's own examples). Formats are not checked.
 */

type Schema = Record<string, any>;

export interface SpecIssue {
  path: string;
  message: string;
}

export interface CheckOptions {
  /** The whole spec document, to resolve `#/components/...` references. */
  spec: Schema;
  /** Accept `null` where the schema does not say `nullable` (Rippling sends null for empty values). */
  lenientNull?: boolean;
  /** Undeclared property names that are accepted (and not checked further). */
  allowExtra?: Set<string>;
  /** Property names whose content is data, not schema (e.g. `customFields`): not checked. */
  opaque?: Set<string>;
}

export function resolveRef(spec: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`external $ref not supported: ${ref}`);
  let node: any = spec;
  for (const part of ref.slice(2).split('/')) node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (!node) throw new Error(`unresolved $ref ${ref}`);
  return node as Schema;
}

function flatten(spec: Schema, s: Schema, seen = 0): Schema {
  if (seen > 20) throw new Error('schema nesting too deep');
  let schema = s.$ref ? flatten(spec, resolveRef(spec, s.$ref), seen + 1) : s;
  if (schema.allOf) {
    const merged: Schema = {
      ...schema,
      properties: { ...(schema.properties ?? {}) },
      required: [...(schema.required ?? [])],
    };
    delete merged.allOf;
    for (const part of schema.allOf as Schema[]) {
      const p = flatten(spec, part, seen + 1);
      Object.assign(merged.properties, p.properties ?? {});
      merged.required.push(...(p.required ?? []));
      for (const k of ['type', 'enum', 'items', 'nullable'])
        if (p[k] !== undefined && merged[k] === undefined) merged[k] = p[k];
    }
    if (!Object.keys(merged.properties).length) delete merged.properties;
    schema = merged;
  }
  return schema;
}

export function checkValue(
  value: unknown,
  schema: Schema,
  o: CheckOptions,
  path = '$',
  issues: SpecIssue[] = [],
): SpecIssue[] {
  const s = flatten(o.spec, schema);
  if (value === null) {
    if (!s.nullable && !o.lenientNull) issues.push({ path, message: 'null where the schema is not nullable' });
    return issues;
  }
  if (Array.isArray(s.enum) && !s.enum.includes(value)) {
    issues.push({ path, message: `value ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}` });
    return issues;
  }
  const type = s.type ?? (s.properties ? 'object' : s.items ? 'array' : undefined);
  const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (type) {
    const ok =
      type === actual || (type === 'number' && actual === 'integer') || (type === 'object' && actual === 'object');
    if (!ok) {
      issues.push({ path, message: `expected ${type}, got ${actual}` });
      return issues;
    }
  }
  if (type === 'array' && s.items)
    (value as unknown[]).forEach((v, i) => checkValue(v, s.items, o, `${path}[${i}]`, issues));
  if (type === 'object' && value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const k of (s.required as string[] | undefined) ?? [])
      if (!(k in obj)) issues.push({ path: `${path}.${k}`, message: 'required property missing' });
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const [k, v] of Object.entries(obj)) {
      if (o.opaque?.has(k)) continue;
      if (props[k]) checkValue(v, props[k]!, o, `${path}.${k}`, issues);
      else if (s.properties && !o.allowExtra?.has(k) && s.additionalProperties !== true)
        issues.push({ path: `${path}.${k}`, message: 'property not declared in the spec' });
    }
  }
  return issues;
}

/** Every property name used anywhere in a value (to allow the fields that the spec's own examples use). */
export function keysIn(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysIn(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keysIn(v, into);
    }
  }
  return into;
}

/** The schema of a 200 JSON response of `GET path`. */
export function responseSchema(spec: Schema, path: string): Schema {
  const op = spec.paths?.[path]?.get;
  const schema = op?.responses?.['200']?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`no 200 JSON response for GET ${path} in the spec`);
  return schema as Schema;
}

/** The example bodies of a 200 JSON response of `GET path`. */
export function responseExamples(spec: Schema, path: string): unknown[] {
  const c = spec.paths?.[path]?.get?.responses?.['200']?.content?.['application/json'];
  if (!c) return [];
  return [
    ...Object.values((c.examples ?? {}) as Record<string, { value?: unknown }>).map((e) => e.value),
    ...(c.example !== undefined ? [c.example] : []),
  ];
}
