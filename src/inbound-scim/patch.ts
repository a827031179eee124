/**
 * PATCH (RFC 7644 §3.5.2), applied by scimmy's `PatchOp` one operation at a time so each
 * operation can be adapted to the resource as it stands after the previous ones. The whole request
 * is atomic: it works on a copy and the caller stores the result only when every operation applied.
 *
 * Adaptations (each seen in real IdP traffic):
 * - message keys and `op` values in any case (`Operations`/`operations`, `Replace`, `Add`, `Remove`:
 *   Entra); a missing `schemas` is taken as the PatchOp URN;
 * - values normalized like POST bodies (`"active": "False"`, `manager` as a string, numbers as
 *   strings): see normalize.ts;
 * - add/replace with a null or empty value is a remove;
 * - `X.sub` on a single-valued complex attribute that has no value yet (`…:manager.value`,
 *   `name.givenName`) sets it instead of failing with `noTarget`;
 * - `X[type eq "work"].sub` when no element matches (Entra's first `addresses[type eq "work"]
 *   .streetAddress`, `phoneNumbers[type eq "mobile"].value`) adds `{ type: "work", sub: value }`;
 * - member removal with `"path": "members", "value": [{ "value": id, ... }]` (Entra) matches on
 *   `value` only, so a `display` or `$ref` that differs from what is stored cannot defeat it;
 * - operations on attributes of an extension the endpoint does not serve are ignored;
 * - members added twice are kept once.
 */
import SCIMMY from 'scimmy';
import { badRequest, fromScimmyError, fromUnexpectedError, ScimHttpError } from './errors.js';
import { matchesFilter, parseFilter } from './filter.js';
import { formatFilter, parsePatchPath, type FilterNode } from './filter-parser.js';
import {
  extensionFor,
  isRec,
  normalizeResourceBody,
  normalizeValue,
  safeAttribute,
  setKey,
  tidy,
} from './normalize.js';
import { PATCH_OP, type ResourceSpec, type SchemaDefinition } from './schema.js';

type Rec = Record<string, unknown>;

export interface PatchOperation {
  op: 'add' | 'remove' | 'replace';
  path?: string;
  value?: unknown;
}

/** Read a PatchOp message tolerantly (key case, missing schemas). Throws 400 on anything else. */
export function readPatchMessage(body: unknown): PatchOperation[] {
  if (!isRec(body)) throw badRequest('invalidSyntax', 'The PATCH body must be a JSON object (a PatchOp message).');
  const get = (o: Rec, name: string) => Object.entries(o).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  const schemas = get(body, 'schemas');
  if (schemas !== undefined) {
    if (
      !Array.isArray(schemas) ||
      !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP.toLowerCase())
    ) {
      throw badRequest('invalidSyntax', `A PATCH body must have schemas ["${PATCH_OP}"].`);
    }
  }
  const ops = get(body, 'Operations');
  if (!Array.isArray(ops) || ops.length === 0)
    throw badRequest('invalidValue', 'The PatchOp message needs a non-empty `Operations` list.');
  const out: PatchOperation[] = [];
  ops.forEach((raw, i) => {
    if (!isRec(raw)) throw badRequest('invalidValue', `Operation ${i + 1} is not an object.`);
    const op = get(raw, 'op');
    const path = get(raw, 'path');
    const value = get(raw, 'value');
    const name = typeof op === 'string' ? op.trim().toLowerCase() : '';
    if (name !== 'add' && name !== 'remove' && name !== 'replace')
      throw badRequest('invalidSyntax', `Operation ${i + 1} has an invalid op ${JSON.stringify(op)}.`);
    if (path !== undefined && path !== null && typeof path !== 'string')
      throw badRequest('invalidPath', `Operation ${i + 1} has a path that is not a string.`);
    const p = typeof path === 'string' && path.trim() ? path.trim() : undefined;
    if (name === 'remove' && !p) throw badRequest('noTarget', `Operation ${i + 1}: 'remove' needs a path.`);
    if (name === 'add' && value === undefined)
      throw badRequest('invalidValue', `Operation ${i + 1}: 'add' needs a value.`);
    out.push({ op: name, ...(p ? { path: p } : {}), ...(value !== undefined ? { value } : {}) });
  });
  return out;
}

const SIMPLE_SEGMENT = /^[A-Za-z$][\w$-]*$/;
const FILTERED = /^([A-Za-z$][\w$-]*)\[(.+)\](?:\.([A-Za-z$][\w$-]*))?$/s;

interface PathParts {
  /** Extension URN prefix, if the path is namespaced by an extension. */
  ext: SchemaDefinition | null;
  /** The path within the core schema or the extension (`name.givenName`, `manager.value`, `emails[...].value`). */
  local: string;
  /** The prefix to put back in front of rewritten paths (`urn:…:User:` or ''). */
  prefix: string;
}

/** Split a PATCH path into extension and local part. Null when it names an extension the endpoint does not serve. */
function splitPath(def: SchemaDefinition, path: string): PathParts | null {
  const lower = path.toLowerCase();
  if (lower.startsWith('urn:')) {
    if (lower.startsWith(`${def.id.toLowerCase()}:`))
      return { ext: null, local: path.slice(def.id.length + 1), prefix: '' };
    const hit = extensionFor(def, path);
    if (!hit) return null;
    return { ext: hit.ext, local: hit.rest, prefix: hit.rest ? `${hit.ext.id}:` : hit.ext.id };
  }
  return { ext: null, local: path, prefix: '' };
}

/**
 * A path-less add/replace (`{"op": "replace", "value": {...}}`) as one operation per attribute, each
 * with that attribute as its path (RFC 7644 §3.5.2.1/3: the value is a set of attributes to add or
 * replace). This gives path-less replace the RFC's per-attribute semantics (a multi-valued
 * attribute is replaced, not appended to) and lets each be adapted like any other operation.
 */
export function expandPathless(spec: ResourceSpec, current: Rec, op: PatchOperation): PatchOperation[] {
  if (!isRec(op.value)) throw badRequest('invalidValue', `'${op.op}' without a path needs an object value.`);
  const def = spec.definition;
  const value = normalizeResourceBody(op.value, def);
  // Read-only bookkeeping some IdPs echo back (Okta sends the group's own id): not an update.
  delete value['schemas'];
  delete value['meta'];
  if (value['id'] === current['id']) delete value['id'];
  const out: PatchOperation[] = [];
  for (const [key, v] of Object.entries(value)) {
    const hit = extensionFor(def, key);
    if (hit && hit.rest === '' && isRec(v)) {
      // A nested `schemas` (`{ "urn:…:enterprise:2.0:User": { "schemas": [...], ... } }`) is bookkeeping, as in POST.
      for (const [sub, sv] of Object.entries(v))
        if (sub.toLowerCase() !== 'schemas')
          out.push(
            sv === undefined
              ? { op: 'remove', path: `${hit.ext.id}:${sub}` }
              : { op: op.op, path: `${hit.ext.id}:${sub}`, value: sv },
          );
      continue;
    }
    // Read-only attributes (a user's `groups`) in a path-less value are echoes, not updates.
    const a = safeAttribute(def, key.split('.')[0]!);
    if (a && isReadOnly(a)) continue;
    out.push(v === undefined ? { op: 'remove', path: key } : { op: op.op, path: key, value: v });
  }
  return out;
}

/** Read-only for clients: the RFC's `mutability: readOnly` (scimmy: direction "out" or mutable false). */
function isReadOnly(a: { config: { direction?: unknown; mutable?: unknown } }): boolean {
  return a.config.direction === 'out' || a.config.mutable === false;
}

/** Adapt one operation to the resource as it is now (see the module comment). */
export function adaptOperation(spec: ResourceSpec, current: Rec, op: PatchOperation): PatchOperation[] {
  const def = spec.definition;
  if (op.path === undefined) {
    // Expanded by applyPatch (expandPathless) before it gets here.
    throw badRequest('invalidValue', `'${op.op}' without a path needs an object value.`);
  }
  // Our linear-time parser checks every path before scimmy's (backtracking, DNF-expanding) one sees it.
  const parsedPath = parsePatchPath(op.path);
  if (parsedPath.filter && dnfSize(parsedPath.filter) > MAX_PATH_FILTER_BRANCHES) {
    throw badRequest(
      'invalidPath',
      `The filter in path ${JSON.stringify(op.path.slice(0, 200))} is too complex (more than ${MAX_PATH_FILTER_BRANCHES} alternatives).`,
    );
  }
  if (parsedPath.filter) {
    // scimmy gets the filter in canonical form (quoted strings, no redundant parentheses).
    op = {
      ...op,
      path: `${parsedPath.attrPath}[${formatFilter(parsedPath.filter)}]${parsedPath.sub ? `.${parsedPath.sub}` : ''}`,
    };
  }
  const parts = splitPath(def, op.path!);
  if (!parts) return []; // an extension this endpoint does not serve
  const scope = parts.ext ?? def;
  const scopeValue = (r: Rec): unknown => (parts.ext ? r[parts.ext.id] : r);
  // The path as scimmy resolves it (a core-URN prefix dropped, the extension URN in its canonical case).
  const path = parts.ext ? (parts.local ? `${parts.ext.id}:${parts.local}` : parts.ext.id) : parts.local;

  // The whole extension (`"path": "urn:…:enterprise:2.0:User"`).
  if (parts.local === '') {
    const ext = parts.ext!;
    if (op.op === 'remove' || op.value === null) {
      // Removed attribute by attribute (scimmy cannot remove an extension as a whole).
      const present = scopeValue(current);
      return isRec(present) ? Object.keys(present).map((k) => ({ op: 'remove' as const, path: `${ext.id}:${k}` })) : [];
    }
    if (!isRec(op.value)) throw badRequest('invalidValue', `The value for ${op.path} must be an object.`);
    // A nested `schemas` key is bookkeeping (POST ignores it too); scimmy would fail on it with a TypeError.
    const value = Object.fromEntries(Object.entries(op.value).filter(([k]) => k.toLowerCase() !== 'schemas'));
    const norm = normalizeResourceBody({ [ext.id]: value }, def);
    return [{ op: op.op, path: ext.id, value: norm[ext.id] }];
  }

  const top = safeAttribute(scope, parts.local.split(/[.[]/)[0]!);
  if (top && isReadOnly(top)) throw new ScimHttpError(400, 'mutability', `Attribute '${top.name}' is read-only.`);

  const filtered = FILTERED.exec(parts.local);
  if (filtered) {
    const [, attrName, filterText, sub] = filtered as unknown as [string, string, string, string | undefined];
    const attr = safeAttribute(scope, attrName);
    if (!attr) throw badRequest('invalidPath', `Invalid path '${op.path}'.`);
    if (op.op === 'remove') return [{ op: 'remove', path }];
    const target = sub ? safeAttribute(scope, `${attrName}.${sub}`) : attr;
    if (!target) throw badRequest('invalidPath', `Invalid path '${op.path}'.`);
    // With a sub-attribute the value is for it; without, it is one element (or a list of them).
    const value = sub
      ? normalizeValue(target, op.value)
      : Array.isArray(op.value)
        ? normalizeValue(attr, op.value)
        : (normalizeValue(attr, [op.value]) as unknown[] | undefined)?.[0];
    if (value === undefined) return [{ op: 'remove', path }];
    // Does any element match the filter now? If not, create it (add/replace of a value path).
    const elements = (scopeValue(current) as Rec | undefined)?.[attr.name];
    const list = Array.isArray(elements) ? (elements as Rec[]) : [];
    if (sub && attr.config.multiValued) {
      const filter = parseFilter(filterText, fakeDefinitionFor(attr));
      const any = list.some((el) => matchesFilter(el, filter, fakeDefinitionFor(attr)));
      if (!any) {
        const seed = equalityObject(filterText, attr);
        if (seed)
          return [{ op: 'add', path: `${parts.prefix}${attr.name}`, value: [{ ...seed, [target.name]: value }] }];
      }
    }
    return [{ op: op.op, path, value }];
  }

  const segments = parts.local.split('.');
  if (!segments.every((s) => SIMPLE_SEGMENT.test(s)) || segments.length > 2) {
    // Leave anything unusual to scimmy, which answers invalidPath where it cannot resolve it.
    return [{ ...op, path }];
  }
  const attr = safeAttribute(scope, parts.local);
  if (!attr) throw badRequest('invalidPath', `Invalid path '${op.path}': no such attribute.`);
  if (op.op === 'remove') {
    // Member removal by value list (Entra): match on `value` only.
    if (op.value !== undefined && op.value !== null && attr.type === 'complex' && attr.config.multiValued) {
      const given = Array.isArray(op.value) ? op.value : [op.value];
      const values = given
        .map((v) => (isRec(v) ? v['value'] : v))
        .filter((v) => v !== undefined && v !== null && v !== '');
      // A value list that names nothing removes nothing (never "all members").
      if (!values.length) return [];
      return [{ op: 'remove', path, value: values.map((v) => ({ value: String(v) })) }];
    }
    return [{ op: 'remove', path }];
  }
  const value = normalizeValue(attr, op.value);
  if (value === undefined || (Array.isArray(value) && value.length === 0 && op.op === 'add')) {
    return op.op === 'add' ? [] : [{ op: 'remove', path }];
  }
  // Replacing a single-valued complex attribute sets the sub-attributes given and leaves the others
  // (RFC 7644 §3.5.2.3): a merge. A reference (`manager`: it has a `value`) is replaced whole.
  if (
    op.op === 'replace' &&
    segments.length === 1 &&
    attr.type === 'complex' &&
    !attr.config.multiValued &&
    !attr.subAttributes?.some((s) => s.name === 'value')
  ) {
    return [{ op: 'add', path, value }];
  }
  if (segments.length === 2) {
    // `X.sub` on a single-valued complex attribute: merge `{ sub: value }` into X (creating X if needed).
    const parent = safeAttribute(scope, segments[0]!);
    if (parent && parent.type === 'complex' && !parent.config.multiValued) {
      // scimmy's add merges into an existing complex value (Object.assign) or creates it.
      const merged: Rec = {};
      setKey(merged, attr.name, value);
      return [{ op: 'add', path: `${parts.prefix}${parent.name}`, value: merged }];
    }
  }
  return [{ op: op.op, path, value }];
}

/** A one-attribute schema definition wrapping a complex attribute's sub-attributes, for evaluating a value filter. */
const wrappers = new WeakMap<object, SchemaDefinition>();
function fakeDefinitionFor(attr: { subAttributes?: unknown[] | undefined; name: string }): SchemaDefinition {
  let d = wrappers.get(attr);
  if (!d) {
    d = new SCIMMY.Types.SchemaDefinition(
      `${attr.name}Value`,
      `urn:ietf:params:scim:schemas:orgsync:value:${attr.name}`,
      '',
      (attr.subAttributes ?? []) as never,
    );
    wrappers.set(attr, d);
  }
  return d;
}

/** `type eq "work"` (and `and` of such) as `{ type: "work" }`, or null for anything else. */
function equalityObject(filterText: string, attr: { subAttributes?: unknown[] | undefined; name: string }): Rec | null {
  let parsed: FilterNode;
  try {
    parsed = parseFilter(filterText, fakeDefinitionFor(attr));
  } catch {
    return null;
  }
  const terms = parsed.kind === 'and' ? parsed.items : [parsed];
  const out: Rec = {};
  for (const t of terms) {
    if (t.kind !== 'compare' || t.op !== 'eq' || t.path.includes('.') || t.path.includes(':')) return null;
    setKey(out, t.path, t.value);
  }
  return out;
}

/**
 * scimmy applies a path's value filter after expanding it into disjunctive normal form; the number
 * of alternatives that makes is bounded here (computed on the AST without expanding it).
 */
const MAX_PATH_FILTER_BRANCHES = 64;
function dnfSize(n: FilterNode, negated = false): number {
  const cap = (x: number) => Math.min(x, MAX_PATH_FILTER_BRANCHES + 1);
  if (n.kind === 'not') return dnfSize(n.item, !negated);
  if (n.kind !== 'and' && n.kind !== 'or') return 1;
  // Under a negation (De Morgan) an `and` becomes an `or` and the other way round.
  const sum = (n.kind === 'or') !== negated;
  return cap(n.items.reduce((acc, i) => (sum ? acc + dnfSize(i, negated) : acc * dnfSize(i, negated)), sum ? 0 : 1));
}

/**
 * Apply a PATCH request to a stored resource. Returns the new attributes (tidied, no `schemas`), or
 * the same object when nothing changed.
 */
export async function applyPatch(spec: ResourceSpec, current: Rec, body: unknown): Promise<Rec> {
  const queue = readPatchMessage(body);
  let resource = current;
  while (queue.length) {
    const raw = queue.shift()!;
    if (raw.path === undefined) {
      queue.unshift(...expandPathless(spec, resource, raw));
      continue;
    }
    // Adapted against the resource as the previous operations left it.
    for (const op of adaptOperation(spec, resource, raw)) {
      let instance: SCIMMY.Types.Schema;
      try {
        instance = new spec.schemaClass(resource, 'both');
      } catch (e) {
        throw fromScimmyError(e) ?? fromUnexpectedError(e, `The ${spec.kind} could not be read for patching.`);
      }
      let out: SCIMMY.Types.Schema | undefined;
      try {
        out = await new SCIMMY.Messages.PatchOp({ schemas: [PATCH_OP], Operations: [op as never] }).apply(instance);
      } catch (e) {
        throw (
          fromScimmyError(e) ??
          fromUnexpectedError(
            e,
            `Operation '${op.op}'${op.path ? ` on '${op.path.slice(0, 200)}'` : ''} could not be applied: the value does not fit the attribute.`,
          )
        );
      }
      if (out) {
        const plain = JSON.parse(JSON.stringify(out)) as Rec;
        delete plain['schemas'];
        resource = tidy(plain);
      }
    }
  }
  return resource;
}
