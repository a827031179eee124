/**
 * `orgsync new-connector <id> [--auth A] [--paging P] [--lists L] [--root DIR]`: create the files of a
 * new connector (from one description, see scaffold-templates.ts), its fixtures folder and a
 * conformance test that fails, listing every unfinished part, until the connector is written.
 * Two modes: inside the orgsync repository (package.json name 'orgsync') the files import the core
 * by relative path, as the shipped connectors do; in any other project they form a connector
 * package (`connectors/<id>/`, its own package.json) that imports `orgsync` and `orgsync/testing`.
 */
import { existsSync, readFileSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import {
  camel,
  conformanceTestTs,
  indexTs,
  mapTs,
  readmeMd,
  schemasTs,
  SCAFFOLD_AUTH,
  SCAFFOLD_LISTS,
  SCAFFOLD_PAGING,
  simulatorTs,
  type ConnectorDescription,
  type ImportPaths,
  type ScaffoldAuth,
  type ScaffoldLists,
  type ScaffoldPaging,
} from './scaffold-templates.js';

export { SCAFFOLD_AUTH, SCAFFOLD_LISTS, SCAFFOLD_PAGING, type ScaffoldAuth, type ScaffoldLists, type ScaffoldPaging };

export interface ScaffoldOptions {
  id: string;
  /** Project root (default: the current directory). */
  root?: string;
  /** Where the orgsync core lives, relative imports are computed to it (default `<root>/src`). */
  coreDir?: string;
  name?: string;
  /** `repo`: inside the orgsync repository; `package`: a connector package in a user's project (default: detected). */
  mode?: 'repo' | 'package';
  /** How the vendor authenticates (default `bearer`). */
  auth?: ScaffoldAuth;
  /** How the employee listing pages (default `offset`). */
  paging?: ScaffoldPaging;
  /** `endpoints` (default): departments and locations have endpoints; `rows`: they and the company come from employee rows. */
  lists?: ScaffoldLists;
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
      const pkg = JSON.parse(readFileSync(f, 'utf8')) as {
        name?: string;
        version?: string;
        dependencies?: Record<string, string>;
      };
      if (pkg.name === 'orgsync')
        return { orgsync: `^${pkg.version ?? '0.1.0'}`, zod: pkg.dependencies?.['zod'] ?? '^4' };
    }
    dir = path.dirname(dir);
  }
  return { orgsync: '*', zod: '^4' };
}

const CHOICES = { auth: SCAFFOLD_AUTH, paging: SCAFFOLD_PAGING, lists: SCAFFOLD_LISTS } as const;

/** Check an answer to one of the scaffold's questions (flag or prompt). */
export function scaffoldChoice<K extends keyof typeof CHOICES>(key: K, value: string): (typeof CHOICES)[K][number] {
  const allowed = CHOICES[key] as readonly string[];
  if (!allowed.includes(value))
    throw new ConfigError({
      message: `new-connector: --${key} must be one of ${allowed.join(', ')} (got '${value}').`,
    });
  return value as (typeof CHOICES)[K][number];
}

export async function scaffoldConnector(o: ScaffoldOptions): Promise<ScaffoldResult> {
  if (!/^[a-z][a-z0-9-]{1,39}$/.test(o.id)) {
    throw new ConfigError({
      message: `new-connector: '${o.id}' is not a valid connector id (lower-case letters, digits and dashes, starting with a letter).`,
    });
  }
  const auth = scaffoldChoice('auth', o.auth ?? 'bearer');
  const paging = scaffoldChoice('paging', o.paging ?? 'offset');
  const lists = scaffoldChoice('lists', o.lists ?? 'endpoints');
  const root = path.resolve(o.root ?? '.');
  const mode = o.mode ?? (o.coreDir ? 'repo' : detectScaffoldMode(root));
  const dir = path.join(root, 'connectors', o.id);
  const fixtures = mode === 'repo' ? path.join(root, 'fixtures', o.id) : path.join(dir, 'fixtures');
  const testDir = mode === 'repo' ? path.join(root, 'test', 'connectors', o.id) : path.join(dir, 'test');
  try {
    await fs.access(dir);
    throw new ConfigError({
      message: `new-connector: ${path.relative(root, dir)} already exists; pick another id or remove it.`,
    });
  } catch (e) {
    if (e instanceof ConfigError) throw e;
  }
  const core = path.resolve(o.coreDir ?? path.join(root, 'src'));
  const rel = (from: string, to: string) => {
    const r = path.relative(from, to).split(path.sep).join('/');
    return r.startsWith('.') ? r : `./${r}`;
  };
  const paths: ImportPaths = {
    lib: (module) => `${rel(dir, core)}/${module}`,
    fromTest: (module) => `${rel(testDir, core)}/${module}`,
    connectorFromTest: rel(testDir, dir),
  };
  const v = camel(o.id);
  const name =
    o.name ?? o.id.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => `${d ? ' ' : ''}${c.toUpperCase()}`);
  // The one description every file below comes from.
  const d: ConnectorDescription = { id: o.id, name, auth, paging, lists, mode };
  const files: Record<string, string> = {
    [path.join(dir, 'index.ts')]: indexTs(d, paths),
    [path.join(dir, 'schemas.ts')]: schemasTs(d),
    [path.join(dir, 'map.ts')]: mapTs(d, paths),
    [path.join(dir, 'simulator.ts')]: simulatorTs(d, paths),
    [path.join(dir, 'README.md')]: readmeMd(d),
    [path.join(fixtures, 'README.md')]:
      `# ${name} fixtures\n\nRecorded-style responses, one file per endpoint and page, in the vendor's exact shape (field names, nesting, headers, error bodies).\n`,
    [path.join(testDir, 'conformance.test.ts')]: conformanceTestTs(d, paths),
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
      ? [
          `Next: fill in every TODO(new-connector) (schemas.ts, map.ts, simulator.ts, README.md) and run npx vitest run test/connectors/${o.id}: its first run lists every unfinished part.`,
          `Then register it: connectors/index.ts (import { ${v} } from './${o.id}/index.js'), connectors/simulators.ts (${o.id}: ${v}Simulator, from './${o.id}/simulator.js')`,
          `and a fault adapter in test/faults/adapters.ts (declare its shape: oneRequest, noEmploymentType).`,
        ].join('\n')
      : `Next: npm install -D vitest (once), fill in every TODO(new-connector) in connectors/${o.id}/ and run npx vitest run connectors/${o.id}: its first run lists every unfinished part. Use it with import { ${v} } from './connectors/${o.id}/index.js' and takeSnapshot(${v}({ ... })).`;
  return { files: Object.keys(files).map((f) => path.relative(root, f)), mode, next };
}

const QUESTIONS = {
  auth: { question: 'How does the vendor authenticate?', fallback: 'bearer' },
  paging: { question: 'How does its employee listing page?', fallback: 'offset' },
  lists: {
    question: 'Where do departments and locations come from (endpoints of their own, or the employee rows)?',
    fallback: 'endpoints',
  },
} as const;

/**
 * The scaffold's three answers: each flag given, else asked (when `ask` is there: a terminal), else
 * its default. An empty answer takes the default; a wrong one is asked again (three times at most).
 */
export async function scaffoldAnswers(
  flags: { auth?: string | undefined; paging?: string | undefined; lists?: string | undefined },
  ask?: (question: string) => Promise<string>,
): Promise<{ auth: ScaffoldAuth; paging: ScaffoldPaging; lists: ScaffoldLists }> {
  const answer = async <K extends keyof typeof CHOICES>(key: K): Promise<(typeof CHOICES)[K][number]> => {
    const given = flags[key];
    if (given !== undefined) return scaffoldChoice(key, given);
    if (!ask) return QUESTIONS[key].fallback as (typeof CHOICES)[K][number];
    for (let i = 0; ; i++) {
      const said = (
        await ask(`${QUESTIONS[key].question} ${CHOICES[key].join(' | ')} [${QUESTIONS[key].fallback}]: `)
      ).trim();
      try {
        return scaffoldChoice(key, said || QUESTIONS[key].fallback);
      } catch (e) {
        if (i >= 2) throw e;
      }
    }
  };
  return { auth: await answer('auth'), paging: await answer('paging'), lists: await answer('lists') };
}

/** One question on the terminal (stdin/stderr), for `scaffoldAnswers`. */
export async function askOnTerminal(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}
