/**
 * Resources in and out: validation and coercion of POST/PUT bodies by scimmy's schema definitions,
 * and the representation returned to clients (with `attributes` / `excludedAttributes` applied by
 * scimmy's attribute filtering).
 */
import SCIMMY from 'scimmy';
import { badRequest, fromScimmyError, fromUnexpectedError } from './errors.js';
import { checkAttributeList } from './filter-parser.js';
import { isRec, knownSchemas, normalizeResourceBody, tidy } from './normalize.js';
import { type ResourceSpec } from './schema.js';

type Rec = Record<string, unknown>;

/** What the store keeps for one resource: the coerced attributes plus `id` and `meta`. */
export interface StoredResource extends Rec {
  id: string;
  meta: { resourceType: 'User' | 'Group'; created: string; lastModified: string };
}

/** Validate and coerce a POST/PUT body. Returns the attributes to store (no id, meta or schemas). */
export function ingest(spec: ResourceSpec, body: unknown): Rec {
  if (!isRec(body)) throw badRequest('invalidSyntax', `The request body must be a JSON object (a SCIM ${spec.kind}).`);
  const rawSchemas = Object.entries(body).find(([k]) => k.toLowerCase() === 'schemas')?.[1];
  if (rawSchemas !== undefined) {
    if (!Array.isArray(rawSchemas)) throw badRequest('invalidSyntax', '`schemas` must be a list of schema URNs.');
    const given = rawSchemas.filter((s): s is string => typeof s === 'string').map((s) => s.toLowerCase());
    if (given.length && !given.includes(spec.definition.id.toLowerCase())) {
      throw badRequest(
        'invalidSyntax',
        `The body's schemas do not include ${spec.definition.id}; it is not a ${spec.kind}.`,
      );
    }
  }
  const norm = normalizeResourceBody(body, spec.definition);
  let coerced: unknown;
  try {
    coerced = spec.definition.coerce(norm, 'in');
  } catch (e) {
    throw fromScimmyError(e) ?? fromUnexpectedError(e, `The ${spec.kind} could not be validated.`);
  }
  const plain = JSON.parse(JSON.stringify(coerced)) as Rec;
  delete plain['schemas'];
  delete plain['meta'];
  delete plain['id'];
  const out = tidy(plain);
  const required = spec.kind === 'User' ? 'userName' : 'displayName';
  if (typeof out[required] !== 'string' || !(out[required] as string).trim()) {
    throw badRequest('invalidValue', `Attribute '${required}' is required and must be a non-empty string.`);
  }
  return out;
}

/** The `schemas` of a resource: the core schema, then the extensions it has values for. */
export function schemasOf(spec: ResourceSpec, resource: Rec): string[] {
  return knownSchemas(spec.definition).filter(
    (id, i) => i === 0 || (isRec(resource[id]) && Object.keys(resource[id] as Rec).length > 0),
  );
}

/**
 * Attribute projection from the `attributes` / `excludedAttributes` parameters (RFC 7644 §3.9),
 * as a scimmy Filter for `SchemaDefinition.coerce`. `attributes` wins when both are given.
 */
export function projection(
  attributes: string | undefined,
  excluded: string | undefined,
): SCIMMY.Types.Filter | undefined {
  const list = (s: string | undefined) =>
    (s ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const inc = list(attributes);
  const exc = list(excluded);
  const expr = inc.length
    ? inc.map((a) => `${a} pr`).join(' and ')
    : exc.length
      ? exc.map((a) => `${a} np`).join(' and ')
      : null;
  if (!expr) return undefined;
  // Checked by our linear-time path grammar first: scimmy's filter parser backtracks on bad input.
  checkAttributeList(inc.length ? inc : exc, inc.length ? 'attributes' : 'excludedAttributes');
  try {
    return new SCIMMY.Types.Filter(expr);
  } catch {
    throw badRequest('invalidPath', `Invalid ${inc.length ? 'attributes' : 'excludedAttributes'} list.`);
  }
}

/**
 * The representation of a stored resource for a client: coerced "out" by scimmy (so only returnable
 * attributes are sent), `meta.location` set, the projection applied, `schemas` first.
 */
export function egress(spec: ResourceSpec, resource: Rec, base: string, filter?: SCIMMY.Types.Filter): Rec {
  const coerced = spec.definition.coerce(resource, 'out', `${base}${spec.endpoint}`, filter);
  const plain = JSON.parse(JSON.stringify(coerced)) as Rec;
  delete plain['schemas'];
  return { schemas: schemasOf(spec, plain), ...plain };
}
