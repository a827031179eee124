/**
 * The Workday XML reader in one pass: `saxes` (a strict, non-validating SAX parser: unclosed,
 * cut-off or unbalanced documents are errors) feeds a stack that builds the namespace-resolved
 * shape documented in xml.ts directly, without fast-xml-parser's validator pass and its
 * intermediate tree (which were most of a 100,000-worker sync's time).
 *
 * Output is the same as the tree reader's (`parseXmlTree` in xml.ts; test/perf/workday-sax.test.ts
 * compares both on the fixtures and on generated pages), with the same rules: namespaces resolved
 * per element, text trimmed piece by piece and decoded by `decodeEntities` (only the five predefined
 * entities and character references), CDATA kept as written, `__proto__` refused, `constructor` and
 * `prototype` skipped. Differences only on XML Workday does not send: a second root element is an
 * error (the tree reader kept it), siblings of one namespace under two different prefixes keep
 * document order (the tree reader grouped them by prefix), and raw tabs/newlines in attribute
 * values become spaces (XML attribute-value normalization).
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { decodeEntities, keyFor, attrKeyFor, XmlReadError, type XmlObject, type XmlValue } from './xml-names.js';

type Scope = Map<string, string>;

interface Frame {
  key: string | null;
  scope: Scope;
  /** Children (object keys in first-appearance order, repeated ones as arrays). */
  children: XmlObject | null;
  attrs: Array<[string, string]> | null;
  /** Trimmed text pieces so far, joined. */
  text: string;
  /** Raw text since the last tag or CDATA section (comments do not split it). */
  pending: string;
  cdata: string[] | null;
}

const NAMED = new Set(['lt', 'gt', 'amp', 'quot', 'apos']);
/** A named or numeric reference: kept as written here, decoded (or left, if unknown) by `decodeEntities`. */
const ENTITY_REF = /^[A-Za-z_][\w.-]*$|^#x[0-9a-fA-F]+$|^#[0-9]+$/;
/**
 * Names that could touch a prototype. As with the tree reader (fast-xml-parser): an unprefixed element so
 * named fails the read; a prefixed element (with its content) or an attribute so named is skipped.
 */
const REFUSED = new Set(['__proto__', 'constructor', 'prototype']);

/** Element keys per scope and name (scopes are shared until an element declares a namespace). */
const keyCache = new WeakMap<Scope, Map<string, string | null>>();
function cachedKey(qname: string, scope: Scope, attribute: boolean): string | null {
  let m = keyCache.get(scope);
  if (!m) keyCache.set(scope, (m = new Map()));
  // Attribute names are cached with a leading space (never part of an XML name).
  const name = attribute ? ` ${qname}` : qname;
  let k = m.get(name);
  if (k === undefined) m.set(name, (k = attribute ? attrKeyFor(qname, scope) : keyFor(qname, scope)));
  return k;
}

function flush(f: Frame): void {
  if (f.pending === '') return;
  const s = f.pending.trim();
  if (s !== '') f.text += s;
  f.pending = '';
}

/**
 * saxes decodes entities itself; this reader keeps them as written (decoded after trimming, as the
 * tree reader did: the five predefined and character references; any other name stays as written)
 * and refuses only what is not an entity reference at all.
 */
function rawEntityParser(): SaxesParser<{ xmlns: false; position: false }> {
  const parser = new SaxesParser({ xmlns: false, position: false });
  // `parseEntity` is saxes' own (private in its types, stable across 6.x): wrap it on this instance.
  const p = parser as unknown as { parseEntity(entity: string): string };
  const decode = p.parseEntity.bind(parser);
  p.parseEntity = (entity) => (NAMED.has(entity) || ENTITY_REF.test(entity) ? `&${entity};` : decode(entity));
  return parser;
}

const ROOT_SCOPE: Scope = new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]);

function detail(e: unknown): string {
  // saxes messages may quote names from the body: keep their shape, not the quoted text.
  return String((e as Error)?.message ?? e)
    .replace(/'[^']*'|"[^"]*"/g, "'…'")
    .slice(0, 160);
}

/** Parse a whole XML text (DTDs already refused by the caller) into the resolved shape. */
export function parseXmlSax(text: string): XmlObject {
  const root: Frame = { key: null, scope: ROOT_SCOPE, children: {}, attrs: null, text: '', pending: '', cdata: null };
  const stack: Frame[] = [root];
  let top = root;
  const parser = rawEntityParser();
  parser.on('error', (e) => {
    throw new XmlReadError(`the body is not well-formed XML (${detail(e)})`, 'xml_malformed');
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const attributes = tag.attributes as Record<string, string>;
    let scope = top.scope;
    let attrs: Array<[string, string]> | null = null;
    for (const name in attributes) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        if (scope === top.scope) scope = new Map(scope);
        scope.set(name === 'xmlns' ? '' : name.slice(6), attributes[name]!);
      } else (attrs ??= []).push([name, attributes[name]!]);
    }
    // fast-xml-parser refused these names unprefixed; a prefixed one, or an attribute, is skipped.
    if (REFUSED.has(tag.name)) throw refused();
    flush(top);
    const frame: Frame = {
      key: cachedKey(tag.name, scope, false),
      scope,
      children: null,
      attrs,
      text: '',
      pending: '',
      cdata: null,
    };
    stack.push(frame);
    top = frame;
  });
  parser.on('text', (t) => {
    top.pending += t;
  });
  parser.on('cdata', (c) => {
    flush(top);
    (top.cdata ??= []).push(c);
  });
  parser.on('closetag', () => {
    const f = stack.pop()!;
    flush(f);
    top = stack[stack.length - 1]!;
    if (f.key === null) return;
    add((top.children ??= {}), f.key, valueOf(f));
  });
  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof XmlReadError) throw e;
    throw new XmlReadError(`the body is not well-formed XML (${detail(e)})`, 'xml_malformed');
  }
  return root.children!;
}

function refused(): XmlReadError {
  return new XmlReadError(
    "the body is not well-formed XML (an element or attribute named '…' is refused)",
    'xml_malformed',
  );
}

function valueOf(f: Frame): XmlValue {
  const text = (f.text !== '' ? decodeEntities(f.text) : '') + (f.cdata ? f.cdata.join(',') : '');
  let out = f.children;
  if (f.attrs) {
    for (const [name, v] of f.attrs) {
      const key = cachedKey(name, f.scope, true);
      if (key === null) continue;
      (out ??= {})[key] = decodeEntities(v.trim());
    }
  }
  if (!out) return text;
  if (text !== '') out['#text'] = text;
  return out;
}

function add(out: XmlObject, key: string, value: XmlValue): void {
  if (!Object.prototype.hasOwnProperty.call(out, key)) {
    out[key] = value;
    return;
  }
  // Element values are never arrays themselves, so an array here is a repeated element.
  const prev = out[key]!;
  if (Array.isArray(prev)) prev.push(value);
  else out[key] = [prev, value];
}
