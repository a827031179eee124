/**
 * A linear-time parser of SCIM filters, attribute paths and PATCH paths (RFC 7644 §3.4.2.2 ABNF,
 * §3.5.2 PATH). It replaces scimmy's regular-expression parser on every request path, because that
 * one backtracks catastrophically on an unterminated string of backslashes and expands `and`/`or`
 * into disjunctive normal form (exponential in the number of nested groups).
 *
 * One left-to-right scan tokenizes the text; a recursive-descent parser builds an AST that is
 * evaluated as it is (filter.ts), never expanded. Every step is bounded: text length, nesting depth
 * and the number of comparisons. Anything that does not fit answers 400 `invalidFilter` (filters)
 * or `invalidPath` (PATCH paths, attribute lists).
 *
 * Tolerated, as real IdPs send it: operators and `and`/`or`/`not` in any case, literals `True`/
 * `NULL` in any case, and unquoted values (`externalId eq jyoung@contoso.com`, Entra) taken as strings.
 */
import { badRequest, type ScimType } from './errors.js';

/** Longest filter accepted (characters). Longer: 400 invalidFilter. */
export const MAX_FILTER_LENGTH = 4096;
/** Deepest nesting of parentheses / `not` / value paths. */
export const MAX_FILTER_DEPTH = 32;
/** Most comparisons in one filter. */
export const MAX_FILTER_TERMS = 200;
/** Longest attribute path (`urn:…:User:manager.value`). */
export const MAX_PATH_LENGTH = 512;

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;

export type FilterNode =
  | { kind: 'compare'; path: string; op: CompareOp; value: FilterValue }
  | { kind: 'present'; path: string }
  | { kind: 'and' | 'or'; items: FilterNode[] }
  | { kind: 'not'; item: FilterNode }
  | { kind: 'valuePath'; path: string; filter: FilterNode };

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

type Token =
  | { t: '(' | ')' | '[' | ']'; pos: number }
  | { t: 'str'; value: string; pos: number }
  | { t: 'word'; value: string; pos: number };

/** Steps taken by the last parse (tests assert linearity on this, not on wall time). */
export const parseStats = { steps: 0 };

export class FilterSyntaxError extends Error {}

function fail(msg: string): never {
  throw new FilterSyntaxError(msg);
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    parseStats.steps++;
    const c = text[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === '[' || c === ']') {
      out.push({ t: c, pos: i });
      i++;
      continue;
    }
    if (c === '"') {
      // One pass to the closing quote; a backslash skips exactly one character.
      let j = i + 1;
      while (j < n && text[j] !== '"') {
        parseStats.steps++;
        j += text[j] === '\\' ? 2 : 1;
      }
      if (j >= n) fail(`unterminated string starting at character ${i + 1}`);
      let value: unknown;
      try {
        value = JSON.parse(text.slice(i, j + 1));
      } catch {
        fail(`invalid string escape in the string at character ${i + 1}`);
      }
      out.push({ t: 'str', value: value as string, pos: i });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < n && !isSpace(text[j]!) && !'()[]"'.includes(text[j]!)) {
      parseStats.steps++;
      j++;
    }
    out.push({ t: 'word', value: text.slice(i, j), pos: i });
    i = j;
  }
  return out;
}

const NAME = /^[A-Za-z$][\w$-]*$/;
const URN = /^urn:[A-Za-z0-9()+,\-.:=@;$_!*'%/?#]+$/i;

/**
 * Check an attribute path (`[URI ":"] ATTRNAME ["." subAttr]`). Returns it unchanged; throws a
 * FilterSyntaxError when it is not one.
 */
export function checkAttrPath(p: string): string {
  if (!p || p.length > MAX_PATH_LENGTH) fail(`invalid attribute path '${p.slice(0, 100)}'`);
  let local = p;
  if (p.slice(0, 4).toLowerCase() === 'urn:') {
    const colon = p.lastIndexOf(':');
    const uri = p.slice(0, colon);
    local = p.slice(colon + 1);
    if (!URN.test(uri)) fail(`invalid schema URI in '${p.slice(0, 100)}'`);
  }
  const parts = local.split('.');
  if (parts.length > 2 || !parts.every((s) => NAME.test(s))) fail(`invalid attribute path '${p.slice(0, 100)}'`);
  return p;
}

class Parser {
  private i = 0;
  private terms = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    if (!this.tokens.length) fail('empty filter');
    const node = this.or(0, false);
    const extra = this.tokens[this.i];
    if (extra) fail(`unexpected ${describe(extra)} at character ${extra.pos + 1}`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isWord(tok: Token | undefined, w: string): boolean {
    return tok?.t === 'word' && tok.value.toLowerCase() === w;
  }

  private or(depth: number, inValuePath: boolean): FilterNode {
    const items = [this.and(depth, inValuePath)];
    while (this.isWord(this.peek(), 'or')) {
      this.i++;
      items.push(this.and(depth, inValuePath));
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private and(depth: number, inValuePath: boolean): FilterNode {
    const items = [this.unary(depth, inValuePath)];
    while (this.isWord(this.peek(), 'and')) {
      this.i++;
      items.push(this.unary(depth, inValuePath));
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private unary(depth: number, inValuePath: boolean): FilterNode {
    parseStats.steps++;
    if (depth > MAX_FILTER_DEPTH) fail(`nested deeper than ${MAX_FILTER_DEPTH} levels`);
    const tok = this.peek();
    if (!tok) fail('filter ends where an expression was expected');
    if (this.isWord(tok, 'not') && this.tokens[this.i + 1]?.t === '(') {
      this.i++;
      return { kind: 'not', item: this.group(depth + 1, inValuePath) };
    }
    if (tok.t === '(') return this.group(depth + 1, inValuePath);
    if (tok.t !== 'word') fail(`unexpected ${describe(tok)} at character ${tok.pos + 1}`);
    const path = checkAttrPath(tok.value);
    this.i++;
    const next = this.peek();
    if (next?.t === '[') {
      if (inValuePath) fail('a value filter cannot contain another value filter');
      this.i++;
      const filter = this.or(depth + 1, true);
      const close = this.peek();
      if (close?.t !== ']') fail(`missing ']' for '${path.slice(0, 100)}['`);
      this.i++;
      // `emails[type eq "work"].value eq "x"` (Entra; scimmy accepted it): the element must match both.
      const after = this.peek();
      if (after?.t === 'word' && after.value.startsWith('.')) {
        const sub = after.value.slice(1);
        if (!NAME.test(sub)) fail(`invalid sub-attribute '${after.value.slice(0, 40)}'`);
        this.i++;
        return { kind: 'valuePath', path, filter: { kind: 'and', items: [filter, this.comparison(sub)] } };
      }
      return { kind: 'valuePath', path, filter };
    }
    return this.comparison(path);
  }

  private comparison(path: string): FilterNode {
    const next = this.peek();
    if (++this.terms > MAX_FILTER_TERMS) fail(`more than ${MAX_FILTER_TERMS} comparisons`);
    if (next?.t !== 'word') fail(`'${path.slice(0, 100)}' needs an operator`);
    const op = next.value.toLowerCase();
    this.i++;
    if (op === 'pr') return { kind: 'present', path };
    if (!COMPARE_OPS.has(op)) fail(`unknown operator '${next.value.slice(0, 20)}'`);
    const v = this.peek();
    if (!v || (v.t !== 'str' && v.t !== 'word')) fail(`'${path.slice(0, 100)} ${op}' needs a value`);
    this.i++;
    return { kind: 'compare', path, op: op as CompareOp, value: v.t === 'str' ? v.value : literal(v.value) };
  }

  private group(depth: number, inValuePath: boolean): FilterNode {
    this.i++; // '('
    const inner = this.or(depth, inValuePath);
    const close = this.peek();
    if (close?.t !== ')') fail(close ? `expected ')' at character ${close.pos + 1}` : "missing ')'");
    this.i++;
    return inner;
  }
}

function literal(word: string): FilterValue {
  const w = word.toLowerCase();
  if (w === 'true') return true;
  if (w === 'false') return false;
  if (w === 'null') return null;
  // Numbers and unquoted strings (Entra's `externalId eq 12345`) stay text; comparison coerces.
  return word;
}

function describe(tok: Token): string {
  return tok.t === 'str' ? 'string' : tok.t === 'word' ? `'${tok.value.slice(0, 40)}'` : `'${tok.t}'`;
}

/** Parse a filter into an AST. Throws 400 with the given scimType (default `invalidFilter`). */
export function parseFilterText(text: string, scimType: ScimType = 'invalidFilter'): FilterNode {
  parseStats.steps = 0;
  const what = scimType === 'invalidFilter' ? 'filter' : 'path filter';
  if (text.length > MAX_FILTER_LENGTH)
    throw badRequest(scimType, `The ${what} is longer than ${MAX_FILTER_LENGTH} characters.`);
  try {
    return new Parser(tokenize(text)).parse();
  } catch (e) {
    if (e instanceof FilterSyntaxError) {
      throw badRequest(scimType, `Invalid ${what} ${JSON.stringify(text.slice(0, 200))}: ${e.message}.`);
    }
    throw e;
  }
}

/**
 * A filter as canonical text: strings JSON-quoted, minimal parentheses (only an `or` inside an
 * `and`, and after `not`). What scimmy gets for PATCH value filters: it cannot resolve redundant
 * parentheses in a path (`emails[((type eq "work"))]` was `noTarget`).
 */
export function formatFilter(n: FilterNode): string {
  switch (n.kind) {
    case 'or':
      return n.items.map(formatFilter).join(' or ');
    case 'and':
      return n.items.map((i) => (i.kind === 'or' ? `(${formatFilter(i)})` : formatFilter(i))).join(' and ');
    case 'not':
      return `not (${formatFilter(n.item)})`;
    case 'present':
      return `${n.path} pr`;
    case 'valuePath':
      return `${n.path}[${formatFilter(n.filter)}]`;
    case 'compare':
      return `${n.path} ${n.op} ${typeof n.value === 'string' ? JSON.stringify(n.value) : String(n.value)}`;
  }
}

export interface PatchPath {
  /** The attribute path before any `[...]` (`emails`, `urn:…:User:manager`, `name.givenName`). */
  attrPath: string;
  /** The value filter between `[` and `]`, as text and parsed. */
  filterText?: string;
  filter?: FilterNode;
  /** The sub-attribute after `]` (`emails[type eq "work"].value`). */
  sub?: string;
}

/**
 * Parse a PATCH path (`attrPath` / `valuePath ["." subAttr]`, RFC 7644 §3.5.2). Linear; throws 400
 * `invalidPath`. A whole extension URN (`urn:…:enterprise:2.0:User`) is a valid path.
 */
export function parsePatchPath(path: string): PatchPath {
  const bad = (why: string): never => {
    throw badRequest('invalidPath', `Invalid path ${JSON.stringify(path.slice(0, 200))}: ${why}.`);
  };
  if (path.length > MAX_FILTER_LENGTH) bad(`longer than ${MAX_FILTER_LENGTH} characters`);
  const open = path.indexOf('[');
  if (open === -1) {
    if (URN.test(path) && !path.includes('.')) return { attrPath: path };
    try {
      return { attrPath: checkAttrPath(path) };
    } catch (e) {
      return bad((e as Error).message);
    }
  }
  const attrPath = path.slice(0, open);
  try {
    checkAttrPath(attrPath);
  } catch (e) {
    bad((e as Error).message);
  }
  const close = path.lastIndexOf(']');
  if (close < open) bad("missing ']'");
  const filterText = path.slice(open + 1, close);
  const after = path.slice(close + 1);
  let sub: string | undefined;
  if (after) {
    if (after[0] !== '.' || !NAME.test(after.slice(1))) bad(`unexpected '${after.slice(0, 40)}' after ']'`);
    sub = after.slice(1);
  }
  let filter: FilterNode;
  try {
    filter = parseFilterText(filterText, 'invalidPath');
  } catch (e) {
    return bad((e as Error).message.replace(/^Invalid path filter /, 'filter '));
  }
  if (containsValuePath(filter)) bad('a value filter cannot contain another value filter');
  return { attrPath, filterText, filter, ...(sub ? { sub } : {}) };
}

function containsValuePath(n: FilterNode): boolean {
  if (n.kind === 'valuePath') return true;
  if (n.kind === 'and' || n.kind === 'or') return n.items.some(containsValuePath);
  if (n.kind === 'not') return containsValuePath(n.item);
  return false;
}

/** Check an `attributes` / `excludedAttributes` list: each entry an attribute path. Throws 400 invalidPath. */
export function checkAttributeList(list: string[], param: string): void {
  for (const a of list) {
    try {
      checkAttrPath(a);
    } catch (e) {
      throw badRequest('invalidPath', `Invalid ${param} entry: ${(e as Error).message}.`);
    }
  }
}
