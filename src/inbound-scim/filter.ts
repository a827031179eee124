/**
 * SCIM filters (RFC 7644 §3.4.2.2): parsed by scimmy (`SCIMMY.Types.Filter`), evaluated here.
 *
 * scimmy parses a filter into disjunctive normal form (a list of OR-branches, each an object of
 * attribute -> comparison or nested object for value paths). Its own `match` compares strings
 * case-sensitively and cannot see Enterprise User attributes nested under their URN, so evaluation
 * is done here against the schema: `caseExact` decides string comparisons (userName is
 * case-insensitive, id and externalId are not), extension attributes are looked up by URN, dates
 * compare as dates, and a multi-valued complex attribute compared directly compares its `value`.
 *
 * Tolerated before parsing (real IdP traffic):
 * - unquoted values (`externalId eq jyoung@contoso.com`, `externalId eq 12345`, Entra) are quoted;
 *   `true`, `false` and `null` stay literals;
 * - a boolean compared with the string "True"/"False" compares as a boolean.
 */
import SCIMMY from 'scimmy';
import { badRequest, cleanDetail } from './errors.js';
import { attributeAt, isAttribute, isSchemaDefinition, type Attribute, type SchemaDefinition } from './schema.js';

type Rec = Record<string, unknown>;
/** One OR-branch: attribute -> comparison(s), or a nested branch for a value path. */
export type FilterBranch = Record<string, unknown>;
export type ParsedFilter = FilterBranch[];

const COMPARATORS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'np']);
const OPERATOR_THEN_BARE = /(\s(?:eq|ne|co|sw|ew|gt|ge|lt|le)\s+)([^\s"()[\]]+)/gi;
const LITERALS = new Set(['true', 'false', 'null']);

/** Quote bare comparison values outside of quoted strings (`externalId eq abc@x.com` -> `externalId eq "abc@x.com"`). */
export function quoteBareValues(filter: string): string {
  let out = '';
  let i = 0;
  while (i < filter.length) {
    const q = filter.indexOf('"', i);
    const plainEnd = q === -1 ? filter.length : q;
    out += filter.slice(i, plainEnd).replace(OPERATOR_THEN_BARE, (_m, op: string, value: string) => {
      if (LITERALS.has(value.toLowerCase())) return `${op}${value.toLowerCase()}`;
      return `${op}"${value}"`;
    });
    if (q === -1) break;
    // Copy the quoted string as it is (backslash escapes included).
    let j = q + 1;
    while (j < filter.length && filter[j] !== '"') j += filter[j] === '\\' ? 2 : 1;
    out += filter.slice(q, j + 1);
    i = j + 1;
  }
  return out;
}

/** Parse a filter and check it names only attributes of the schema. Throws 400 `invalidFilter`. */
export function parseFilter(expression: string, def: SchemaDefinition): ParsedFilter {
  const text = quoteBareValues(expression.trim());
  let parsed: unknown;
  try {
    parsed = new SCIMMY.Types.Filter(text);
  } catch (e) {
    throw badRequest('invalidFilter', `Invalid filter ${JSON.stringify(expression.slice(0, 200))}: ${cleanDetail((e as Error).message)}`);
  }
  const branches = JSON.parse(JSON.stringify(parsed)) as ParsedFilter;
  for (const b of branches) checkBranch(b, def, '', expression);
  return branches;
}

function checkBranch(branch: FilterBranch, def: SchemaDefinition, prefix: string, expression: string): void {
  for (const [attr, cond] of Object.entries(branch)) {
    const path = prefix ? `${prefix}.${attr}` : attr;
    const a = attributeAt(def, path);
    if (!a || isSchemaDefinition(a)) throw badRequest('invalidFilter', `Filter ${JSON.stringify(expression.slice(0, 200))} uses an unknown attribute '${path}'.`);
    if (Array.isArray(cond)) {
      const exprs = cond.every(Array.isArray) ? (cond as unknown[][]) : [cond];
      for (const ex of exprs) {
        const negate = String(ex[0]).toLowerCase() === 'not';
        const [op, ...rest] = negate ? ex.slice(1) : ex;
        const comparator = String(op).toLowerCase();
        if (!COMPARATORS.has(comparator)) throw badRequest('invalidFilter', `Filter uses an unknown operator '${String(op)}'.`);
        if (comparator !== 'pr' && comparator !== 'np' && rest.length === 0) throw badRequest('invalidFilter', `Filter compares '${path}' with '${comparator}' but gives no value.`);
      }
    } else if (cond && typeof cond === 'object') {
      if (a.type !== 'complex') throw badRequest('invalidFilter', `Filter uses '${path}[...]' but '${path}' is not a complex attribute.`);
      checkBranch(cond as FilterBranch, def, path, expression);
    } else {
      throw badRequest('invalidFilter', `Filter ${JSON.stringify(expression.slice(0, 200))} could not be understood.`);
    }
  }
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

/** Whether a resource (plain JSON, as returned to clients) matches any branch of the filter. */
export function matchesFilter(resource: Rec, filter: ParsedFilter, def: SchemaDefinition): boolean {
  return filter.some((b) => matchBranch(resource, b, def, '', true));
}

function matchBranch(target: unknown, branch: FilterBranch, def: SchemaDefinition, prefix: string, top: boolean): boolean {
  for (const [attr, cond] of Object.entries(branch)) {
    const path = prefix ? `${prefix}.${attr}` : attr;
    const a = attributeAt(def, path);
    if (!a || !isAttribute(a)) return false;
    const value = top ? topLevelValue(target as Rec, attr, def) : getCI(target, attr);
    if (Array.isArray(cond)) {
      const exprs = cond.every(Array.isArray) ? (cond as unknown[][]) : [cond];
      for (const ex of exprs) if (!evaluate(value, ex, a)) return false;
    } else {
      const sub = cond as FilterBranch;
      if (Array.isArray(value)) {
        if (!value.some((el) => matchBranch(el, sub, def, path, false))) return false;
      } else if (value && typeof value === 'object') {
        if (!matchBranch(value, sub, def, path, false)) return false;
      } else return false;
    }
  }
  return true;
}

function evaluate(value: unknown, expr: unknown[], a: Attribute): boolean {
  const negate = String(expr[0]).toLowerCase() === 'not';
  const [op, expected] = negate ? expr.slice(1) : expr;
  const r = compare(value, String(op).toLowerCase(), expected, a);
  return negate ? !r : r;
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
      const e = typeof expected === 'string' ? (expected.toLowerCase() === 'true' ? true : expected.toLowerCase() === 'false' ? false : expected) : expected;
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

