/**
 * `createScimHandler(options)`: a framework-agnostic SCIM 2.0 service provider (RFC 7643/7644) for
 * identity providers to push users and groups into the app. One function from a request to a
 * response; `toNodeListener` and `toExpressMiddleware` (adapters.ts) plug it into a server.
 *
 * Per request: bearer-token auth (constant-time, auth.ts) -> tenant -> route (router.ts) -> validate
 * (scimmy schemas, filters and PATCH, with the IdP quirks of normalize.ts/patch.ts tolerated) -> under
 * the tenant's write lock (tenant-state.ts): apply a pure operation (operations.ts) to a copy, build the
 * snapshot after, diff it against the snapshot before, persist the copy (the IdP gets its answer only
 * once the store has it) -> deliver the change events (`onChanges`, `changes` event; delivery.ts) ->
 * feed the provisioning batcher (provisioning.ts).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ChangeEvent } from '../changes.js';
import { ConfigError } from '../errors.js';
import type { OrgSnapshot } from '../model.js';
import { TokenAuth } from './auth.js';
import { Delivery, type ChangeInfo, type ScimHandlerEvents } from './delivery.js';
import { notFound, ScimHttpError } from './errors.js';
import { errorResponse, parseTarget, type ScimRequest, type ScimResponse } from './http.js';
import { ProvisioningBatcher, type InboundProvisioningOptions } from './provisioning.js';
import { ScimRouter } from './router.js';
import { assertTenantId, FileScimStore, type ScimStore } from './store.js';
import { TenantStates } from './tenant-state.js';

export type { ChangeInfo, ScimHandlerEvents } from './delivery.js';
export type { ScimRequest, ScimResponse } from './http.js';

export interface ScimTenantConfig {
  /** Tenant id: 1-64 of `a-z 0-9 - _`. Also the snapshot's company id. */
  id: string;
  /** The bearer token(s) the tenant's IdP sends (several while rotating). */
  token: string | string[];
  /** Company name in snapshots (default: the id). */
  name?: string;
}

export interface ScimHandlerOptions {
  /** Where pushed data is kept: a `ScimStore`, or a folder for the built-in `FileScimStore`. */
  store: ScimStore | string;
  /** Tenants and their tokens. */
  tenants?: ScimTenantConfig[];
  /** Or/and: resolve a bearer token to a tenant id yourself (null: unknown token). */
  authenticate?: (
    token: string,
    request: ScimRequest,
  ) => string | null | undefined | Promise<string | null | undefined>;
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

const DEFAULT_MAX_BODY = 1024 * 1024;
const DEFAULT_MAX_RESULTS = 1000;

/** The handler: `handle(request)`, plus the tenant snapshots and the events of what was pushed. */
export class ScimHandler extends EventEmitter<ScimHandlerEvents> {
  readonly basePath: string;
  readonly maxBodyBytes: number;
  private readonly store: ScimStore;
  private readonly auth: TokenAuth;
  private readonly states: TenantStates;
  private readonly router: ScimRouter;
  private readonly delivery: Delivery;
  private readonly batcher: ProvisioningBatcher | null;
  private closed = false;

  constructor(private readonly options: ScimHandlerOptions) {
    super();
    if (!options || !options.store) {
      throw new ConfigError({
        message: 'createScimHandler: options.store is required (a ScimStore, or a folder for the file store).',
      });
    }
    this.store = typeof options.store === 'string' ? new FileScimStore({ dir: options.store }) : options.store;
    if (!options.tenants?.length && !options.authenticate) {
      throw new ConfigError({
        message: 'createScimHandler: give tenants ([{ id, token }]) or an authenticate(token) function.',
      });
    }
    this.auth = new TokenAuth(options.tenants ?? [], options.authenticate);
    this.basePath = (options.basePath ?? '').replace(/\/+$/, '');
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    const now = options.now ?? (() => new Date());
    this.delivery = new Delivery(this, options);
    this.batcher = options.provisioning
      ? new ProvisioningBatcher(options.provisioning, {
          now,
          current: (tenant) => this.states.loaded.get(tenant)?.snapshot,
          emit: (r) => this.delivery.plan(r),
          onError: (e, tenant) => this.delivery.reportError(e, { tenant }),
        })
      : null;
    this.states = new TenantStates({
      store: this.store,
      now,
      nameOf: (tenant) => this.auth.names.get(tenant) ?? options.tenantName?.(tenant) ?? tenant,
      deliver: (events, info) => this.delivery.changes(events, info),
      committed: (tenant, before) => this.batcher?.noteWrite(tenant, before),
    });
    this.router = new ScimRouter(
      {
        basePath: this.basePath,
        publicUrl: options.publicUrl,
        tenantFromPath: options.tenantFromPath,
        maxBodyBytes: this.maxBodyBytes,
        maxResults: Math.max(1, options.maxResults ?? DEFAULT_MAX_RESULTS),
        documentationUri: options.documentationUri,
        now,
        newId: options.newId ?? (() => randomUUID()),
      },
      this.states,
    );
  }

  /** Answer one SCIM request. Never throws: every failure is a SCIM error response. */
  async handle(request: ScimRequest): Promise<ScimResponse> {
    let tenant: string | undefined;
    try {
      if (this.closed) throw new ScimHttpError(503, undefined, 'The SCIM service is shutting down.');
      // Authentication first: an unauthenticated caller learns nothing about paths.
      const auth = await this.auth.authenticate(request);
      const { segments, query } = parseTarget(request, this.basePath);
      if (this.options.tenantFromPath) {
        const t = segments.shift();
        if (t === undefined) throw notFound('No tenant in the path.');
        if (t !== auth) throw new ScimHttpError(403, undefined, 'This token does not give access to that tenant.');
      }
      tenant = auth;
      return await this.router.route(request, tenant, segments, query);
    } catch (e) {
      const info = { tenant, method: request?.method, path: request?.path };
      return errorResponse(e, (err) => this.delivery.reportError(err, { ...info, path: info.path?.split('?')[0] }));
    }
  }

  /** The tenant's current snapshot (everything pushed so far, as an OrgSnapshot). */
  async snapshot(tenant: string): Promise<OrgSnapshot> {
    assertTenantId(tenant);
    return (await this.states.get(tenant)).snapshot;
  }

  /** Plan the open provisioning batches now (all tenants, or one). */
  async flush(tenant?: string): Promise<void> {
    await this.batcher?.flush(tenant);
  }

  /** Stop accepting requests, plan open batches, wait for pending writes and deliveries. */
  async close(): Promise<void> {
    this.closed = true;
    await this.states.drain();
    await this.batcher?.flush();
    this.batcher?.close();
    await this.store.close?.();
  }
}

export function createScimHandler(options: ScimHandlerOptions): ScimHandler {
  return new ScimHandler(options);
}
