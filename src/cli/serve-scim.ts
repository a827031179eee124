/**
 * `orgsync serve-scim --port P --token T [--tenant ID] [--store PATH] [--host H]`: run the inbound
 * SCIM 2.0 endpoint for trying orgsync with a real identity provider (Okta, Entra ID, ...). Prints
 * the base URL to configure in the IdP and one line per change event as pushes arrive. Stops on
 * SIGINT/SIGTERM (or `extra.signal`), after pending writes are stored.
 *
 * Exit codes: 0 stopped normally, 1 the server failed (e.g. the port is taken), 2 bad arguments.
 */
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { formatChangesText } from '../diff.js';
import { OrgsyncError } from '../errors.js';
import { createScimHandler } from '../inbound-scim/handler.js';
import { scimClientErrorListener, toNodeListener } from '../inbound-scim/adapters.js';
import { FileScimStore, TENANT_ID, type ScimStore } from '../inbound-scim/store.js';

export interface ServeScimArgs {
  port: number;
  token: string;
  tenant?: string;
  /** A folder (one `<tenant>.scim.json` per tenant) or a `.json` file. Default `./orgsync-scim-data`. */
  store?: string;
  /**
   * A runtime config file (docs/runtime.md): keep the data in its store's database (SQLite or
   * PostgreSQL, migrated by `orgsync migrate`) instead of files, so several serve-scim processes can
   * serve one tenant. Not with `store`.
   */
  config?: string;
  /** Interface to listen on. Default 127.0.0.1 (put a TLS proxy or tunnel in front for a real IdP). */
  host?: string;
}

export interface ServeScimIo {
  stdout(s: string): void;
  stderr(s: string): void;
}

export interface ServeScimExtra {
  /** Stop the server when aborted (tests, embedding). Without it, SIGINT/SIGTERM stop it. */
  signal?: AbortSignal;
  /** Called once listening, with the SCIM base URL. */
  onListening?: (info: { baseUrl: string; port: number; host: string }) => void;
}

const BASE_PATH = '/scim/v2';
export const DEFAULT_STORE = 'orgsync-scim-data';

export async function serveScimCommand(
  args: ServeScimArgs,
  io: ServeScimIo,
  extra: ServeScimExtra = {},
): Promise<number> {
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr('orgsync serve-scim: --port must be an integer between 0 and 65535.\n');
    return 2;
  }
  if (typeof args.token !== 'string' || args.token.trim() === '') {
    io.stderr(
      'orgsync serve-scim: --token is required: the bearer token your identity provider will send (e.g. from `openssl rand -hex 32`).\n',
    );
    return 2;
  }
  if (/\s/.test(args.token)) {
    io.stderr('orgsync serve-scim: --token must not contain whitespace.\n');
    return 2;
  }
  const tenant = args.tenant ?? 'default';
  if (!TENANT_ID.test(tenant)) {
    io.stderr('orgsync serve-scim: --tenant must be 1-64 lower-case letters, digits, "-" or "_".\n');
    return 2;
  }
  if (args.token.length < 16)
    io.stderr(
      'orgsync serve-scim: warning: the token is shorter than 16 characters; use a long random token for anything but a local trial.\n',
    );
  const host = args.host ?? '127.0.0.1';
  if (args.config && args.store) {
    io.stderr('orgsync serve-scim: give --store (files) or --config (the runtime database), not both.\n');
    return 2;
  }
  const storePath = path.resolve(args.store ?? DEFAULT_STORE);
  let store: ScimStore;
  let storeLabel = storePath;
  let closeSql: (() => Promise<void>) | undefined;
  let triggerRuntime: ((tenantId: string) => Promise<boolean>) | undefined;
  if (args.config) {
    try {
      const opened = await openSqlScimStore(args.config);
      store = opened.store;
      storeLabel = opened.label;
      closeSql = opened.close;
      triggerRuntime = opened.trigger;
    } catch (e) {
      io.stderr(`orgsync serve-scim: cannot open the store: ${(e as Error).message}\n`);
      return 1;
    }
  } else
    store = /\.json$/i.test(storePath) ? new FileScimStore({ file: storePath }) : new FileScimStore({ dir: storePath });

  const handler = createScimHandler({
    store,
    tenants: [{ id: tenant, token: args.token }],
    basePath: BASE_PATH,
    onChanges: async (events, info) => {
      io.stdout(formatChangesText(events, { groups: info.current.groups }));
      // With --config, a write is an on-demand trigger for the runtime tenant of the same id (coalesced
      // with a run already due; the workers' next schedule tick picks it up).
      if (!triggerRuntime) return;
      try {
        if (await triggerRuntime(info.tenant))
          io.stdout(`Triggered runtime tenant '${info.tenant}' (due now; a worker's next tick runs it).\n`);
      } catch (e) {
        io.stderr(`orgsync serve-scim: could not trigger runtime tenant '${info.tenant}': ${(e as Error).message}\n`);
      }
    },
    onError: (e, info) => {
      const what = e instanceof OrgsyncError ? `${e.kind}: ${e.message}` : e instanceof Error ? e.message : String(e);
      io.stderr(`orgsync serve-scim: error${info.method ? ` on ${info.method} ${info.path ?? ''}` : ''}: ${what}\n`);
    },
  });

  // Load the tenant now so an unreadable store fails at start, not on the IdP's first request.
  try {
    const snap = await handler.snapshot(tenant);
    io.stdout(
      `Store: ${storeLabel} (${snap.employees.length} user(s), ${snap.groups.length} group(s) for tenant '${tenant}').\n`,
    );
  } catch (e) {
    io.stderr(`orgsync serve-scim: cannot open the store: ${(e as Error).message}\n`);
    await closeSql?.();
    return 1;
  }

  // 64 KiB of request line and headers (Node's default is 16 KiB): a filter past the handler's own
  // length limit reaches it and gets a 400 invalidFilter; beyond, Node's 431 carries a SCIM body.
  const server: Server = createServer({ maxHeaderSize: 64 * 1024 }, toNodeListener(handler));
  server.on('clientError', scimClientErrorListener);
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    io.stderr(
      `orgsync serve-scim: cannot listen on ${host}:${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`,
    );
    await handler.close();
    await closeSql?.();
    return 1;
  }
  const addr = server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? 'localhost' : host;
  const baseUrl = `http://${shownHost}:${actualPort}${BASE_PATH}`;
  io.stdout(
    [
      `SCIM 2.0 endpoint listening: ${baseUrl}`,
      `  Tenant: ${tenant}. Auth: Authorization: Bearer <the --token value> (not printed).`,
      '  In the identity provider, use the PUBLIC https URL of this endpoint (a TLS proxy or tunnel in front of it) ending in /scim/v2.',
      '  Change events are printed below as pushes arrive. Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  extra.onListening?.({ baseUrl, port: actualPort, host });

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    if (extra.signal) {
      if (extra.signal.aborted) resolve();
      else extra.signal.addEventListener('abort', stop, { once: true });
    } else {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });

  io.stdout('Stopping: finishing pending writes...\n');
  await new Promise<void>((resolve) => {
    // Requests in flight finish; idle keep-alive connections (IdPs keep them) are closed now, and
    // anything still open after 10 s is cut.
    const force = setTimeout(() => server.closeAllConnections?.(), 10_000);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections?.();
  });
  await handler.close();
  await closeSql?.();
  io.stdout('Stopped.\n');
  return 0;
}

/** The runtime's database as the SCIM store (loaded on demand: `orgsync` itself never loads pg or SQLite). */
async function openSqlScimStore(file: string): Promise<{
  store: ScimStore;
  label: string;
  close: () => Promise<void>;
  trigger: (tenantId: string) => Promise<boolean>;
}> {
  const { readFile } = await import('node:fs/promises');
  const { parseRuntimeConfig } = await import('../runtime/config.js');
  const { openStore, SqlScimStore } = await import('../runtime/index.js');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new Error(`--config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const c = parseRuntimeConfig(json);
  const sql = await openStore(c.store);
  try {
    await sql.assertMigrated();
  } catch (e) {
    await sql.close();
    throw e;
  }
  const label =
    'sqlite' in c.store
      ? `${c.store.sqlite} (runtime database)`
      : `PostgreSQL schema ${c.store.postgres.schema ?? 'orgsync'}`;
  return {
    store: new SqlScimStore(sql),
    label,
    close: () => sql.close(),
    // On the database's clock, as the runtime's schedule is; false when no runtime tenant has that id.
    trigger: async (id) => sql.trigger(id, await sql.dbNow()),
  };
}
