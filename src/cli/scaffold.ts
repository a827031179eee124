/**
 * `orgsync new-connector <id> [--root DIR]`: create the files of a new connector, its fixtures
 * folder and a conformance test that fails until the connector is written.
 * Two modes: inside the orgsync repository (package.json name 'orgsync') the files import the core
 * by relative path, as the shipped connectors do; in any other project they form a connector
 * package (`connectors/<id>/`, its own package.json) that imports `orgsync` and `orgsync/testing`.
 */
import { existsSync, readFileSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';

export interface ScaffoldOptions {
  id: string;
  /** Project root (default: the current directory). */
  root?: string;
  /** Where the orgsync core lives, relative imports are computed to it (default `<root>/src`). */
  coreDir?: string;
  name?: string;
  /** `repo`: inside the orgsync repository; `package`: a connector package in a user's project (default: detected). */
  mode?: 'repo' | 'package';
}

export interface ScaffoldResult {
  files: string[];
  mode: 'repo' | 'package';
  /** What to do next, for the CLI to print. */
  next: string;
}

/** `repo` when the nearest package.json above `root` is orgsync's own. */
export function detectScaffoldMode(root: string): 'repo' | 'package' {
  let dir = path.resolve(root);
  for (let i = 0; i < 50; i++) {
    const f = path.join(dir, 'package.json');
    if (existsSync(f)) {
      try {
        return (JSON.parse(readFileSync(f, 'utf8')) as { name?: string }).name === 'orgsync' ? 'repo' : 'package';
      } catch {
        return 'package';
      }
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return 'package';
}

/** The version range of orgsync (and zod) a scaffolded package depends on. */
function ownVersions(): { orgsync: string; zod: string } {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const f = path.join(dir, 'package.json');
    if (existsSync(f)) {
      const pkg = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version?: string; dependencies?: Record<string, string> };
      if (pkg.name === 'orgsync') return { orgsync: `^${pkg.version ?? '0.1.0'}`, zod: pkg.dependencies?.['zod'] ?? '^4' };
    }
    dir = path.dirname(dir);
  }
  return { orgsync: '*', zod: '^4' };
}

const camel = (id: string) => id.replace(/[-_]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export async function scaffoldConnector(o: ScaffoldOptions): Promise<ScaffoldResult> {
  if (!/^[a-z][a-z0-9-]{1,39}$/.test(o.id)) {
    throw new ConfigError({ message: `new-connector: '${o.id}' is not a valid connector id (lower-case letters, digits and dashes, starting with a letter).` });
  }
  const root = path.resolve(o.root ?? '.');
  const mode = o.mode ?? (o.coreDir ? 'repo' : detectScaffoldMode(root));
  const dir = path.join(root, 'connectors', o.id);
  const fixtures = mode === 'repo' ? path.join(root, 'fixtures', o.id) : path.join(dir, 'fixtures');
  const testDir = mode === 'repo' ? path.join(root, 'test', 'connectors', o.id) : path.join(dir, 'test');
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
  // Where each core module comes from: relative paths in the repository, the published entries elsewhere.
  const lib = (module: string) => (mode === 'repo' ? `${fromConnector}/${module}` : 'orgsync');
  const kit = (from: 'connector' | 'test', module: string) => (mode === 'repo' ? `${from === 'connector' ? fromConnector : fromTest}/${module}` : 'orgsync/testing');
  const v = camel(o.id);
  const name = o.name ?? o.id.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => `${d ? ' ' : ''}${c.toUpperCase()}`);
  const files: Record<string, string> = {
    [path.join(dir, 'index.ts')]: `/**
 * ${name} connector: \`${v}({ apiToken })\`. See README.md.
 * A connector is a declaration plus pure mappers: requests, paging, retries, rate limits and
 * errors are handled by the core. Never import axios here.
 */
import { z } from 'zod';
${mode === 'repo' ? `import { defineConnector } from '${lib('connector/define.js')}';
import { offsetPaging } from '${lib('pagination/index.js')}';` : `import { defineConnector, offsetPaging } from 'orgsync';`}
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
${mode === 'repo' ? `import type { Company, Group } from '${lib('model.js')}';
import type { EmployeeDraft } from '${lib('connector/define.js')}';` : `import type { Company, EmployeeDraft, Group } from 'orgsync';`}
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
${mode === 'repo' ? `import type { SampleOrg } from '${kit('connector', 'simulator/sample-org.js')}';
import { bearerToken, type SimResponse, type VendorRoutes } from '${kit('connector', 'simulator/server.js')}';` : `import { bearerToken, type SampleOrg, type SimResponse, type VendorRoutes } from 'orgsync/testing';`}

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
${mode === 'repo' ? `import { runConnectorConformance } from '${kit('test', 'testing/conformance.js')}';
import { startSimulator } from '${kit('test', 'simulator/server.js')}';` : `import { runConnectorConformance, startSimulator } from 'orgsync/testing';`}

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
  if (mode === 'package') {
    const versions = ownVersions();
    files[path.join(dir, 'package.json')] =
      JSON.stringify(
        {
          name: `orgsync-connector-${o.id}`,
          version: '0.0.0',
          private: true,
          description: `orgsync connector for ${name}`,
          type: 'module',
          main: './index.ts',
          scripts: { test: 'vitest run' },
          dependencies: { orgsync: versions.orgsync, zod: versions.zod },
          devDependencies: { vitest: '>=3' },
        },
        null,
        2,
      ) + '\n';
  }
  for (const [file, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text, { flag: 'wx' });
  }
  const next =
    mode === 'repo'
      ? `Next: fill in schemas.ts, map.ts and simulator.ts, register the connector in connectors/index.ts and connectors/simulators.ts, and run npx vitest run test/connectors/${o.id} (it fails until the connector works).`
      : `Next: npm install -D vitest (once), fill in schemas.ts, map.ts and simulator.ts in connectors/${o.id}/, and run npx vitest run connectors/${o.id} (it fails until the connector works). Use it with import { ${v} } from './connectors/${o.id}/index.js' and takeSnapshot(${v}({ apiToken })).`;
  return { files: Object.keys(files).map((f) => path.relative(root, f)), mode, next };
}
