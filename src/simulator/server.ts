/**
 * A small local HTTP server that behaves like a vendor API. Each connector ships its vendor's
 * routes (`connectors/<id>/simulator.ts`); this server adds what every vendor has: auth checks
 * done by the routes, server-side rate limiting (token bucket answering 429/503 + Retry-After),
 * and injectable faults (status codes, dropped connections, truncated or HTML bodies, delays,
 * oversized bodies). Binds to 127.0.0.1 only. Used by tests, the demo and the benchmarks.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface SimRequest {
  method: string;
  /** Path after the vendor's base path (e.g. `/v1/meta/lists`). */
  path: string;
  /** The full path as received. */
  rawPath: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON. */
  body?: unknown;
}

export type Fault =
  | { type: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  /** Send the headers and part of the body, then destroy the socket. */
  | { type: 'reset' }
  /** Send the first half of the real body with a 200 and end cleanly (a truncated JSON/XML). */
  | { type: 'truncate' }
  /** A 200 (or given status) HTML page instead of the API's format. */
  | { type: 'html'; status?: number }
  /** Wait before answering (to trigger client timeouts). */
  | { type: 'delay'; ms: number }
  /** A syntactically broken body with the right content type. */
  | { type: 'malformed' }
  /** A valid-looking but huge body of `bytes` bytes. */
  | { type: 'huge'; bytes: number }
  /** Run a function before the request is handled (e.g. change the vendor's data mid-walk), then answer normally. */
  | { type: 'before'; fn: (req: SimRequest) => void | Promise<void> }
  /** Replace the response with whatever the function returns (built from the real one). */
  | { type: 'transform'; fn: (res: SimResponse, req: SimRequest) => SimResponse };

export interface FaultRule {
  /** Applies to requests whose path matches (substring or regex). Default: all. */
  match?: string | RegExp;
  method?: string;
  /** Skip this many matching requests first (e.g. fail the 2nd page). */
  after?: number;
  /** How many matching requests get the fault (default 1; Infinity for always). */
  times?: number;
  fault: Fault;
}

export interface VendorRoutes {
  vendor: string;
  /** Strip the vendor's base path; return null for paths outside it (404). */
  route(rawPath: string): string | null;
  handle(req: SimRequest): SimResponse | Promise<SimResponse>;
  /** Status and headers the vendor uses when throttling (default 429). */
  throttleStatus?: number;
  /** Body of a throttled response. */
  throttleBody?: unknown;
  /** The content type of normal bodies (default application/json). */
  contentType?: string;
}

export interface SimulatorOptions {
  port?: number;
  /** Server-side budget: requests per second (token bucket, burst = `burst` or one second's worth). */
  rateLimit?: { requestsPerSecond: number; burst?: number };
  /**
   * Serve HTTPS instead of HTTP (url `https://127.0.0.1:<port>`). With `ca`, clients must present a
   * certificate that CA signed (mutual TLS): others fail in the handshake. See `testPki()` in
   * src/simulator/tls.ts for throwaway certificates.
   */
  tls?: { cert: string; key: string; ca?: string };
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  at: number;
  /** Request headers and body, kept so a benchmark can replay the exact requests. */
  headers: Record<string, string>;
  body: string;
}

export interface Simulator {
  url: string;
  port: number;
  /** Every request answered, in order. */
  log: RequestLogEntry[];
  stats: { requests: number; throttled: number; faults: number };
  inject(rule: FaultRule): void;
  clearFaults(): void;
  close(): Promise<void>;
}

interface ActiveRule extends FaultRule {
  seen: number;
  used: number;
}

export async function startSimulator(routes: VendorRoutes, options: SimulatorOptions = {}): Promise<Simulator> {
  const rules: ActiveRule[] = [];
  const log: RequestLogEntry[] = [];
  const stats = { requests: 0, throttled: 0, faults: 0 };
  const rl = options.rateLimit;
  let tokens = rl ? (rl.burst ?? Math.max(1, rl.requestsPerSecond)) : 0;
  let last = Date.now();

  const takeToken = (): number => {
    if (!rl) return 0;
    const now = Date.now();
    const cap = rl.burst ?? Math.max(1, rl.requestsPerSecond);
    tokens = Math.min(cap, tokens + ((now - last) / 1000) * rl.requestsPerSecond);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return ((1 - tokens) / rl.requestsPerSecond) * 1000;
  };

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void respond(req, res, Buffer.concat(chunks).toString('utf8')).catch((e) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`simulator error: ${(e as Error).message}`);
        } else res.destroy();
      });
    });
  };
  const t = options.tls;
  const server = t
    ? https.createServer(
        { cert: t.cert, key: t.key, ...(t.ca ? { ca: t.ca, requestCert: true, rejectUnauthorized: true } : {}) },
        onRequest,
      )
    : http.createServer(onRequest);

  const send = (res: http.ServerResponse, r: SimResponse, contentType: string): void => {
    const body = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    const headers: Record<string, string> = { 'content-type': contentType, ...(r.headers ?? {}) };
    headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(r.status, headers);
    res.end(body);
  };

  async function respond(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const contentType = routes.contentType ?? 'application/json; charset=utf-8';
    const path = routes.route(url.pathname);
    const simReq: SimRequest = {
      method: req.method ?? 'GET',
      path: path ?? url.pathname,
      rawPath: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    const record = (status: number) =>
      log.push({
        method: simReq.method,
        path: url.pathname + url.search,
        status,
        at: Date.now(),
        headers: pickHeaders(req.headers),
        body,
      });

    const wait = takeToken();
    if (wait > 0) {
      stats.throttled++;
      const status = routes.throttleStatus ?? 429;
      record(status);
      return send(
        res,
        {
          status,
          headers: { 'Retry-After': String(Math.max(1, Math.ceil(wait / 1000))) },
          body: routes.throttleBody ?? '',
        },
        contentType,
      );
    }

    // Every matching rule counts the request; the first one still within its window applies.
    let fault: Fault | undefined;
    for (const r of rules) {
      if (r.method && r.method !== simReq.method) continue;
      if (
        r.match &&
        !(typeof r.match === 'string'
          ? (url.pathname + url.search).includes(r.match)
          : r.match.test(url.pathname + url.search))
      )
        continue;
      r.seen++;
      if (!fault && r.seen > (r.after ?? 0) && r.used < (r.times ?? 1)) {
        r.used++;
        fault = r.fault;
        stats.faults++;
      }
    }
    if (fault?.type === 'before') {
      await fault.fn(simReq);
      fault = undefined;
    }
    if (fault?.type === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.type === 'status') {
      record(fault.status);
      return send(res, { status: fault.status, headers: fault.headers ?? {}, body: fault.body ?? '' }, contentType);
    }
    if (fault?.type === 'html') {
      record(fault.status ?? 200);
      return send(
        res,
        {
          status: fault.status ?? 200,
          body: '<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>We will be right back</h1></body></html>',
        },
        'text/html; charset=utf-8',
      );
    }

    let real: SimResponse = path === null ? { status: 404, body: { error: 'not found' } } : await routes.handle(simReq);
    if (fault?.type === 'transform') real = fault.fn(real, simReq);
    const text = real.body === undefined ? '' : typeof real.body === 'string' ? real.body : JSON.stringify(real.body);
    record(real.status);
    if (fault?.type === 'reset') {
      res.writeHead(real.status, {
        'content-type': contentType,
        'content-length': String(Buffer.byteLength(text)),
        ...(real.headers ?? {}),
      });
      res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
      setTimeout(() => res.destroy(), 5);
      return;
    }
    if (fault?.type === 'truncate')
      return send(res, { ...real, body: text.slice(0, Math.floor(text.length / 2)) }, contentType);
    if (fault?.type === 'malformed')
      return send(res, { ...real, body: text.replace(/[}\]>]/g, '').concat(',') }, contentType);
    if (fault?.type === 'huge') {
      const filler = contentType.includes('xml')
        ? `<!-- ${'x'.repeat(fault.bytes)} -->`
        : JSON.stringify({ padding: 'x'.repeat(fault.bytes) });
      return send(res, { ...real, body: filler }, contentType);
    }
    send(res, real, contentType);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // e.g. EADDRINUSE for a fixed port
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${t ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    log,
    stats,
    inject: (rule) => rules.push({ ...rule, seen: 0, used: 0 }),
    clearFaults: () => void rules.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function pickHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || k === 'host' || k === 'connection' || k === 'content-length') continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Parse HTTP Basic credentials from a request. */
export function basicAuth(headers: http.IncomingHttpHeaders): { user: string; pass: string } | null {
  const h = headers['authorization'];
  if (!h || !/^basic /i.test(h)) return null;
  const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return null;
  return { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
}

/** Parse a Bearer token from a request. */
export function bearerToken(headers: http.IncomingHttpHeaders): string | null {
  const h = headers['authorization'];
  if (!h || !/^bearer /i.test(h)) return null;
  return h.slice(7).trim();
}
