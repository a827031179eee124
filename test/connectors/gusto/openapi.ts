/**
 * Just enough OpenAPI 3.1 / JSON Schema to check recorded-style fixtures against Gusto's official
 * spec: `$ref` (schemas, responses, parameters), `type` (incl. `['string','null']`), OpenAPI 3.0
 * `nullable`, `enum`, `required`, `properties`, `additionalProperties: false`, `items`, `allOf`,
 * `anyOf`, `oneOf` (treated as anyOf: Gusto's metadata variants overlap). Formats are not checked.
 */
import fs from 'node:fs';
import { parseDocument } from 'yaml';

export type Schema = Record<string, any>;
export interface OpenApiDoc {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, any>; parameters: Record<string, any> };
}

/**
 * Load the spec. Gusto's YAML is not strictly valid: a few multi-line single-quoted descriptions
 * close with a `'` at column 0, which strict parsers reject (and then lose the rest of the file).
 * Such lines are re-indented under the previous line first; the content of the strings is unchanged
 * (line breaks inside a flow scalar fold to spaces either way).
 */
export function loadOpenApi(file: string): OpenApiDoc {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l !== '' && l !== '---' && !/^[\s#]/.test(l) && !/^[A-Za-z][\w-]*:/.test(l)) {
      let j = i - 1;
      while (j >= 0 && lines[j]!.trim() === '') j--;
      const indent = j >= 0 ? /^\s*/.exec(lines[j]!)![0].length : 0;
      lines[i] = ' '.repeat(indent + 2) + l;
    }
  }
  const doc = parseDocument(lines.join('\n'), { uniqueKeys: false });
  if (doc.errors.length)
    throw new Error(
      `cannot parse ${file}: ${doc.errors
        .slice(0, 3)
        .map((e) => e.message)
        .join('; ')}`,
    );
  return doc.toJS({ maxAliasCount: -1 }) as OpenApiDoc;
}

export function deref<T = Schema>(doc: OpenApiDoc, node: any): T {
  let n = node;
  for (let guard = 0; n && typeof n === 'object' && typeof n.$ref === 'string'; guard++) {
    if (guard > 20) throw new Error(`$ref loop at ${n.$ref}`);
    const parts = (n.$ref as string)
      .replace(/^#\//, '')
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    n = parts.reduce<any>((o, k) => (o === undefined ? undefined : o[k]), doc);
    if (n === undefined) throw new Error(`unresolved $ref ${node.$ref}`);
  }
  return n as T;
}

/** The JSON schema of an operation's response (following `$ref`s to components/responses). */
export function responseSchema(doc: OpenApiDoc, path: string, method: string, status: string): Schema {
  const op = doc.paths[path]?.[method];
  if (!op) throw new Error(`no ${method.toUpperCase()} ${path} in the spec`);
  const res = deref<any>(doc, op.responses?.[status]);
  const schema = res?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`no application/json ${status} schema for ${method.toUpperCase()} ${path}`);
  return schema;
}

/** The operation's parameters, `$ref`s resolved. */
export function parameters(
  doc: OpenApiDoc,
  path: string,
  method: string,
): Array<{ name: string; in: string; schema?: Schema; required?: boolean }> {
  const op = doc.paths[path]?.[method];
  if (!op) throw new Error(`no ${method.toUpperCase()} ${path} in the spec`);
  return [...(doc.paths[path]!['parameters'] ?? []), ...(op.parameters ?? [])].map((p: any) => deref(doc, p));
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(t: string, v: unknown): boolean {
  const actual = typeOf(v);
  return t === actual || (t === 'number' && actual === 'integer');
}

/** Validate `value` against `schema`; returns problems as `path: message` (empty when valid). */
export function validate(doc: OpenApiDoc, schema: Schema, value: unknown, path = '$'): string[] {
  const s = deref(doc, schema);
  if (!s || typeof s !== 'object') return [];
  const errors: string[] = [];
  const types: string[] | undefined =
    s['type'] === undefined ? undefined : Array.isArray(s['type']) ? s['type'] : [s['type']];
  const nullOk = s['nullable'] === true || (types?.includes('null') ?? false);

  if (value === null && nullOk) return [];
  if (types && !types.some((t) => typeMatches(t, value))) {
    return [`${path}: expected ${types.join('|')}${s['nullable'] ? '|null' : ''}, got ${typeOf(value)}`];
  }
  if (Array.isArray(s['enum']) && !(s['enum'] as unknown[]).includes(value))
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s['enum'])}`);
  for (const sub of (s['allOf'] as Schema[] | undefined) ?? []) errors.push(...validate(doc, sub, value, path));
  for (const key of ['anyOf', 'oneOf'] as const) {
    const alts = s[key] as Schema[] | undefined;
    if (alts && !alts.some((alt) => validate(doc, alt, value, path).length === 0)) {
      const first = validate(doc, alts[0]!, value, path);
      errors.push(`${path}: matches none of ${key} (${first[0] ?? 'first alternative'})`);
    }
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const r of (s['required'] as string[] | undefined) ?? [])
      if (!(r in obj)) errors.push(`${path}: missing required property '${r}'`);
    const props = (s['properties'] as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) errors.push(...validate(doc, props[k]!, v, `${path}.${k}`));
      else if (s['additionalProperties'] === false) errors.push(`${path}: unexpected property '${k}'`);
      else if (s['additionalProperties'] && typeof s['additionalProperties'] === 'object')
        errors.push(...validate(doc, s['additionalProperties'], v, `${path}.${k}`));
    }
  }
  if (Array.isArray(value) && s['items'])
    value.forEach((v, i) => errors.push(...validate(doc, s['items'], v, `${path}[${i}]`)));
  return errors;
}
