/**
 * The vocabulary both Workday XML readers share (xml.ts's tree reader and xml-sax.ts's SAX reader):
 * namespaces, the resolved value types, the read error, DTD refusal, element/attribute key
 * resolution and entity decoding. Its own module so the two readers import it without importing
 * each other.
 */
export const WD_NS = 'urn:com.workday/bsvc';
export const SOAP11_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_ENV_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [key: string]: XmlValue;
}

/** Thrown for bodies orgsync refuses or cannot read as XML (the caller turns it into a typed error). */
export class XmlReadError extends Error {
  constructor(
    message: string,
    readonly code: 'xml_dtd_refused' | 'xml_malformed',
  ) {
    super(message);
    this.name = 'XmlReadError';
  }
}

/** `<!DOCTYPE` or `<!ENTITY` (any case, spaces allowed after `<!`), matched where it starts. */
const DTD_AT = /<!\s*(?:DOCTYPE|ENTITY)/iy;

/**
 * True when the text declares a DOCTYPE or an ENTITY (refused: Workday never sends one): the same
 * test as `/<!\s*(?:DOCTYPE|ENTITY)/i`, tried only where a `!` follows a `<` (a page of 740 KB has a
 * few `!` and about 26,000 `<`; the plain regex scan took 0.25 ms per page, twice per page).
 */
export function declaresDtd(text: string): boolean {
  for (let i = text.indexOf('!'); i >= 0; i = text.indexOf('!', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 60 /* < */) {
      DTD_AT.lastIndex = i - 1;
      if (DTD_AT.test(text)) return true;
    }
  }
  return false;
}

export type Scope = Map<string, string>;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The key of an element named `qname` in `scope` (null: a name that is skipped). */
export function keyFor(qname: string, scope: Scope): string | null {
  const i = qname.indexOf(':');
  const prefix = i >= 0 ? qname.slice(0, i) : '';
  const local = i >= 0 ? qname.slice(i + 1) : qname;
  if (FORBIDDEN_KEYS.has(local)) return null;
  const ns = scope.get(prefix) ?? (prefix === '' ? '' : `urn:unbound-prefix:${prefix}`);
  if (ns === WD_NS) return local;
  if (ns === SOAP11_ENV_NS || ns === SOAP12_ENV_NS) return `soap:${local}`;
  return `{${ns}}${local}`;
}

/** The key of an attribute named `qname` in `scope` (null: skipped). */
export function attrKeyFor(qname: string, scope: Scope): string | null {
  const i = qname.indexOf(':');
  if (i < 0) return FORBIDDEN_KEYS.has(qname) ? null : `@${qname}`;
  const prefix = qname.slice(0, i);
  const local = qname.slice(i + 1);
  if (FORBIDDEN_KEYS.has(local)) return null;
  const ns = scope.get(prefix);
  if (ns === WD_NS) return `@${local}`;
  return `@{${ns ?? `urn:unbound-prefix:${prefix}`}}${local}`;
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decode the five predefined XML entities and numeric character references; leave anything else as written. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (m, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref] ?? m;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (!Number.isFinite(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return m;
    return String.fromCodePoint(code);
  });
}
