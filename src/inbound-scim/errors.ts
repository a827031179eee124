/**
 * SCIM error responses (RFC 7644 §3.12): every failure of the inbound endpoint is answered with an
 * `urn:ietf:params:scim:api:messages:2.0:Error` body whose `status` is the HTTP status as a string
 * and whose `scimType` is set only where the RFC defines one for that status (400 and 409).
 */
import SCIMMY from 'scimmy';

export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** `scimType` values RFC 7644 §3.12 defines (all for 400, except `uniqueness` for 409). */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

const TYPES_BY_STATUS: Record<number, readonly ScimType[]> = {
  400: [
    'invalidFilter',
    'tooMany',
    'mutability',
    'invalidSyntax',
    'invalidPath',
    'noTarget',
    'invalidValue',
    'invalidVers',
    'sensitive',
  ],
  409: ['uniqueness'],
};

export interface ScimErrorBody {
  schemas: [typeof ERROR_URN];
  status: string;
  scimType?: ScimType;
  detail?: string;
}

/** A failure that maps to one SCIM error response. Thrown inside the handler, never outside it. */
export class ScimHttpError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, scimType: ScimType | undefined, detail: string, headers: Record<string, string> = {}) {
    super(detail);
    this.name = 'ScimHttpError';
    this.status = status;
    // Only keep a scimType the RFC defines for this status.
    this.scimType = scimType && TYPES_BY_STATUS[status]?.includes(scimType) ? scimType : undefined;
    this.headers = headers;
  }

  toBody(): ScimErrorBody {
    return scimErrorBody(this.status, this.scimType, this.message);
  }
}

export function scimErrorBody(
  status: number,
  scimType: ScimType | undefined,
  detail: string | undefined,
): ScimErrorBody {
  const body: ScimErrorBody = { schemas: [ERROR_URN], status: String(status) };
  if (scimType && TYPES_BY_STATUS[status]?.includes(scimType)) body.scimType = scimType;
  if (detail) body.detail = detail;
  return body;
}

const JS_INTERNALS =
  /Cannot (?:add|read|set|assign|define|delete|convert|create) propert|not extensible|is not a (?:function|constructor)|is not iterable|is not defined|Maximum call stack|reading '|of (?:undefined|null)\b/i;

/** scimmy's own error type (schema, filter and PATCH failures) as a SCIM error. */
export function fromScimmyError(e: unknown): ScimHttpError | null {
  if (e instanceof SCIMMY.Types.Error) {
    const status = typeof e.status === 'number' && e.status >= 400 && e.status < 600 ? e.status : 400;
    const type = (e.scimType || undefined) as ScimType | undefined;
    // scimmy sometimes wraps a JavaScript TypeError's own text: never pass that on.
    if (JS_INTERNALS.test(e.message))
      return new ScimHttpError(status, type, 'The request could not be applied: a value does not fit its attribute.');
    return new ScimHttpError(status, type, cleanDetail(e.message));
  }
  return null;
}

/**
 * A failure that is neither ours nor scimmy's (a TypeError from deep inside the library): the client
 * gets a 400 with a fixed detail, never the JavaScript message (it names internals, not the request).
 */
export function fromUnexpectedError(e: unknown, detail: string): ScimHttpError {
  if (e instanceof ScimHttpError) return e;
  return badRequest('invalidValue', detail);
}

/** scimmy's messages are fine for clients; only trim them. */
export function cleanDetail(message: string): string {
  return message.replace(/\s+/g, ' ').trim().slice(0, 500);
}

export const badRequest = (scimType: ScimType, detail: string) => new ScimHttpError(400, scimType, detail);
export const notFound = (detail: string) => new ScimHttpError(404, undefined, detail);
