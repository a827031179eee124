/**
 * `createScimHandler(options)`: a framework-agnostic SCIM 2.0 service provider (RFC 7643/7644) for
 * identity providers to push users and groups into the app. One function from a request to a
 * response; `toNodeListener` and `toExpressMiddleware` (adapters.ts) plug it into a server.
 *
 * Per request: bearer-token auth (constant-time) -> tenant -> route -> validate (scimmy schemas,
 * filters and PATCH, with the IdP quirks of normalize.ts/patch.ts tolerated) -> under the tenant's
 * write lock: apply to a copy, build the snapshot after, diff it against the snapshot before,
 * persist the copy (the IdP gets its answer only once the store has it) -> deliver the change
 * events (`onChanges`, `changes` event) -> feed the provisioning batcher (provisioning.ts).
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ChangeEvent } from '../changes.js';
import { diffSnapshots } from '../diff.js';
import { ConfigError } from '../errors.js';
import type { OrgSnapshot } from '../model.js';
import type { SafetyAlert } from '../provisioning/types.js';
import { notFound, ScimHttpError, scimErrorBody, badRequest } from './errors.js';
import { matchesFilter } from './filter.js';
import { filterFor, queryFromSearchBody, queryFromUrl, rootMatches, type QueryParams } from './search.js';
import { buildSnapshot } from './mapping.js';
import { isRec, setKey } from './normalize.js';
import { applyPatch } from './patch.js';
import { ProvisioningBatcher, type InboundPlan, type InboundProvisioningOptions } from './provisioning.js';
import { egress, ingest, projection, type StoredResource } from './resource.js';
import {
  describeResourceType,
  describeSchema,
  describeServiceProviderConfig,
  LIST_RESPONSE,
  RESOURCES,
  schemaDefinitions,
  type ResourceKind,
  type ResourceSpec,
} from './schema.js';
import { assertTenantId, FileScimStore, type ScimStore } from './store.js';

type Rec = Record<string, unknown>;
type HeaderValue = string | string[] | undefined;

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

export interface ScimTenantConfig {
  /** Tenant id: 1-64 of `a-z 0-9 - _`. Also the snapshot's company id. */
  id: string;
  /** The bearer token(s) the tenant's IdP sends (several while rotating). */
  token: string | string[];
  /** Company name in snapshots (default: the id). */
  name?: string;
}

export interface ChangeInfo {
  tenant: string;
  previous: OrgSnapshot;
  current: OrgSnapshot;
}

export interface ScimHandlerOptions {
  /** Where pushed data is kept: a `ScimStore`, or a folder for the built-in `FileScimStore`. */
  store: ScimStore | string;
  /** Tenants and their tokens. */
  tenants?: ScimTenantConfig[];
  /** Or/and: resolve a bearer token to a tenant id yourself (null: unknown token). */
  authenticate?: (token: string, request: ScimRequest) => string | null | undefined | Promise<string | null | undefined>;
  /** Company name of a tenant resolved by `authenticate` (default: its id). */
  tenantName?: (tenant: string) => string;
  /**
   * Tenant in the path (`/<tenant>/Users`) instead of only in the token. The token must still belong
   * to that tenant (else 403), so a path can never widen what a token reaches.
   */
  tenantFromPath?: boolean;
  /** Path prefix of the SCIM root to strip from request paths (e.g. `/scim/v2`). */
  basePath?: string;
  /** Public URL of the SCIM root for `meta.location` (default: from the request's Host). */
  publicUrl?: string;
  /** Largest request body accepted (bytes; default 1 MiB). Larger: 413. */
  maxBodyBytes?: number;
  /** Largest page (`count`) returned by list requests (default 1000; ServiceProviderConfig `filter.maxResults`). */
  maxResults?: number;
  /** Change events of every write, exactly `diffSnapshots(before, after)`. Awaited before the IdP gets its answer. */
  onChanges?: (events: ChangeEvent[], info: ChangeInfo) => void | Promise<void>;
  /** Plan pushed changes with the provisioning rules (through the safety stops). */
  provisioning?: InboundProvisioningOptions;
  /** Unexpected failures (500s, failing callbacks). Messages returned to IdPs never contain internals. */
  onError?: (error: unknown, info: { tenant?: string; method?: string; path?: string }) => void;
  /** Clock (tests). */
  now?: () => Date;
  /** Id generator for new resources (default: random UUIDs). */
  newId?: () => string;
  /** `documentationUri` in ServiceProviderConfig. */
  documentationUri?: string;
}

interface TenantRuntime {
  id: string;
  name: string;
  users: Map<string, StoredResource>;
  groups: Map<string, StoredResource>;
  snapshot: OrgSnapshot;
  lock: Promise<void>;
  delivery: Promise<void>;
}

interface Draft {
  users: Map<string, StoredResource>;
  groups: Map<string, StoredResource>;
  changed: boolean;
}

const JSON_HEADERS = { 'content-type': 'application/scim+json; charset=utf-8' } as const;
const DEFAULT_MAX_BODY = 1024 * 1024;
const DEFAULT_MAX_RESULTS = 1000;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

function header(headers: Record<string, HeaderValue>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() === lower) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

export interface ScimHandlerEvents {
  changes: [events: ChangeEvent[], info: ChangeInfo];
  plan: [result: InboundPlan];
  safetyStop: [alert: SafetyAlert, result: InboundPlan];
  error: [error: unknown, info: { tenant?: string; method?: string; path?: string }];
}

/** The handler: `handle(request)`, plus the tenant snapshots and the events of what was pushed. */
export class ScimHandler extends EventEmitter<ScimHandlerEvents> {
  readonly basePath: string;
  readonly maxBodyBytes: number;
  private readonly store: ScimStore;
  private readonly tokens: Array<{ tenant: string; digest: Buffer }>;
  private readonly names = new Map<string, string>();
  private readonly maxResults: number;
  private readonly runtimes = new Map<string, Promise<TenantRuntime>>();
  private readonly loaded = new Map<string, TenantRuntime>();
  private readonly batcher: ProvisioningBatcher | null;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private closed = false;

  constructor(private readonly options: ScimHandlerOptions) {
    super();
    if (!options || !options.store) throw new ConfigError({ message: 'createScimHandler: options.store is required (a ScimStore, or a folder for the file store).' });
    this.store = typeof options.store === 'string' ? new FileScimStore({ dir: options.store }) : options.store;
    if (!options.tenants?.length && !options.authenticate) {
      throw new ConfigError({ message: 'createScimHandler: give tenants ([{ id, token }]) or an authenticate(token) function.' });
    }
    this.tokens = [];
    const seen = new Map<string, string>();
    for (const t of options.tenants ?? []) {
      assertTenantId(t.id);
      if (this.names.has(t.id)) throw new ConfigError({ message: `createScimHandler: tenant '${t.id}' is listed twice.` });
      this.names.set(t.id, t.name ?? t.id);
      for (const token of Array.isArray(t.token) ? t.token : [t.token]) {
        if (typeof token !== 'string' || token.length === 0) throw new ConfigError({ message: `createScimHandler: tenant '${t.id}' has an empty token.` });
        const key = sha256(token).toString('hex');
        const other = seen.get(key);
        if (other !== undefined && other !== t.id) throw new ConfigError({ message: `createScimHandler: tenants '${other}' and '${t.id}' share a token; each tenant needs its own.` });
        seen.set(key, t.id);
        this.tokens.push({ tenant: t.id, digest: sha256(token) });
      }
    }
    this.basePath = (options.basePath ?? '').replace(/\/+$/, '');
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    this.maxResults = Math.max(1, options.maxResults ?? DEFAULT_MAX_RESULTS);
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? (() => randomUUID());
    this.batcher = options.provisioning
      ? new ProvisioningBatcher(options.provisioning, {
          now: this.now,
          current: (tenant) => this.loaded.get(tenant)?.snapshot,
          emit: (r) => this.deliverPlan(r),
          onError: (e, tenant) => this.reportError(e, { tenant }),
        })
      : null;
  }

  // ---------------------------------------------------------------------------------------------
  // Public API
  // ---------------------------------------------------------------------------------------------

  /** Answer one SCIM request. Never throws: every failure is a SCIM error response. */
  async handle(request: ScimRequest): Promise<ScimResponse> {
    let tenant: string | undefined;
    try {
      if (this.closed) throw new ScimHttpError(503, undefined, 'The SCIM service is shutting down.');
      // Authentication first: an unauthenticated caller learns nothing about paths.
      const auth = await this.authenticate(request);
      const { segments, query } = this.parseTarget(request);
      if (this.options.tenantFromPath) {
        const t = segments.shift();
        if (t === undefined) throw notFound('No tenant in the path.');
        if (t !== auth) throw new ScimHttpError(403, undefined, 'This token does not give access to that tenant.');
      }
      tenant = auth;
      return await this.route(request, tenant, segments, query);
    } catch (e) {
      return this.errorResponse(e, { tenant, method: request?.method, path: request?.path });
    }
  }

  /** The tenant's current snapshot (everything pushed so far, as an OrgSnapshot). */
  async snapshot(tenant: string): Promise<OrgSnapshot> {
    assertTenantId(tenant);
    return (await this.runtime(tenant)).snapshot;
  }

  /** Plan the open provisioning batches now (all tenants, or one). */
  async flush(tenant?: string): Promise<void> {
    await this.batcher?.flush(tenant);
  }

  /** Stop accepting requests, plan open batches, wait for pending writes and deliveries. */
  async close(): Promise<void> {
    this.closed = true;
    for (const rt of this.loaded.values()) await rt.lock.then(() => rt.delivery);
    await this.batcher?.flush();
    this.batcher?.close();
    await this.store.close?.();
  }

  // ---------------------------------------------------------------------------------------------
  // Auth, tenants, routing
  // ---------------------------------------------------------------------------------------------

  private async authenticate(request: ScimRequest): Promise<string> {
    const challenge = { 'www-authenticate': 'Bearer realm="orgsync-scim"' };
    const value = header(request.headers, 'authorization');
    const m = value ? /^\s*bearer\s+(\S+)\s*$/i.exec(value) : null;
    if (!m) throw new ScimHttpError(401, undefined, 'Authentication required: send Authorization: Bearer <token>.', challenge);
    const token = m[1]!;
    // Constant time over every configured token: the digest comparison does not stop early and
    // every entry is compared, so timing tells nothing about which tokens exist.
    const digest = sha256(token);
    let found: string | undefined;
    for (const t of this.tokens) {
      if (timingSafeEqual(digest, t.digest) && found === undefined) found = t.tenant;
    }
    if (found === undefined && this.options.authenticate) {
      const r = await this.options.authenticate(token, request);
      if (typeof r === 'string' && r) {
        assertTenantId(r);
        found = r;
      }
    }
    if (found === undefined) throw new ScimHttpError(401, undefined, 'The bearer token is not valid.', challenge);
    return found;
  }

  private parseTarget(request: ScimRequest): { segments: string[]; query: URLSearchParams } {
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
    if (this.basePath && (pathname === this.basePath || pathname.startsWith(`${this.basePath}/`))) pathname = pathname.slice(this.basePath.length);
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

  private base(request: ScimRequest, tenant: string): string {
    let root = this.options.publicUrl?.replace(/\/+$/, '') ?? request.baseUrl?.replace(/\/+$/, '');
    if (root === undefined) {
      const host = header(request.headers, 'host');
      const proto = header(request.headers, 'x-forwarded-proto')?.split(',')[0]?.trim() || 'http';
      root = host && /^[\w.:[\]-]+$/.test(host) ? `${proto === 'https' ? 'https' : 'http'}://${host}${this.basePath}` : this.basePath;
    }
    return this.options.tenantFromPath ? `${root}/${encodeURIComponent(tenant)}` : root;
  }

  private async route(request: ScimRequest, tenant: string, segments: string[], query: URLSearchParams): Promise<ScimResponse> {
    const method = String(request.method ?? 'GET').toUpperCase();
    const [first, second, ...rest] = segments;
    const name = first?.toLowerCase();
    const allow = (methods: string[]) => {
      if (!methods.includes(method)) throw new ScimHttpError(405, undefined, `${method} is not supported on this endpoint.`, { allow: methods.join(', ') });
    };
    const base = this.base(request, tenant);
    switch (name) {
      case 'serviceproviderconfig':
        if (second !== undefined) throw notFound('No such resource.');
        allow(['GET']);
        return ok(describeServiceProviderConfig(base, { maxResults: this.maxResults, maxPayloadSize: this.maxBodyBytes, documentationUri: this.options.documentationUri }));
      case 'resourcetypes': {
        allow(['GET']);
        const all = (['User', 'Group'] as const).map((k) => describeResourceType(RESOURCES[k], base));
        if (second === undefined && rest.length === 0) return ok(listResponse(all, all.length, 1));
        const one = all.find((r) => String(r['name']).toLowerCase() === second?.toLowerCase());
        if (!one || rest.length) throw notFound(`Resource type '${second}' not found.`);
        return ok(one);
      }
      case 'schemas': {
        allow(['GET']);
        const all = schemaDefinitions().map((d) => describeSchema(d, base));
        if (second === undefined) return ok(listResponse(all, all.length, 1));
        const id = [second, ...rest].join('/');
        const one = all.find((s) => String(s['id']).toLowerCase() === id.toLowerCase());
        if (!one) throw notFound(`Schema '${id}' not found.`);
        return ok(one);
      }
      case 'users':
      case 'groups': {
        const spec = RESOURCES[name === 'users' ? 'User' : 'Group'];
        if (rest.length) throw notFound('No such resource.');
        if (second === undefined) {
          allow(['GET', 'POST']);
          if (method === 'GET') return this.query(tenant, spec, base, queryFromUrl(query));
          return this.create(tenant, spec, base, this.readBody(request), query);
        }
        if (second === '.search') {
          allow(['POST']);
          return this.query(tenant, spec, base, queryFromSearchBody(this.readBody(request)));
        }
        allow(['GET', 'PUT', 'PATCH', 'DELETE']);
        if (method === 'GET') return this.read(tenant, spec, base, second, query);
        if (method === 'PUT') return this.replace(tenant, spec, base, second, this.readBody(request), query);
        if (method === 'PATCH') return this.patch(tenant, spec, base, second, this.readBody(request), query);
        return this.remove(tenant, spec, second);
      }
      case '.search':
        if (second !== undefined) throw notFound('No such resource.');
        allow(['POST']);
        return this.rootSearch(tenant, base, queryFromSearchBody(this.readBody(request)));
      case 'bulk':
      case 'me':
        throw new ScimHttpError(501, undefined, `/${first} is not supported by this service provider.`);
      default:
        throw notFound(first === undefined ? 'This is a SCIM service root: use /Users, /Groups, /ServiceProviderConfig, /ResourceTypes or /Schemas.' : `No such endpoint '/${first}'.`);
    }
  }

  private readBody(request: ScimRequest): unknown {
    const declared = Number(header(request.headers, 'content-length'));
    if (Number.isFinite(declared) && declared > this.maxBodyBytes) throw tooLarge(this.maxBodyBytes);
    const b = request.body;
    if (b === undefined || b === null) return undefined;
    let text: string;
    if (typeof b === 'string') text = b;
    else if (b instanceof Uint8Array) {
      if (b.byteLength > this.maxBodyBytes) throw tooLarge(this.maxBodyBytes);
      text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
    } else {
      // Already parsed by a framework: measure what it would be on the wire.
      if (Buffer.byteLength(JSON.stringify(b) ?? '', 'utf8') > this.maxBodyBytes) throw tooLarge(this.maxBodyBytes);
      return b;
    }
    if (Buffer.byteLength(text, 'utf8') > this.maxBodyBytes) throw tooLarge(this.maxBodyBytes);
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text);
    } catch (e) {
      throw badRequest('invalidSyntax', 'The request body is not valid JSON.');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Resource operations
  // ---------------------------------------------------------------------------------------------

  private async query(tenant: string, spec: ResourceSpec, base: string, q: QueryParams): Promise<ScimResponse> {
    const rt = await this.runtime(tenant);
    const proj = projection(q.attributes, q.excludedAttributes);
    const filter = filterFor(q, spec);
    const views = this.views(rt, spec.kind);
    const matched = filter ? views.filter((r) => matchesFilter(r, filter, spec.definition)) : views;
    const { start, count } = this.window(q);
    const page = matched.slice(start - 1, start - 1 + count);
    return ok(listResponse(page.map((r) => egress(spec, r, base, proj)), matched.length, start));
  }

  /** `POST /.search` (RFC 7644 §3.4.3): Users and Groups in one list. */
  private async rootSearch(tenant: string, base: string, q: QueryParams): Promise<ScimResponse> {
    const rt = await this.runtime(tenant);
    const proj = projection(q.attributes, q.excludedAttributes);
    const matched = rootMatches(q, [RESOURCES.User, RESOURCES.Group], (spec) => this.views(rt, spec.kind));
    const { start, count } = this.window(q);
    const page = matched.slice(start - 1, start - 1 + count);
    return ok(listResponse(page.map((m) => egress(m.spec, m.resource, base, proj)), matched.length, start));
  }

  private window(q: QueryParams): { start: number; count: number } {
    const start = Math.max(1, intParam(q.startIndex) ?? 1);
    const count = Math.min(this.maxResults, Math.max(0, intParam(q.count) ?? this.maxResults));
    return { start, count };
  }

  private async read(tenant: string, spec: ResourceSpec, base: string, id: string, query: URLSearchParams): Promise<ScimResponse> {
    const rt = await this.runtime(tenant);
    const stored = this.collection(rt, spec.kind).get(id);
    if (!stored) throw notFound(`${spec.kind} ${id} not found.`);
    const proj = projection(query.get('attributes') ?? undefined, query.get('excludedAttributes') ?? undefined);
    return ok(egress(spec, this.view(rt, spec.kind, stored), base, proj), { location: `${base}${spec.endpoint}/${encodeURIComponent(id)}` });
  }

  private async create(tenant: string, spec: ResourceSpec, base: string, body: unknown, query: URLSearchParams): Promise<ScimResponse> {
    const attrs = ingest(spec, body);
    const rt = await this.runtime(tenant);
    const stored = await this.mutate(rt, (d) => {
      const now = this.now().toISOString();
      const id = this.newId();
      const resource = { id, ...attrs, meta: { resourceType: spec.kind, created: now, lastModified: now } } as StoredResource;
      this.checkResource(d, spec, resource);
      this.collection(d, spec.kind).set(id, resource);
      d.changed = true;
      return resource;
    });
    const proj = projection(query.get('attributes') ?? undefined, query.get('excludedAttributes') ?? undefined);
    const location = `${base}${spec.endpoint}/${encodeURIComponent(stored.id)}`;
    return { status: 201, headers: { ...JSON_HEADERS, location }, body: egress(spec, this.view(rt, spec.kind, stored), base, proj) };
  }

  private async replace(tenant: string, spec: ResourceSpec, base: string, id: string, body: unknown, query: URLSearchParams): Promise<ScimResponse> {
    const attrs = ingest(spec, body);
    const rt = await this.runtime(tenant);
    const stored = await this.mutate(rt, (d) => {
      const coll = this.collection(d, spec.kind);
      const old = coll.get(id);
      if (!old) throw notFound(`${spec.kind} ${id} not found.`);
      const resource = { id, ...attrs, meta: { ...old.meta, lastModified: this.now().toISOString() } } as StoredResource;
      this.checkResource(d, spec, resource);
      if (sameContent(old, resource)) return old;
      coll.set(id, resource);
      d.changed = true;
      return resource;
    });
    const proj = projection(query.get('attributes') ?? undefined, query.get('excludedAttributes') ?? undefined);
    return ok(egress(spec, this.view(rt, spec.kind, stored), base, proj), { location: `${base}${spec.endpoint}/${encodeURIComponent(id)}` });
  }

  private async patch(tenant: string, spec: ResourceSpec, base: string, id: string, body: unknown, query: URLSearchParams): Promise<ScimResponse> {
    const rt = await this.runtime(tenant);
    const stored = await this.mutateAsync(rt, async (d) => {
      const coll = this.collection(d, spec.kind);
      const old = coll.get(id);
      if (!old) throw notFound(`${spec.kind} ${id} not found.`);
      const patched = await applyPatch(spec, old, body);
      if (patched === old) return old;
      const resource = { ...patched, id, meta: { ...old.meta, lastModified: this.now().toISOString() } } as StoredResource;
      const required = spec.kind === 'User' ? 'userName' : 'displayName';
      if (typeof resource[required] !== 'string' || !(resource[required] as string).trim()) {
        throw badRequest('invalidValue', `Attribute '${required}' is required and cannot be removed.`);
      }
      this.checkResource(d, spec, resource);
      if (sameContent(old, resource)) return old;
      coll.set(id, resource);
      d.changed = true;
      return resource;
    });
    const attributes = query.get('attributes') ?? undefined;
    const excluded = query.get('excludedAttributes') ?? undefined;
    // Groups: 204, as Entra and Okta expect (a large member list is not sent back) unless asked for.
    if (spec.kind === 'Group' && attributes === undefined && excluded === undefined) return { status: 204, headers: {} };
    return ok(egress(spec, this.view(rt, spec.kind, stored), base, projection(attributes, excluded)), { location: `${base}${spec.endpoint}/${encodeURIComponent(id)}` });
  }

  private async remove(tenant: string, spec: ResourceSpec, id: string): Promise<ScimResponse> {
    const rt = await this.runtime(tenant);
    await this.mutate(rt, (d) => {
      const coll = this.collection(d, spec.kind);
      if (!coll.has(id)) throw notFound(`${spec.kind} ${id} not found.`);
      coll.delete(id);
      // The deleted resource leaves every group it was a member of.
      const now = this.now().toISOString();
      for (const [gid, g] of d.groups) {
        const members = Array.isArray(g['members']) ? (g['members'] as Rec[]) : [];
        if (!members.some((m) => m['value'] === id)) continue;
        const left = members.filter((m) => m['value'] !== id);
        const next = { ...g, meta: { ...g.meta, lastModified: now } } as StoredResource;
        if (left.length) next['members'] = left;
        else delete next['members'];
        d.groups.set(gid, next);
      }
      d.changed = true;
    });
    return { status: 204, headers: {} };
  }

  /** Uniqueness (userName; group displayName, which Entra requires) and member references. */
  private checkResource(d: Draft, spec: ResourceSpec, r: StoredResource): void {
    if (spec.kind === 'User') {
      const name = String(r['userName']).toLowerCase();
      for (const u of d.users.values()) {
        if (u.id !== r.id && String(u['userName']).toLowerCase() === name) {
          throw new ScimHttpError(409, 'uniqueness', `A User with userName '${String(r['userName']).slice(0, 200)}' already exists.`);
        }
      }
      return;
    }
    const name = String(r['displayName']).toLowerCase();
    for (const g of d.groups.values()) {
      if (g.id !== r.id && String(g['displayName']).toLowerCase() === name) {
        throw new ScimHttpError(409, 'uniqueness', `A Group with displayName '${String(r['displayName']).slice(0, 200)}' already exists.`);
      }
    }
    const members = Array.isArray(r['members']) ? (r['members'] as Rec[]) : [];
    const fixed: Rec[] = [];
    for (const m of members) {
      const value = String(m['value'] ?? '');
      const type = d.users.has(value) ? 'User' : d.groups.has(value) ? 'Group' : null;
      if (!type) throw badRequest('invalidValue', `Member '${value.slice(0, 100)}' is not a User or Group of this tenant.`);
      if (value === r.id) throw badRequest('invalidValue', 'A group cannot be a member of itself.');
      const out: Rec = {};
      for (const [k, v] of Object.entries(m)) setKey(out, k, v);
      out['type'] = type;
      fixed.push(out);
    }
    if (members.length) r['members'] = fixed;
  }

  // ---------------------------------------------------------------------------------------------
  // State, writes, events
  // ---------------------------------------------------------------------------------------------

  private collection<T extends { users: Map<string, StoredResource>; groups: Map<string, StoredResource> }>(o: T, kind: ResourceKind): Map<string, StoredResource> {
    return kind === 'User' ? o.users : o.groups;
  }

  /** Resources as clients see them (before projection): users with their computed `groups`. */
  private views(rt: TenantRuntime, kind: ResourceKind): Rec[] {
    if (kind === 'Group') return [...rt.groups.values()];
    const byUser = this.groupsByUser(rt);
    return [...rt.users.values()].map((u) => withGroups(u, byUser.get(u.id)));
  }

  private view(rt: TenantRuntime, kind: ResourceKind, r: StoredResource): Rec {
    return kind === 'Group' ? r : withGroups(r, this.groupsByUser(rt).get(r.id));
  }

  private groupsByUser(rt: TenantRuntime): Map<string, Rec[]> {
    const out = new Map<string, Rec[]>();
    for (const g of rt.groups.values()) {
      for (const m of Array.isArray(g['members']) ? (g['members'] as Rec[]) : []) {
        if (m['type'] === 'Group') continue;
        const id = String(m['value']);
        const list = out.get(id) ?? [];
        list.push({ value: g.id, display: g['displayName'], type: 'direct' });
        out.set(id, list);
      }
    }
    return out;
  }

  private runtime(tenant: string): Promise<TenantRuntime> {
    let p = this.runtimes.get(tenant);
    if (!p) {
      p = (async () => {
        const data = await this.store.load(tenant);
        const users = new Map(data.users.map((u) => [u.id, u] as const));
        const groups = new Map(data.groups.map((g) => [g.id, g] as const));
        const name = this.names.get(tenant) ?? this.options.tenantName?.(tenant) ?? tenant;
        const snapshot = buildSnapshot({ users: [...users.values()], groups: [...groups.values()] }, { id: tenant, name }, this.now());
        const rt: TenantRuntime = { id: tenant, name, users, groups, snapshot, lock: Promise.resolve(), delivery: Promise.resolve() };
        this.loaded.set(tenant, rt);
        return rt;
      })();
      this.runtimes.set(tenant, p);
      // A failed load (unreadable store) is retried by the next request, never cached.
      p.catch(() => {
        if (this.runtimes.get(tenant) === p) this.runtimes.delete(tenant);
      });
    }
    return p;
  }

  private mutate<T>(rt: TenantRuntime, fn: (d: Draft) => T): Promise<T> {
    return this.mutateAsync(rt, async (d) => fn(d));
  }

  /**
   * Serialize writes per tenant: apply `fn` to a copy, and if it changed anything, build the
   * snapshot after, diff, persist, then swap the copy in. A failure anywhere leaves the tenant as
   * it was. The change events are delivered in commit order; the caller waits for its own.
   */
  private async mutateAsync<T>(rt: TenantRuntime, fn: (d: Draft) => Promise<T>): Promise<T> {
    let release!: () => void;
    const turn = new Promise<void>((r) => (release = r));
    const prev = rt.lock;
    rt.lock = prev.then(() => turn);
    await prev;
    let delivered: Promise<void> = Promise.resolve();
    try {
      const d: Draft = { users: new Map(rt.users), groups: new Map(rt.groups), changed: false };
      const result = await fn(d);
      if (d.changed) {
        const before = rt.snapshot;
        const now = this.now();
        const after = buildSnapshot({ users: [...d.users.values()], groups: [...d.groups.values()] }, { id: rt.id, name: rt.name }, now);
        // In order by construction (after is built from before); a clock stepping back must not refuse the write.
        const events = diffSnapshots(before, after, { now, allowOlder: true });
        await this.store.save(rt.id, { users: [...d.users.values()], groups: [...d.groups.values()] });
        rt.users = d.users;
        rt.groups = d.groups;
        rt.snapshot = after;
        if (events.length) {
          const info: ChangeInfo = { tenant: rt.id, previous: before, current: after };
          rt.delivery = rt.delivery.then(() => this.deliverChanges(events, info));
          delivered = rt.delivery;
          this.batcher?.noteWrite(rt.id, before);
        }
      }
      return result;
    } finally {
      release();
      await delivered;
    }
  }

  private async deliverChanges(events: ChangeEvent[], info: ChangeInfo): Promise<void> {
    try {
      await this.options.onChanges?.(events, info);
    } catch (e) {
      this.reportError(e, { tenant: info.tenant });
    }
    this.safeEmit(() => this.emit('changes', events, info), info.tenant);
  }

  private async deliverPlan(r: InboundPlan): Promise<void> {
    const p = this.options.provisioning;
    try {
      await p?.onPlan?.(r);
    } catch (e) {
      this.reportError(e, { tenant: r.tenant });
    }
    this.safeEmit(() => this.emit('plan', r), r.tenant);
    if (r.halted && r.safety.alert) {
      try {
        await p?.onSafetyStop?.(r.safety.alert, r);
      } catch (e) {
        this.reportError(e, { tenant: r.tenant });
      }
      this.safeEmit(() => this.emit('safetyStop', r.safety.alert!, r), r.tenant);
    }
  }

  private safeEmit(fn: () => void, tenant: string): void {
    try {
      fn();
    } catch (e) {
      this.reportError(e, { tenant });
    }
  }

  private reportError(error: unknown, info: { tenant?: string | undefined; method?: string | undefined; path?: string | undefined }): void {
    const clean = Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)) as { tenant?: string; method?: string; path?: string };
    try {
      this.options.onError?.(error, clean);
    } catch {
      // an error reporter that fails has nowhere left to report to
    }
    if (this.listenerCount('error') > 0) {
      try {
        this.emit('error', error, clean);
      } catch {
        // same
      }
    }
  }

  private errorResponse(e: unknown, info: { tenant?: string | undefined; method?: string | undefined; path?: string | undefined }): ScimResponse {
    if (e instanceof ScimHttpError) {
      return { status: e.status, headers: { ...JSON_HEADERS, ...e.headers }, body: e.toBody() };
    }
    this.reportError(e, { ...info, path: info.path?.split('?')[0] });
    return { status: 500, headers: { ...JSON_HEADERS }, body: scimErrorBody(500, undefined, 'Internal server error.') };
  }
}

function withGroups(u: Rec, groups: Rec[] | undefined): Rec {
  return groups?.length ? { ...u, groups } : u;
}

/** Equal apart from meta.lastModified. */
function sameContent(a: StoredResource, b: StoredResource): boolean {
  const strip = (r: StoredResource) => JSON.stringify({ ...r, meta: { ...r.meta, lastModified: '' } });
  return strip(a) === strip(b);
}

function ok(body: unknown, extra: Record<string, string> = {}): ScimResponse {
  return { status: 200, headers: { ...JSON_HEADERS, ...extra }, body };
}

function listResponse(resources: unknown[], total: number, startIndex: number): Rec {
  return { schemas: [LIST_RESPONSE], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}

function intParam(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) && v.trim() !== '' ? Math.trunc(n) : undefined;
}

function tooLarge(limit: number): ScimHttpError {
  return new ScimHttpError(413, undefined, `The request body is larger than the limit of ${limit} bytes.`);
}

export function createScimHandler(options: ScimHandlerOptions): ScimHandler {
  return new ScimHandler(options);
}
