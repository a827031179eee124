/**
 * The types of a connector declaration (`ConnectorDefinition`, `ResourceDef`, `IncrementalDef`),
 * the runtime its hooks get (`ConnectorRuntime`) and the connector it becomes (`Connector`).
 * `define.ts` turns a declaration into a connector; every name here is re-exported from there.
 */
import { z } from 'zod';
import type { OrgsyncError } from '../errors.js';
import type {
  AuthSpec,
  ErrorHint,
  HttpClient,
  HttpOptions,
  HttpResponse,
  RawResponse,
  RequestSpec,
} from '../http/client.js';
import type { RateLimitOptions } from '../http/rate-limit.js';
import type { ClientCertificate } from '../http/auth.js';
import type { Paginator } from '../pagination/index.js';
import type { Company, Employee, Group, Location } from '../model.js';
import type { ManagerHook, ManagerRef } from './managers.js';

/** Options every connector factory accepts besides its own. */
export interface CommonOptions {
  /** Override the vendor's base URL (sandbox hosts, proxies, tests). */
  baseUrl?: string | undefined;
  /** Keep the raw vendor row on each record as `remoteData` (off by default). */
  includeRemoteData?: boolean | undefined;
  /** Request pipeline tuning: timeouts, retries, rate limit, logger, progress, cancellation. */
  http?: HttpOptions | undefined;
}

export const CommonOptionsSchema = z.object({
  baseUrl: z.string().url().optional(),
  includeRemoteData: z.boolean().optional(),
  http: z.custom<HttpOptions>((v) => v === undefined || (typeof v === 'object' && v !== null)).optional(),
});

export interface ConnectorCapabilities {
  groups: boolean;
  locations: boolean;
  /** Can read only what changed since a watermark (else: full snapshot + diff). */
  incremental: boolean;
  /** Reports deletions in incremental reads. */
  incrementalDeletions: boolean;
  /** Verifiable webhooks that tell which employees to re-read. */
  webhooks: boolean;
  /** Terminated employees are included in full reads. */
  includesTerminated: boolean;
}

export type { ManagerCandidate, ManagerHook, ManagerKey, ManagerRef } from './managers.js';

/** What an employee mapper returns: an Employee with a few conveniences filled in by the runtime. */
export type EmployeeDraft = Omit<
  Employee,
  'displayName' | 'customFields' | 'employmentStatusRaw' | 'employmentTypeRaw' | 'managerId' | 'remoteData'
> & {
  displayName?: string | null;
  customFields?: Record<string, unknown>;
  employmentStatusRaw?: string | null;
  employmentTypeRaw?: string | null;
  managerId?: string | null;
  managerRef?: ManagerRef | null;
};

/** The runtime a connector's hooks get: send requests and walk pages through the core pipeline. */
export interface ConnectorRuntime<Opts> {
  readonly options: Opts & CommonOptions;
  readonly http: HttpClient;
  request<T = unknown>(spec: RequestSpec): Promise<HttpResponse<T>>;
  /** "Now" for this read (decides future hires and scheduled terminations); set by `takeSnapshot({ now })`. */
  now(): Date;
  /** Add a non-fatal finding to the snapshot's `warnings` (e.g. an optional lookup the token may not read). */
  warn(message: string): void;
  /**
   * Read all items of a resource (paged), validated against `row` if given. `ctx` is what the
   * resource's `request` and `paginate` functions get (none while the context is being loaded).
   */
  readAll<Row, Ctx = unknown>(resource: string, def: ResourceDef<Ctx, Row, unknown>, ctx?: Ctx): Promise<Row[]>;
  /**
   * A read the connector can do without: when it fails with one of `statuses` (or `codes`), warn
   * (if `warn` is given) and resolve undefined instead of failing the sync. Anything else still fails.
   * `const types = (await rt.optional(() => rt.readAll(...), { statuses: [403, 404], warn: ... })) ?? []`
   */
  optional<T>(read: () => Promise<T>, o: OptionalReadOptions): Promise<T | undefined>;
  /**
   * Parse a list of auxiliary metadata (field/list metadata, departments, locations, custom-field
   * definitions) item by item: items that do not fit `schema` are skipped with a snapshot warning
   * naming them and why (see src/connector/auxiliary.ts). Never for employee rows.
   */
  auxiliary<T>(what: string, schema: z.ZodType<T>, data: unknown): T[];
  /**
   * Walk the `employees` resource (its paginator, records, item keys) from another first request
   * and return the raw rows, for an incremental `read` (e.g. the full read's report with a
   * "changed since" filter). The caller returns them; the core validates, enriches and maps them
   * as in a full read.
   */
  employeeRows(request: RequestSpec, ctx?: unknown): Promise<unknown[]>;
}

/** What `rt.optional` tolerates, and what it says when it does. */
export interface OptionalReadOptions {
  /** HTTP statuses meaning "not available to this credential or server" (e.g. `[403, 404]`). */
  statuses: readonly number[];
  /** Error codes meaning the same (e.g. `unexpected_content_type` for an endpoint answering HTML). */
  codes?: readonly string[];
  /** The snapshot warning when the read is skipped (a function gets the error); none: skipped silently. */
  warn?: string | ((e: OrgsyncError) => string);
}

export interface ResourceDef<Ctx, Row, Out> {
  /** The first request; a function gets the mapping context and the connector's options. */
  request: RequestSpec | ((ctx: Ctx, options: any) => RequestSpec);
  /**
   * How to page (default: one request). A function is called once per walk with the mapping
   * context and the connector's options: a paginator that depends on an option (page size) or
   * holds per-walk state is built there.
   */
  paginate?: Paginator | ((ctx: Ctx, options: any) => Paginator);
  /** The list of raw rows in one response. */
  records: (res: HttpResponse) => unknown[];
  /**
   * Zod schema of one vendor row (validated before mapping; failures name the row). A row that fits
   * is answered by a parser compiled from the schema (src/connector/row-parse.ts), which returns the
   * vendor's own object when nothing in it is transformed: hooks must not change rows in place.
   */
  row?: z.ZodType<Row>;
  /**
   * Auxiliary metadata, not people: a row that does not fit `row`, fails to map or does not fit the
   * model is skipped with a snapshot warning instead of failing the sync. Default: true for the
   * `groups` and `locations` resources, false otherwise (never set it on employees).
   */
  auxiliary?: boolean;
  /** Pure mapper from a vendor row to normalized records (null/undefined: skip the row, e.g. not a person). */
  map?: (row: Row, ctx: Ctx) => Out | Out[] | null | undefined;
  /**
   * Complete one page of validated rows with more reads before mapping (e.g. join users that a
   * listing did not expand). Runs through the same pipeline; must return the rows to map (new
   * objects for rows it completes: the rows it is given may be the vendor's objects themselves).
   */
  enrich?: (rows: Row[], ctx: Ctx, rt: ConnectorRuntime<any>) => Promise<Row[]>;
  /**
   * Ask for the next page while this one is validated, enriched and mapped (default: true, false
   * with `enrich`: a page its reads complete is read to the end before the next page is listed).
   * An `enrich` that makes no reads (a pure digest of each row) sets it true.
   */
  prefetch?: boolean;
  /** Stable key of a row for repeated-page detection (default JSON). */
  itemKey?: (row: Row) => string;
  /**
   * The identity of a raw row, for drift detection and de-duplication across re-walks (see
   * src/pagination/drift.ts); default: its `id`/`uuid` field.
   */
  itemId?: (row: unknown) => string | undefined;
  maxPages?: number;
}

/** A list computed from the context alone (lookups loaded by `context`, or lists derived while mapping employees). */
export type DerivedList<Ctx, Out> = (ctx: Ctx) => Out;

export interface ConnectorDefinition<Opts extends Record<string, unknown>, Ctx> {
  /** Stable id, also the CLI name: `orgsync snapshot <id>`. */
  id: string;
  /** Human name for messages. */
  name: string;
  /** Zod schema of the factory's own options (the CLI derives `--kebab-case` flags from it). */
  options: z.ZodObject<any>;
  /** Option names whose values are secrets: redacted everywhere, read from env by the CLI. */
  secrets: ReadonlyArray<keyof Opts & string>;
  /** One-line description of each option, for `--help` (optional). */
  optionHelp?: Partial<Record<keyof Opts & string, string>>;
  /** Base URL, auth and headers for the options given (`baseUrl` override already applied by the caller if set). */
  http: (opts: Opts & CommonOptions) => {
    baseUrl: string;
    auth: AuthSpec;
    /** A client certificate presented on every HTTPS call (mutual TLS; see src/http/auth.ts). */
    tls?: ClientCertificate | undefined;
    headers?: Record<string, string>;
    account?: string;
    secrets?: Array<string | undefined>;
    requestIdHeaders?: string[];
  };
  rateLimit: RateLimitOptions;
  capabilities: ConnectorCapabilities;
  /** Vendor error quirks: look at a response and say what kind of failure it is (the options help name what was sent). */
  classify?: (res: RawResponse, options: Opts & CommonOptions) => ErrorHint | undefined;
  /**
   * The vendor's own words in an error response, quoted in the generic error messages (e.g. a
   * message header). Default: `extractVendorMessage` (common JSON error body shapes).
   */
  vendorMessage?: (res: RawResponse) => string | undefined;
  /** Statuses this vendor uses for "try again", retried besides `DEFAULT_RETRY_STATUSES` (408, 425, 429, 5xx). */
  retryStatuses?: readonly number[];
  /** Load lookups the mappers need (lists, departments, ...) before employees are read. */
  context?: (rt: ConnectorRuntime<Opts>) => Promise<Ctx>;
  employees: ResourceDef<Ctx, any, EmployeeDraft>;
  groups?: ResourceDef<Ctx, any, Group> | DerivedList<Ctx, Group[]>;
  locations?: ResourceDef<Ctx, any, Location> | DerivedList<Ctx, Location[]>;
  company: ResourceDef<Ctx, any, Company> | ((ctx: Ctx, rt: ConnectorRuntime<Opts>) => Company | Promise<Company>);
  /** Incremental reads, where the vendor can list what changed (set `capabilities.incremental`). */
  incremental?: IncrementalDef<Opts, Ctx>;
  /**
   * Groups, locations and the company are derived from the employee rows as they are mapped (into
   * the context), not read from endpoints of their own. Full reads then map employees first, and an
   * incremental `sync` merges the lists derived from the changed rows into the previous snapshot's.
   */
  listsFromEmployees?: boolean;
  /**
   * More groups derived from the normalized employees (e.g. SCIM's enterprise department and cost
   * center), added to the `groups` list (a group id already listed wins). The core calls it with
   * every employee of the sync: after a full read, and with the merged set after an incremental one.
   */
  groupsFromEmployees?: (employees: readonly Employee[], ctx: Ctx) => Group[];
  /** Default per-request timeout for this vendor (ms); `http.timeoutMs` overrides it. */
  timeoutMs?: number;
  /**
   * Manager references (`EmployeeDraft.managerRef`): where this vendor's employees keep a userName or
   * externalId a reference may name, and what an untyped reference may be. The core resolves them
   * the same way after full and incremental reads (see `src/connector/managers.ts`).
   */
  managers?: ManagerHook;
}

/**
 * How a connector reads only what changed since a watermark. `read` returns raw vendor rows in the
 * same shape the `employees` resource yields (they go through the same row schema and mapper) and
 * the ids of records the vendor reports as deleted.
 */
export interface IncrementalDef<Opts, Ctx> {
  /** How far before the watermark to look again, so late-visible changes are not missed (ms). */
  lookbackMs: number;
  /**
   * The declarative form: the first request(s) of a walk of the `employees` resource that lists
   * only what changed since `since` (same paginator, records, row schema, enrich and mapper as the
   * full read). A row listed twice (windows that overlap, a record updated during the walk) is
   * taken once, the last copy winning. No deletions are reported.
   */
  requests?: (since: Date, ctx: Ctx, options: Opts & CommonOptions) => RequestSpec | RequestSpec[];
  /** The general form, when `requests` cannot say it (deletions, a list of ids first): give exactly one of the two. */
  read?(rt: ConnectorRuntime<Opts>, ctx: Ctx, since: Date): Promise<{ rows: unknown[]; deletedIds: string[] }>;
}

/** Result of `Connector.readChanges`: mapped employees that changed, and ids deleted at the vendor. */
export interface ConnectorChanges {
  /** Employees inserted or updated since the watermark (manager references not yet resolved: `sync` resolves them against the merged set). */
  employees: EmployeeDraft[];
  deletedIds: string[];
  /** The raw rows, aligned with `employees`, for `includeRemoteData`. */
  raw: unknown[];
  /** Non-fatal findings of this read (`rt.warn`), for the merged snapshot's `warnings`, as a full read reports them. */
  warnings?: string[];
}

/** What a full read of a connector yields (what `takeSnapshot` validates and stamps). */
export interface ConnectorReadResult {
  company: Company;
  employees: Employee[];
  groups: Group[];
  locations: Location[];
  warnings: string[];
  /** Manager references that matched nobody, by employee id (kept in the snapshot for incremental syncs). */
  unresolvedManagerRefs?: Record<string, ManagerRef>;
}

export interface Connector<Opts = Record<string, unknown>> {
  readonly id: string;
  readonly name: string;
  readonly capabilities: ConnectorCapabilities;
  readonly definition: ConnectorDefinition<any, any>;
  /** The HTTP client (pipeline) this connector sends through. */
  readonly http: HttpClient;
  /** Stream normalized employees (managers resolved at the end of the walk where the vendor needs it). */
  employees(): AsyncIterable<Employee>;
  /**
   * Groups. Connectors that derive some groups from employees (e.g. SCIM enterprise departments)
   * use `employees` when given instead of reading everyone again (incremental syncs pass the merged set).
   */
  groups(options?: { employees?: Employee[] }): Promise<Group[]>;
  locations(): Promise<Location[]>;
  company(): Promise<Company>;
  /** Read everything needed for a snapshot. Throws; never returns partial data. */
  read(options?: ReadOptions): Promise<ConnectorReadResult>;
  /** Read only what changed since `since` (connectors with `capabilities.incremental`). */
  readChanges?(since: Date, options?: ReadOptions): Promise<ConnectorChanges>;
  /** A credential-free summary (also what `console.log` and `util.inspect` show). */
  toJSON?(): unknown;
  /** @internal typed options, secrets included: never log this. */
  readonly options: Opts & CommonOptions;
}

export interface ReadOptions {
  /** The date the read is "as of" for status decisions (default: the current time). */
  now?: Date | undefined;
}

export type ConnectorFactory<Opts extends Record<string, unknown>> = ((
  options: Opts & CommonOptions,
) => Connector<Opts>) & {
  readonly definition: ConnectorDefinition<Opts, any>;
};
