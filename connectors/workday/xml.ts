/**
 * Safe, namespace-aware XML reading for Workday SOAP bodies.
 *
 * - Bodies that declare a DOCTYPE or an ENTITY are refused before parsing (no XXE, no "billion
 *   laughs"): Workday never sends either.
 * - fast-xml-parser runs with entity processing OFF; only the five predefined XML entities and
 *   numeric character references are decoded, by hand (no expansion of anything declared).
 * - Elements are resolved by namespace, not by prefix: `wd:Worker`, `bsvc:Worker` and `<Worker
 *   xmlns="urn:com.workday/bsvc">` all become the key `Worker`. SOAP envelope elements become
 *   `soap:Envelope`, `soap:Body`, `soap:Fault`; elements without a namespace (the SOAP 1.1 fault's
 *   `faultcode`, `faultstring`, `detail`) become `{}faultcode`...; any other namespace
 *   `{uri}local`. A look-alike element in a foreign namespace is therefore never read as Workday's.
 * - Attributes qualified with the Workday namespace or unqualified become `@local`; namespace
 *   declarations are dropped.
 * - An element with only text becomes a string; with attributes or children an object
 *   (`#text` holds its text); repeated elements become arrays (readers normalize single vs
 *   repeated, see `many` in schemas.ts).
 */
import { XMLParser } from 'fast-xml-parser';
import { parseXmlSax } from './xml-sax.js';
import {
  attrKeyFor,
  decodeEntities,
  declaresDtd,
  keyFor,
  XmlReadError,
  type Scope,
  type XmlObject,
  type XmlValue,
} from './xml-names.js';

export {
  attrKeyFor,
  decodeEntities,
  declaresDtd,
  keyFor,
  SOAP11_ENV_NS,
  SOAP12_ENV_NS,
  WD_NS,
  WSSE_NS,
  XmlReadError,
  type XmlObject,
  type XmlValue,
} from './xml-names.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  cdataPropName: '#cdata',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: false,
  allowBooleanAttributes: false,
  // No jPath strings for callbacks orgsync does not use: about twice as fast on large pages.
  jPath: false,
} as ConstructorParameters<typeof XMLParser>[0]);

/**
 * Parse an XML text into the namespace-resolved shape described above. Throws `XmlReadError`
 * for DTDs/entities and for malformed (e.g. truncated) XML. One SAX pass (xml-sax.ts).
 */
export function parseXml(text: string): XmlObject {
  if (declaresDtd(text))
    throw new XmlReadError('the body declares a DOCTYPE or ENTITY, which orgsync refuses to parse', 'xml_dtd_refused');
  return parseXmlSax(text);
}

/**
 * The previous reader (fast-xml-parser's validator, then its tree, then namespace resolution):
 * the same output as `parseXml` on everything Workday sends; kept as the reference the SAX reader
 * is tested against, and as a baseline in the benchmark.
 */
export function parseXmlTree(text: string): XmlObject {
  if (declaresDtd(text))
    throw new XmlReadError('the body declares a DOCTYPE or ENTITY, which orgsync refuses to parse', 'xml_dtd_refused');
  let raw: unknown;
  try {
    // `true` runs fast-xml-parser's validator first: unclosed or cut-off documents are errors, not partial data.
    raw = parser.parse(text, true);
  } catch (e) {
    // The parser's message may quote names from the body: keep its shape, not the quoted text.
    const detail = String((e as Error)?.message ?? e)
      .replace(/'[^']*'|"[^"]*"/g, "'…'")
      .slice(0, 160);
    throw new XmlReadError(`the body is not well-formed XML (${detail})`, 'xml_malformed');
  }
  if (!raw || typeof raw !== 'object') throw new XmlReadError('the body holds no XML element', 'xml_malformed');
  return resolveChildren(raw as Record<string, unknown>, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
}

/** Resolve the children of an element (or of the document) given the scope in force. */
function resolveChildren(node: Record<string, unknown>, scope: Scope): XmlObject {
  const out: XmlObject = {};
  for (const [qname, value] of Object.entries(node)) {
    if (qname.startsWith('@_') || qname === '#text' || qname === '#cdata') continue;
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      const childScope = scopeOf(item, scope);
      const key = keyFor(qname, childScope);
      if (key === null) continue;
      add(out, key, resolveElement(item, childScope));
    }
  }
  return out;
}

function scopeOf(item: unknown, parent: Scope): Scope {
  if (!item || typeof item !== 'object') return parent;
  let scope = parent;
  for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
    if (k === '@_xmlns' || k.startsWith('@_xmlns:')) {
      if (scope === parent) scope = new Map(parent);
      scope.set(k === '@_xmlns' ? '' : k.slice(8), String(v));
    }
  }
  return scope;
}

function resolveElement(item: unknown, scope: Scope): XmlValue {
  if (item === null || item === undefined) return '';
  if (typeof item !== 'object') return decodeEntities(String(item));
  const node = item as Record<string, unknown>;
  const out = resolveChildren(node, scope);
  let hasAttr = false;
  for (const [k, v] of Object.entries(node)) {
    if (!k.startsWith('@_') || k === '@_xmlns' || k.startsWith('@_xmlns:')) continue;
    const key = attrKeyFor(k.slice(2), scope);
    if (key === null) continue;
    out[key] = decodeEntities(String(v));
    hasAttr = true;
  }
  const text =
    (node['#text'] !== undefined ? decodeEntities(String(node['#text'])) : '') +
    (node['#cdata'] !== undefined ? String(node['#cdata']) : '');
  if (!hasAttr && Object.keys(out).length === 0) return text;
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

/** Escape text for an XML element or attribute value. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

/** The value as a list (absent → [], one → [one]). */
export function asList(v: XmlValue | undefined): XmlValue[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The first element of a value that may be repeated, as an object ('' → {}). */
export function child(parent: XmlValue | undefined, key: string): XmlValue | undefined {
  const p = asList(parent)[0];
  if (!p || typeof p !== 'object' || Array.isArray(p)) return undefined;
  return (p as XmlObject)[key];
}

/** Text of an element (string, or `#text` of an element with attributes). */
export function textOf(v: XmlValue | undefined): string | undefined {
  const first = asList(v)[0];
  if (first === undefined) return undefined;
  if (typeof first === 'string') return first;
  if (Array.isArray(first)) return undefined;
  const t = first['#text'];
  return typeof t === 'string' ? t : '';
}
