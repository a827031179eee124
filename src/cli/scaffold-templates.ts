/**
 * The files `orgsync new-connector` writes, generated from one description (`ConnectorDescription`:
 * id, auth scheme, paging strategy, where groups and locations come from). The connector's
 * declaration, its simulator (routes that check the chosen auth and page the chosen way), its
 * conformance registration (`<id>Simulator`, the object `connectors/simulators.ts` and the
 * conformance test both use) and the test come from the same answers, so no value is written twice.
 * Every part left for the contributor carries a `TODO(new-connector)` marker: the conformance kit's
 * first test lists all of them at once. Over 400 lines because it is one template per file, kept together.
 */

export const SCAFFOLD_AUTH = ['basic', 'bearer', 'oauth2-client-credentials'] as const;
export const SCAFFOLD_PAGING = ['single', 'offset', 'page', 'cursor', 'next-link'] as const;
export const SCAFFOLD_LISTS = ['endpoints', 'rows'] as const;
export type ScaffoldAuth = (typeof SCAFFOLD_AUTH)[number];
export type ScaffoldPaging = (typeof SCAFFOLD_PAGING)[number];
export type ScaffoldLists = (typeof SCAFFOLD_LISTS)[number];

/** The one description every generated file comes from. */
export interface ConnectorDescription {
  id: string;
  name: string;
  auth: ScaffoldAuth;
  paging: ScaffoldPaging;
  /** `endpoints`: departments and locations have endpoints; `rows`: they (and the company) come from employee rows. */
  lists: ScaffoldLists;
  mode: 'repo' | 'package';
}

/** Where generated files import from (relative paths in the repository, the published entries elsewhere). */
export interface ImportPaths {
  /** A core module as seen from the connector folder, e.g. `lib('connector/define.js')`. */
  lib(module: string): string;
  /** A core module as seen from the test folder. */
  fromTest(module: string): string;
  /** The connector folder as seen from the test folder. */
  connectorFromTest: string;
}

const M = 'TODO(new-connector)';
export const camel = (id: string) => id.replace(/[-_]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (d: ConnectorDescription) => d.name.replace(/\W/g, '');
const env = (d: ConnectorDescription, key: string) =>
  `ORGSYNC_${d.id.toUpperCase().replace(/-/g, '_')}_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** The credential options, the secret among them, and the factory options a simulator returns. */
export function authParts(d: ConnectorDescription): {
  schema: string;
  secret: string;
  httpAuth: string;
  simCheck: string;
  simCredentials: string;
  simOptions: string;
  badCredentials: string;
} {
  switch (d.auth) {
    case 'basic':
      return {
        schema: `  /** API user (sent with Basic auth). */\n  username: z.string().min(1, 'required'),\n  /** Its password or API key. */\n  password: z.string().min(1, 'required'),`,
        secret: 'password',
        httpAuth: `{ type: 'basic', username: opts.username, password: opts.password }`,
        simCheck: `const who = basicAuth(req.headers);\n      if (!who || who.user !== data.credentials.username || who.pass !== data.credentials.password) return { status: 401, body: { error: 'invalid credentials' } };`,
        simCredentials: `{ username: 'sim-${d.id}-user', password: 'sim-${d.id}-password-0123456789' }`,
        simOptions: `username: data.credentials.username, password: data.credentials.password`,
        badCredentials: `password: 'revoked-${d.id}-password-000'`,
      };
    case 'oauth2-client-credentials':
      return {
        schema: `  /** OAuth2 client id. */\n  clientId: z.string().min(1, 'required'),\n  /** OAuth2 client secret. */\n  clientSecret: z.string().min(1, 'required'),\n  /** Token endpoint (default: \`<base URL>/oauth/token\`). */\n  tokenUrl: z.string().url().optional(),`,
        secret: 'clientSecret',
        httpAuth: `{ type: 'oauth2-client-credentials', tokenUrl: opts.tokenUrl ?? \`\${opts.baseUrl ?? BASE_URL}/oauth/token\`, clientId: opts.clientId, clientSecret: opts.clientSecret }`,
        simCheck: `if (!issuer.authorized(req)) return { status: 401, body: { error: 'invalid_token' } };`,
        simCredentials: `{ clientId: 'sim-${d.id}-client', clientSecret: 'sim-${d.id}-secret-0123456789' }`,
        simOptions: `clientId: data.credentials.clientId, clientSecret: data.credentials.clientSecret`,
        badCredentials: `clientSecret: 'revoked-${d.id}-secret-000'`,
      };
    default:
      return {
        schema: `  /** API token (sent as a Bearer token). */\n  apiToken: z.string().min(1, 'required'),`,
        secret: 'apiToken',
        httpAuth: `{ type: 'bearer', token: opts.apiToken }`,
        simCheck: `if (bearerToken(req.headers) !== data.credentials.apiToken) return { status: 401, body: { error: 'invalid token' } };`,
        simCredentials: `{ apiToken: 'sim-${d.id}-token-0123456789' }`,
        simOptions: `apiToken: data.credentials.apiToken`,
        badCredentials: `apiToken: 'revoked-${d.id}-token-000'`,
      };
  }
}

/** The paginator in the declaration, and the employee listing in the simulator. */
function pagingParts(d: ConnectorDescription): { helper: string; paginate: string; simListing: string } {
  const page = `const all = data.employees;`;
  switch (d.paging) {
    case 'single':
      return {
        helper: 'singlePage',
        paginate: 'singlePage()',
        simListing: `return { status: 200, body: { employees: data.employees } };`,
      };
    case 'page':
      return {
        helper: 'pageNumberPaging',
        paginate: `pageNumberPaging({ perPage: PAGE_SIZE, perPageParam: 'per_page', totalItems: (res) => Number(res.headers['x-total-count'] ?? NaN) || undefined })`,
        simListing: `${page}\n      const per = Math.min(PAGE_SIZE, Number(req.query.get('per_page') ?? PAGE_SIZE));\n      const pageNo = Math.max(1, Number(req.query.get('page') ?? 1));\n      return { status: 200, headers: { 'X-Total-Count': String(all.length) }, body: { employees: all.slice((pageNo - 1) * per, pageNo * per) } };`,
      };
    case 'cursor':
      return {
        helper: 'cursorPaging',
        paginate: `cursorPaging({ param: 'cursor', next: (res) => (res.data as { next_cursor?: string | null }).next_cursor, prepare: (req) => ({ ...req, query: { ...req.query, limit: PAGE_SIZE } }) })`,
        simListing: `${page}\n      const cursor = req.query.get('cursor');\n      const from = cursor ? Number(cursor.slice(2)) : 0;\n      const to = from + PAGE_SIZE;\n      return { status: 200, body: { employees: all.slice(from, to), next_cursor: to < all.length ? \`c-\${to}\` : null } };`,
      };
    case 'next-link':
      return {
        helper: 'nextLinkPaging',
        paginate: `nextLinkPaging({ next: (res) => (res.data as { next?: string | null }).next, prepare: (req) => ({ ...req, query: { ...req.query, limit: PAGE_SIZE } }) })`,
        simListing: `${page}\n      const from = Number(req.query.get('start') ?? 0);\n      const to = from + PAGE_SIZE;\n      const next = to < all.length ? \`http://\${req.headers.host}/v1/employees?start=\${to}&limit=\${PAGE_SIZE}\` : null;\n      return { status: 200, body: { employees: all.slice(from, to), next } };`,
      };
    default:
      return {
        helper: 'offsetPaging',
        paginate: 'offsetPaging({ limit: PAGE_SIZE })',
        simListing: `${page}\n      const offset = Number(req.query.get('offset') ?? 0);\n      const limit = Math.min(PAGE_SIZE, Number(req.query.get('limit') ?? PAGE_SIZE));\n      return { status: 200, body: { employees: all.slice(offset, offset + limit) } };`,
      };
  }
}

export function indexTs(d: ConnectorDescription, p: ImportPaths): string {
  const v = camel(d.id);
  const T = pascal(d);
  const a = authParts(d);
  const g = pagingParts(d);
  const rows = d.lists === 'rows';
  const imports =
    d.mode === 'repo'
      ? `import { defineConnector } from '${p.lib('connector/define.js')}';\nimport { ${g.helper} } from '${p.lib('pagination/index.js')}';`
      : `import { defineConnector, ${g.helper} } from 'orgsync';`;
  const lists = rows
    ? `  // ${d.name} has no department, location or company endpoint: they come from the employee rows
  // (mapEmployee records them in the context) and the company from the options. See
  // docs/adding-a-connector.md, "Vendors without a company or department endpoint".
  listsFromEmployees: true,
  context: async () => newListsContext(),
  employees: {
    // ${M}: the endpoint that lists everyone, terminated people included (check how ${d.name} pages).
    request: { path: '/employees' },
    paginate: ${g.paginate},
    records: (res) => (res.data as { employees?: unknown[] }).employees ?? [],
    row: EmployeeRowSchema as z.ZodType<EmployeeRow>,
    map: mapEmployee,
    itemKey: (row: EmployeeRow) => row.id,
  },
  groups: (ctx) => [...ctx.groups.values()],
  locations: (ctx) => [...ctx.locations.values()],
  company: (_ctx, rt) => mapCompany(rt.options),`
    : `  employees: {
    // ${M}: the endpoint that lists everyone, terminated people included (check how ${d.name} pages).
    request: { path: '/employees' },
    paginate: ${g.paginate},
    records: (res) => (res.data as { employees?: unknown[] }).employees ?? [],
    row: EmployeeRowSchema as z.ZodType<EmployeeRow>,
    map: mapEmployee,
    itemKey: (row: EmployeeRow) => row.id,
  },
  groups: {
    request: { path: '/departments' },
    records: (res) => (res.data as { departments?: unknown[] }).departments ?? [],
    row: GroupRowSchema as z.ZodType<GroupRow>,
    map: mapGroup,
  },
  locations: {
    request: { path: '/locations' },
    records: (res) => (res.data as { locations?: unknown[] }).locations ?? [],
    row: LocationRowSchema as z.ZodType<LocationRow>,
    map: mapLocation,
  },
  company: (_ctx, rt) => mapCompany(rt.options),`;
  return `/**
 * ${d.name} connector: \`${v}({ ${authKeys(d).join(', ')} })\`. See README.md.
 * Scaffolded with: --auth ${d.auth} --paging ${d.paging} --lists ${d.lists}.
 * A connector is a declaration plus pure mappers: requests, paging, retries, rate limits and
 * errors are handled by the core. Never import axios here.
 */
import { z } from 'zod';
${imports}
import { EmployeeRowSchema, ${rows ? '' : 'GroupRowSchema, LocationRowSchema, type GroupRow, type LocationRow, '}type EmployeeRow } from './schemas.js';
import { mapCompany, mapEmployee${rows ? ', newListsContext, type ListsContext' : ', mapGroup, mapLocation'} } from './map.js';

// ${M}: the vendor's production base URL.
const BASE_URL = 'https://api.${d.id}.example/v1';
/** Records per page (the simulator pages the same way). */
export const PAGE_SIZE = 100;

export const ${v}OptionsSchema = z.object({
${a.schema}
});
export type ${T}Options = z.infer<typeof ${v}OptionsSchema>;

export const ${v} = defineConnector<${T}Options, ${rows ? 'ListsContext' : 'undefined'}>({
  id: '${d.id}',
  name: '${d.name}',
  options: ${v}OptionsSchema,
  secrets: ['${a.secret}'],
  http: (opts) => ({ baseUrl: BASE_URL, auth: ${a.httpAuth}, account: '${d.name} account' }),
  // ${M}: the vendor's documented budget (requests per interval, concurrency).
  rateLimit: { requests: 10, intervalMs: 1_000, concurrency: 2 },
  capabilities: { groups: true, locations: true, incremental: false, incrementalDeletions: false, webhooks: false, includesTerminated: true },
${lists}
});
`;
}

const authKeys = (d: ConnectorDescription) =>
  d.auth === 'basic' ? ['username', 'password'] : d.auth === 'bearer' ? ['apiToken'] : ['clientId', 'clientSecret'];

export function schemasTs(d: ConnectorDescription): string {
  const rows = d.lists === 'rows';
  return `/** Zod schemas of ${d.name}'s wire format (only what orgsync reads; unknown keys pass through). */
import { z } from 'zod';

// ${M}: describe one employee row exactly as the vendor sends it (field names, nullability, enums as strings).
export const EmployeeRowSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
});
export type EmployeeRow = z.infer<typeof EmployeeRowSchema>;
${
  rows
    ? ''
    : `
export const GroupRowSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  name: z.string(),
});
export type GroupRow = z.infer<typeof GroupRowSchema>;

export const LocationRowSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  name: z.string(),
});
export type LocationRow = z.infer<typeof LocationRowSchema>;
`
}`;
}

export function mapTs(d: ConnectorDescription, p: ImportPaths): string {
  const rows = d.lists === 'rows';
  const T = pascal(d);
  const types = 'Company, Group, Location';
  const imports =
    d.mode === 'repo'
      ? `import type { ${types} } from '${p.lib('model.js')}';\nimport type { EmployeeDraft } from '${p.lib('connector/define.js')}';`
      : `import type { ${types}, EmployeeDraft } from 'orgsync';`;
  const lists = rows
    ? `
/** Departments and locations met in the employee rows of one read (the vendor has no endpoint for them). */
export interface ListsContext {
  groups: Map<string, Group>;
  locations: Map<string, Location>;
}

export function newListsContext(): ListsContext {
  return { groups: new Map(), locations: new Map() };
}

/** Record a department named in a row and return its id (the name is the id when the vendor gives none). */
export function rememberGroup(ctx: ListsContext, name: string, type: Group['type'] = 'DEPARTMENT'): string {
  const id = \`\${type.toLowerCase()}:\${name}\`;
  if (!ctx.groups.has(id)) ctx.groups.set(id, { id, name, type, typeRaw: null, parentId: null });
  return id;
}

/** Record a location named in a row and return its id. */
export function rememberLocation(ctx: ListsContext, name: string): string {
  const id = \`location:\${name}\`;
  if (!ctx.locations.has(id)) ctx.locations.set(id, { id, name, address: null, timezone: null });
  return id;
}
`
    : `
export function mapGroup(row: GroupRow): Group {
  return { id: row.id, name: row.name, type: 'DEPARTMENT', typeRaw: null, parentId: null };
}

export function mapLocation(row: LocationRow): Location {
  return { id: row.id, name: row.name, address: null, timezone: null };
}
`;
  return `/**
 * Pure mapping from ${d.name}'s wire format to the orgsync model. No I/O here.
 * ${M}: list every vendor quirk you handle at the top of this file.
 */
${imports}
import type { EmployeeRow${rows ? '' : ', GroupRow, LocationRow'} } from './schemas.js';
import type { ${T}Options } from './index.js';
${lists}
export function mapEmployee(row: EmployeeRow${rows ? ', ctx: ListsContext' : ''}): EmployeeDraft {
  // ${M}: map every field (README table); unknown statuses -> 'UNKNOWN', unknown types -> 'OTHER', raw values kept.
  ${rows ? 'void ctx; ' : ''}throw new Error(\`${d.id}: mapEmployee is not written yet (row \${row.id})\`);
}

export function mapCompany(options: ${T}Options): Company {
  // ${M}: read the company from ${d.name} if it has an endpoint (a resource), else name it from the account.
  void options;
  throw new Error('${d.id}: mapCompany is not written yet');
}
`;
}

export function simulatorTs(d: ConnectorDescription, p: ImportPaths): string {
  const v = camel(d.id);
  const T = pascal(d);
  const a = authParts(d);
  const g = pagingParts(d);
  const rows = d.lists === 'rows';
  const oauth = d.auth === 'oauth2-client-credentials';
  const check = d.auth === 'basic' ? 'basicAuth' : d.auth === 'bearer' ? 'bearerToken' : null;
  const types = ['type SimResponse', 'type VendorRoutes'];
  const imports =
    d.mode === 'repo'
      ? [
          `import type { SampleOrg } from '${p.lib('simulator/sample-org.js')}';`,
          `import { ${[...(check ? [check] : []), 'startSimulator', ...types].join(', ')} } from '${p.lib('simulator/server.js')}';`,
          ...(oauth ? [`import { SimTokenIssuer } from '${p.lib('simulator/oauth2.js')}';`] : []),
          `import type { VendorSimulator } from '${p.lib('testing/index.js')}';`,
        ].join('\n')
      : `import { ${[check ?? 'SimTokenIssuer', 'startSimulator', ...types, 'type SampleOrg', 'type VendorSimulator'].join(', ')} } from 'orgsync/testing';`;
  return `/**
 * A local ${d.name}: serves the sample company in ${d.name}'s wire format, checks ${d.auth} auth and pages
 * like the vendor (${d.paging}). \`${v}Simulator\` is the connector's conformance registration: the
 * conformance test runs it, \`connectors/simulators.ts\` registers it (the demo, the fault matrix).
 */
${imports}
import { PAGE_SIZE } from './index.js';

export interface ${T}SimData {
  credentials: ${credentialType(d)};
  employees: Array<Record<string, unknown>>;${rows ? '' : '\n  departments: Array<Record<string, unknown>>;\n  locations: Array<Record<string, unknown>>;'}
}

/** The id ${d.name} gives a sample person (the kit matches people by it). */
export const ${v}EmployeeId = (key: number): string => \`e-\${key}\`;

export function ${v}DataFromSample(org: SampleOrg): ${T}SimData {
  // ${M}: render every sample person exactly as ${d.name} sends them (ids from ${v}EmployeeId).
  void org;
  throw new Error('${d.id}: the simulator data is not written yet');
}

export function ${v}Routes(data: ${T}SimData${oauth ? ', issuer: SimTokenIssuer' : ''}): VendorRoutes {
  return {
    vendor: '${d.id}',
    route: (path) => (path.startsWith('/v1/') ? path.slice(3) : null),
    handle(req): SimResponse {
${oauth ? `      if (req.path === '/oauth/token') return issuer.handle(req);\n` : ''}      ${a.simCheck}
      if (req.path === '/employees') {
      ${g.simListing}
      }${rows ? '' : `\n      if (req.path === '/departments') return { status: 200, body: { departments: data.departments } };\n      if (req.path === '/locations') return { status: 200, body: { locations: data.locations } };`}
      return { status: 404, body: { error: 'not found' } };
    },
  };
}

export const ${v}Simulator: VendorSimulator = {
  id: '${d.id}',
  async start(org, options) {
    const data = ${v}DataFromSample(org);
${oauth ? `    const issuer = new SimTokenIssuer({ clientId: data.credentials.clientId, clientSecret: data.credentials.clientSecret });\n` : ''}    const sim = await startSimulator(${v}Routes(data${oauth ? ', issuer' : ''}), options);
    // A changed company is served from now on (the demo's second run).
    const update = (next: SampleOrg) => void Object.assign(data, { ...${v}DataFromSample(next), credentials: data.credentials });
    return { sim, options: { ${a.simOptions}, baseUrl: \`\${sim.url}/v1\` }, update };
  },
  badCredentials: (o) => ({ ...o, ${a.badCredentials} }),
  employeesPath: '/v1/employees',
  paged: ${d.paging !== 'single'},
  sample: {
    personId: (p) => ${v}EmployeeId(p.key),
    // ${M}: say which sample attributes become groups, and what ${d.name} cannot express.
    // groups: sample attribute (department, division, team) -> the group type it becomes; fields the vendor
    // cannot express go in \`notApplicable\` (with the reason), vendor-forced differences in \`expect\`.
    groups: { department: 'DEPARTMENT' },
  },
  // The kit's first test lists every unfinished-part marker left in this folder, all at once.
  sourceDir: new URL('.', import.meta.url),
};
`;
}

function credentialType(d: ConnectorDescription): string {
  return d.auth === 'basic'
    ? '{ username: string; password: string }'
    : d.auth === 'bearer'
      ? '{ apiToken: string }'
      : '{ clientId: string; clientSecret: string }';
}

/** The simulator data's credentials (for the scaffold test's filled-in version). */
export function simCredentials(d: ConnectorDescription): string {
  return authParts(d).simCredentials;
}

export function conformanceTestTs(d: ConnectorDescription, p: ImportPaths): string {
  const v = camel(d.id);
  const kit = d.mode === 'repo' ? `'${p.fromTest('testing/conformance.js')}'` : `'orgsync/testing'`;
  return `// The same kit every shipped connector passes, with this connector's registration (simulator.ts).
// Its first run fails and lists every TODO(new-connector) left; then every sample person is checked.
import { ${v} } from '${p.connectorFromTest}/index.js';
import { ${v}Simulator } from '${p.connectorFromTest}/simulator.js';
import { runConnectorConformance } from ${kit};

runConnectorConformance(${v}, ${v}Simulator);
`;
}

export function readmeMd(d: ConnectorDescription): string {
  const keys = authKeys(d);
  return `# ${d.name} connector

\`\`\`sh
${keys
  .map((k) => (k === authParts(d).secret ? `${env(d, k)}=...` : ''))
  .filter(Boolean)
  .join(' ')} orgsync snapshot ${d.id} ${keys
    .filter((k) => k !== authParts(d).secret)
    .map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ...`)
    .join(' ')} --out snap.json
\`\`\`

## Auth
${d.auth}. ${M}: where to get credentials, scopes needed.

## Endpoints used
${M}: the endpoints ${d.name} is read from.

| data | endpoint | paging |
|---|---|---|
| employees (terminated included) | | ${d.paging} |
${d.lists === 'rows' ? '| groups, locations, company | from employee rows (no endpoint) | |' : '| groups | | |\n| locations | | |'}

## Limits
${M}: documented rate limit, how throttling is answered (status, headers).

## Field mapping
${M}: fill in every row.

| normalized | ${d.name} field | notes |
|---|---|---|
| \`id\` | | |
| \`employeeNumber\` | | |
| \`firstName\`, \`lastName\`, \`preferredName\` | | |
| \`workEmail\`, \`personalEmail\` | | |
| \`jobTitle\` | | |
| \`managerId\` | | must be another employee's \`id\` |
| \`groupIds\` | | |
| \`locationId\` | | |
| \`employmentStatus\` | | unknown values → UNKNOWN, raw kept |
| \`employmentType\` | | unknown values → OTHER, raw kept |
| \`startDate\`, \`terminationDate\` | | YYYY-MM-DD |

## Quirks
${M}: everything the vendor does that the docs don't say, and how the mapper handles it.
`;
}
