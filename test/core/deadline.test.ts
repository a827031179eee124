/**
 * Issue 12 §6: `--timeout-ms` must stop a slow drip. A real loopback server sends one byte every
 * few ms (in the headers, or in the body); each request has a total deadline (not axios' idle
 * timer), and each sync an overall one that aborts what is in flight and fails `incomplete`.
 * Timeouts are small so the tests stay short; the drip itself is bounded (it ends after ~6 s, so a
 * regression fails on the vitest timeout instead of hanging).
 */
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bamboohr } from '../../connectors/bamboohr/index.js';
import { main } from '../../src/cli/main.js';
import { IncompleteSyncError, OrgsyncError } from '../../src/errors.js';
import { HttpClient } from '../../src/http/client.js';
import { takeSnapshot } from '../../src/snapshot.js';
import { sync } from '../../src/sync.js';
import { captureIo } from '../helpers/cli.js';

const DRIP_EVERY_MS = 40;
const DRIP_MAX_BYTES = 150; // ~6 s at most

interface Drip {
  url: string;
  /** Requests received, and when their socket closed (ms after the request arrived). */
  requests: Array<{ at: number; closedAfterMs?: number }>;
  close(): Promise<void>;
}

/** An HTTP server answering 200 + JSON headers at once, then the body one byte per tick. */
async function dripBody(): Promise<Drip> {
  const requests: Drip['requests'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const entry: Drip['requests'][number] = { at: Date.now() };
    requests.push(entry);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    const body = `{"employees":[],"pad":"${' '.repeat(DRIP_MAX_BYTES)}"}`;
    let i = 0;
    const t = setInterval(() => {
      if (i >= body.length) {
        clearInterval(t);
        res.end();
        return;
      }
      res.write(body[i++]!);
    }, DRIP_EVERY_MS);
    timers.add(t);
    req.socket.on('close', () => {
      entry.closedAfterMs = Date.now() - entry.at;
      clearInterval(t);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearInterval(t);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A raw TCP server that drips the status line and headers themselves, one byte per tick. */
async function dripHeaders(): Promise<Drip> {
  const requests: Drip['requests'] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const entry: Drip['requests'][number] = { at: Date.now() };
    requests.push(entry);
    const head = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-padding: ${'p'.repeat(DRIP_MAX_BYTES)}\r\ncontent-length: 2\r\n\r\n{}`;
    let i = 0;
    const t = setInterval(() => {
      if (i >= head.length) return void clearInterval(t);
      socket.write(head[i++]!);
    }, DRIP_EVERY_MS);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      entry.closedAfterMs = Date.now() - entry.at;
      clearInterval(t);
      sockets.delete(socket);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

let n = 0;
const client = (baseUrl: string, extra: Record<string, unknown> = {}) =>
  new HttpClient({
    vendor: `drip${++n}`,
    vendorName: 'Dripper',
    baseUrl,
    auth: { type: 'bearer', token: `tok_drip_secret_${n}_abcdef` },
    defaultRateLimit: { requests: Infinity, intervalMs: 1000, concurrency: 4 },
    retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 2 },
    ...extra,
  });

const servers: Drip[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

describe('per-request total deadline (http.timeoutMs)', () => {
  for (const [name, start] of [
    ['a body dripped one byte at a time', dripBody],
    ['headers dripped one byte at a time', dripHeaders],
  ] as const) {
    it(`times out ${name} after timeoutMs, though bytes keep arriving`, async () => {
      const drip = await start();
      servers.push(drip);
      const t0 = Date.now();
      const err = await client(drip.url, { timeoutMs: 300 })
        .request({ path: '/v1/people' })
        .catch((e) => e);
      const took = Date.now() - t0;
      expect(err).toBeInstanceOf(OrgsyncError);
      expect(err.kind).toBe('transient');
      expect(err.code).toBe('timeout');
      expect(err.retryable).toBe(true);
      expect(err.message).toMatch(/Dripper: GET \/v1\/people timed out after 300 ms/);
      expect(took).toBeGreaterThanOrEqual(280);
      expect(took).toBeLessThan(2000);
      // The socket was really given up, not left dripping.
      await waitFor(() => drip.requests[0]?.closedAfterMs !== undefined);
      expect(drip.requests[0]!.closedAfterMs).toBeLessThan(2000);
    }, 5000);
  }

  it('retries a timed-out attempt like any transient failure, each attempt with its own deadline', async () => {
    const drip = await dripBody();
    servers.push(drip);
    const err = await client(drip.url, { timeoutMs: 200, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } })
      .request({ path: '/x' })
      .catch((e) => e);
    expect(err.code).toBe('timeout');
    expect(drip.requests).toHaveLength(3);
  }, 5000);
});

describe('overall sync deadline (syncTimeoutMs)', () => {
  const bamboo = (url: string, http: Record<string, unknown>) =>
    bamboohr({
      subdomain: 'acme',
      apiKey: 'drip-api-key-0123456789',
      baseUrl: `${url}/api/gateway.php/acme`,
      http: { retry: { retries: 0 }, ...http },
    });

  it('aborts the request in flight and fails incomplete (sync_timeout), with no snapshot', async () => {
    const drip = await dripBody();
    servers.push(drip);
    const t0 = Date.now();
    const err = await takeSnapshot(bamboo(drip.url, { timeoutMs: 30_000 }), { syncTimeoutMs: 300 }).catch((e) => e);
    const took = Date.now() - t0;
    expect(err).toBeInstanceOf(IncompleteSyncError);
    expect(err.code).toBe('sync_timeout');
    expect(err.message).toMatch(
      /BambooHR: the sync did not finish within its overall deadline of 300 ms.*no snapshot was produced/,
    );
    expect(took).toBeLessThan(2000);
    expect(drip.requests.length).toBeGreaterThan(0);
    await waitFor(() => drip.requests.every((r) => r.closedAfterMs !== undefined));
    expect(drip.requests.map((r) => r.closedAfterMs! < 2000)).not.toContain(false);
  }, 5000);

  it('takes the deadline from the factory option http.syncTimeoutMs, and applies it to sync() too', async () => {
    const drip = await dripBody();
    servers.push(drip);
    const err = await takeSnapshot(bamboo(drip.url, { timeoutMs: 30_000, syncTimeoutMs: 250 })).catch((e) => e);
    expect(err.code).toBe('sync_timeout');
    const err2 = await sync(bamboo(drip.url, { timeoutMs: 30_000, syncTimeoutMs: 250 }), { mode: 'full' }).catch(
      (e) => e,
    );
    expect(err2).toBeInstanceOf(IncompleteSyncError);
    expect(err2.code).toBe('sync_timeout');
  }, 5000);

  it('orgsync snapshot --sync-timeout-ms fails with exit code 1 and writes no file', async () => {
    const drip = await dripBody();
    servers.push(drip);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgsync-deadline-'));
    try {
      const out = path.join(dir, 'snap.json');
      const t = captureIo();
      const code = await main(
        [
          'snapshot',
          'bamboohr',
          '--subdomain',
          'acme',
          '--api-key',
          'drip-api-key-0123456789',
          '--base-url',
          `${drip.url}/api/gateway.php/acme`,
          '--sync-timeout-ms',
          '300',
          '--max-retries',
          '0',
          '--out',
          out,
          '--quiet',
        ],
        t.io,
      );
      expect(code).toBe(1);
      expect(t.errText()).toMatch(/incomplete error: .*overall deadline of 300 ms/);
      expect(fs.existsSync(out)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 5000);
});
