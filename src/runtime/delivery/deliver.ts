/**
 * Outbound event delivery: each tenant's event log, in offset order, POSTed to the user's HTTPS
 * endpoints from a stored cursor. At least once (a receiver dedupes on the event id), signed
 * (signature.ts), retried with exponential backoff and jitter where the retry is data (attempts and
 * the next attempt time live in the cursor row, on the database clock, so any worker picks it up),
 * dead-lettered after the endpoint's `maxAttempts` (the stream then moves on), redeliverable.
 * Runs in every worker of either deployment; a per-stream lease makes one worker at a time deliver
 * a given tenant to a given endpoint, which is what keeps the order.
 *
 * Length: one delivery loop (claim, send, record, back off, dead-letter), kept together for the
 * ordering argument above; signing is in signature.ts.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { ConfigError } from '../../errors.js';
import type { Logger } from '../../http/client.js';
import type { Keyring } from '../crypto.js';
import { eventsAfter, type SqlStore } from '../store/store.js';
import type { RuntimeEvent } from '../types.js';
import { signEventDelivery, type DeliveredEvent, type EventDeliveryBody } from './signature.js';
import { DeliveryStore, type CursorRow, type DeadLetter, type EndpointRow } from './store.js';

export interface DeliveryOptions {
  /** How often a worker looks for due streams (default 1000 ms); a job that wrote events also wakes it. */
  everyMs?: number;
  /** Streams delivered at once per worker (default 4). */
  concurrency?: number;
  /** Events per request, at most (default 50). */
  batchSize?: number;
  /** Per attempt, connect to the end of the response (default 10 000 ms). */
  timeoutMs?: number;
  /** Retry n waits min(maxMs, baseMs * 2^(n-1)) scaled by a random factor in [0.5, 1] (defaults 5 s, 1 h). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Default attempts before a batch is dead-lettered, for endpoints added without one (default 12, ~2.4 h). */
  maxAttempts?: number;
  /** Extra CA certificates (PEM) trusted for endpoints with a private CA. */
  ca?: string | Buffer | Array<string | Buffer>;
}

export interface EndpointInput {
  id: string;
  /** `https://...`; `http://` only for a loopback host (development, tests). */
  url: string;
  /** Only this tenant's events (default: every tenant's). */
  tenantId?: string | null;
  /** Signing secret (default: generated, returned once by `addEndpoint`); stored encrypted. */
  secret?: string;
  maxAttempts?: number;
  /** Deliver each tenant's log from its beginning (`start`) or from now on (`now`, the default). */
  from?: 'start' | 'now';
}

export interface AttemptResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  ms: number;
}

const ENDPOINT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function checkEndpointUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError({ message: `endpoint url is not a URL`, code: 'endpoint_invalid' });
  }
  if (u.username || u.password)
    throw new ConfigError({
      message: 'endpoint url must not carry credentials (the signature authenticates orgsync)',
      code: 'endpoint_invalid',
    });
  if (u.protocol === 'https:') return u;
  if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return u;
  throw new ConfigError({
    message: `endpoint url must be https:// (http:// only for a loopback host), got ${u.protocol}//${u.host}`,
    code: 'endpoint_invalid',
  });
}

const toDelivered = (e: RuntimeEvent): DeliveredEvent => ({
  id: `${e.tenantId}:${e.offset}`,
  tenantId: e.tenantId,
  offset: e.offset,
  type: e.type,
  at: e.at,
  data: e.data,
});

export class EventDelivery {
  readonly store: DeliveryStore;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = true;
  private readonly busy = new Set<string>();
  private readonly secrets = new Map<string, { cipher: string; plain: string }>();
  private endpointsCache: { at: number; rows: Map<string, EndpointRow> } | null = null;
  private readonly o: Required<Omit<DeliveryOptions, 'ca' | 'backoff'>> & {
    backoff: { baseMs: number; maxMs: number };
    ca?: DeliveryOptions['ca'];
  };

  constructor(
    sql: SqlStore,
    private readonly keys: () => Keyring,
    private readonly workerId: string,
    options: DeliveryOptions = {},
    private readonly logger?: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.store = new DeliveryStore(sql.driver);
    this.o = {
      everyMs: options.everyMs ?? 1000,
      concurrency: Math.max(1, options.concurrency ?? 4),
      batchSize: Math.max(1, options.batchSize ?? 50),
      timeoutMs: options.timeoutMs ?? 10_000,
      backoff: { baseMs: options.backoff?.baseMs ?? 5000, maxMs: options.backoff?.maxMs ?? 3_600_000 },
      maxAttempts: options.maxAttempts ?? 12,
      ...(options.ca ? { ca: options.ca } : {}),
    };
  }

  async addEndpoint(e: EndpointInput, now: number): Promise<{ endpoint: EndpointRow; secret: string }> {
    if (!e || typeof e.id !== 'string' || !ENDPOINT_ID.test(e.id))
      throw new ConfigError({
        message: `endpoint id must be 1-64 letters, digits, '.', '_' or '-'`,
        code: 'endpoint_invalid',
      });
    const url = checkEndpointUrl(e.url);
    const maxAttempts = e.maxAttempts ?? this.o.maxAttempts;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100)
      throw new ConfigError({
        message: 'endpoint maxAttempts must be an integer from 1 to 100',
        code: 'endpoint_invalid',
      });
    const secret = e.secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
    if (secret.length < 16)
      throw new ConfigError({ message: 'endpoint secret must be at least 16 characters', code: 'endpoint_invalid' });
    if (await this.store.endpoint(e.id))
      throw new ConfigError({ message: `endpoint '${e.id}' exists (remove it first)`, code: 'endpoint_exists' });
    await this.store.addEndpoint(
      {
        id: e.id,
        url: url.href,
        tenantId: e.tenantId ?? null,
        secret: this.keys().encrypt(secret, `endpoint:${e.id}`),
        maxAttempts,
        from: e.from ?? 'now',
      },
      now,
    );
    this.endpointsCache = null;
    return { endpoint: (await this.store.endpoint(e.id))!, secret };
  }

  /** Re-encrypt endpoint secrets with the active key (key rotation); returns how many changed. */
  async rekey(): Promise<number> {
    const k = this.keys();
    let n = 0;
    for (const e of await this.store.endpoints()) {
      const row = (await this.store.endpoint(e.id))!;
      if (k.keyIdOf(row.secret) === k.activeKeyId) continue;
      await this.store.setEndpointSecret(
        e.id,
        k.encrypt(k.decrypt(row.secret, `endpoint:${e.id}`), `endpoint:${e.id}`),
      );
      n++;
    }
    return n;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(loop, this.o.everyMs);
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Deliver what is due now (coalesced with a pass already running). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.pass()
      .catch((e) => this.logger?.warn?.(`event delivery pass failed: ${(e as Error).message}`))
      .finally(() => {
        this.running = false;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (let i = 0; this.running && i < 200; i++) await new Promise((r) => setTimeout(r, 50));
  }

  /** One pass: every due stream, `concurrency` at a time, each until it is drained or fails. Returns batches sent. */
  async pass(): Promise<number> {
    let sent = 0;
    for (let round = 0; round < 50; round++) {
      const due = await this.store.due(this.o.concurrency * 4);
      if (!due.length) break;
      const queue = [...due];
      let progressed = 0;
      await Promise.all(
        Array.from({ length: Math.min(this.o.concurrency, queue.length) }, async () => {
          for (let s = queue.shift(); s; s = queue.shift()) {
            const n = await this.drain(s.endpointId, s.tenantId);
            sent += n;
            progressed += n;
          }
        }),
      );
      if (!progressed) break;
    }
    return sent;
  }

  private async endpointOf(id: string): Promise<EndpointRow | undefined> {
    const now = Date.now();
    if (!this.endpointsCache || now - this.endpointsCache.at > 5000) {
      this.endpointsCache = { at: now, rows: new Map((await this.store.endpoints()).map((e) => [e.id, e])) };
    }
    return this.endpointsCache.rows.get(id);
  }

  private async secretOf(id: string): Promise<string> {
    const row = await this.store.endpoint(id);
    if (!row) throw new ConfigError({ message: `unknown endpoint '${id}'`, code: 'endpoint_unknown' });
    const c = this.secrets.get(id);
    if (c && c.cipher === row.secret) return c.plain;
    const plain = this.keys().decrypt(row.secret, `endpoint:${id}`);
    this.secrets.set(id, { cipher: row.secret, plain });
    return plain;
  }

  /** Deliver one stream while it has events and the endpoint accepts them; returns batches delivered. */
  private async drain(endpointId: string, tenantId: string): Promise<number> {
    // The lease is per worker id: two passes of this process (kick + deliverNow) must not share a stream.
    const key = `${endpointId}\n${tenantId}`;
    if (this.busy.has(key)) return 0;
    this.busy.add(key);
    try {
      return await this.drainLeased(endpointId, tenantId);
    } finally {
      this.busy.delete(key);
    }
  }

  private async drainLeased(endpointId: string, tenantId: string): Promise<number> {
    const endpoint = await this.endpointOf(endpointId);
    if (!endpoint) return 0;
    const leaseMs = this.o.timeoutMs * 2 + 10_000;
    let batches = 0;
    for (let i = 0; i < 100; i++) {
      const cursor = await this.store.lease(endpointId, tenantId, this.workerId, leaseMs);
      if (!cursor) return batches;
      const events = await this.readFrom(cursor);
      if (!events.length) {
        // Only ever transient (events committed after this read are sent on the next pass): never skip ahead.
        await this.store.release(cursor, this.workerId);
        return batches;
      }
      const attempt = cursor.attempts + 1;
      const body: EventDeliveryBody = {
        deliveryId: `${endpointId}:${tenantId}:${events[0]!.offset}-${events[events.length - 1]!.offset}`,
        endpointId,
        tenantId,
        attempt,
        events: events.map(toDelivered),
      };
      const r = await this.post(endpoint, body).catch((e: Error) => ({
        ok: false,
        status: null,
        error: e.message,
        ms: 0,
      }));
      if (r.ok) {
        await this.store.delivered(cursor, this.workerId, events[events.length - 1]!.offset, r.status ?? 200);
        batches++;
        if (events.length < this.o.batchSize) return batches; // drained; later events: next kick or poll
        continue;
      }
      if (attempt >= endpoint.maxAttempts) {
        const id = await this.store.deadLetter(cursor, this.workerId, events, attempt, r.status, r.error ?? 'failed');
        this.logger?.warn?.(
          `event delivery to endpoint ${endpointId}: tenant ${tenantId} offsets ${events[0]!.offset}-${events[events.length - 1]!.offset} dead-lettered (${id}) after ${attempt} attempts: ${r.error}`,
        );
        continue;
      }
      await this.store.failed(cursor, this.workerId, attempt, this.backoff(attempt), r.status, r.error ?? 'failed');
      return batches;
    }
    return batches;
  }

  /** Durable events only (see eventsAfter: a relaxed commit is never sent before it is on disk). */
  private readFrom(c: CursorRow): Promise<RuntimeEvent[]> {
    return eventsAfter(this.store.d, c.tenantId, c.delivered, this.o.batchSize);
  }

  /** Wait before attempt `attempt + 1`: exponential, capped, with jitter in [0.5, 1] of it. */
  backoff(attempt: number): number {
    const exp = Math.min(this.o.backoff.maxMs, this.o.backoff.baseMs * 2 ** Math.min(attempt - 1, 30));
    return Math.round(exp * (0.5 + Math.random() / 2));
  }

  /** Send a dead letter again now (one attempt); it stays listed as dead until one succeeds. */
  async redeliver(id: string): Promise<AttemptResult & { deadLetter: DeadLetter }> {
    const dl = await this.store.getDeadLetter(id);
    if (!dl) throw new ConfigError({ message: `unknown dead letter '${id}'`, code: 'dead_letter_unknown' });
    const endpoint = await this.store.endpoint(dl.endpointId);
    if (!endpoint)
      throw new ConfigError({
        message: `dead letter ${id}: endpoint '${dl.endpointId}' was removed`,
        code: 'endpoint_unknown',
      });
    const body: EventDeliveryBody = {
      deliveryId: dl.id,
      endpointId: dl.endpointId,
      tenantId: dl.tenantId,
      attempt: dl.attempts + 1,
      redelivery: true,
      events: dl.events.map(toDelivered),
    };
    const r = await this.post(endpoint, body).catch((e: Error) => ({
      ok: false,
      status: null,
      error: e.message,
      ms: 0,
    }));
    await this.store.deadLetterAttempt(id, r.ok, r.status, r.error);
    return { ...r, deadLetter: (await this.store.getDeadLetter(id))! };
  }

  private async post(endpoint: EndpointRow, body: EventDeliveryBody): Promise<AttemptResult> {
    const text = JSON.stringify(body);
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'orgsync-runtime',
      ...signEventDelivery(text, await this.secretOf(endpoint.id), body.deliveryId, this.clock()),
    };
    return postJson(new URL(endpoint.url), text, headers, this.o.timeoutMs, this.o.ca);
  }
}

/** One POST; resolves with the status (2xx = ok), never follows redirects, bounded by `timeoutMs`. */
export function postJson(
  url: URL,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  ca?: DeliveryOptions['ca'],
): Promise<AttemptResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<AttemptResult, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, ms: Date.now() - started });
    };
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method: 'POST',
      headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
      ...(ca && url.protocol === 'https:' ? { ca } : {}),
    });
    const timer = setTimeout(() => {
      req.destroy();
      done({ ok: false, status: null, error: `no response within ${timeoutMs} ms` });
    }, timeoutMs);
    req.on('response', (res) => {
      let read = 0;
      res.on('data', (c: Buffer) => {
        read += c.length;
        if (read > 65_536) res.destroy();
      });
      const status = res.statusCode ?? 0;
      const finish = () =>
        done({
          ok: status >= 200 && status < 300,
          status,
          error: status >= 200 && status < 300 ? null : `HTTP ${status}`,
        });
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    });
    req.on('error', (e: NodeJS.ErrnoException) =>
      done({ ok: false, status: null, error: `${e.code ?? 'error'}: ${e.message}`.slice(0, 300) }),
    );
    req.end(body);
  });
}
