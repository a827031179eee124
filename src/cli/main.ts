/**
 * `orgsync` command line. One grammar for every command:
 *   orgsync snapshot <vendor> --<kebab-case of each factory option> --out FILE
 *   orgsync connectors
 *   orgsync demo [--vendor ID]
 * Exit codes: 0 ok, 1 the operation failed (typed error on stderr), 2 usage or configuration error,
 * 130/143 interrupted. Usage text of every command lives in help.ts.
 *
 * Length: the dispatcher of every command (argument checks and exit codes); each command's work is
 * in commands.ts, runtime.ts, scaffold.ts, studio.ts...
 */
import { promises as fs } from 'node:fs';
import { ConfigError, OrgsyncError } from '../errors.js';
import { CommonOptionsSchema } from '../connector/define.js';
import { takeSnapshot, writeSnapshotFile } from '../snapshot.js';
import type { ConnectorFactory } from '../connector/define.js';
import type { ProgressEvent } from '../http/client.js';
import { connectors } from '../../connectors/index.js';
import { parseJsonQuietly } from '../json-position.js';
import { camel, coerce, envName, fieldKind, kebab, parseArgs, type ParsedArgs } from './args.js';
import { runDemo } from './demo.js';
import { applyCommand, diffCommand, orgchartCommand, planCommand } from './commands.js';
import { askOnTerminal, scaffoldAnswers, scaffoldConnector } from './scaffold.js';
import { serveScimCommand } from './serve-scim.js';
import { commandHelp, usage, version } from './help.js';
import { createProgress } from './progress.js';
import { guardFileWrite } from './interrupt.js';
import { simulateCommand } from './simulate.js';
import { checkFlags, checkPositionals, positiveInt } from './commands.js';
import { studioCommand } from './studio.js';
import type { Io } from './io.js';

export { usage } from './help.js';

export type { Io } from './io.js';

const defaultIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  stderrStream: process.stderr,
  ...(process.stdin.isTTY ? { ask: askOnTerminal } : {}),
};

/** Options every `snapshot <vendor>` accepts besides the connector's own. */
const COMMON_FLAGS: Record<string, { kind: 'string' | 'boolean' | 'number'; help: string }> = {
  'base-url': { kind: 'string', help: 'override the vendor base URL (sandbox, proxy, simulator)' },
  'include-remote-data': { kind: 'boolean', help: 'keep each raw vendor row as remoteData' },
  'timeout-ms': { kind: 'number', help: 'per-request timeout in ms, connection and body included (default 60000)' },
  'sync-timeout-ms': { kind: 'number', help: 'overall deadline of the sync in ms; 0 for none (default 7200000)' },
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
  if (args.flags.has('version') && (command === undefined || command === 'version')) {
    io.stdout(`orgsync ${version()}\n`);
    return 0;
  }
  if (command === undefined) {
    io.stderr(`orgsync: no command given.\n\n${usage()}`);
    return 2;
  }
  if (command === 'help' || args.flags.has('help')) {
    const topic = command === 'help' ? rest[0] : command;
    const vendor =
      command === 'snapshot' ? rest[0] : command === 'help' && rest[0] === 'snapshot' ? rest[1] : undefined;
    let text = topic === undefined ? usage() : commandHelp(topic);
    if (text !== undefined && vendor !== undefined && connectors[vendor])
      text += `\nOptions of ${vendor}:\n${describeConnectors(vendor)}`;
    if (text !== undefined) {
      io.stdout(text);
      return 0;
    }
    if (command === 'help') {
      io.stderr(`orgsync help: unknown command '${topic}'.\n\n${usage()}`);
      return 2;
    }
  }
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
        checkPositionals(rest, 1, 'new-connector');
        checkFlags(args, 'new-connector', ['root', 'auth', 'paging', 'lists']);
        const root = str(args, 'root');
        const answers = await scaffoldAnswers(
          { auth: str(args, 'auth'), paging: str(args, 'paging'), lists: str(args, 'lists') },
          io.ask,
        );
        const made = await scaffoldConnector({ id, ...(root ? { root } : {}), ...answers });
        io.stdout(
          `created (${made.mode === 'repo' ? 'inside the orgsync repository' : 'a connector package that depends on orgsync'}):\n${made.files.map((f) => `  ${f}`).join('\n')}\n${made.next}\n`,
        );
        return 0;
      }
      case 'serve-scim': {
        const port = num(args, 'port');
        const token = str(args, 'token') ?? io.env['ORGSYNC_SCIM_TOKEN'];
        if (port === undefined || !token) {
          io.stderr(
            'orgsync serve-scim: usage: orgsync serve-scim --port P --token T [--tenant ID] [--store DIR|FILE.json | --config RUNTIME.json] [--host 127.0.0.1] (the token may come from ORGSYNC_SCIM_TOKEN)\n',
          );
          return 2;
        }
        const tenant = str(args, 'tenant');
        const store = str(args, 'store');
        const config = str(args, 'config');
        const host = str(args, 'host');
        return await serveScimCommand(
          {
            port,
            token,
            ...(tenant ? { tenant } : {}),
            ...(store ? { store } : {}),
            ...(config ? { config } : {}),
            ...(host ? { host } : {}),
          },
          io,
        );
      }
      case 'tenants':
        return await (await import('./runtime.js')).tenantsCommand(rest, args, io);
      case 'run':
        return await (await import('./runtime.js')).runCommand(rest, args, io);
      case 'approve':
        return await (await import('./runtime.js')).approveCommand(rest, args, io);
      case 'status':
        return await (await import('./runtime.js')).statusCommand(rest, args, io);
      case 'events':
        return await (await import('./runtime.js')).eventsCommand(rest, args, io);
      case 'migrate':
        return await (await import('./runtime.js')).migrateCommand(rest, args, io);
      case 'endpoints':
        return await (await import('./runtime.js')).endpointsCommand(rest, args, io);
      case 'studio':
        return await studioCommand(args, io);
      case 'connectors':
        checkPositionals(rest, 0, 'connectors');
        io.stdout(describeConnectors());
        return 0;
      case 'demo':
        checkPositionals(rest, 0, 'demo');
        checkFlags(args, 'demo', ['vendor', 'size', 'quiet', 'runtime']);
        if (args.flags.has('runtime')) return await (await import('./runtime-demo.js')).runRuntimeDemo(io);
        return await runDemo({
          vendor: str(args, 'vendor') ?? 'bamboohr',
          size: positiveInt(args, 'size'),
          quiet: args.flags.has('quiet'),
          io,
        });
      case 'simulate':
        checkPositionals(rest, 1, 'simulate');
        checkFlags(args, 'simulate', ['port', 'size', 'changes']);
        return await simulateCommand({
          vendor: rest[0] ?? '',
          port: portFlag(args),
          size: positiveInt(args, 'size'),
          changes: args.flags.has('changes'),
          io,
        });
      default:
        io.stderr(`orgsync: unknown command '${command}'.\n\n${usage()}`);
        return 2;
    }
  } catch (e) {
    return fail(io, e);
  }
}

function describeConnectors(only?: string): string {
  const lines: string[] = [];
  for (const [id, f] of Object.entries(connectors)) {
    if (only !== undefined && id !== only) continue;
    const def = f.definition;
    lines.push(`${id} (${def.name})`);
    for (const [key, schema] of Object.entries(def.options.shape as Record<string, any>)) {
      const { kind, values } = fieldKind(schema);
      const optional = schema.safeParse(undefined).success;
      const secret = (def.secrets as readonly string[]).includes(key);
      const help = (def.optionHelp as Record<string, string> | undefined)?.[key] ?? '';
      lines.push(
        `  --${kebab(key)}${kind === 'boolean' ? '' : values ? ` ${values.join('|')}` : kind === 'array' ? ' A,B' : ' VALUE'}${optional ? ' (optional)' : ''}${secret ? ` [secret; env ORGSYNC_${envName(id, key)}]` : ''}${help ? `  ${help}` : ''}`,
      );
    }
    for (const [flag, f2] of Object.entries(COMMON_FLAGS)) {
      if (camel(flag) in def.options.shape) continue; // the connector's own option says it better (SCIM's --base-url)
      lines.push(`  --${flag}${f2.kind === 'boolean' ? '' : ' VALUE'} (optional)  ${f2.help}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Build the factory options for a vendor from config file, env and flags (in increasing precedence). */
export async function resolveConnectorOptions(
  vendor: string,
  factory: ConnectorFactory<any>,
  args: ParsedArgs,
  env: Record<string, string | undefined>,
): Promise<Record<string, unknown>> {
  const def = factory.definition;
  const shape = def.options.shape as Record<string, any>;
  const out: Record<string, unknown> = {};
  const configFile = str(args, 'config');
  if (configFile) {
    let parsed: unknown;
    let text: string;
    try {
      text = await fs.readFile(configFile, 'utf8');
    } catch (e) {
      throw new ConfigError({
        message: `Cannot read --config ${configFile}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}.`,
      });
    }
    try {
      // Never quote the file: it holds credentials. Say where it is broken instead.
      parsed = parseJsonQuietly(text, `--config ${configFile}`);
    } catch (e) {
      throw new ConfigError({ message: `${(e as Error).message}.`, code: 'config_syntax' });
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new ConfigError({ message: `--config ${configFile} must hold a JSON object of connector options.` });
    const allowed = [...Object.keys(shape), 'baseUrl', 'includeRemoteData'];
    const unknown = Object.keys(parsed).filter((k) => !allowed.includes(k));
    if (unknown.length) {
      throw new ConfigError({
        message: `--config ${configFile}: unknown key${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `'${k}'`).join(', ')} for ${vendor}. Keys: ${allowed.join(', ')}.`,
      });
    }
    for (const [k, v] of Object.entries(parsed)) out[k] = v;
  }
  for (const key of [...Object.keys(shape), 'baseUrl']) {
    const v = env[`ORGSYNC_${envName(vendor, key)}`] ?? env[envName(vendor, key)];
    if (v !== undefined && v !== '')
      out[key] = coerce(
        kebab(key),
        key === 'baseUrl'
          ? 'string'
          : fieldKind(shape[key]).kind === 'enum'
            ? 'string'
            : (fieldKind(shape[key]).kind as any),
        v,
      );
  }
  const known = new Set<string>([...Object.keys(shape).map(kebab), ...Object.keys(COMMON_FLAGS), ...CLI_FLAGS]);
  for (const [flag, raw] of args.flags) {
    if (!known.has(flag)) {
      throw new ConfigError({
        message: `Unknown option --${flag} for ${vendor}. Options: ${[...Object.keys(shape).map((k) => `--${kebab(k)}`), ...Object.keys(COMMON_FLAGS).map((f) => `--${f}`)].join(', ')}.`,
      });
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
  const syncTimeoutMs = args.flags.get('sync-timeout-ms');
  if (timeoutMs !== undefined || retries !== undefined || syncTimeoutMs !== undefined) {
    out['http'] = {
      ...(timeoutMs !== undefined ? { timeoutMs: coerce('timeout-ms', 'number', timeoutMs) } : {}),
      ...(syncTimeoutMs !== undefined ? { syncTimeoutMs: coerce('sync-timeout-ms', 'number', syncTimeoutMs) } : {}),
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
  checkPositionals(rest, 1, 'snapshot');
  const options = await resolveConnectorOptions(vendor, factory, args, io.env);
  checkConnectorOptions(vendor, factory, options);
  const quiet = args.flags.has('quiet');
  const started = Date.now();
  const progress = createProgress({ io, label: vendor, quiet });
  const onProgress = (e: ProgressEvent) => progress.event(e);
  const http = { ...((options['http'] as object) ?? {}), onProgress };
  const connector = factory({ ...options, http });
  const guard = guardFileWrite(
    outFile,
    (line) => {
      progress.done();
      io.stderr(line);
    },
    `no snapshot written (${outFile} is unchanged)`,
  );
  let snapshot: Awaited<ReturnType<typeof takeSnapshot>>;
  try {
    snapshot = await takeSnapshot(connector);
    progress.phase(`writing ${outFile}`);
    await writeSnapshotFile(outFile, snapshot);
  } finally {
    guard.release();
    progress.done();
  }
  if (!quiet) {
    const by: Record<string, number> = {};
    for (const e of snapshot.employees) by[e.employmentStatus] = (by[e.employmentStatus] ?? 0) + 1;
    io.stderr(
      `${vendor}: wrote ${outFile}: ${snapshot.employees.length} employees (${Object.entries(by)
        .map(([k, v]) => `${v} ${k.toLowerCase()}`)
        .join(
          ', ',
        )}), ${snapshot.groups.length} groups, ${snapshot.locations.length} locations in ${((Date.now() - started) / 1000).toFixed(1)} s, ${progress.pages} pages` +
        (snapshot.warnings.length ? `; ${snapshot.warnings.length} warnings (see "warnings" in the file)` : '') +
        '\n',
    );
  }
  return 0;
}

/**
 * Validate the resolved options before the connector does, naming each missing or invalid option
 * the way a CLI user sets it: the flag, the environment variable, the --config key.
 */
function checkConnectorOptions(vendor: string, factory: ConnectorFactory<any>, options: Record<string, unknown>): void {
  const def = factory.definition;
  const parsed = def.options.merge(CommonOptionsSchema).safeParse(options);
  if (parsed.success) return;
  const secrets = new Set<string>(def.secrets as readonly string[]);
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? '');
    if (!key || seen.has(key)) continue;
    seen.add(key);
    const where = `--${kebab(key)} (or ORGSYNC_${envName(vendor, key)}${secrets.has(key) ? '' : `, or "${key}" in --config`})`;
    problems.push(
      options[key] === undefined
        ? `missing ${where}`
        : `invalid ${where}: ${secrets.has(key) ? 'not an accepted value' : issue.message}`,
    );
  }
  throw new ConfigError({
    vendor,
    message: `${def.name}: ${problems.join('; ')}. See: orgsync snapshot ${vendor} --help.`,
  });
}

/** `--port P`: an integer 0..65535 (0 = any free port). */
function portFlag(args: ParsedArgs): number | undefined {
  const p = num(args, 'port');
  if (p !== undefined && (!Number.isInteger(p) || p < 0 || p > 65535))
    throw new ConfigError({ message: `--port must be an integer from 0 to 65535, got '${args.flags.get('port')}'.` });
  return p;
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
  const sys = systemErrorMessage(e);
  if (sys) {
    io.stderr(`orgsync: config error: ${sys}\n`);
    return 2;
  }
  io.stderr(`orgsync: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
  return 1;
}

/** A file or network error from Node (ENOENT, EACCES, EADDRINUSE, ...) as one clean line, else undefined. */
export function systemErrorMessage(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException & { address?: string; port?: number };
  if (!err || typeof err !== 'object' || typeof err.code !== 'string' || !/^E[A-Z]+$/.test(err.code)) return undefined;
  const what: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'a parent is not a directory',
    EEXIST: 'already exists',
    ENOSPC: 'no space left on device',
    EROFS: 'read-only file system',
    EADDRINUSE: 'address already in use',
    EADDRNOTAVAIL: 'address not available',
  };
  const target = err.path ?? (err.port !== undefined ? `${err.address ?? ''}:${err.port}` : undefined);
  const action =
    err.syscall === 'open' || err.syscall === 'read' ? 'cannot open' : err.syscall ? `cannot ${err.syscall}` : 'failed';
  return `${action}${target ? ` '${target}'` : ''}: ${what[err.code] ?? err.code} (${err.code}).`;
}
