/**
 * A small validator for SCIM resources against SCIM Schema definitions (RFC 7643 §7, the JSON the
 * RFC publishes in §8.7), plus the ListResponse and Error message rules of RFC 7644 §3.4.2/§3.12.
 * Attribute names match case-insensitively (RFC 7643 §2.1). Canonical values are only suggestions
 * in the RFC and are not enforced. Returns human-readable issues; an empty list means valid.
 */

export interface AttributeDef {
  name: string;
  type: 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary';
  multiValued?: boolean;
  required?: boolean;
  subAttributes?: AttributeDef[];
}

export interface SchemaDef {
  id: string;
  attributes: AttributeDef[];
}

export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const SCIM_TYPES = [
  'invalidFilter',
  'tooMany',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'invalidVers',
  'sensitive',
];
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Common attributes every resource may carry (RFC 7643 §3.1). */
const META: AttributeDef = {
  name: 'meta',
  type: 'complex',
  subAttributes: [
    { name: 'resourceType', type: 'string' },
    { name: 'created', type: 'dateTime' },
    { name: 'lastModified', type: 'dateTime' },
    { name: 'location', type: 'reference' },
    { name: 'version', type: 'string' },
  ],
};
const COMMON: AttributeDef[] = [{ name: 'id', type: 'string' }, { name: 'externalId', type: 'string' }, META];

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const find = (defs: AttributeDef[], key: string) => defs.find((d) => d.name.toLowerCase() === key.toLowerCase());

function checkValue(def: AttributeDef, v: unknown, path: string, issues: string[]): void {
  switch (def.type) {
    case 'string':
    case 'reference':
    case 'binary':
      if (typeof v !== 'string') issues.push(`${path}: expected ${def.type}, got ${kindOf(v)}`);
      return;
    case 'boolean':
      if (typeof v !== 'boolean') issues.push(`${path}: expected boolean, got ${kindOf(v)}`);
      return;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) issues.push(`${path}: expected integer, got ${kindOf(v)}`);
      return;
    case 'decimal':
      if (typeof v !== 'number') issues.push(`${path}: expected decimal, got ${kindOf(v)}`);
      return;
    case 'dateTime':
      if (typeof v !== 'string' || !DATE_TIME.test(v))
        issues.push(`${path}: expected dateTime, got ${JSON.stringify(v)}`);
      return;
    case 'complex':
      if (!isObj(v)) {
        issues.push(`${path}: expected complex, got ${kindOf(v)}`);
        return;
      }
      checkAttributes(def.subAttributes ?? [], v, path, issues);
  }
}

function checkAttributes(
  defs: AttributeDef[],
  obj: Record<string, unknown>,
  path: string,
  issues: string[],
  skip: (key: string) => boolean = () => false,
): void {
  const prefix = path ? `${path}.` : '';
  for (const [key, v] of Object.entries(obj)) {
    if (skip(key)) continue;
    const def = find(defs, key);
    if (!def) {
      issues.push(`${prefix}${key}: not an attribute of the schema`);
      continue;
    }
    if (v === null) continue; // null means "no value" (RFC 7643 §2.5)
    if (def.multiValued) {
      if (!Array.isArray(v)) issues.push(`${prefix}${key}: expected a multi-valued list, got ${kindOf(v)}`);
      else v.forEach((x, i) => checkValue(def, x, `${prefix}${key}[${i}]`, issues));
    } else checkValue(def, v, `${prefix}${key}`, issues);
  }
  for (const def of defs) {
    if (def.required && !Object.keys(obj).some((k) => k.toLowerCase() === def.name.toLowerCase()))
      issues.push(`${prefix}${def.name}: required`);
  }
}

/** Validate one resource against its core schema and the extensions it declares in `schemas`. */
export function validateResource(
  resource: unknown,
  core: SchemaDef,
  extensions: SchemaDef[] = [],
  path = '',
): string[] {
  const issues: string[] = [];
  const p = path ? `${path}.` : '';
  if (!isObj(resource)) return [`${path || '(resource)'}: expected an object`];
  const schemas = resource['schemas'];
  if (!Array.isArray(schemas) || !schemas.includes(core.id)) issues.push(`${p}schemas: must list ${core.id}`);
  const ext = new Map(extensions.map((e) => [e.id.toLowerCase(), e]));
  const isExtKey = (k: string) => ext.has(k.toLowerCase());
  checkAttributes([...COMMON, ...core.attributes], resource, path, issues, (k) => k === 'schemas' || isExtKey(k));
  if (resource['id'] === undefined) issues.push(`${p}id: required`);
  for (const [key, v] of Object.entries(resource)) {
    if (!isExtKey(key)) continue;
    const def = ext.get(key.toLowerCase())!;
    if (!Array.isArray(schemas) || !schemas.some((s) => String(s).toLowerCase() === key.toLowerCase()))
      issues.push(`${p}schemas: must list ${def.id} (present as an attribute)`);
    if (!isObj(v)) issues.push(`${p}${alias(key)}: expected an extension object`);
    else checkAttributes(def.attributes, v, `${p}${alias(key)}`, issues);
  }
  return [...new Set(issues)];
}

const alias = (key: string) => (key.toLowerCase() === ENTERPRISE.toLowerCase() ? 'enterprise' : key);

/** Validate a ListResponse (RFC 7644 §3.4.2) and each of its Resources. */
export function validateListResponse(body: unknown, core: SchemaDef, extensions: SchemaDef[] = []): string[] {
  if (!isObj(body)) return ['(list): expected an object'];
  const issues: string[] = [];
  const schemas = body['schemas'];
  if (!Array.isArray(schemas) || schemas.length !== 1 || schemas[0] !== LIST_RESPONSE)
    issues.push(`schemas: must be exactly [${LIST_RESPONSE}]`);
  const total = body['totalResults'];
  if (total === undefined) issues.push('totalResults: required');
  else if (typeof total !== 'number' || !Number.isInteger(total))
    issues.push(`totalResults: expected integer, got ${kindOf(total)}`);
  for (const k of ['startIndex', 'itemsPerPage']) {
    const v = body[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v)))
      issues.push(`${k}: expected integer, got ${kindOf(v)}`);
  }
  const resources = body['Resources'];
  if (resources === undefined) {
    if (Number(total) > 0) issues.push('Resources: required when totalResults > 0');
  } else if (!Array.isArray(resources)) issues.push('Resources: expected a list');
  else resources.forEach((r, i) => issues.push(...validateResource(r, core, extensions, `Resources[${i}]`)));
  return issues;
}

/** Validate a SCIM Error message body (RFC 7644 §3.12). */
export function validateError(body: unknown): string[] {
  if (!isObj(body)) return ['(error): expected an object'];
  const issues: string[] = [];
  const schemas = body['schemas'];
  if (!Array.isArray(schemas) || schemas.length !== 1 || schemas[0] !== ERROR)
    issues.push(`schemas: must be exactly [${ERROR}]`);
  if (body['status'] === undefined) issues.push('status: required');
  else if (typeof body['status'] !== 'string') issues.push(`status: expected string, got ${kindOf(body['status'])}`);
  if (body['scimType'] !== undefined && !SCIM_TYPES.includes(String(body['scimType'])))
    issues.push(`scimType: not one of the RFC's values`);
  if (body['detail'] !== undefined && typeof body['detail'] !== 'string') issues.push('detail: expected string');
  for (const k of Object.keys(body))
    if (!['schemas', 'status', 'scimType', 'detail'].includes(k))
      issues.push(`${k}: not an attribute of the Error message`);
  return issues;
}
