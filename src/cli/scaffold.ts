/**
 * `orgsync new-connector <id> [--root DIR]`: create the files of a new connector, its fixtures
 * folder and a conformance test that fails until the connector is written.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';

export interface ScaffoldOptions {
  id: string;
  /** Project root (default: the current directory). */
  root?: string;
  /** Where the orgsync core lives, relative imports are computed to it (default `<root>/src`). */
  coreDir?: string;
  name?: string;
}

export interface ScaffoldResult {
  files: string[];
}

const camel = (id: string) => id.replace(/[-_]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export async function scaffoldConnector(o: ScaffoldOptions): Promise<ScaffoldResult> {
  if (!/^[a-z][a-z0-9-]{1,39}$/.test(o.id)) {
    throw new ConfigError({ message: `new-connector: '${o.id}' is not a valid connector id (lower-case letters, digits and dashes, starting with a letter).` });
  }
  const root = path.resolve(o.root ?? '.');
  const dir = path.join(root, 'connectors', o.id);
  const fixtures = path.join(root, 'fixtures', o.id);
  const testDir = path.join(root, 'test', 'connectors', o.id);
  try {
    await fs.access(dir);
    throw new ConfigError({ message: `new-connector: ${path.relative(root, dir)} already exists; pick another id or remove it.` });
  } catch (e) {
    if (e instanceof ConfigError) throw e;
  }
  const core = path.resolve(o.coreDir ?? path.join(root, 'src'));
  const rel = (from: string, to: string) => {
    const r = path.relative(from, to).split(path.sep).join('/');
    return r.startsWith('.') ? r : `./${r}`;
  };
  const fromConnector = rel(dir, core);
  const fromTest = rel(testDir, core);
  const v = camel(o.id);
  const name = o.name ?? o.id.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => `${d ? ' ' : ''}${c.toUpperCase()}`);
  const files: Record<string, string> = {
    [path.join(dir, 'index.ts')]: `/**
 * ${name} connector: \`${v}({ apiToken })\`. See README.md.
 * A connector is a declaration plus pure mappers: requests, paging, retries, rate limits and
 * errors are handled by the core. Never import axios here.
 */
import { z } from 'zod';
import { defineConnector } from '${fromConnector}/connector/define.js';
import { offsetPaging } from '${fromConnector}/pagination/index.js';
import { EmployeeRowSchema, GroupRowSchema, type EmployeeRow, type GroupRow } from './schemas.js';
import { mapCompany, mapEmployee, mapGroup } from './map.js';

export const ${v}OptionsSchema = z.object({
  /** API token (sent as a Bearer token). */
  apiToken: z.string().min(1, 'required'),
});
export type ${name.replace(/\W/g, '')}Options = z.infer<typeof ${v}OptionsSchema>;

export const ${v} = defineConnector<${name.replace(/\W/g, '')}Options, undefined>({
  id: '${o.id}',
  name: '${name}',
  options: ${v}OptionsSchema,
  secrets: ['apiToken'],
  // TODO: the vendor's production base URL and auth scheme.
  http: (opts) => ({ baseUrl: 'https://api.${o.id}.example/v1', auth: { type: 'bearer', token: opts.apiToken }, account: '${name} account' }),
  // TODO: the vendor's documented budget (requests per interval, concurrency).
  rateLimit: { requests: 10, intervalMs: 1_000, concurrency: 2 },
  capabilities: { groups: true, locations: false, incremental: false, incrementalDeletions: false, webhooks: false, includesTerminated: true },
  employees: {
    // TODO: the endpoint that lists everyone, terminated people included, and how it pages.
    request: { path: '/employees' },
    paginate: offsetPaging({ limit: 100 }),
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
  company: () => mapCompany(),
});
`,
    [path.join(dir, 'schemas.ts')]: `/** Zod schemas of ${name}'s wire format (only what orgsync reads; unknown keys pass through). */
import { z } from 'zod';

// TODO: describe one employee row exactly as the vendor sends it (field names, nullability, enums as strings).
export const EmployeeRowSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
});
export type EmployeeRow = z.infer<typeof EmployeeRowSchema>;

export const GroupRowSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  name: z.string(),
});
export type GroupRow = z.infer<typeof GroupRowSchema>;
`,
    [path.join(dir, 'map.ts')]: `/**
 * Pure mapping from ${name}'s wire format to the orgsync model. No I/O here.
 * List every vendor quirk you handle at the top of this file.
 */
import type { Company, Group } from '${fromConnector}/model.js';
import type { EmployeeDraft } from '${fromConnector}/connector/define.js';
import type { EmployeeRow, GroupRow } from './schemas.js';

export function mapEmployee(row: EmployeeRow): EmployeeDraft {
  // TODO: map every field (see the table in README.md); unknown statuses -> 'UNKNOWN', unknown types -> 'OTHER', raw values kept.
  throw new Error(\`${o.id}: mapEmployee is not written yet (row \${row.id})\`);
}

export function mapGroup(row: GroupRow): Group {
  return { id: row.id, name: row.name, type: 'DEPARTMENT', typeRaw: null, parentId: null };
}

export function mapCompany(): Company {
  // TODO: read the company from the vendor if it has an endpoint for it.
  throw new Error('${o.id}: mapCompany is not written yet');
}
`,
    [path.join(dir, 'simulator.ts')]: `/**
 * A local ${name}: serves the sample company in ${name}'s wire format, checks auth, pages like the
 * vendor. The conformance suite and the demo run against it.
 */
import type { SampleOrg } from '${fromConnector}/simulator/sample-org.js';
import { bearerToken, type SimResponse, type VendorRoutes } from '${fromConnector}/simulator/server.js';

export interface ${name.replace(/\W/g, '')}SimData {
  token: string;
  employees: Array<Record<string, unknown>>;
  departments: Array<Record<string, unknown>>;
}

export function ${v}DataFromSample(org: SampleOrg): ${name.replace(/\W/g, '')}SimData {
  // TODO: render every sample person exactly as the vendor would send them.
  void org;
  throw new Error('${o.id}: the simulator data is not written yet');
}

export function ${v}Routes(data: ${name.replace(/\W/g, '')}SimData): VendorRoutes {
  return {
    vendor: '${o.id}',
    route: (p) => (p.startsWith('/v1/') ? p.slice(3) : null),
    handle(req): SimResponse {
      if (bearerToken(req.headers) !== data.token) return { status: 401, body: { error: 'invalid token' } };
      const offset = Number(req.query.get('offset') ?? 0);
      const limit = Math.min(100, Number(req.query.get('limit') ?? 100));
      if (req.path === '/employees') return { status: 200, body: { employees: data.employees.slice(offset, offset + limit) } };
      if (req.path === '/departments') return { status: 200, body: { departments: data.departments } };
      return { status: 404, body: { error: 'not found' } };
    },
  };
}
`,
    [path.join(dir, 'README.md')]: `# ${name} connector

\`\`\`sh
ORGSYNC_${o.id.toUpperCase().replace(/-/g, '_')}_API_TOKEN=... orgsync snapshot ${o.id} --out snap.json
\`\`\`

## Auth
TODO: scheme, where to get credentials, scopes needed.

## Endpoints used
| data | endpoint | paging |
|---|---|---|
| employees (terminated included) | TODO | TODO |
| groups | TODO | |

## Limits
TODO: documented rate limit, how throttling is answered (status, headers).

## Field mapping
| normalized | ${name} field | notes |
|---|---|---|
| \`id\` | TODO | |
| \`employeeNumber\` | TODO | |
| \`firstName\`, \`lastName\`, \`preferredName\` | TODO | |
| \`workEmail\`, \`personalEmail\` | TODO | |
| \`jobTitle\` | TODO | |
| \`managerId\` | TODO | must be another employee's \`id\` |
| \`groupIds\` | TODO | |
| \`locationId\` | TODO | |
| \`employmentStatus\` | TODO | unknown values → UNKNOWN, raw kept |
| \`employmentType\` | TODO | unknown values → OTHER, raw kept |
| \`startDate\`, \`terminationDate\` | TODO | YYYY-MM-DD |

## Quirks
TODO: everything the vendor does that the docs don't say, and how the mapper handles it.
`,
    [path.join(fixtures, 'README.md')]: `# ${name} fixtures\n\nRecorded-style responses, one file per endpoint and page, in the vendor's exact shape (field names, nesting, headers, error bodies).\n`,
    [path.join(testDir, 'conformance.test.ts')]: `// Fails until the connector is written: the same suite every shipped connector passes.
import { ${v} } from '${rel(testDir, dir)}/index.js';
import { ${v}DataFromSample, ${v}Routes } from '${rel(testDir, dir)}/simulator.js';
import { runConnectorConformance } from '${fromTest}/testing/conformance.js';
import { startSimulator } from '${fromTest}/simulator/server.js';

runConnectorConformance(${v}, {
  async start(org) {
    const data = ${v}DataFromSample(org);
    const sim = await startSimulator(${v}Routes(data));
    return { sim, options: { apiToken: data.token, baseUrl: \`\${sim.url}/v1\` } };
  },
  badCredentials: (o) => ({ ...o, apiToken: 'revoked-token-000' }),
  employeesPath: '/v1/employees',
  paged: true,
});
`,
  };
  for (const [file, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text, { flag: 'wx' });
  }
  return { files: Object.keys(files).map((f) => path.relative(root, f)) };
}
