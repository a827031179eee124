/**
 * Request normalization: make what identity providers really send fit the RFC schemas before
 * scimmy validates it. Each rule exists because a provider sends it (see ../shared/vendors/scim.md
 * and docs/inbound-scim.md):
 *
 * - booleans as strings: `"active": "False"` (Entra without `aadOptscim062020`), `"True"`,
 *   `"primary": "true"` (OneLogin templates) -> JSON booleans;
 * - numbers or booleans where the schema has a string (`"employeeNumber": 1234`) -> strings;
 * - Enterprise `manager` as a plain string (`"manager": "<id>"`, Entra) or number -> `{ value }`;
 *   an empty manager (`""`, `{ "value": "" }`, null) -> no manager;
 * - a single object where the schema has a list (`"emails": {...}`) -> a one-element list;
 * - `"$ref": null` in members (Entra) -> dropped;
 * - schema URNs the endpoint does not serve (Entra's
 *   `http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group`, custom extensions)
 *   -> dropped from `schemas`, and attributes under an unknown extension URN are dropped.
 */
import { isAttribute, isSchemaDefinition, type Attribute, type SchemaDefinition } from './schema.js';

type Rec = Record<string, unknown>;

export const isRec = (v: unknown): v is Rec => !!v && typeof v === 'object' && !Array.isArray(v);

/** Build an object without ever touching a prototype (`__proto__` stays a plain key). */
export function setKey(o: Rec, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function boolish(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (s === 'true') return true;
  if (s === 'false') return false;
  return v;
}

/** Normalize one value for its attribute definition. `undefined` means "no value". */
export function normalizeValue(a: Attribute, v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  if (a.type === 'complex') return normalizeComplex(a, v);
  if (a.config.multiValued) {
    const list = Array.isArray(v) ? v : [v];
    return list.map((x) => normalizeScalar(a, x)).filter((x) => x !== undefined);
  }
  if (Array.isArray(v) && v.length === 1) return normalizeScalar(a, v[0]);
  return normalizeScalar(a, v);
}

function normalizeScalar(a: Attribute, v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  switch (a.type) {
    case 'boolean':
      return boolish(v);
    case 'string':
    case 'reference':
    case 'binary':
      return typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
    default:
      return v;
  }
}

function normalizeComplex(a: Attribute, v: unknown): unknown {
  const subs = a.subAttributes ?? [];
  const hasValue = subs.some((s) => s.name === 'value');
  const one = (x: unknown): unknown => {
    if (x === undefined || x === null) return undefined;
    // A bare scalar for a complex attribute with a `value` sub-attribute: `"manager": "<id>"`.
    if (!isRec(x)) {
      if (!hasValue || Array.isArray(x)) return x;
      const s = typeof x === 'number' || typeof x === 'boolean' ? String(x) : x;
      return s === '' ? undefined : { value: s };
    }
    const out: Rec = {};
    for (const [k, val] of Object.entries(x)) {
      const sub = subs.find((s) => s.name.toLowerCase() === k.toLowerCase());
      if (!sub) {
        setKey(out, k, val); // unknown sub-attribute: scimmy ignores it
        continue;
      }
      const nv = normalizeValue(sub, val);
      if (nv !== undefined) setKey(out, sub.name, nv);
    }
    // `{ "value": "" }` (an IdP clearing a manager) is no value at all.
    if (hasValue && !a.config.multiValued && (out['value'] === undefined || out['value'] === '')) return undefined;
    return Object.keys(out).length ? out : undefined;
  };
  if (a.config.multiValued) {
    const list = Array.isArray(v) ? v : [v];
    return list.map(one).filter((x) => x !== undefined);
  }
  if (Array.isArray(v)) return v.length === 1 ? one(v[0]) : v;
  return one(v);
}

/** The extension (by URN, case-insensitively) a key belongs to: exactly the URN, or `URN:attr`. */
export function extensionFor(def: SchemaDefinition, key: string): { ext: SchemaDefinition; rest: string } | null {
  const lower = key.toLowerCase();
  for (const a of def.attributes) {
    if (!isSchemaDefinition(a)) continue;
    const id = a.id.toLowerCase();
    if (lower === id) return { ext: a, rest: '' };
    if (lower.startsWith(`${id}:`)) return { ext: a, rest: key.slice(id.length + 1) };
  }
  return null;
}

/** Known schema URNs of a definition: its own id and its extensions' ids. */
export function knownSchemas(def: SchemaDefinition): string[] {
  return [def.id, ...(def.attributes as unknown[]).filter(isSchemaDefinition).map((e) => e.id)];
}

/**
 * Normalize a resource body (POST/PUT, or a path-less PATCH value). Keys may be attribute names in
 * any case, dotted sub-attribute paths (`name.givenName`, path-less PATCH) or extension URNs.
 */
export function normalizeResourceBody(body: Rec, def: SchemaDefinition): Rec {
  const out: Rec = {};
  const known = knownSchemas(def);
  for (const [key, value] of Object.entries(body)) {
    const lower = key.toLowerCase();
    if (lower === 'schemas') {
      if (Array.isArray(value)) {
        const kept = value
          .filter((s): s is string => typeof s === 'string')
          .map((s) => known.find((k) => k.toLowerCase() === s.toLowerCase()) ?? s);
        setKey(out, 'schemas', [...new Set(kept.filter((s) => known.includes(s)))]);
      }
      continue;
    }
    if (lower.startsWith('urn:') || lower.startsWith('http:') || lower.startsWith('https:')) {
      // The core schema URN used as a prefix (`urn:…:core:2.0:User:userName`).
      if (lower.startsWith(`${def.id.toLowerCase()}:`)) {
        const rest = key.slice(def.id.length + 1);
        const a = safeAttribute(def, rest);
        const nv = a ? normalizeValue(a, value) : value;
        setKey(out, rest, nv);
        continue;
      }
      const hit = extensionFor(def, key);
      if (!hit) continue; // unknown extension: dropped
      if (hit.rest === '') {
        if (isRec(value)) setKey(out, hit.ext.id, normalizeExtension(hit.ext, value));
        else if (value === null) setKey(out, hit.ext.id, undefined);
        continue;
      }
      const a = safeAttribute(hit.ext, hit.rest);
      setKey(out, `${hit.ext.id}:${hit.rest}`, a ? normalizeValue(a, value) : value);
      continue;
    }
    const a = safeAttribute(def, key);
    setKey(out, a && !key.includes('.') ? a.name : key, a ? normalizeValue(a, value) : value);
  }
  return out;
}

function normalizeExtension(ext: SchemaDefinition, value: Rec): Rec {
  const out: Rec = {};
  for (const [k, v] of Object.entries(value)) {
    const a = safeAttribute(ext, k);
    if (!a) {
      setKey(out, k, v);
      continue;
    }
    setKey(out, a.name, normalizeValue(a, v));
  }
  return out;
}

/** An attribute (not an extension) at a path, or null. */
export function safeAttribute(def: SchemaDefinition, path: string): Attribute | null {
  try {
    const a = def.attribute(path);
    return isAttribute(a) ? a : null;
  } catch {
    return null;
  }
}

/** Drop keys with no value, empty lists and empty objects; members deduplicated by value. */
export function tidy(resource: Rec): Rec {
  const out: Rec = {};
  for (const [k, v] of Object.entries(resource)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      if (v.length === 0) continue;
      if (k === 'members') {
        const seen = new Set<string>();
        const list = v.filter((m) => {
          const id = isRec(m) ? String(m['value'] ?? '') : '';
          if (!id || seen.has(id)) return false;
          seen.add(id);
          return true;
        });
        if (list.length) setKey(out, k, list);
        continue;
      }
      setKey(out, k, v);
      continue;
    }
    if (isRec(v) && k !== 'meta') {
      const inner = tidy(v);
      if (Object.keys(inner).length) setKey(out, k, inner);
      continue;
    }
    setKey(out, k, v);
  }
  return out;
}
