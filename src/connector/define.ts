/**
 * `defineConnector`: a connector is a declaration (id, auth, base URL, rate-limit defaults,
 * capabilities, resources with their paging) plus pure mapping functions from the vendor's raw
 * rows (validated by zod schemas of the vendor's shape) to the normalized model. The runtime
 * here does everything else: requests through the core pipeline, paging with loop guards,
 * validation, manager-reference resolution and progress.
 *
 * Where each concern lives: the declaration's types in `types.ts` (all re-exported here); this file
 * is the read loop (the hooks' runtime `rt`, resource walks, lists, company, full and incremental
 * reads); `validate.ts` checks options, vendor rows and normalized records; `finalize.ts` collapses
 * duplicates, resolves manager references (`managers.ts`) and validates employees; `auxiliary.ts`
 * is the skip-with-a-warning policy for metadata.
 *
 * Length: the read loop only (full, incremental, lists, company), whose parts share the `rt` built
 * here.
 */
import type { z } from 'zod';
import { createError, OrgsyncError, ValidationError } from '../errors.js';
import { HttpClient, type RawResponse, type StreamRecordsSpec } from '../http/client.js';
import { defaultIdentity, paginate, singlePage } from '../pagination/index.js';
import { contentFingerprint, registerFingerprint } from '../pagination/drift.js';
import { CompanySchema, GroupSchema, LocationSchema, type Company, type Employee, type Group } from '../model.js';
import { parseAuxiliary, skippedMessage } from './auxiliary.js';
import {
  employeeFromDraft,
  finalizeBuilt,
  internDraft,
  unresolvedField,
  type BuiltEntry,
  type InternPool,
} from './finalize.js';
import type { ManagerRef } from './managers.js';
import type {
  CommonOptions,
  Connector,
  ConnectorChanges,
  ConnectorDefinition,
  ConnectorFactory,
  ConnectorRuntime,
  EmployeeDraft,
  DerivedList,
  IncrementalDef,
  OptionalReadOptions,
  ReadOptions,
  ResourceDef,
} from './types.js';
import { mapFailure, toArray, validateOptions, validateOutput, validateRow } from './validate.js';

export * from './types.js';
export { finalizeEmployees, unresolvedField } from './finalize.js';

/** Declare a connector; returns its factory (e.g. `bamboohr({ subdomain, apiKey })`). */
export function defineConnector<Opts extends Record<string, unknown>, Ctx = undefined>(
  def: ConnectorDefinition<Opts, Ctx>,
): ConnectorFactory<Opts> {
  const factory = (options: Opts & CommonOptions): Connector<Opts> => createConnector(def, options);
  Object.defineProperty(factory, 'definition', { value: def, enumerable: true });
  return factory as ConnectorFactory<Opts>;
}

/** `RequestSpec.stream.onRecord` of the walks: a record's fingerprint from its own JSON text. */
function fingerprintFromText(record: unknown, text: string): void {
  if (record !== null && typeof record === 'object') registerFingerprint(record, contentFingerprint(text));
}

/** A streamed request's `onRecord` plus the fingerprint registration (a connector's own hook still runs). */
function withFingerprints(stream: StreamRecordsSpec): StreamRecordsSpec {
  const own = stream.onRecord;
  return {
    ...stream,
    onRecord: own
      ? (record, text) => {
          fingerprintFromText(record, text);
          own(record, text);
        }
      : fingerprintFromText,
  };
}

function createConnector<Opts extends Record<string, unknown>, Ctx>(
  def: ConnectorDefinition<Opts, Ctx>,
  rawOptions: Opts & CommonOptions,
): Connector<Opts> {
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
        const tolerated =
          e instanceof OrgsyncError &&
          ((e.status !== undefined && o.statuses.includes(e.status)) ||
            (e.code !== undefined && !!o.codes?.includes(e.code)));
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
  const tolerant = (resource: string, r: { auxiliary?: boolean | undefined }) =>
    r.auxiliary ?? (resource === 'groups' || resource === 'locations');
  const skip = (resource: string, index: number, raw: unknown, e: unknown) => {
    const reason =
      e instanceof ValidationError && e.issues?.length ? e.issues.join('; ') : String((e as Error)?.message ?? e);
    rt.warn(skippedMessage(def.name, `${resource} record`, index, raw, reason.slice(0, 300)));
  };

  async function* walk<Row>(
    resource: string,
    r: ResourceDef<any, Row, unknown>,
    ctx: unknown,
    aux = false,
  ): AsyncGenerator<Row[]> {
    const request = typeof r.request === 'function' ? r.request(ctx, options) : r.request;
    const paginator = typeof r.paginate === 'function' ? r.paginate(ctx, options) : (r.paginate ?? singlePage());
    // The people walk keeps a window of recent pages instead of fingerprints (see `drift.ts`).
    const windowed = resource === 'employees' && !aux;
    let n = 0;
    for await (const page of paginate<unknown>({
      vendor: def.id,
      vendorName: def.name,
      resource,
      request,
      paginator,
      // A page completed by more reads (1 + N vendors) is read to the end before the next page is
      // listed: its records then belong to the listing they came from (records deleted meanwhile
      // show up as drift of the listing, not as a record that vanished). An enrich without reads
      // declares `prefetch: true`.
      ...((r.prefetch ?? !r.enrich) ? {} : { prefetch: false }),
      // People: a repeat is compared with the last two pages' records, and one from further back is
      // handed on: finalizing collapses two equal employees and fails `duplicate_id` on different ones.
      ...(windowed ? { repeatWindow: 2 } : {}),
      // A streamed record list (`request.stream`) of a walk that keeps fingerprints: each record's
      // fingerprint is taken from the JSON text it was parsed from, so it is not serialized again.
      send: (req) => http.request(req.stream && !windowed ? { ...req, stream: withFingerprints(req.stream) } : req),
      items: r.records,
      ...(r.itemKey ? { itemKey: r.itemKey as (i: unknown) => string } : {}),
      ...(r.itemId ? { itemId: r.itemId } : {}),
      ...(r.maxPages ? { maxPages: r.maxPages } : {}),
      redact: (t) => http.redactor.redact(t),
      onPage: (info, total) =>
        progress?.({ type: 'page', vendor: def.id, resource, page: info.index + 1, items: info.items.length, total }),
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
  const context = (): Promise<Ctx> =>
    (ctxPromise ??= def.context ? def.context(rt) : Promise.resolve(undefined as Ctx));

  /** One validated employee row through the mapper (a mapper failure names the row). */
  function mapEmployee(row: unknown, ctx: Ctx): EmployeeDraft[] {
    try {
      return toArray(def.employees.map ? def.employees.map(row, ctx) : (row as EmployeeDraft));
    } catch (e) {
      throw mapFailure(def, 'employees', row, e);
    }
  }

  /**
   * Every employee of a full walk, built from its draft as it is mapped, with what `finalizeBuilt`
   * needs of its row: the manager reference, and the validated row itself only for
   * `includeRemoteData` (two entries with one id are then compared by their rows, else by the
   * employees they became). Keeping every row until the walk ends was most of a full sync's memory
   * (docs/performance.md). Pushed into `built` page by page: at 100,000 people, a generator's yield
   * (an await) per employee cost more than the push.
   */
  async function mapEmployees(built: BuiltEntry[]): Promise<void> {
    const ctx = await context();
    const keepRaw = options.includeRemoteData === true;
    const pool: InternPool = new Map();
    for await (const rows of walk('employees', def.employees, ctx)) {
      for (const row of rows) {
        const drafts = mapEmployee(row, ctx);
        for (const d of drafts) {
          internDraft(d, pool);
          // The employee is built now and the draft let go (drafts and employees never pile up together).
          const employee = employeeFromDraft(d, row, keepRaw);
          built.push(
            keepRaw ? { draft: employee, ref: d.managerRef, raw: row } : { draft: employee, ref: d.managerRef },
          );
        }
      }
    }
  }

  /** The raw rows (and deletions) an incremental read reports, by either form of `IncrementalDef`. */
  async function changedRows(
    inc: IncrementalDef<Opts, Ctx>,
    ctx: Ctx,
    since: Date,
  ): Promise<{ rows: unknown[]; deletedIds: string[] }> {
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

  async function readEmployees(): Promise<{
    employees: Employee[];
    warnings: string[];
    unresolved: Record<string, ManagerRef>;
  }> {
    const built: BuiltEntry[] = [];
    await mapEmployees(built);
    listsReady = true;
    return finalizeBuilt(def, built);
  }

  /** Lists derived from employees need the employees mapped first (one walk serves all three). */
  let walking: Promise<unknown> | undefined;
  async function ensureLists(): Promise<void> {
    if (!def.listsFromEmployees || listsReady) return;
    walking ??= readEmployees().finally(() => (walking = undefined));
    await walking;
  }

  async function readList<Out>(
    resource: string,
    spec: ResourceDef<Ctx, any, Out> | DerivedList<Ctx, Out[]> | undefined,
    schema: z.ZodType<Out>,
  ): Promise<Out[]> {
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
              out.push(options.includeRemoteData ? ({ ...(m as object), remoteData: row } as Out) : m);
            }
          } catch (e) {
            if (!tolerant(resource, spec)) throw mapFailure(def, resource, row, e);
            skip(resource, i, row, mapFailure(def, resource, row, e));
          }
          i++;
        }
      }
    }
    const aux =
      typeof spec === 'function' ? resource === 'groups' || resource === 'locations' : tolerant(resource, spec);
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
      if (!list[0])
        throw createError({ kind: 'vendor', vendor: def.id, message: `${def.name}: the company record was empty.` });
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
        return {
          company,
          groups,
          locations,
          employees,
          warnings: [...warnings, ...resolution],
          ...unresolvedField(unresolved),
        };
      }
      const company = await readCompany();
      const listed = await readList('groups', def.groups, GroupSchema);
      const locations = await readList('locations', def.locations, LocationSchema);
      const { employees, warnings: resolution, unresolved } = await readEmployees();
      const groups = def.groupsFromEmployees ? await withDerivedGroups(listed, employees) : listed;
      return {
        company,
        groups,
        locations,
        employees,
        warnings: [...warnings, ...resolution],
        ...unresolvedField(unresolved),
      };
    },
  };
}
