/**
 * The HTTP side of the SCIM handler: request and response shapes, request target and body parsing,
 * the public URL of the SCIM root, and the response helpers shared by the router.
 */
import { badRequest, notFound, ScimHttpError, scimErrorBody } from './errors.js';
import { LIST_RESPONSE } from './schema.js';

type Rec = Record<string, unknown>;
export type HeaderValue = string | string[] | undefined;

export interface ScimRequest {
  method: string;
  /**
   * The request path: relative to the SCIM root (`/Users/42`), or absolute when `basePath` is set
   * (`/scim/v2/Users/42`). May carry the query string.
   */
  path: string;
  /** Query parameters (else read from `path`). */
  query?: Record<string, HeaderValue> | URLSearchParams;
  headers: Record<string, HeaderValue>;
  /** The raw body (string or bytes) or an already parsed JSON value. */
  body?: unknown;
  /** The public URL of the SCIM root (for `meta.location`), when the adapter knows it. */
  baseUrl?: string;
}

export interface ScimResponse {
  status: number;
  headers: Record<string, string>;
  /** A JSON value to serialize, or undefined (204). */
  body?: unknown;
}

export const JSON_HEADERS = { 'content-type': 'application/scim+json; charset=utf-8' } as const;

export function header(headers: Record<string, HeaderValue>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() === lower) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** The path segments below the SCIM root (`basePath` stripped, percent-decoded) and the query parameters. */
export function parseTarget(request: ScimRequest, basePath: string): { segments: string[]; query: URLSearchParams } {
  const raw = String(request.path ?? '/');
  const q = raw.indexOf('?');
  let pathname = q === -1 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
  if (request.query instanceof URLSearchParams) for (const [k, v] of request.query) query.set(k, v);
  else if (request.query) {
    for (const [k, v] of Object.entries(request.query)) {
      const first = Array.isArray(v) ? v[0] : v;
      if (typeof first === 'string') query.set(k, first);
    }
  }
  if (basePath && (pathname === basePath || pathname.startsWith(`${basePath}/`)))
    pathname = pathname.slice(basePath.length);
  const segments: string[] = [];
  for (const s of pathname.split('/')) {
    if (!s) continue;
    try {
      segments.push(decodeURIComponent(s));
    } catch {
      throw notFound('Malformed path.');
    }
  }
  return { segments, query };
}

/** The public URL of the tenant's SCIM root, for `meta.location`. */
export function rootUrl(
  request: ScimRequest,
  tenant: string,
  opts: { publicUrl?: string | undefined; basePath: string; tenantFromPath?: boolean | undefined },
): string {
  let root = opts.publicUrl?.replace(/\/+$/, '') ?? request.baseUrl?.replace(/\/+$/, '');
  if (root === undefined) {
    const host = header(request.headers, 'host');
    const proto = header(request.headers, 'x-forwarded-proto')?.split(',')[0]?.trim() || 'http';
    root =
      host && /^[\w.:[\]-]+$/.test(host)
        ? `${proto === 'https' ? 'https' : 'http'}://${host}${opts.basePath}`
        : opts.basePath;
  }
  return opts.tenantFromPath ? `${root}/${encodeURIComponent(tenant)}` : root;
}

/** The request body as JSON (undefined when empty); larger than `maxBodyBytes`: 413. */
export function parseBody(request: ScimRequest, maxBodyBytes: number): unknown {
  const declared = Number(header(request.headers, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBodyBytes) throw tooLarge(maxBodyBytes);
  const b = request.body;
  if (b === undefined || b === null) return undefined;
  let text: string;
  if (typeof b === 'string') text = b;
  else if (b instanceof Uint8Array) {
    if (b.byteLength > maxBodyBytes) throw tooLarge(maxBodyBytes);
    text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  } else {
    // Already parsed by a framework: measure what it would be on the wire.
    if (Buffer.byteLength(JSON.stringify(b) ?? '', 'utf8') > maxBodyBytes) throw tooLarge(maxBodyBytes);
    return b;
  }
  if (Buffer.byteLength(text, 'utf8') > maxBodyBytes) throw tooLarge(maxBodyBytes);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('invalidSyntax', 'The request body is not valid JSON.');
  }
}

function tooLarge(limit: number): ScimHttpError {
  return new ScimHttpError(413, undefined, `The request body is larger than the limit of ${limit} bytes.`);
}

export function ok(body: unknown, extra: Record<string, string> = {}): ScimResponse {
  return { status: 200, headers: { ...JSON_HEADERS, ...extra }, body };
}

export function listResponse(resources: unknown[], total: number, startIndex: number): Rec {
  return {
    schemas: [LIST_RESPONSE],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

/** A SCIM error answer: the error's own for a `ScimHttpError`, else a 500 that says nothing of internals. */
export function errorResponse(e: unknown, reportUnexpected: (e: unknown) => void): ScimResponse {
  if (e instanceof ScimHttpError) {
    return { status: e.status, headers: { ...JSON_HEADERS, ...e.headers }, body: e.toBody() };
  }
  reportUnexpected(e);
  return { status: 500, headers: { ...JSON_HEADERS }, body: scimErrorBody(500, undefined, 'Internal server error.') };
}
