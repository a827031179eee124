/**
 * A local SCIM 2.0 service provider: serves the sample company as SCIM Users (core + Enterprise
 * User extension) and Groups under `/scim/v2`, with bearer auth, ServiceProviderConfig, ListResponse
 * paging, `filter=meta.lastModified gt "…"`, and SCIM error bodies. Options reproduce what real
 * servers do wrong (stringly booleans, `manager` as a string, 0-based startIndex, ignored `count`,
 * wrap-around past the end, missing `totalResults`, numeric error `status`), one switch each.
 */
import type { SampleOrg, SamplePerson } from '../../src/simulator/sample-org.js';
import { bearerToken, type SimRequest, type SimResponse, type VendorRoutes } from '../../src/simulator/server.js';
import {
  CORE_GROUP,
  CORE_USER,
  ENTERPRISE_USER,
  ERROR_MESSAGE,
  LIST_RESPONSE,
  SERVICE_PROVIDER_CONFIG,
} from './schemas.js';

export type ScimResource = Record<string, unknown>;

export interface ScimSimData {
  token: string;
  /** Where the service is mounted (the connector's baseUrl is `${sim.url}${basePath}`). */
  basePath: string;
  users: ScimResource[];
  groups: ScimResource[];
  serviceProviderConfig: ScimResource;
}

export interface ScimDataOptions {
  token?: string;
  basePath?: string;
  /** Origin used in `$ref` and `meta.location` URIs. */
  origin?: string;
  /** `active` (and `primary`) as the strings "True"/"False" (Entra without aadOptscim062020). */
  stringBooleans?: boolean;
  /**
   * Enterprise `manager` as a plain string instead of `{value, $ref, displayName}`: the manager's id
   * (`true`, Entra's usual), or their `userName` / `externalId` (Entra attribute mappings, OneLogin
   * templates).
   */
  managerAsString?: boolean | 'userName' | 'externalId';
  /** `filter.maxResults` announced in ServiceProviderConfig (default 200). */
  maxResults?: number;
  /** `filter.supported` announced in ServiceProviderConfig (default true). */
  filterSupported?: boolean;
}

const USER_TYPE: Record<SamplePerson['type'], string> = {
  full_time: 'Employee',
  part_time: 'Part-Time',
  contractor: 'Contractor',
  intern: 'Intern',
  temporary: 'Temporary',
};

/** FNV-1a, 32 bits, as 8 hex digits. */
function fnv(seed: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** A deterministic UUID-shaped id: a hash for looks, the sequence number for uniqueness. */
export function simUuid(kind: string, n: number): string {
  const h = fnv(`${kind}:${n}`);
  return `${h}-${h.slice(0, 4)}-4${h.slice(4, 7)}-8${h.slice(5, 8)}-${n.toString(16).padStart(12, '0')}`;
}

/** The SCIM id of a sample person. */
export const scimUserId = (key: number): string => simUuid('user', key);
/** The SCIM id of a sample group (by display name). */
export const scimGroupId = (name: string): string => simUuid(`group:${name}`, 0xface);
/** The cost center the simulator gives a department. */
export const costCenterOf = (org: SampleOrg, department: string): string =>
  `CC-${
    100 +
    Math.max(
      0,
      org.departments.findIndex((d) => d.name === department),
    ) *
      10
  }`;

export const ENGINEERING_TEAMS = 'Engineering Teams';

/** Render the sample company as a SCIM service provider's data. Linear in the number of people. */
export function scimDataFromSample(org: SampleOrg, opts: ScimDataOptions = {}): ScimSimData {
  const basePath = opts.basePath ?? '/scim/v2';
  const origin = (opts.origin ?? 'https://scim.acme.example').replace(/\/+$/, '');
  const root = `${origin}${basePath}`;
  const b = (v: boolean): boolean | string => (opts.stringBooleans ? (v ? 'True' : 'False') : v);
  const byKey = new Map(org.people.map((p) => [p.key, p]));
  const engineeringTeams = new Set(org.teams.filter((t) => t.department === 'Engineering').map((t) => t.name));
  const parentId = scimGroupId(ENGINEERING_TEAMS);
  const members = new Map<string, Array<{ value: string; $ref: string; display: string; type: string }>>();

  const users: ScimResource[] = org.people.map((p) => {
    const id = scimUserId(p.key);
    const display = `${p.preferredName ?? p.firstName} ${p.lastName}`;
    const mgr = p.managerKey ? byKey.get(p.managerKey) : undefined;
    const groups: ScimResource[] = [];
    if (p.team) {
      const gid = scimGroupId(p.team);
      groups.push({ value: gid, $ref: `${root}/Groups/${gid}`, display: p.team, type: 'direct' });
      if (engineeringTeams.has(p.team))
        groups.push({
          value: parentId,
          $ref: `${root}/Groups/${parentId}`,
          display: ENGINEERING_TEAMS,
          type: 'indirect',
        });
      const list = members.get(p.team) ?? [];
      list.push({ value: id, $ref: `${root}/Users/${id}`, display, type: 'User' });
      members.set(p.team, list);
    }
    const enterprise: ScimResource = {
      employeeNumber: p.employeeNumber,
      costCenter: costCenterOf(org, p.department),
      organization: org.companyName,
      division: p.division,
      department: p.department,
    };
    if (mgr) {
      const mid = scimUserId(mgr.key);
      const plain =
        opts.managerAsString === 'userName'
          ? mgr.workEmail
          : opts.managerAsString === 'externalId'
            ? `hr-${mgr.employeeNumber}`
            : mid;
      enterprise['manager'] = opts.managerAsString
        ? plain
        : {
            value: mid,
            $ref: `${root}/Users/${mid}`,
            displayName: `${mgr.preferredName ?? mgr.firstName} ${mgr.lastName}`,
          };
    }
    const user: ScimResource = {
      schemas: [CORE_USER, ENTERPRISE_USER],
      id,
      externalId: `hr-${p.employeeNumber}`,
      userName: p.workEmail,
      name: { formatted: `${p.firstName} ${p.lastName}`, familyName: p.lastName, givenName: p.firstName },
      displayName: display,
      ...(p.preferredName ? { nickName: p.preferredName } : {}),
      title: p.title,
      userType: USER_TYPE[p.type],
      // SCIM has no "not started yet": IdPs pre-create future hires disabled.
      active: b(p.status !== 'terminated' && p.status !== 'pending'),
      emails: [
        { value: p.workEmail, type: 'work', primary: b(true) },
        { value: p.personalEmail, type: 'home', primary: b(false) },
      ],
      ...(groups.length ? { groups } : {}),
      [ENTERPRISE_USER]: enterprise,
      meta: {
        resourceType: 'User',
        created: '2019-01-07T08:00:00Z',
        lastModified: p.updatedAt,
        location: `${root}/Users/${id}`,
        version: `W/"${p.key.toString(16)}-${Date.parse(p.updatedAt).toString(16)}"`,
      },
    };
    return user;
  });

  const group = (name: string, list: ScimResource[]): ScimResource => {
    const gid = scimGroupId(name);
    return {
      schemas: [CORE_GROUP],
      id: gid,
      displayName: name,
      members: list,
      meta: {
        resourceType: 'Group',
        created: '2019-01-07T08:00:00Z',
        lastModified: '2025-06-02T10:00:00Z',
        location: `${root}/Groups/${gid}`,
        version: `W/"${gid.slice(0, 12)}"`,
      },
    };
  };
  const groups: ScimResource[] = org.teams.map((t) => group(t.name, members.get(t.name) ?? []));
  groups.push(
    group(
      ENGINEERING_TEAMS,
      [...engineeringTeams].map((t) => ({
        value: scimGroupId(t),
        $ref: `${root}/Groups/${scimGroupId(t)}`,
        display: t,
        type: 'Group',
      })),
    ),
  );

  return {
    token: opts.token ?? 'sim-scim-token-9f8e7d6c5b4a39281706',
    basePath,
    users,
    groups,
    serviceProviderConfig: {
      schemas: [SERVICE_PROVIDER_CONFIG],
      documentationUri: `${origin}/help/scim`,
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: opts.filterSupported ?? true, maxResults: opts.maxResults ?? 200 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: true },
      authenticationSchemes: [
        {
          type: 'oauthbearertoken',
          name: 'OAuth Bearer Token',
          description: 'Authentication scheme using the OAuth Bearer Token Standard',
          specUri: 'https://www.rfc-editor.org/info/rfc6750',
          primary: true,
        },
      ],
      meta: { resourceType: 'ServiceProviderConfig', location: `${root}/ServiceProviderConfig` },
    },
  };
}

export interface ScimRoutesOptions {
  /**
   * `true`: the server counts from 0 in what it reports (first page `startIndex: 0`) and maps the
   * RFC's 1-based request parameter to its 0-based offset. `'strict'`: it also reads the request's
   * startIndex as a 0-based offset, so `startIndex=1` skips the first record (osiam-style).
   */
  zeroBased?: boolean | 'strict';
  /** Ignore `count` and always return this many records per page. */
  ignoreCount?: number;
  /** Past the end, return page one again (reporting the requested startIndex), like scimmy. */
  wrapAround?: boolean;
  /** Leave `totalResults` out of list responses (non-conformant). */
  omitTotalResults?: boolean;
  /** Report `totalResults` off by this much (wso2-style wrong totals). */
  totalResultsOffset?: number;
  /** `itemsPerPage` echoes the requested count instead of the number returned (default true, like scimmy and django-scim2). */
  itemsPerPageEchoesCount?: boolean;
  /** Error bodies carry `status` as a JSON number instead of the RFC's string. */
  errorStatusAsNumber?: boolean;
  /** Page size when the request has no `count` (default 100). */
  defaultCount?: number;
  /** /Groups answers 404 (a Users-only server). */
  groupsNotImplemented?: boolean;
  /** /ServiceProviderConfig answers 404. */
  serviceProviderConfigNotImplemented?: boolean;
}

const LOWER_FILTER = /^\s*meta\.lastModified\s+(gt|ge)\s+"([^"]+)"\s*$/i;
const USERNAME_FILTER = /^\s*userName\s+eq\s+"([^"]*)"\s*$/i;

export function scimRoutes(data: ScimSimData, opts: ScimRoutesOptions = {}): VendorRoutes {
  const base = data.basePath.replace(/\/+$/, '');
  const error = (
    status: number,
    detail: string,
    scimType?: string,
    headers: Record<string, string> = {},
  ): SimResponse => ({
    status,
    headers,
    body: {
      schemas: [ERROR_MESSAGE],
      ...(scimType ? { scimType } : {}),
      detail,
      status: opts.errorStatusAsNumber ? status : String(status),
    },
  });
  const maxResults =
    Number((data.serviceProviderConfig['filter'] as { maxResults?: unknown } | undefined)?.maxResults) || Infinity;

  const list = (all: ScimResource[], q: URLSearchParams): SimResponse => {
    const rawStart = q.get('startIndex');
    const rawCount = q.get('count');
    const reqStart = rawStart !== null && /^-?\d+$/.test(rawStart) ? Number(rawStart) : undefined;
    const reqCount = rawCount !== null && /^-?\d+$/.test(rawCount) ? Number(rawCount) : undefined;
    let offset: number;
    if (opts.zeroBased === 'strict') offset = Math.max(0, reqStart ?? 0);
    else offset = Math.max(1, reqStart ?? 1) - 1; // RFC: below 1 means 1; `zeroBased: true` converts the same way
    let count = Math.min(Math.max(0, reqCount ?? opts.defaultCount ?? 100), maxResults);
    if (opts.ignoreCount) count = opts.ignoreCount;
    const reported = opts.zeroBased ? offset : offset + 1;
    if (offset >= all.length && opts.wrapAround) offset = 0; // scimmy: no slicing past the end, startIndex still echoed
    const page = all.slice(offset, offset + count);
    const body: Record<string, unknown> = { schemas: [LIST_RESPONSE] };
    if (!opts.omitTotalResults) body['totalResults'] = all.length + (opts.totalResultsOffset ?? 0);
    body['itemsPerPage'] = opts.itemsPerPageEchoesCount === false ? page.length : count;
    body['startIndex'] = reported;
    if (all.length > 0 || page.length > 0) body['Resources'] = page; // RFC: Resources may be absent when totalResults is 0
    return { status: 200, body };
  };

  const filterUsers = (filter: string | null): ScimResource[] | SimResponse => {
    if (filter === null) return data.users;
    const supported = (data.serviceProviderConfig['filter'] as { supported?: unknown } | undefined)?.supported;
    if (supported === false) return error(501, 'Filtering is not supported', undefined);
    const lm = LOWER_FILTER.exec(filter);
    if (lm) {
      const since = Date.parse(lm[2]!);
      if (Number.isNaN(since)) return error(400, `Invalid date in filter: ${lm[2]}`, 'invalidFilter');
      const strict = lm[1]!.toLowerCase() === 'gt';
      return data.users.filter((u) => {
        const t = Date.parse(String((u['meta'] as { lastModified?: unknown } | undefined)?.lastModified ?? ''));
        return strict ? t > since : t >= since;
      });
    }
    const un = USERNAME_FILTER.exec(filter);
    if (un) return data.users.filter((u) => String(u['userName']).toLowerCase() === un[1]!.toLowerCase());
    return error(400, `Unsupported filter: ${filter.slice(0, 100)}`, 'invalidFilter');
  };

  const handle = (req: SimRequest): SimResponse => {
    const token = bearerToken(req.headers);
    if (!token || token !== data.token) {
      return error(401, 'Authentication failure: the bearer token is missing, invalid or expired.', undefined, {
        'WWW-Authenticate': 'Bearer realm="scim", error="invalid_token"',
      });
    }
    if (req.method !== 'GET') return error(501, `${req.method} is not implemented by this read-only simulator`);
    const p = req.path.replace(/\/+$/, '') || '/';
    if (p === '/ServiceProviderConfig') {
      return opts.serviceProviderConfigNotImplemented
        ? error(404, 'Endpoint Not Found')
        : { status: 200, body: data.serviceProviderConfig };
    }
    if (p === '/Users') {
      const users = filterUsers(req.query.get('filter'));
      return Array.isArray(users) ? list(users, req.query) : users;
    }
    if (p === '/Groups')
      return opts.groupsNotImplemented ? error(404, 'Endpoint Not Found') : list(data.groups, req.query);
    const one = /^\/(Users|Groups)\/([^/]+)$/.exec(p);
    if (one) {
      const found = (one[1] === 'Users' ? data.users : data.groups).find(
        (r) => r['id'] === decodeURIComponent(one[2]!),
      );
      return found ? { status: 200, body: found } : error(404, `Resource ${decodeURIComponent(one[2]!)} not found`);
    }
    return error(404, 'Endpoint Not Found');
  };

  return {
    vendor: 'scim',
    contentType: 'application/scim+json; charset=utf-8',
    throttleStatus: 429,
    throttleBody: {
      schemas: [ERROR_MESSAGE],
      status: opts.errorStatusAsNumber ? 429 : '429',
      detail: 'Too many requests',
    },
    route(rawPath) {
      if (rawPath === base) return '/';
      return rawPath.startsWith(`${base}/`) ? rawPath.slice(base.length) : null;
    },
    handle,
  };
}
