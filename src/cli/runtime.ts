/**
 * Runtime commands: `orgsync tenants add|list|show|remove`, `orgsync run`, `orgsync approve`,
 * `orgsync status`, `orgsync events` (and dead letters), `orgsync endpoints`, `orgsync migrate`. Every one takes `--config FILE.json`
 * (see src/runtime/config.ts; default: the embedded SQLite file ./orgsync-runtime.db).
 * Loaded only when one of them runs, so other commands never load a database driver.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import { runtimeFromConfig } from '../runtime/config.js';
import type { HandlersFor } from '../runtime/job.js';
import type { Runtime } from '../runtime/runtime.js';
import type { InProcessQueue } from '../runtime/queue/inprocess.js';
import { coerce, type ParsedArgs } from './args.js';
import type { Io } from './io.js';

type Cmd = (rest: string[], args: ParsedArgs, io: Io) => Promise<number>;

const flag = (args: ParsedArgs, name: string): string | undefined => {
  const v = args.flags.get(name);
  if (v === true) throw new ConfigError({ message: `--${name} needs a value.` });
  return v;
};

async function readJson(file: string, what: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    throw new ConfigError({ message: `cannot read ${what} ${file}: ${(e as Error).message.replace(/\s+/g, ' ')}` });
  }
}

async function open(args: ParsedArgs, io: Io, extra: { handlers?: HandlersFor } = {}): Promise<Runtime> {
  const file = flag(args, 'config') ?? io.env['ORGSYNC_RUNTIME_CONFIG'];
  const config = file ? await readJson(file, '--config') : {};
  return runtimeFromConfig(config, { env: io.env, ...extra });
}

async function withRuntime(
  args: ParsedArgs,
  io: Io,
  fn: (rt: Runtime) => Promise<number>,
  migrated = true,
): Promise<number> {
  const rt = await open(args, io);
  try {
    if (migrated) await rt.store.assertMigrated();
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/** `1h`, `30m`, `45s`, `2d` or milliseconds. */
export function parseDuration(name: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(v.trim());
  if (!m) throw new ConfigError({ message: `--${name} must be a duration like 30s, 15m, 1h, 1d (got '${v}')` });
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  return Math.round(Number(m[1]) * mult);
}

const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

export const tenantsCommand: Cmd = async (rest, args, io) => {
  const [sub, id] = rest;
  const usage =
    'orgsync tenants add ID --connector C [--options JSON|FILE] [--credentials FILE.json] [--rules FILE] [--every 1h] [--full-every 1d]\n       orgsync tenants list | show ID | remove ID   [--config FILE]\n';
  if (!sub || (sub !== 'list' && !id)) return (io.stderr(`orgsync tenants: usage:\n  ${usage}`), 2);
  return withRuntime(args, io, async (rt) => {
    switch (sub) {
      case 'add': {
        const connector = flag(args, 'connector');
        if (!connector) return (io.stderr('orgsync tenants add: --connector is required\n'), 2);
        const optRaw = flag(args, 'options');
        const options =
          optRaw === undefined
            ? {}
            : optRaw.trim().startsWith('{')
              ? JSON.parse(optRaw)
              : await readJson(optRaw, '--options');
        // Credentials come from a file or ORGSYNC_TENANT_CREDENTIALS (JSON), never from a flag value (shell history).
        const credFile = flag(args, 'credentials');
        const credentials = credFile
          ? await readJson(credFile, '--credentials')
          : io.env['ORGSYNC_TENANT_CREDENTIALS']
            ? JSON.parse(io.env['ORGSYNC_TENANT_CREDENTIALS'])
            : undefined;
        const rulesFile = flag(args, 'rules');
        const every = flag(args, 'every');
        const fullEvery = flag(args, 'full-every');
        const t = await rt.addTenant({
          id: id!,
          connector,
          options: options as Record<string, unknown>,
          ...(credentials ? { credentials: credentials as Record<string, string> } : {}),
          ...(rulesFile ? { rules: (await readJson(rulesFile, '--rules')) as any } : {}),
          schedule: {
            ...(every ? { incrementalEveryMs: parseDuration('every', every) } : {}),
            ...(fullEvery ? { fullEveryMs: parseDuration('full-every', fullEvery) } : {}),
          },
        });
        io.stdout(
          `tenant ${t.id} saved (${t.connector}${t.hasCredentials ? ', credentials encrypted' : ', no credentials'}${t.rules ? ', with rules' : ''})\n`,
        );
        return 0;
      }
      case 'list': {
        const list = await rt.listTenants();
        if (args.flags.has('json')) io.stdout(`${JSON.stringify(list, null, 2)}\n`);
        else
          for (const t of list)
            io.stdout(
              `${t.id}\t${t.connector}\tlast sync ${when(t.status.lastSyncAt)}\tnext ${when(t.status.nextRunAt)}${t.status.lastErrorKind ? `\terror ${t.status.lastErrorKind}` : ''}\n`,
            );
        return 0;
      }
      case 'show': {
        const t = await rt.getTenant(id!);
        if (!t) return (io.stderr(`orgsync tenants show: unknown tenant '${id}'\n`), 1);
        io.stdout(
          `${JSON.stringify({ ...t, plans: (await rt.plans(t.id)).map((p) => ({ planId: p.planId, status: p.status, createdAt: when(p.createdAt) })) }, null, 2)}\n`,
        );
        return 0;
      }
      case 'remove': {
        if (!(await rt.removeTenant(id!))) return (io.stderr(`orgsync tenants remove: unknown tenant '${id}'\n`), 1);
        io.stdout(`tenant ${id} removed with its snapshots, journal, plans and events\n`);
        return 0;
      }
      case 'rekey': {
        io.stdout(`${await rt.rekey()} tenant credential(s) re-encrypted with the active key\n`);
        return 0;
      }
      default:
        return (io.stderr(`orgsync tenants: unknown subcommand '${sub}'. Usage:\n  ${usage}`), 2);
    }
  });
};

/** Load `--handlers ./handlers.mjs`: a default export (handlers object, or function of the tenant) or named handler exports. */
export async function loadHandlers(file: string): Promise<HandlersFor> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(path.resolve(file)).href);
  } catch (e) {
    throw new ConfigError({ message: `cannot load --handlers ${file}: ${(e as Error).message}` });
  }
  const h = (mod['default'] ?? mod['handlers'] ?? mod) as HandlersFor;
  if (!h || (typeof h !== 'function' && typeof h !== 'object'))
    throw new ConfigError({ message: `--handlers ${file} must export provisioning handlers (default export)` });
  return h;
}

export const runCommand: Cmd = async (_rest, args, io) => {
  const file = flag(args, 'handlers');
  const handlers = file ? await loadHandlers(file) : undefined;
  const rt = await open(args, io, handlers ? { handlers } : {});
  try {
    await rt.store.assertMigrated();
    if (args.flags.has('once')) {
      if (rt.queue.kind !== 'in-process')
        return (io.stderr('orgsync run --once works with the in-process queue only\n'), 2);
      await rt.start({ schedule: false });
      const ids = await rt.tick();
      await (rt.queue as InProcessQueue).idle();
      io.stdout(`ran ${ids.length} due tenant(s)${ids.length ? `: ${ids.join(', ')}` : ''}\n`);
      const batches = await rt.deliverNow();
      if (batches) io.stdout(`delivered ${batches} event batch(es)\n`);
      return 0;
    }
    await rt.start();
    io.stderr(`orgsync run: worker ${rt.workerId} (${rt.queue.kind} queue); Ctrl-C to stop\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return 0;
  } finally {
    await rt.close();
  }
};

export const approveCommand: Cmd = async (rest, args, io) => {
  const [tenant, planId] = rest;
  if (!tenant || !planId)
    return (io.stderr('orgsync approve: usage: orgsync approve TENANT PLAN_ID [--by NAME] [--config FILE]\n'), 2);
  return withRuntime(args, io, async (rt) => {
    await rt.approve(tenant, planId, flag(args, 'by') ?? io.env['USER'] ?? 'cli');
    io.stdout(`plan ${planId} of ${tenant} approved; the tenant's next run applies it\n`);
    return 0;
  });
};

export const statusCommand: Cmd = async (_rest, args, io) =>
  withRuntime(args, io, async (rt) => {
    const lines = await rt.status();
    if (args.flags.has('json')) return (io.stdout(`${JSON.stringify(lines, null, 2)}\n`), 0);
    io.stdout(
      [
        'tenant',
        'connector',
        'last sync',
        'next run',
        'lag',
        'last error',
        'approvals',
        'requests',
        'events',
        'delivery',
      ].join('\t') + '\n',
    );
    for (const s of lines) {
      // Per endpoint: undelivered events, dead letters, failing attempts (`hook:0` is all caught up).
      const delivery =
        s.delivery
          .map(
            (d) =>
              `${d.endpointId}:${d.pending}${d.deadLetters ? ` dead=${d.deadLetters}` : ''}${d.attempts ? ` failing(${d.attempts}): ${d.lastError}` : ''}`,
          )
          .join(', ') || '-';
      io.stdout(
        [
          s.id,
          s.connector,
          when(s.lastSyncAt),
          when(s.nextRunAt),
          `${Math.round(s.lagMs / 1000)}s`,
          s.lastErrorKind ?? '-',
          s.pendingApprovals.join(',') || '-',
          String(s.requestsLastRun),
          String(s.eventOffset),
          delivery,
        ].join('\t') + '\n',
      );
    }
    return 0;
  });

export const eventsCommand: Cmd = async (rest, args, io) => {
  const tenant = rest[0];
  const redeliver = flag(args, 'redeliver');
  if (redeliver) {
    return withRuntime(args, io, async (rt) => {
      const r = await rt.redeliver(redeliver);
      if (r.ok)
        return (
          io.stdout(
            `dead letter ${redeliver} redelivered (HTTP ${r.status}, ${r.deadLetter.events.length} event(s))\n`,
          ),
          0
        );
      return (
        io.stderr(
          `dead letter ${redeliver} not delivered: ${r.error}; it stays listed (attempt ${r.deadLetter.attempts})\n`,
        ),
        1
      );
    });
  }
  if (args.flags.has('dead-letter')) {
    return withRuntime(args, io, async (rt) => {
      const list = await rt.deadLetters({
        ...(tenant ? { tenantId: tenant } : {}),
        ...(args.flags.has('all') ? { status: 'all' as const } : {}),
      });
      if (args.flags.has('json')) return (io.stdout(`${JSON.stringify(list, null, 2)}\n`), 0);
      for (const d of list) {
        io.stdout(
          `${d.id}\t${d.tenantId}\t${d.endpointId}\toffsets ${d.fromOffset}-${d.toOffset}\t${d.status}\t${d.attempts} attempt(s)\t${when(d.deadAt)}\t${d.lastError ?? '-'}\n`,
        );
      }
      if (!list.length) io.stdout('no dead letters\n');
      return 0;
    });
  }
  if (!tenant)
    return (
      io.stderr(
        'orgsync events: usage: orgsync events TENANT [--after OFFSET] [--limit N] | --dead-letter [TENANT] [--all] [--json] | --redeliver DEAD_LETTER_ID   [--config FILE]\n',
      ),
      2
    );
  const after = flag(args, 'after');
  const limit = flag(args, 'limit');
  return withRuntime(args, io, async (rt) => {
    const ev = await rt.events(
      tenant,
      after ? (coerce('after', 'number', after) as number) : 0,
      limit ? (coerce('limit', 'number', limit) as number) : 1000,
    );
    for (const e of ev) io.stdout(`${JSON.stringify(e)}\n`);
    return 0;
  });
};

export const endpointsCommand: Cmd = async (rest, args, io) => {
  const [sub, id] = rest;
  const usage =
    'orgsync endpoints add ID --url https://... [--tenant T] [--from now|start] [--max-attempts N] [--secret-file FILE]\n       orgsync endpoints list | remove ID   [--config FILE]\n';
  if (!sub || (sub !== 'list' && !id)) return (io.stderr(`orgsync endpoints: usage:\n  ${usage}`), 2);
  return withRuntime(args, io, async (rt) => {
    switch (sub) {
      case 'add': {
        const url = flag(args, 'url');
        if (!url) return (io.stderr('orgsync endpoints add: --url is required\n'), 2);
        const from = flag(args, 'from') ?? 'now';
        if (from !== 'now' && from !== 'start')
          return (io.stderr('orgsync endpoints add: --from is now or start\n'), 2);
        const tenant = flag(args, 'tenant');
        const max = flag(args, 'max-attempts');
        // A secret of your own comes from a file, never from a flag value (shell history).
        const secretFile = flag(args, 'secret-file');
        const secret = secretFile ? (await fs.readFile(secretFile, 'utf8')).trim() : undefined;
        const r = await rt.addEndpoint({
          id: id!,
          url,
          from,
          ...(tenant ? { tenantId: tenant } : {}),
          ...(max ? { maxAttempts: coerce('max-attempts', 'number', max) as number } : {}),
          ...(secret ? { secret } : {}),
        });
        io.stdout(
          `endpoint ${r.endpoint.id} added: ${r.endpoint.url} (${r.endpoint.tenantId ? `tenant ${r.endpoint.tenantId}` : 'every tenant'}, from ${from}, ${r.endpoint.maxAttempts} attempts before dead letter)\n`,
        );
        if (!secret) io.stdout(`signing secret (shown once; verify with verifyEventDelivery): ${r.secret}\n`);
        return 0;
      }
      case 'list': {
        const list = await rt.listEndpoints();
        if (args.flags.has('json')) return (io.stdout(`${JSON.stringify(list, null, 2)}\n`), 0);
        for (const e of list)
          io.stdout(
            `${e.id}\t${e.url}\t${e.tenantId ?? '*'}\tmax ${e.maxAttempts} attempts\tadded ${when(e.createdAt)}\n`,
          );
        return 0;
      }
      case 'remove': {
        if (!(await rt.removeEndpoint(id!)))
          return (io.stderr(`orgsync endpoints remove: unknown endpoint '${id}'\n`), 1);
        io.stdout(`endpoint ${id} removed with its cursors and dead letters\n`);
        return 0;
      }
      default:
        return (io.stderr(`orgsync endpoints: unknown subcommand '${sub}'. Usage:\n  ${usage}`), 2);
    }
  });
};

export const migrateCommand: Cmd = async (_rest, args, io) =>
  withRuntime(
    args,
    io,
    async (rt) => {
      const applied = await rt.store.migrate();
      io.stdout(
        applied.length
          ? `applied migration(s) ${applied.join(', ')}; schema at version ${await rt.store.schemaVersion()}\n`
          : `schema up to date (version ${await rt.store.schemaVersion()})\n`,
      );
      return 0;
    },
    false,
  );
