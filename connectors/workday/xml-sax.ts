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

/** A namespace scope and the keys resolved in it (scopes are shared until an element declares a namespace). */
interface ScopeKeys {
  scope: Scope;
  elements: Map<string, string | null>;
  attributes: Map<string, string | null>;
}

/**
 * One open element. Frames are reused by depth (one per nesting level for the whole document): a
 * 100-worker page opens about 13,000 elements, and a fresh frame for each was garbage.
 */
interface Frame {
  key: string | null;
  keys: ScopeKeys;
  /** Children (object keys in first-appearance order, repeated ones as arrays). */
  children: XmlObject | null;
  /** Its attributes (namespace declarations left out): names and values, `attrCount` of them (arrays reused). */
  attrNames: string[];
  attrValues: string[];
  attrCount: number;
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

function scopeKeys(scope: Scope): ScopeKeys {
  return { scope, elements: new Map(), attributes: new Map() };
}

function elementKey(qname: string, k: ScopeKeys): string | null {
  let key = k.elements.get(qname);
  if (key === undefined) k.elements.set(qname, (key = keyFor(qname, k.scope)));
  return key;
}

function attributeKey(qname: string, k: ScopeKeys): string | null {
  let key = k.attributes.get(qname);
  if (key === undefined) k.attributes.set(qname, (key = attrKeyFor(qname, k.scope)));
  return key;
}

/** `xmlns` or `xmlns:…`: a namespace declaration, not an attribute. */
const isXmlns = (name: string): boolean =>
  name.charCodeAt(0) === 120 /* x */ && (name === 'xmlns' || name.startsWith('xmlns:'));

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

const newFrame = (keys: ScopeKeys): Frame => ({
  key: null,
  keys,
  children: null,
  attrNames: [],
  attrValues: [],
  attrCount: 0,
  text: '',
  pending: '',
  cdata: null,
});

/** Parse a whole XML text (DTDs already refused by the caller) into the resolved shape. */
export function parseXmlSax(text: string): XmlObject {
  const root = newFrame(scopeKeys(ROOT_SCOPE));
  root.children = {};
  // frames[d] is the open element at depth d (frames[0] the document); deeper ones are reused.
  const frames: Frame[] = [root];
  let depth = 0;
  let top = root;
  const parser = rawEntityParser();
  parser.on('error', (e) => {
    throw new XmlReadError(`the body is not well-formed XML (${detail(e)})`, 'xml_malformed');
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    let frame = frames[depth + 1];
    if (frame === undefined) frames.push((frame = newFrame(top.keys)));
    const attributes = tag.attributes as Record<string, string>;
    let keys = top.keys;
    let n = 0;
    for (const name in attributes) {
      if (isXmlns(name)) {
        if (keys === top.keys) keys = scopeKeys(new Map(keys.scope));
        keys.scope.set(name === 'xmlns' ? '' : name.slice(6), attributes[name]!);
      } else {
        frame.attrNames[n] = name;
        frame.attrValues[n++] = attributes[name]!;
      }
    }
    // fast-xml-parser refused these names unprefixed; a prefixed one, or an attribute, is skipped.
    if (REFUSED.has(tag.name)) throw refused();
    flush(top);
    depth++;
    frame.key = elementKey(tag.name, keys);
    frame.keys = keys;
    frame.children = null;
    frame.attrCount = n;
    frame.text = '';
    frame.pending = '';
    frame.cdata = null;
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
    const f = top;
    flush(f);
    top = frames[--depth]!;
    if (f.key === null) return;
    add((top.children ??= {}), f.key, valueOf(f));
    // Let go of what the reused frame still references (attribute strings are overwritten by the next tag).
    f.children = null;
    f.cdata = null;
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
  for (let i = 0; i < f.attrCount; i++) {
    const key = attributeKey(f.attrNames[i]!, f.keys);
    if (key === null) continue;
    (out ??= {})[key] = decodeEntities(f.attrValues[i]!.trim());
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
