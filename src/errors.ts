/**
 * One error type for everything orgsync throws. `kind` says what went wrong and what to do;
 * `retryable` says whether trying again later can help. Messages never contain secrets.
 */

export type ErrorKind = 'config' | 'auth' | 'rate_limited' | 'transient' | 'vendor' | 'validation' | 'incomplete';

export interface OrgsyncErrorOptions {
  kind: ErrorKind;
  message: string;
  retryable?: boolean;
  vendor?: string | undefined;
  status?: number | undefined;
  requestId?: string | undefined;
  /** Vendor error code / fault code where the vendor sends one. */
  code?: string | undefined;
  /** Milliseconds the vendor asked us to wait (Retry-After), if any. */
  retryAfterMs?: number | undefined;
  /** HTTP method and path (no query string, no credentials) of the failing request. */
  endpoint?: string | undefined;
  cause?: unknown;
}

const DEFAULT_RETRYABLE: Record<ErrorKind, boolean> = {
  config: false,
  auth: false,
  rate_limited: true,
  transient: true,
  vendor: false,
  validation: false,
  incomplete: true,
};

export class OrgsyncError extends Error {
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly vendor: string | undefined;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly code: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly endpoint: string | undefined;

  constructor(opts: OrgsyncErrorOptions) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'OrgsyncError';
    this.kind = opts.kind;
    this.retryable = opts.retryable ?? DEFAULT_RETRYABLE[opts.kind];
    this.vendor = opts.vendor;
    this.status = opts.status;
    this.requestId = opts.requestId;
    this.code = opts.code;
    this.retryAfterMs = opts.retryAfterMs;
    this.endpoint = opts.endpoint;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      retryable: this.retryable,
      message: this.message,
      vendor: this.vendor,
      status: this.status,
      requestId: this.requestId,
      code: this.code,
      endpoint: this.endpoint,
    };
  }
}

type SubOpts = Omit<OrgsyncErrorOptions, 'kind'>;

export class ConfigError extends OrgsyncError {
  constructor(opts: SubOpts) {
    super({ ...opts, kind: 'config' });
    this.name = 'ConfigError';
  }
}
export class AuthError extends OrgsyncError {
  constructor(opts: SubOpts) {
    super({ ...opts, kind: 'auth' });
    this.name = 'AuthError';
  }
}
export class RateLimitedError extends OrgsyncError {
  constructor(opts: SubOpts) {
    super({ ...opts, kind: 'rate_limited' });
    this.name = 'RateLimitedError';
  }
}
export class TransientError extends OrgsyncError {
  constructor(opts: SubOpts) {
    super({ ...opts, kind: 'transient' });
    this.name = 'TransientError';
  }
}
export class VendorError extends OrgsyncError {
  constructor(opts: SubOpts) {
    super({ ...opts, kind: 'vendor' });
    this.name = 'VendorError';
  }
}
export class ValidationError extends OrgsyncError {
  /** Where validation failed (e.g. `employees[3].startDate`). */
  readonly issues: string[];
  constructor(opts: SubOpts & { issues?: string[] }) {
    super({ ...opts, kind: 'validation' });
    this.name = 'ValidationError';
    this.issues = opts.issues ?? [];
  }
}
export class IncompleteSyncError extends OrgsyncError {
  constructor(opts: SubOpts) {
    super({ ...opts, kind: 'incomplete' });
    this.name = 'IncompleteSyncError';
  }
}

const CLASSES: Record<ErrorKind, new (o: SubOpts) => OrgsyncError> = {
  config: ConfigError,
  auth: AuthError,
  rate_limited: RateLimitedError,
  transient: TransientError,
  vendor: VendorError,
  validation: ValidationError,
  incomplete: IncompleteSyncError,
};

/** Create the right subclass for a kind. */
export function createError(opts: OrgsyncErrorOptions): OrgsyncError {
  const { kind, ...rest } = opts;
  return new CLASSES[kind](rest);
}

export function isOrgsyncError(e: unknown): e is OrgsyncError {
  return e instanceof OrgsyncError;
}
