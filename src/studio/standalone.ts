/**
 * `startStudio`: the studio on its own loopback HTTP server (what `orgsync studio` runs). Listens on
 * 127.0.0.1 only, with a random token in the URL that guards every request, and a Host check
 * against DNS rebinding.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readSnapshotFile } from '../snapshot.js';
import { parseRuleSetJson } from '../provisioning/rules.js';
import { createStudioHandler } from './server.js';
import { fileRulesStore } from './store.js';

export interface StartStudioOptions {
  snapshot: string;
  previous?: string;
  rules: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Defaults to a random 192-bit token. */
  token?: string;
  now?: () => Date;
}

export interface RunningStudio {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startStudio(opts: StartStudioOptions): Promise<RunningStudio> {
  // Fail before listening: unreadable snapshots or rules are a usage error, not a broken page.
  const current = await readSnapshotFile(opts.snapshot);
  const previous = opts.previous ? await readSnapshotFile(opts.previous) : null;
  const store = fileRulesStore(opts.rules);
  const text = await store.loadRules();
  try {
    parseRuleSetJson(text);
  } catch {
    // an invalid rule set still opens: the page shows the problems on their fields
  }
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const hosts: string[] = [];
  const handler = createStudioHandler({
    loadSnapshot: () => current,
    loadPrevious: () => previous,
    loadRules: () => store.loadRules(),
    saveRules: (t) => store.saveRules(t),
    token,
    allowedHosts: hosts,
    ...(opts.now ? { now: opts.now } : {}),
  });
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hosts.push(`127.0.0.1:${port}`, `localhost:${port}`);
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
