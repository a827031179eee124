/**
 * Routing of an authenticated SCIM request: discovery endpoints (ServiceProviderConfig, ResourceTypes,
 * Schemas), /Users and /Groups (list, .search, read, create, replace, patch, delete), root /.search.
 * Each resource endpoint loads the tenant's state, runs a pure operation (operations.ts), under the write
 * lock for writes (tenant-state.ts), and answers with the projected resource and its location.
 */
import { notFound, ScimHttpError } from './errors.js';
import { matchesFilter } from './filter.js';
import { listResponse, ok, JSON_HEADERS, parseBody, rootUrl, type ScimRequest, type ScimResponse } from './http.js';
import {
  createResource,
  deleteResource,
  getResource,
  listWindow,
  patchResource,
  replaceResource,
  view,
  views,
} from './operations.js';
import { egress, ingest, projection, type StoredResource } from './resource.js';
import {
  describeResourceType,
  describeSchema,
  describeServiceProviderConfig,
  RESOURCES,
  schemaDefinitions,
  type ResourceSpec,
} from './schema.js';
import { filterFor, queryFromSearchBody, queryFromUrl, rootMatches, type QueryParams } from './search.js';
import type { TenantState, TenantStates } from './tenant-state.js';

export interface RouterOptions {
  basePath: string;
  publicUrl?: string | undefined;
  tenantFromPath?: boolean | undefined;
  maxBodyBytes: number;
  maxResults: number;
  documentationUri?: string | undefined;
  now: () => Date;
  newId: () => string;
}

/** Projection from the `attributes` / `excludedAttributes` query parameters. */
const projectionOf = (query: URLSearchParams) =>
  projection(query.get('attributes') ?? undefined, query.get('excludedAttributes') ?? undefined);

const locationOf = (base: string, spec: ResourceSpec, id: string) =>
  `${base}${spec.endpoint}/${encodeURIComponent(id)}`;

export class ScimRouter {
  constructor(
    private readonly options: RouterOptions,
    private readonly states: TenantStates,
  ) {}

  async route(request: ScimRequest, tenant: string, segments: string[], query: URLSearchParams): Promise<ScimResponse> {
    const o = this.options;
    const method = String(request.method ?? 'GET').toUpperCase();
    const [first, second, ...rest] = segments;
    const name = first?.toLowerCase();
    const allow = (methods: string[]) => {
      if (!methods.includes(method)) {
        throw new ScimHttpError(405, undefined, `${method} is not supported on this endpoint.`, {
          allow: methods.join(', '),
        });
      }
    };
    const body = () => parseBody(request, o.maxBodyBytes);
    const base = rootUrl(request, tenant, o);
    switch (name) {
      case 'serviceproviderconfig':
        if (second !== undefined) throw notFound('No such resource.');
        allow(['GET']);
        return ok(
          describeServiceProviderConfig(base, {
            maxResults: o.maxResults,
            maxPayloadSize: o.maxBodyBytes,
            documentationUri: o.documentationUri,
          }),
        );
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
          return this.create(tenant, spec, base, body(), query);
        }
        if (second === '.search') {
          allow(['POST']);
          return this.query(tenant, spec, base, queryFromSearchBody(body()));
        }
        allow(['GET', 'PUT', 'PATCH', 'DELETE']);
        if (method === 'GET') return this.read(tenant, spec, base, second, query);
        if (method === 'PUT') return this.replace(tenant, spec, base, second, body(), query);
        if (method === 'PATCH') return this.patch(tenant, spec, base, second, body(), query);
        return this.remove(tenant, spec, second);
      }
      case '.search':
        if (second !== undefined) throw notFound('No such resource.');
        allow(['POST']);
        return this.rootSearch(tenant, base, queryFromSearchBody(body()));
      case 'bulk':
      case 'me':
        throw new ScimHttpError(501, undefined, `/${first} is not supported by this service provider.`);
      default:
        throw notFound(
          first === undefined
            ? 'This is a SCIM service root: use /Users, /Groups, /ServiceProviderConfig, /ResourceTypes or /Schemas.'
            : `No such endpoint '/${first}'.`,
        );
    }
  }

  private async query(tenant: string, spec: ResourceSpec, base: string, q: QueryParams): Promise<ScimResponse> {
    const rt = await this.states.get(tenant);
    const proj = projection(q.attributes, q.excludedAttributes);
    const filter = filterFor(q, spec);
    const all = views(rt, spec.kind);
    const matched = filter ? all.filter((r) => matchesFilter(r, filter, spec.definition)) : all;
    const { start, count } = listWindow(q, this.options.maxResults);
    const page = matched.slice(start - 1, start - 1 + count);
    return ok(
      listResponse(
        page.map((r) => egress(spec, r, base, proj)),
        matched.length,
        start,
      ),
    );
  }

  /** `POST /.search` (RFC 7644 §3.4.3): Users and Groups in one list. */
  private async rootSearch(tenant: string, base: string, q: QueryParams): Promise<ScimResponse> {
    const rt = await this.states.get(tenant);
    const proj = projection(q.attributes, q.excludedAttributes);
    const matched = rootMatches(q, [RESOURCES.User, RESOURCES.Group], (spec) => views(rt, spec.kind));
    const { start, count } = listWindow(q, this.options.maxResults);
    const page = matched.slice(start - 1, start - 1 + count);
    return ok(
      listResponse(
        page.map((m) => egress(m.spec, m.resource, base, proj)),
        matched.length,
        start,
      ),
    );
  }

  private async read(tenant: string, spec: ResourceSpec, base: string, id: string, query: URLSearchParams) {
    const rt = await this.states.get(tenant);
    const stored = getResource(rt, spec, id);
    return this.answer(rt, spec, base, stored, query, id);
  }

  private async create(tenant: string, spec: ResourceSpec, base: string, body: unknown, query: URLSearchParams) {
    const attrs = ingest(spec, body);
    const rt = await this.states.get(tenant);
    const stored = await this.states.write(rt, (d) =>
      createResource(d, spec, attrs, this.options.now, this.options.newId),
    );
    const location = locationOf(base, spec, stored.id);
    const resource = egress(spec, view(rt, spec.kind, stored), base, projectionOf(query));
    return { status: 201, headers: { ...JSON_HEADERS, location }, body: resource };
  }

  private async replace(
    tenant: string,
    spec: ResourceSpec,
    base: string,
    id: string,
    body: unknown,
    query: URLSearchParams,
  ) {
    const attrs = ingest(spec, body);
    const rt = await this.states.get(tenant);
    const stored = await this.states.write(rt, (d) => replaceResource(d, spec, id, attrs, this.options.now));
    return this.answer(rt, spec, base, stored, query, id);
  }

  private async patch(
    tenant: string,
    spec: ResourceSpec,
    base: string,
    id: string,
    body: unknown,
    query: URLSearchParams,
  ) {
    const rt = await this.states.get(tenant);
    const stored = await this.states.write(rt, (d) => patchResource(d, spec, id, body, this.options.now));
    // Groups: 204, as Entra and Okta expect (a large member list is not sent back) unless asked for.
    if (spec.kind === 'Group' && !query.has('attributes') && !query.has('excludedAttributes')) {
      return { status: 204, headers: {} };
    }
    return this.answer(rt, spec, base, stored, query, id);
  }

  private async remove(tenant: string, spec: ResourceSpec, id: string): Promise<ScimResponse> {
    const rt = await this.states.get(tenant);
    await this.states.write(rt, (d) => deleteResource(d, spec, id, this.options.now));
    return { status: 204, headers: {} };
  }

  /** 200 with the resource as the client sees it, projected, and its location. */
  private answer(
    rt: TenantState,
    spec: ResourceSpec,
    base: string,
    stored: StoredResource,
    query: URLSearchParams,
    id: string,
  ): ScimResponse {
    return ok(egress(spec, view(rt, spec.kind, stored), base, projectionOf(query)), {
      location: locationOf(base, spec, id),
    });
  }
}
