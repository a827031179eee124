/**
 * `orgsync` command line. One grammar for every command:
 *   orgsync snapshot <vendor> --<kebab-case of each factory option> --out FILE
 *   orgsync connectors
 *   orgsync demo [--vendor ID]
 * Exit codes: 0 ok, 1 the operation failed (typed error on stderr), 2 usage or configuration error.
 */
import { promises as fs } from 'node:fs';
import { ConfigError, OrgsyncError } from '../errors.js';
import { takeSnapshot, writeSnapshotFile } from '../snapshot.js';
import type { ConnectorFactory } from '../connector/define.js';
import type { ProgressEvent } from '../http/client.js';
import { connectors } from '../../connectors/index.js';
import { camel, coerce, envName, fieldKind, kebab, parseArgs, type ParsedArgs } from './args.js';
import { runDemo } from './demo.js';
import { applyCommand, diffCommand, orgchartCommand, planCommand } from './commands.js';
import { scaffoldConnector } from './scaffold.js';
import { serveScimCommand } from './serve-scim.js';
import { studioCommand } from './studio.js';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
}

const defaultIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
};

/** Options every `snapshot <vendor>` accepts besides the connector's own. */
const COMMON_FLAGS: Record<string, { kind: 'string' | 'boolean' | 'number'; help: string }> = {
  'base-url': { kind: 'string', help: 'override the vendor base URL (sandbox, proxy, simulator)' },
  'include-remote-data': { kind: 'boolean', help: 'keep each raw vendor row as remoteData' },
  'timeout-ms': { kind: 'number', help: 'per-request timeout in ms (default 60000)' },
  'max-retries': { kind: 'number', help: 'retries per request on 408/429/5xx/network errors (default 4)' },
};
const CLI_FLAGS = new Set(['out', 'config', 'quiet', 'help']);

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    return fail(io, e);
  }
  const [command, ...rest] = args.positionals;
  try {
    switch (command) {
      case 'snapshot':
        return await snapshotCommand(rest, args, io);
      case 'diff':
        return await diffCommand(rest, args, io);
      case 'orgchart':
        return await orgchartCommand(rest, args, io);
      case 'plan':
        return await planCommand(rest, args, io);
      case 'apply':
        return await applyCommand(rest, args, io);
      case 'new-connector': {
        const id = rest[0];
        if (!id) {
          io.stderr('orgsync new-connector: usage: orgsync new-connector <id> [--root DIR]\n');
          return 2;
        }
        const root = str(args, 'root');
        const made = await scaffoldConnector({ id, ...(root ? { root } : {}) });
        io.stdout(`created:\n${made.files.map((f) => `  ${f}`).join('\n')}\nNext: fill in schemas.ts, map.ts and simulator.ts, register the connector in connectors/index.ts and connectors/simulators.ts, and run npx vitest run test/connectors/${id} (it fails until the connector works).\n`);
        return 0;
      }
      case 'serve-scim': {
        const port = num(args, 'port');
        const token = str(args, 'token') ?? io.env['ORGSYNC_SCIM_TOKEN'];
        if (port === undefined || !token) {
          io.stderr('orgsync serve-scim: usage: orgsync serve-scim --port P --token T [--tenant ID] [--store DIR|FILE.json] [--host 127.0.0.1] (the token may come from ORGSYNC_SCIM_TOKEN)\n');
          return 2;
        }
        const tenant = str(args, 'tenant');
        const store = str(args, 'store');
        const host = str(args, 'host');
        return await serveScimCommand({ port, token, ...(tenant ? { tenant } : {}), ...(store ? { store } : {}), ...(host ? { host } : {}) }, io);
      }
      case 'studio':
        return await studioCommand(args, io);
      case 'connectors':
        io.stdout(describeConnectors());
        return 0;
      case 'demo':
        return await runDemo({ vendor: str(args, 'vendor') ?? 'bamboohr', size: num(args, 'size'), io });
      case undefined:
      case 'help':
        io.stdout(usage());
        return 0;
      default:
        io.stderr(`orgsync: unknown command '${command}'.\n\n${usage()}`);
        return 2;
    }
  } catch (e) {
    return fail(io, e);
  }
}

export function usage(): string {
  return [
    'Usage:',
    '  orgsync snapshot <vendor> --<option> VALUE ... --out FILE   read a vendor and write a complete snapshot',
    '  orgsync diff OLD.json NEW.json [--format text|json] [--out FILE]  change events between two snapshots',
    '  orgsync orgchart SNAPSHOT.json --format json|csv|mermaid|dot|html [--out FILE] [--include-terminated]',
    '  orgsync plan --rules RULES.json --from OLD.json --to NEW.json [--format text|json] [--out FILE]',
    '  orgsync apply PLAN.json [--journal FILE] [--handler console|json] [--approve PLAN_ID] [--rules RULES.json]',
    '  orgsync new-connector <id>                                 scaffold a connector and its conformance test',
    '  orgsync serve-scim --port P --token T [--store DIR]        inbound SCIM 2.0 endpoint for identity providers',
    '  orgsync studio --snapshot S.json [--previous P.json] --rules R.json [--port P]  rules editor + preview on localhost',
    '  orgsync connectors                                         list vendors and their options',
    '  orgsync demo [--vendor ID] [--size N]                      run against a local simulator with sample data',
    '',
    'Options of `snapshot` are the kebab-case of the connector factory options (companyUuid -> --company-uuid).',
    'They may also come from environment variables (ORGSYNC_<VENDOR>_<OPTION>, e.g. ORGSYNC_BAMBOOHR_API_KEY)',
    'or from --config FILE.json (keys as in the factory: {"subdomain": "acme"}). Precedence: flags, env, config.',
    '',
  ].join('\n');
}

function describeConnectors(): string {
  const lines: string[] = [];
  for (const [id, f] of Object.entries(connectors)) {
    const def = f.definition;
    lines.push(`${id} (${def.name})`);
    for (const [key, schema] of Object.entries(def.options.shape as Record<string, any>)) {
      const { kind, values } = fieldKind(schema);
      const optional = schema.safeParse(undefined).success;
      const secret = (def.secrets as readonly string[]).includes(key);
      const help = (def.optionHelp as Record<string, string> | undefined)?.[key] ?? '';
      lines.push(`  --${kebab(key)}${kind === 'boolean' ? '' : values ? ` ${values.join('|')}` : kind === 'array' ? ' A,B' : ' VALUE'}${optional ? ' (optional)' : ''}${secret ? ` [secret; env ORGSYNC_${envName(id, key)}]` : ''}${help ? `  ${help}` : ''}`);
    }
    for (const [flag, f2] of Object.entries(COMMON_FLAGS)) lines.push(`  --${flag}${f2.kind === 'boolean' ? '' : ' VALUE'} (optional)  ${f2.help}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** Build the factory options for a vendor from config file, env and flags (in increasing precedence). */
export async function resolveConnectorOptions(vendor: string, factory: ConnectorFactory<any>, args: ParsedArgs, env: Record<string, string | undefined>): Promise<Record<string, unknown>> {
  const def = factory.definition;
  const shape = def.options.shape as Record<string, any>;
  const out: Record<string, unknown> = {};
  const configFile = str(args, 'config');
  if (configFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await fs.readFile(configFile, 'utf8'));
    } catch (e) {
      throw new ConfigError({ message: `Cannot read --config ${configFile}: ${(e as Error).message}` });
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError({ message: `--config ${configFile} must hold a JSON object of connector options.` });
    for (const [k, v] of Object.entries(parsed)) if (k in shape || k === 'baseUrl' || k === 'includeRemoteData') out[k] = v;
  }
  for (const key of [...Object.keys(shape), 'baseUrl']) {
    const v = env[`ORGSYNC_${envName(vendor, key)}`] ?? env[envName(vendor, key)];
    if (v !== undefined && v !== '') out[key] = coerce(kebab(key), key === 'baseUrl' ? 'string' : fieldKind(shape[key]).kind === 'enum' ? 'string' : (fieldKind(shape[key]).kind as any), v);
  }
  const known = new Set<string>([...Object.keys(shape).map(kebab), ...Object.keys(COMMON_FLAGS), ...CLI_FLAGS]);
  for (const [flag, raw] of args.flags) {
    if (!known.has(flag)) {
      throw new ConfigError({ message: `Unknown option --${flag} for ${vendor}. Options: ${[...Object.keys(shape).map((k) => `--${kebab(k)}`), ...Object.keys(COMMON_FLAGS).map((f) => `--${f}`)].join(', ')}.` });
    }
    if (CLI_FLAGS.has(flag)) continue;
    const key = camel(flag);
    if (key in shape) {
      const { kind } = fieldKind(shape[key]);
      out[key] = coerce(flag, kind === 'enum' ? 'string' : kind, raw);
    } else if (flag === 'base-url') out['baseUrl'] = coerce(flag, 'string', raw);
    else if (flag === 'include-remote-data') out['includeRemoteData'] = coerce(flag, 'boolean', raw);
  }
  const timeoutMs = args.flags.get('timeout-ms');
  const retries = args.flags.get('max-retries');
  if (timeoutMs !== undefined || retries !== undefined) {
    out['http'] = {
      ...(timeoutMs !== undefined ? { timeoutMs: coerce('timeout-ms', 'number', timeoutMs) } : {}),
      ...(retries !== undefined ? { retry: { retries: coerce('max-retries', 'number', retries) } } : {}),
    };
  }
  return out;
}

async function snapshotCommand(rest: string[], args: ParsedArgs, io: Io): Promise<number> {
  const vendor = rest[0];
  if (!vendor) {
    io.stderr(`orgsync snapshot: which vendor? One of: ${Object.keys(connectors).join(', ')}.\n`);
    return 2;
  }
  const factory = connectors[vendor];
  if (!factory) {
    io.stderr(`orgsync snapshot: unknown vendor '${vendor}'. One of: ${Object.keys(connectors).join(', ')}.\n`);
    return 2;
  }
  const outFile = str(args, 'out');
  if (!outFile) {
    io.stderr('orgsync snapshot: --out FILE is required (the snapshot is written only when the sync completes).\n');
    return 2;
  }
  const options = await resolveConnectorOptions(vendor, factory, args, io.env);
  const quiet = args.flags.has('quiet');
  const started = Date.now();
  let pages = 0;
  const onProgress = (e: ProgressEvent) => {
    if (quiet) return;
    if (e.type === 'page') {
      pages++;
      io.stderr(`${vendor}: ${e.resource} page ${e.page} (${e.items} records${e.total !== undefined ? ` of ${e.total}` : ''})\n`);
    } else if (e.type === 'retry') io.stderr(`${vendor}: retrying in ${(e.delayMs / 1000).toFixed(1)} s: ${e.reason}\n`);
  };
  const http = { ...((options['http'] as object) ?? {}), onProgress };
  const connector = factory({ ...options, http });
  const snapshot = await takeSnapshot(connector);
  await writeSnapshotFile(outFile, snapshot);
  if (!quiet) {
    const by: Record<string, number> = {};
    for (const e of snapshot.employees) by[e.employmentStatus] = (by[e.employmentStatus] ?? 0) + 1;
    io.stderr(
      `${vendor}: wrote ${outFile}: ${snapshot.employees.length} employees (${Object.entries(by).map(([k, v]) => `${v} ${k.toLowerCase()}`).join(', ')}), ${snapshot.groups.length} groups, ${snapshot.locations.length} locations in ${((Date.now() - started) / 1000).toFixed(1)} s, ${pages} pages` +
        (snapshot.warnings.length ? `; ${snapshot.warnings.length} warnings (see "warnings" in the file)` : '') +
        '\n',
    );
  }
  return 0;
}

function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new ConfigError({ message: `--${name} needs a value.` });
  return v;
}

function num(args: ParsedArgs, name: string): number | undefined {
  const v = str(args, name);
  return v === undefined ? undefined : (coerce(name, 'number', v) as number);
}

function fail(io: Io, e: unknown): number {
  if (e instanceof OrgsyncError) {
    io.stderr(`orgsync: ${e.kind} error: ${e.message}${e.requestId ? ` (request id ${e.requestId})` : ''}\n`);
    return e.kind === 'config' ? 2 : 1;
  }
  io.stderr(`orgsync: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
  return 1;
}
