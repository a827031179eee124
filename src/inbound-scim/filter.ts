/**
 * SCIM filters (RFC 7644 §3.4.2.2): parsed by our own linear-time parser (filter-parser.ts) into an
 * AST, checked against the schema, and evaluated directly (never expanded into DNF).
 *
 * Evaluation follows the schema: `caseExact` decides string comparisons (userName is
 * case-insensitive, id and externalId are not), extension attributes are looked up by URN, dates
 * compare as dates, and a multi-valued complex attribute compared directly compares its `value`.
 * A multi-valued attribute matches when any of its values does.
 *
 * Rejected with 400 invalidFilter at parse time: unknown attributes, a value path on a non-complex
 * attribute, an ordering or equality comparison of a dateTime with something that is not a date,
 * and `gt`/`ge`/`lt`/`le` on booleans (RFC 7644 §3.4.2.2).
 */
import { badRequest } from './errors.js';
import { parseFilterText, type FilterNode, type FilterValue } from './filter-parser.js';
import { attributeAt, isAttribute, isSchemaDefinition, type Attribute, type SchemaDefinition } from './schema.js';

type Rec = Record<string, unknown>;
export type ParsedFilter = FilterNode;

const ORDERING = new Set(['gt', 'ge', 'lt', 'le']);
/** xsd:dateTime as RFC 7643 §2.3.5 requires (date, optional time and zone). */
const ISO_DATE = /^-?\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** Parse a filter and check it against the schema. Throws 400 `invalidFilter`. */
export function parseFilter(expression: string, def: SchemaDefinition): ParsedFilter {
  const node = parseFilterText(expression.trim());
  checkNode(node, def, '', expression);
  return node;
}

/**
 * Check an already parsed filter for a search across several resource types (root `/.search`):
 * every attribute must exist in at least one of them (checked there); in the others it is absent,
 * so its comparisons are false for those resources.
 */
export function checkFilterAcross(node: FilterNode, defs: SchemaDefinition[], expression: string, prefix = ''): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const i of node.items) checkFilterAcross(i, defs, expression, prefix);
      return;
    case 'not':
      checkFilterAcross(node.item, defs, expression, prefix);
      return;
    default: {
      const known = defs.filter((d) => resolve(d, prefix, node.path));
      if (!known.length) {
        const quoted = JSON.stringify(expression.slice(0, 200));
        throw badRequest(
          'invalidFilter',
          `Filter ${quoted} uses an unknown attribute '${joinPath(prefix, node.path)}'.`,
        );
      }
      if (node.kind === 'valuePath') {
        const shell: FilterNode = { ...node, filter: { kind: 'present', path: node.path } };
        for (const d of known) checkNode(shell, d, prefix, expression);
        checkFilterAcross(node.filter, known, expression, joinPath(prefix, node.path));
        return;
      }
      for (const d of known) checkNode(node, d, prefix, expression);
    }
  }
}

function checkNode(n: FilterNode, def: SchemaDefinition, prefix: string, expression: string): void {
  const quoted = JSON.stringify(expression.slice(0, 200));
  switch (n.kind) {
    case 'and':
    case 'or':
      for (const i of n.items) checkNode(i, def, prefix, expression);
      return;
    case 'not':
      checkNode(n.item, def, prefix, expression);
      return;
    case 'valuePath': {
      const a = resolve(def, prefix, n.path);
      if (!a) throw badRequest('invalidFilter', `Filter ${quoted} uses an unknown attribute '${n.path}'.`);
      if (a.type !== 'complex')
        throw badRequest('invalidFilter', `Filter uses '${n.path}[...]' but '${n.path}' is not a complex attribute.`);
      checkNode(n.filter, def, joinPath(prefix, n.path), expression);
      return;
    }
    case 'present':
    case 'compare': {
      const a = resolve(def, prefix, n.path);
      if (!a)
        throw badRequest('invalidFilter', `Filter ${quoted} uses an unknown attribute '${joinPath(prefix, n.path)}'.`);
      if (n.kind === 'compare') checkComparison(a, n.op, n.value, n.path);
      return;
    }
  }
}

function checkComparison(a: Attribute, op: string, value: FilterValue, path: string): void {
  const target = a.type === 'complex' ? a.subAttributes?.find((s) => s.name === 'value') : a;
  if (!target) return;
  if (target.type === 'dateTime' && value !== null && !['co', 'sw', 'ew'].includes(op)) {
    if (typeof value !== 'string' || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) {
      throw badRequest(
        'invalidFilter',
        `Filter compares the dateTime '${path}' with ${JSON.stringify(value)}, which is not a date.`,
      );
    }
  }
  if ((target.type === 'boolean' || target.type === 'binary') && ORDERING.has(op)) {
    throw badRequest('invalidFilter', `Filter uses '${op}' on the ${target.type} attribute '${path}'.`);
  }
}

function joinPath(prefix: string, path: string): string {
  return prefix ? `${prefix}.${path}` : path;
}

function resolve(def: SchemaDefinition, prefix: string, path: string): Attribute | null {
  const a = attributeAt(def, joinPath(prefix, path));
  return a && isAttribute(a) ? a : null;
}

/** Case-insensitive own-property read (SCIM attribute names are case-insensitive). */
export function getCI(obj: unknown, name: string): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const o = obj as Rec;
  if (Object.prototype.hasOwnProperty.call(o, name)) return o[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}

/** The value at a top-level filter attribute: plain name, core URN-qualified name, or extension attribute. */
function topLevelValue(resource: Rec, attr: string, def: SchemaDefinition): unknown {
  const lower = attr.toLowerCase();
  if (!lower.startsWith('urn:')) return getCI(resource, attr);
  if (lower.startsWith(`${def.id.toLowerCase()}:`)) return getCI(resource, attr.slice(def.id.length + 1));
  for (const ext of def.attributes) {
    if (!isSchemaDefinition(ext)) continue;
    const id = ext.id;
    if (lower.startsWith(`${id.toLowerCase()}:`)) return getCI(getCI(resource, id), attr.slice(id.length + 1));
  }
  return undefined;
}

/** Whether a resource (plain JSON, as returned to clients) matches the filter. */
export function matchesFilter(resource: Rec, filter: ParsedFilter, def: SchemaDefinition): boolean {
  return matchNode(resource, filter, def, '');
}

function matchNode(target: unknown, n: FilterNode, def: SchemaDefinition, prefix: string): boolean {
  switch (n.kind) {
    case 'and':
      return n.items.every((i) => matchNode(target, i, def, prefix));
    case 'or':
      return n.items.some((i) => matchNode(target, i, def, prefix));
    case 'not':
      return !matchNode(target, n.item, def, prefix);
    case 'valuePath': {
      const full = joinPath(prefix, n.path);
      return valuesAt(target, n.path, def, prefix === '').some((v) => {
        const els = Array.isArray(v) ? v : [v];
        return els.some((el) => !!el && typeof el === 'object' && matchNode(el, n.filter, def, full));
      });
    }
    case 'present':
    case 'compare': {
      const a = resolve(def, prefix, n.path);
      if (!a) return n.kind === 'compare' && n.op === 'ne';
      const values = valuesAt(target, n.path, def, prefix === '');
      if (n.kind === 'present') return values.some((v) => !isEmpty(v));
      if (n.op === 'ne')
        return !values.some((v) => compare(v, 'eq', n.value, a)) && (values.length > 0 || n.value !== null);
      if (values.length === 0) return compare(undefined, n.op, n.value, a);
      return values.some((v) => compare(v, n.op, n.value, a));
    }
  }
}

/**
 * The values at an attribute path: one per element where an intermediate attribute is multi-valued
 * (`emails.value` on two emails: two values), `[undefined]` when absent.
 */
function valuesAt(target: unknown, path: string, def: SchemaDefinition, top: boolean): unknown[] {
  let local = path;
  let first: unknown;
  if (top && path.slice(0, 4).toLowerCase() === 'urn:') {
    const colon = path.lastIndexOf(':');
    local = path.slice(colon + 1);
    const dot = local.indexOf('.');
    const head = dot === -1 ? path : path.slice(0, colon + 1 + dot);
    first = topLevelValue(target as Rec, head, def);
    local = dot === -1 ? '' : local.slice(dot + 1);
  } else {
    const dot = local.indexOf('.');
    first = getCI(target, dot === -1 ? local : local.slice(0, dot));
    local = dot === -1 ? '' : local.slice(dot + 1);
  }
  if (!local) return [first];
  const els = Array.isArray(first) ? first : [first];
  return els.map((el) => getCI(el, local));
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as Rec).every(isEmpty);
  return false;
}

function compare(value: unknown, op: string, expected: unknown, a: Attribute): boolean {
  if (op === 'pr') return !isEmpty(value);
  if (op === 'np') return isEmpty(value);
  if (Array.isArray(value)) {
    // Multi-valued: true when any value matches (`ne`: when none is equal).
    const values = value.map((v) => (v && typeof v === 'object' && !Array.isArray(v) ? getCI(v, 'value') : v));
    const sub = a.type === 'complex' ? (a.subAttributes?.find((s) => s.name === 'value') ?? a) : a;
    if (op === 'ne') return !values.some((v) => compareOne(v, 'eq', expected, sub));
    return values.some((v) => compareOne(v, op, expected, sub));
  }
  if (value && typeof value === 'object') {
    const sub = a.subAttributes?.find((s) => s.name === 'value');
    return sub ? compareOne(getCI(value, 'value'), op, expected, sub) : false;
  }
  return compareOne(value, op, expected, a);
}

function compareOne(actual: unknown, op: string, expected: unknown, a: Attribute): boolean {
  if (actual === undefined || actual === null) {
    if (op === 'eq') return expected === null;
    if (op === 'ne') return expected !== null;
    return false;
  }
  if (expected === null || expected === undefined) return op === 'ne';
  switch (a.type) {
    case 'boolean': {
      const e =
        typeof expected === 'string'
          ? expected.toLowerCase() === 'true'
            ? true
            : expected.toLowerCase() === 'false'
              ? false
              : expected
          : expected;
      if (op === 'eq') return actual === e;
      if (op === 'ne') return actual !== e;
      return false;
    }
    case 'dateTime': {
      const x = Date.parse(String(actual));
      const y = Date.parse(String(expected));
      if (!Number.isNaN(x) && !Number.isNaN(y) && !['co', 'sw', 'ew'].includes(op)) return order(x, y, op);
      break;
    }
    case 'integer':
    case 'decimal': {
      const x = Number(actual);
      const y = Number(expected);
      if (!Number.isNaN(x) && !Number.isNaN(y) && !['co', 'sw', 'ew'].includes(op)) return order(x, y, op);
      break;
    }
    default:
      break;
  }
  let x = String(actual);
  let y = String(expected);
  if (a.config.caseExact !== true) {
    x = x.toLowerCase();
    y = y.toLowerCase();
  }
  switch (op) {
    case 'co':
      return x.includes(y);
    case 'sw':
      return x.startsWith(y);
    case 'ew':
      return x.endsWith(y);
    default:
      return order(x, y, op);
  }
}

function order<T extends string | number>(x: T, y: T, op: string): boolean {
  switch (op) {
    case 'eq':
      return x === y;
    case 'ne':
      return x !== y;
    case 'gt':
      return x > y;
    case 'ge':
      return x >= y;
    case 'lt':
      return x < y;
    case 'le':
      return x <= y;
    default:
      return false;
  }
}
