/**
 * `defineConnector`: a connector is a declaration (id, auth, base URL, rate-limit defaults,
 * capabilities, resources with their paging) plus pure mapping functions from the vendor's raw
 * rows (validated by zod schemas of the vendor's shape) to the normalized model. The runtime
 * here does everything else: requests through the core pipeline, paging with loop guards,
 * validation, manager-reference resolution and progress.
 */
import { z } from 'zod';
import { ConfigError, createError, OrgsyncError, ValidationError } from '../errors.js';
import { HttpClient, type AuthSpec, type ErrorHint, type HttpOptions, type HttpResponse, type RawResponse, type RequestSpec } from '../http/client.js';
import type { RateLimitOptions } from '../http/rate-limit.js';
import type { ClientCertificate } from '../http/auth.js';
import { defaultIdentity, paginate, singlePage, type Paginator } from '../pagination/index.js';
import {
  composeDisplayName,
  CompanySchema,
  EmployeeSchema,
  GroupSchema,
  LocationSchema,
  type Company,
  type Employee,
  type Group,
  type Location,
} from '../model.js';
import { copyRecord } from './map-helpers.js';
import { parseAuxiliary, skippedMessage } from './auxiliary.js';
import { compiledEmployeeCheck } from '../model-check.js';
import { managerResolver, type ManagerHook, type ManagerRef } from './managers.js';

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
export type EmployeeDraft = Omit<Employee, 'displayName' | 'customFields' | 'employmentStatusRaw' | 'employmentTypeRaw' | 'managerId' | 'remoteData'> & {
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
  /** Zod schema of one vendor row (validated before mapping; failures name the row). */
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
   * listing did not expand). Runs through the same pipeline; must return the rows to map.
   */
  enrich?: (rows: Row[], ctx: Ctx, rt: ConnectorRuntime<any>) => Promise<Row[]>;
  /** Stable key of a row for repeated-page detection (default JSON). */
  itemKey?: (row: Row) => string;
  /**
   * The identity of a raw row, for drift detection and de-duplication across re-walks (see
   * src/pagination/drift.ts); default: its `id`/`uuid` field.
   */
  itemId?: (row: unknown) => string | undefined;
  maxPages?: number;
}

type Derived<Ctx, Out> = (ctx: Ctx) => Out;

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
  groups?: ResourceDef<Ctx, any, Group> | Derived<Ctx, Group[]>;
  locations?: ResourceDef<Ctx, any, Location> | Derived<Ctx, Location[]>;
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

export type ConnectorFactory<Opts extends Record<string, unknown>> = ((options: Opts & CommonOptions) => Connector<Opts>) & {
  readonly definition: ConnectorDefinition<Opts, any>;
};

/** Declare a connector; returns its factory (e.g. `bamboohr({ subdomain, apiKey })`). */
export function defineConnector<Opts extends Record<string, unknown>, Ctx = undefined>(def: ConnectorDefinition<Opts, Ctx>): ConnectorFactory<Opts> {
  const factory = (options: Opts & CommonOptions): Connector<Opts> => createConnector(def, options);
  Object.defineProperty(factory, 'definition', { value: def, enumerable: true });
  return factory as ConnectorFactory<Opts>;
}

function validateOptions<Opts extends Record<string, unknown>>(def: ConnectorDefinition<Opts, any>, options: unknown): Opts & CommonOptions {
  if (!options || typeof options !== 'object') {
    throw new ConfigError({ vendor: def.id, message: `${def.name}: options are required (${Object.keys(def.options.shape).join(', ')}).` });
  }
  const schema = def.options.merge(CommonOptionsSchema);
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const secrets = new Set<string>(def.secrets as readonly string[]);
    const problems = parsed.error.issues.map((i) => {
      const path = i.path.join('.') || '(options)';
      // zod messages never include values, but be explicit for secret fields.
      return secrets.has(String(i.path[0])) ? `${path}: required secret is missing or invalid` : `${path}: ${i.message}`;
    });
    throw new ConfigError({ vendor: def.id, message: `${def.name}: invalid options: ${problems.join('; ')}.` });
  }
  // Keep non-schema values (http hooks, signals) as given.
  return { ...(options as object), ...(parsed.data as object) } as Opts & CommonOptions;
}

function createConnector<Opts extends Record<string, unknown>, Ctx>(def: ConnectorDefinition<Opts, Ctx>, rawOptions: Opts & CommonOptions): Connector<Opts> {
  const options = validateOptions(def, rawOptions);
  const h = def.http(options);
  const secrets = [...(h.secrets ?? []), ...def.secrets.map((k) => options[k] as unknown as string | undefined)];
  const http = new HttpClient({
    ...(def.timeoutMs !== undefined ? { timeoutMs: def.timeoutMs } : {}),
    ...(options.http ?? {}),
    vendor: def.id,
    vendorName: def.name,
    baseUrl: options.baseUrl ?? h.baseUrl,
    auth: h.auth,
    ...(h.tls ? { tls: h.tls } : {}),
    ...(h.account !== undefined ? { account: h.account } : {}),
    secrets,
    headers: h.headers ?? {},
    defaultRateLimit: def.rateLimit,
    ...(def.classify ? { classify: (res: RawResponse) => def.classify!(res, options) } : {}),
    ...(def.vendorMessage ? { vendorMessage: def.vendorMessage } : {}),
    ...(def.retryStatuses ? { retryStatuses: def.retryStatuses } : {}),
    ...(h.requestIdHeaders ? { requestIdHeaders: h.requestIdHeaders } : {}),
  });
  const progress = options.http?.onProgress;

  let asOf: Date | undefined;
  let warnings: string[] = [];
  const rt: ConnectorRuntime<Opts> = {
    options,
    http,
    now: () => asOf ?? new Date(),
    warn: (message) => {
      const m = http.redactor.redact(message);
      if (!warnings.includes(m)) warnings.push(m);
      options.http?.logger?.warn?.(m);
    },
    request: (spec) => http.request(spec),
    readAll: async <Row, C>(resource: string, r: ResourceDef<C, Row, unknown>, ctx?: C) => {
      const rows: Row[] = [];
      // Lookups read here are strict unless they declare `auxiliary: true`.
      for await (const page of walk(resource, r, ctx, r.auxiliary === true)) rows.push(...page);
      return rows;
    },
    optional: async <T>(read: () => Promise<T>, o: OptionalReadOptions): Promise<T | undefined> => {
      try {
        return await read();
      } catch (e) {
        const tolerated = e instanceof OrgsyncError && ((e.status !== undefined && o.statuses.includes(e.status)) || (e.code !== undefined && !!o.codes?.includes(e.code)));
        if (!tolerated) throw e;
        if (o.warn !== undefined) rt.warn(typeof o.warn === 'string' ? o.warn : o.warn(e));
        return undefined;
      }
    },
    auxiliary: (what, schema, data) => parseAuxiliary({ vendorName: def.name, what, schema, data, warn: rt.warn }),
    employeeRows: async (request, ctx) => {
      const rows: unknown[] = [];
      const raw: ResourceDef<any, unknown, unknown> = { ...def.employees, request, row: undefined, enrich: undefined };
      for await (const page of walk('employees', raw, ctx)) rows.push(...page);
      return rows;
    },
  };
  /** Auxiliary resources skip what does not fit (with a warning); people never do. */
  const tolerant = (resource: string, r: { auxiliary?: boolean | undefined }) => r.auxiliary ?? (resource === 'groups' || resource === 'locations');
  const skip = (resource: string, index: number, raw: unknown, e: unknown) => {
    const reason = e instanceof ValidationError && e.issues?.length ? e.issues.join('; ') : String((e as Error)?.message ?? e);
    rt.warn(skippedMessage(def.name, `${resource} record`, index, raw, reason.slice(0, 300)));
  };

  async function* walk<Row>(resource: string, r: ResourceDef<any, Row, unknown>, ctx: unknown, aux = false): AsyncGenerator<Row[]> {
    const request = typeof r.request === 'function' ? r.request(ctx, options) : r.request;
    const paginator = typeof r.paginate === 'function' ? r.paginate(ctx, options) : (r.paginate ?? singlePage());
    let n = 0;
    for await (const page of paginate<unknown>({
      vendor: def.id,
      vendorName: def.name,
      resource,
      request,
      paginator,
      send: (req) => http.request(req),
      items: r.records,
      ...(r.itemKey ? { itemKey: r.itemKey as (i: unknown) => string } : {}),
      ...(r.itemId ? { itemId: r.itemId } : {}),
      ...(r.maxPages ? { maxPages: r.maxPages } : {}),
      redact: (t) => http.redactor.redact(t),
      onPage: (info, total) => progress?.({ type: 'page', vendor: def.id, resource, page: info.index + 1, items: info.items.length, total }),
    })) {
      let rows: Row[];
      if (aux) {
        rows = [];
        page.forEach((raw, i) => {
          try {
            rows.push(validateRow(def, resource, r.row, raw, n + i));
          } catch (e) {
            if (!(e instanceof ValidationError)) throw e;
            skip(resource, n + i, raw, e);
          }
        });
      } else rows = page.map((raw, i) => validateRow(def, resource, r.row, raw, n + i));
      if (r.enrich) rows = await r.enrich(rows, ctx, rt);
      n += rows.length;
      yield rows;
    }
    progress?.({ type: 'resource', vendor: def.id, resource, count: n });
  }

  let ctxPromise: Promise<Ctx> | undefined;
  /** For `listsFromEmployees`: whether this context has seen the employee rows the lists come from. */
  let listsReady = false;
  /** Each full or incremental read starts from fresh lookups (and its own "as of" date). */
  const setNow = (now: Date | undefined) => {
    ctxPromise = undefined;
    listsReady = false;
    warnings = [];
    asOf = now;
  };
  const context = (): Promise<Ctx> => (ctxPromise ??= def.context ? def.context(rt) : Promise.resolve(undefined as Ctx));

  /** One validated employee row through the mapper (a mapper failure names the row). */
  function mapEmployee(row: unknown, ctx: Ctx): EmployeeDraft[] {
    try {
      return toArray(def.employees.map ? def.employees.map(row, ctx) : (row as EmployeeDraft));
    } catch (e) {
      throw mapFailure(def, 'employees', row, e);
    }
  }

  async function* mappedEmployees(): AsyncGenerator<{ draft: EmployeeDraft; raw: unknown }> {
    const ctx = await context();
    for await (const rows of walk('employees', def.employees, ctx)) {
      for (const row of rows) for (const d of mapEmployee(row, ctx)) yield { draft: d, raw: row };
    }
  }

  /** The raw rows (and deletions) an incremental read reports, by either form of `IncrementalDef`. */
  async function changedRows(inc: IncrementalDef<Opts, Ctx>, ctx: Ctx, since: Date): Promise<{ rows: unknown[]; deletedIds: string[] }> {
    if (!inc.requests) return inc.read!(rt, ctx, since);
    const key = def.employees.itemId ?? defaultIdentity;
    const byId = new Map<string, unknown>();
    const unkeyed: unknown[] = [];
    for (const request of toArray(inc.requests(since, ctx, options))) {
      for (const row of await rt.employeeRows(request, ctx)) {
        const id = key(row);
        if (id === undefined) unkeyed.push(row);
        else {
          byId.delete(id);
          byId.set(id, row);
        }
      }
    }
    return { rows: [...byId.values(), ...unkeyed], deletedIds: [] };
  }

  async function readEmployees(): Promise<{ employees: Employee[]; warnings: string[]; unresolved: Record<string, ManagerRef> }> {
    const drafts: Array<{ draft: EmployeeDraft; raw: unknown }> = [];
    for await (const d of mappedEmployees()) drafts.push(d);
    listsReady = true;
    return finalizeEmployees(def, drafts, options.includeRemoteData === true);
  }

  /** Lists derived from employees need the employees mapped first (one walk serves all three). */
  let walking: Promise<unknown> | undefined;
  async function ensureLists(): Promise<void> {
    if (!def.listsFromEmployees || listsReady) return;
    walking ??= readEmployees().finally(() => (walking = undefined));
    await walking;
  }

  async function readList<Out>(resource: string, spec: ResourceDef<Ctx, any, Out> | Derived<Ctx, Out[]> | undefined, schema: z.ZodType<Out>): Promise<Out[]> {
    if (!spec) return [];
    await ensureLists();
    const ctx = await context();
    let out: Out[];
    if (typeof spec === 'function') {
      try {
        out = spec(ctx);
      } catch (e) {
        throw mapFailure(def, resource, undefined, e);
      }
    } else {
      out = [];
      let i = 0;
      for await (const rows of walk(resource, spec, ctx, tolerant(resource, spec))) {
        for (const row of rows) {
          try {
            const mapped = spec.map ? spec.map(row, ctx) : (row as Out);
            for (const m of toArray(mapped)) {
              out.push(options.includeRemoteData ? { ...(m as object), remoteData: row } as Out : m);
            }
          } catch (e) {
            if (!tolerant(resource, spec)) throw mapFailure(def, resource, row, e);
            skip(resource, i, row, mapFailure(def, resource, row, e));
          }
          i++;
        }
      }
    }
    const aux = typeof spec === 'function' ? resource === 'groups' || resource === 'locations' : tolerant(resource, spec);
    if (!aux) return out.map((o, i) => validateOutput(def, resource, schema, o, i));
    const valid: Out[] = [];
    out.forEach((o, i) => {
      try {
        valid.push(validateOutput(def, resource, schema, o, i));
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        skip(resource, i, o, e);
      }
    });
    return valid;
  }

  /**
   * The groups list plus the groups derived from `employees` (`groupsFromEmployees`); without
   * `employees`, everyone is read first.
   */
  async function readGroups(employees?: readonly Employee[]): Promise<Group[]> {
    const base = await readList('groups', def.groups, GroupSchema);
    if (!def.groupsFromEmployees) return base;
    return withDerivedGroups(base, employees ?? (await readEmployees()).employees);
  }

  /** `base` plus the valid groups `groupsFromEmployees` derives from `all` (ids already in `base` win). */
  async function withDerivedGroups(base: Group[], all: readonly Employee[]): Promise<Group[]> {
    if (!def.groupsFromEmployees) return base;
    const ctx = await context();
    let derived: Group[];
    try {
      derived = def.groupsFromEmployees(all, ctx);
    } catch (e) {
      throw mapFailure(def, 'groups', undefined, e);
    }
    const ids = new Set(base.map((g) => g.id));
    const out = [...base];
    derived.forEach((g, i) => {
      if (ids.has(g.id)) return;
      try {
        out.push(validateOutput(def, 'groups', GroupSchema, g, i));
        ids.add(g.id);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        skip('groups', i, g, e);
      }
    });
    return out;
  }

  async function readCompany(): Promise<Company> {
    await ensureLists();
    const ctx = await context();
    const c = def.company;
    let company: Company;
    if (typeof c === 'function') company = await c(ctx, rt);
    else {
      const list = await readList('company', c, CompanySchema);
      if (!list[0]) throw createError({ kind: 'vendor', vendor: def.id, message: `${def.name}: the company record was empty.` });
      company = list[0];
    }
    return validateOutput(def, 'company', CompanySchema, company, 0);
  }

  // Logging or serializing a connector must not print its credentials.
  const describe = () => ({ connector: def.id, name: def.name, baseUrl: http.baseUrl, capabilities: def.capabilities });
  return {
    toJSON: describe,
    [Symbol.for('nodejs.util.inspect.custom')]: () => `Connector ${JSON.stringify(describe())}`,
    id: def.id,
    name: def.name,
    capabilities: def.capabilities,
    definition: def,
    http,
    options,
    async *employees() {
      const { employees } = await readEmployees();
      yield* employees;
    },
    groups: (o?: { employees?: Employee[] }) => readGroups(o?.employees),
    locations: () => readList('locations', def.locations, LocationSchema),
    company: readCompany,
    ...(def.incremental
      ? {
          async readChanges(since: Date, ro?: ReadOptions): Promise<ConnectorChanges> {
            setNow(ro?.now);
            const ctx = await context();
            const { rows, deletedIds } = await changedRows(def.incremental!, ctx, since);
            // The same steps as a full read: validate, enrich, map (the validated row is what `remoteData` keeps).
            let valid = rows.map((r, i) => validateRow(def, 'employees', def.employees.row, r, i));
            if (def.employees.enrich && valid.length) valid = await def.employees.enrich(valid, ctx, rt);
            const employees: EmployeeDraft[] = [];
            const raw: unknown[] = [];
            for (const row of valid) {
              for (const d of mapEmployee(row, ctx)) {
                employees.push(d);
                raw.push(row);
              }
            }
            listsReady = true; // derived lists now hold what the changed rows say (sync merges them)
            return { employees, deletedIds: deletedIds.map(String), raw, warnings: [...warnings] };
          },
        }
      : {}),
    async read(ro?: ReadOptions) {
      setNow(ro?.now);
      // Lookups first (shared by all), then the resources one after another: each vendor budget is
      // per credential, and sequential reads keep the order of failures deterministic.
      await context();
      if (def.listsFromEmployees) {
        const { employees, warnings: resolution, unresolved } = await readEmployees();
        const company = await readCompany();
        const groups = await readGroups(employees);
        const locations = await readList('locations', def.locations, LocationSchema);
        return { company, groups, locations, employees, warnings: [...warnings, ...resolution], ...unresolvedField(unresolved) };
      }
      const company = await readCompany();
      const listed = await readList('groups', def.groups, GroupSchema);
      const locations = await readList('locations', def.locations, LocationSchema);
      const { employees, warnings: resolution, unresolved } = await readEmployees();
      const groups = def.groupsFromEmployees ? await withDerivedGroups(listed, employees) : listed;
      return { company, groups, locations, employees, warnings: [...warnings, ...resolution], ...unresolvedField(unresolved) };
    },
  };
}

function toArray<T>(v: T | T[] | null | undefined): T[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function rowLabel(raw: unknown): string {
  if (raw && typeof raw === 'object') {
    const r = raw as Record<string, unknown>;
    for (const k of ['id', 'uuid', 'employeeId', 'employee_id', 'userName']) {
      const v = r[k];
      if (typeof v === 'string' || typeof v === 'number') return `${k} ${String(v)}`;
    }
  }
  return '';
}

function validateRow<Row>(def: ConnectorDefinition<any, any>, resource: string, schema: z.ZodType<Row> | undefined, raw: unknown, index: number): Row {
  if (!schema) return raw as Row;
  const r = schema.safeParse(raw);
  if (r.success) return keepOwnKeys(raw, r.data);
  const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`);
  const label = rowLabel(raw);
  throw new ValidationError({
    vendor: def.id,
    code: 'vendor_row_invalid',
    issues,
    message: `${def.name} sent a ${resource} record (#${index + 1}${label ? `, ${label}` : ''}) that does not match its documented shape: ${issues.join('; ')}. No snapshot was written.`,
  });
}

/**
 * Schema parsing copies unknown keys by assignment, which turns an own `__proto__` key of vendor
 * data into a prototype change (and drops it). Put such keys back as plain own properties.
 */
function keepOwnKeys<T>(raw: unknown, parsed: T): T {
  if (!raw || typeof raw !== 'object' || !parsed || typeof parsed !== 'object' || Array.isArray(raw)) return parsed;
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    if (Object.prototype.hasOwnProperty.call(raw, key)) {
      Object.defineProperty(parsed, key, { value: (raw as Record<string, unknown>)[key], enumerable: true, writable: true, configurable: true });
    }
  }
  if (Object.getPrototypeOf(parsed) !== Object.prototype && Object.getPrototypeOf(parsed) !== null) Object.setPrototypeOf(parsed, Object.prototype);
  return parsed;
}

function validateOutput<Out>(def: ConnectorDefinition<any, any>, resource: string, schema: z.ZodType<Out>, value: unknown, index: number): Out {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`);
  const label = rowLabel(value);
  throw new ValidationError({
    vendor: def.id,
    code: 'normalized_invalid',
    issues,
    message: `${def.name}: ${resource} record #${index + 1}${label ? ` (${label})` : ''} does not fit the orgsync model: ${issues.join('; ')}. This is a connector bug or an unexpected vendor value; no snapshot was written.`,
  });
}

function mapFailure(def: ConnectorDefinition<any, any>, resource: string, row: unknown, e: unknown): OrgsyncError {
  if (e instanceof OrgsyncError) return e;
  const label = rowLabel(row);
  return new ValidationError({
    vendor: def.id,
    code: 'mapping_failed',
    message: `${def.name}: mapping a ${resource} record${label ? ` (${label})` : ''} failed: ${(e as Error)?.message ?? String(e)}.`,
  });
}

/**
 * Fill defaults, resolve manager references (by id, employee number, email, userName, externalId
 * or an untyped value, per the connector's `managers` hook) against all
 * employees of the sync, collapse duplicates from overlapping pages, and validate each employee.
 */
export function finalizeEmployees(
  def: ConnectorDefinition<any, any>,
  drafts: Array<{ draft: EmployeeDraft; raw: unknown }>,
  includeRemote: boolean,
): { employees: Employee[]; warnings: string[]; unresolved: Record<string, ManagerRef> } {
  const warnings: string[] = [];
  const unresolved: Record<string, ManagerRef> = {};
  const byId = new Map<string, { draft: EmployeeDraft; raw: unknown }>();
  for (const d of drafts) {
    const prev = byId.get(d.draft.id);
    if (prev && JSON.stringify(prev.raw) !== JSON.stringify(d.raw)) {
      throw new ValidationError({
        vendor: def.id,
        code: 'duplicate_id',
        message: `${def.name} returned two different records with id ${d.draft.id}; records probably moved while paging. No snapshot was written; run the sync again.`,
      });
    }
    byId.set(d.draft.id, d);
  }
  const resolver = managerResolver(byId, def.managers);
  const warn = (m: string) => warnings.push(m);
  const out: Employee[] = [];
  let i = 0;
  for (const { draft, raw } of byId.values()) {
    let managerId = draft.managerId ?? null;
    const ref = draft.managerRef;
    if (!managerId && ref) {
      managerId = resolver.resolve(draft.id, ref, warn);
      if (!managerId) unresolved[draft.id] = ref;
    }
    if (managerId && !byId.has(managerId)) warnings.push(`employee ${draft.id}: manager ${managerId} is not in the snapshot`);
    // An explicit literal (one object shape for every employee) rather than spreads: this loop runs
    // once per person of the company.
    const employee: Employee = {
      id: draft.id,
      employeeNumber: draft.employeeNumber,
      firstName: draft.firstName,
      lastName: draft.lastName,
      preferredName: draft.preferredName,
      displayName: draft.displayName || composeDisplayName(draft.firstName, draft.lastName, draft.preferredName) || draft.workEmail || draft.id,
      workEmail: draft.workEmail,
      personalEmail: draft.personalEmail,
      jobTitle: draft.jobTitle,
      managerId,
      groupIds: draft.groupIds.length > 1 ? [...new Set(draft.groupIds)] : draft.groupIds,
      locationId: draft.locationId,
      employmentStatus: draft.employmentStatus,
      employmentStatusRaw: draft.employmentStatusRaw ?? null,
      employmentType: draft.employmentType,
      employmentTypeRaw: draft.employmentTypeRaw ?? null,
      startDate: draft.startDate,
      terminationDate: draft.terminationDate,
      customFields: draft.customFields ? copyRecord(draft.customFields) : {},
    };
    if (draft.updatedAt !== undefined) employee.updatedAt = draft.updatedAt;
    if (includeRemote) employee.remoteData = raw;
    // The compiled check answers the common case fast; zod decides (and explains) the rest.
    if (compiledEmployeeCheck && compiledEmployeeCheck(employee)) {
      out.push(employee);
      i++;
    } else out.push(validateOutput(def, 'employees', EmployeeSchema, employee, i++));
  }
  return { employees: out, warnings, unresolved };
}

/** `{ unresolvedManagerRefs }` with keys in id order, or nothing when every reference resolved. */
export function unresolvedField(unresolved: Record<string, ManagerRef>): { unresolvedManagerRefs?: Record<string, ManagerRef> } {
  const ids = Object.keys(unresolved);
  if (!ids.length) return {};
  ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, ManagerRef> = {};
  for (const id of ids) {
    const r = unresolved[id]!;
    // Only the fields that are set (a stable, compact shape in the snapshot file).
    out[id] = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined && v !== null)) as ManagerRef;
  }
  return { unresolvedManagerRefs: out };
}
