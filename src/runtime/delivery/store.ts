/**
 * Delivery state in the runtime store (migration 2): endpoints (secret encrypted by the caller),
 * one cursor per endpoint x tenant (last delivered offset, attempts, next attempt, a lease on the
 * database clock so one worker at a time delivers a tenant's stream), and dead letters (the batch
 * that exhausted its attempts, with its events, so it can be redelivered after event retention).
 */
import { randomBytes } from 'node:crypto';
import type { Row, SqlDriver } from '../store/sql.js';
import type { RuntimeEvent } from '../types.js';

export interface EndpointRow {
  id: string;
  url: string;
  /** Only this tenant's events; null: every tenant's. */
  tenantId: string | null;
  maxAttempts: number;
  enabled: boolean;
  createdAt: number;
}

export interface CursorRow {
  endpointId: string;
  tenantId: string;
  delivered: number;
  attempts: number;
}

export interface DeadLetter {
  id: string;
  endpointId: string;
  tenantId: string;
  fromOffset: number;
  toOffset: number;
  events: RuntimeEvent[];
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  deadAt: number;
  status: 'dead' | 'redelivered';
  redeliveredAt: number | null;
}

/** Per tenant and endpoint, for `orgsync status`. */
export interface DeliveryLine {
  endpointId: string;
  tenantId: string;
  delivered: number;
  /** Events written and not yet delivered. */
  pending: number;
  attempts: number;
  nextAttemptAt: number;
  lastStatus: number | null;
  lastError: string | null;
  deadLetters: number;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export class DeliveryStore {
  constructor(readonly d: SqlDriver) {}

  private get now(): string {
    return this.d.nowMsSql;
  }

  async addEndpoint(
    e: { id: string; url: string; tenantId: string | null; secret: string; maxAttempts: number; from: 'start' | 'now' },
    at: number,
  ): Promise<void> {
    await this.d.tx(async (q) => {
      await q.query(
        `INSERT INTO endpoints (id, url, tenant_id, secret, max_attempts, enabled, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6)`,
        [e.id, e.url, e.tenantId, e.secret, e.maxAttempts, at],
      );
      // Start at the current end of each tenant's log ('now') or at its beginning ('start', the default
      // for tenants added later: a missing cursor row is offset 0).
      if (e.from === 'now') {
        await q.query(
          `INSERT INTO delivery_cursors (endpoint_id, tenant_id, delivered) SELECT $1, id, event_seq FROM tenants WHERE CAST($2 AS TEXT) IS NULL OR id = $2`,
          [e.id, e.tenantId],
        );
      }
    });
  }

  async endpoints(): Promise<EndpointRow[]> {
    return (await this.d.query(`SELECT * FROM endpoints ORDER BY id`)).map(toEndpoint);
  }

  async endpoint(id: string): Promise<(EndpointRow & { secret: string }) | undefined> {
    const r = (await this.d.query(`SELECT * FROM endpoints WHERE id = $1`, [id]))[0];
    return r ? { ...toEndpoint(r), secret: String(r['secret']) } : undefined;
  }

  async setEndpointSecret(id: string, secret: string): Promise<void> {
    await this.d.query(`UPDATE endpoints SET secret = $2 WHERE id = $1`, [id, secret]);
  }

  async removeEndpoint(id: string): Promise<boolean> {
    return this.d.tx(async (q) => {
      await q.query(`DELETE FROM delivery_cursors WHERE endpoint_id = $1`, [id]);
      await q.query(`DELETE FROM dead_letters WHERE endpoint_id = $1`, [id]);
      return (await q.query(`DELETE FROM endpoints WHERE id = $1 RETURNING id`, [id])).length > 0;
    });
  }

  /** Endpoint x tenant streams with undelivered events whose next attempt is due and nobody delivers now. */
  async due(limit: number): Promise<Array<{ endpointId: string; tenantId: string }>> {
    const r = await this.d.query<{ endpoint_id: string; tenant_id: string }>(
      `SELECT e.id AS endpoint_id, t.id AS tenant_id FROM endpoints e
       JOIN tenants t ON e.tenant_id IS NULL OR e.tenant_id = t.id
       LEFT JOIN delivery_cursors c ON c.endpoint_id = e.id AND c.tenant_id = t.id
       WHERE e.enabled = 1 AND t.event_seq > COALESCE(c.delivered, 0)
         AND COALESCE(c.next_attempt_at, 0) <= ${this.now} AND COALESCE(c.lease_until, 0) < ${this.now}
       ORDER BY COALESCE(c.next_attempt_at, 0), t.id LIMIT $1`,
      [limit],
    );
    return r.map((x) => ({ endpointId: x.endpoint_id, tenantId: x.tenant_id }));
  }

  /** Take the stream's lease (database clock) for `owner`; undefined when another worker holds it. */
  async lease(endpointId: string, tenantId: string, owner: string, ttlMs: number): Promise<CursorRow | undefined> {
    const r = await (this.d.relaxed ?? this.d).query<{ delivered: number; attempts: number }>(
      `INSERT INTO delivery_cursors (endpoint_id, tenant_id, lease_owner, lease_until) VALUES ($1, $2, $3, ${this.now} + $4)
       ON CONFLICT (endpoint_id, tenant_id) DO UPDATE SET lease_owner = excluded.lease_owner, lease_until = excluded.lease_until
       WHERE delivery_cursors.lease_until < ${this.now} OR delivery_cursors.lease_owner = excluded.lease_owner
       RETURNING delivered, attempts`,
      [endpointId, tenantId, owner, ttlMs],
    );
    return r[0]
      ? { endpointId, tenantId, delivered: Number(r[0].delivered), attempts: Number(r[0].attempts) }
      : undefined;
  }

  /** Delivered through `to`: the cursor moves, attempts reset, the lease is released. */
  async delivered(c: CursorRow, owner: string, to: number, status: number): Promise<boolean> {
    const r = await this.d.query(
      `UPDATE delivery_cursors SET delivered = $3, attempts = 0, next_attempt_at = 0, last_attempt_at = ${this.now},
         last_status = $4, last_error = NULL, lease_owner = NULL, lease_until = 0
       WHERE endpoint_id = $1 AND tenant_id = $2 AND lease_owner = $5 RETURNING delivered`,
      [c.endpointId, c.tenantId, to, status, owner],
    );
    return r.length > 0;
  }

  /** Let go of the stream without an attempt (nothing to send right now). */
  async release(c: CursorRow, owner: string): Promise<void> {
    await (this.d.relaxed ?? this.d).query(
      `UPDATE delivery_cursors SET lease_owner = NULL, lease_until = 0 WHERE endpoint_id = $1 AND tenant_id = $2 AND lease_owner = $3`,
      [c.endpointId, c.tenantId, owner],
    );
  }

  /** A failed attempt, retried `retryInMs` later (on the database clock). */
  async failed(
    c: CursorRow,
    owner: string,
    attempts: number,
    retryInMs: number,
    status: number | null,
    error: string,
  ): Promise<void> {
    await this.d.query(
      `UPDATE delivery_cursors SET attempts = $3, next_attempt_at = ${this.now} + $4, last_attempt_at = ${this.now},
         last_status = $5, last_error = $6, lease_owner = NULL, lease_until = 0
       WHERE endpoint_id = $1 AND tenant_id = $2 AND lease_owner = $7`,
      [c.endpointId, c.tenantId, attempts, Math.round(retryInMs), status, error, owner],
    );
  }

  /** Attempts exhausted: the batch becomes a dead letter and the stream moves past it (one transaction). */
  async deadLetter(
    c: CursorRow,
    owner: string,
    events: RuntimeEvent[],
    attempts: number,
    status: number | null,
    error: string,
  ): Promise<string> {
    const id = `dl_${randomBytes(8).toString('hex')}`;
    const to = events[events.length - 1]!.offset;
    await this.d.tx(async (q) => {
      const moved = await q.query(
        `UPDATE delivery_cursors SET delivered = $3, attempts = 0, next_attempt_at = 0, last_attempt_at = ${this.now},
           last_status = $4, last_error = $5, lease_owner = NULL, lease_until = 0
         WHERE endpoint_id = $1 AND tenant_id = $2 AND lease_owner = $6 RETURNING delivered`,
        [c.endpointId, c.tenantId, to, status, error, owner],
      );
      if (!moved.length) return; // lease lost: the new holder carries on with this batch
      await q.query(
        `INSERT INTO dead_letters (id, endpoint_id, tenant_id, from_offset, to_offset, events, attempts, last_status, last_error, dead_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, ${this.now}, 'dead')`,
        [id, c.endpointId, c.tenantId, events[0]!.offset, to, JSON.stringify(events), attempts, status, error],
      );
    });
    return id;
  }

  async deadLetters(
    f: {
      tenantId?: string | undefined;
      endpointId?: string | undefined;
      status?: 'dead' | 'redelivered' | 'all' | undefined;
    } = {},
  ): Promise<DeadLetter[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.tenantId) where.push(`tenant_id = $${params.push(f.tenantId)}`);
    if (f.endpointId) where.push(`endpoint_id = $${params.push(f.endpointId)}`);
    if ((f.status ?? 'dead') !== 'all') where.push(`status = $${params.push(f.status ?? 'dead')}`);
    const r = await this.d.query(
      `SELECT * FROM dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY dead_at, id`,
      params,
    );
    return r.map(toDeadLetter);
  }

  async getDeadLetter(id: string): Promise<DeadLetter | undefined> {
    const r = (await this.d.query(`SELECT * FROM dead_letters WHERE id = $1`, [id]))[0];
    return r ? toDeadLetter(r) : undefined;
  }

  async deadLetterAttempt(id: string, ok: boolean, status: number | null, error: string | null): Promise<void> {
    if (ok)
      await this.d.query(
        `UPDATE dead_letters SET status = 'redelivered', redelivered_at = ${this.now}, attempts = attempts + 1, last_status = $2, last_error = NULL WHERE id = $1`,
        [id, status],
      );
    else
      await this.d.query(
        `UPDATE dead_letters SET attempts = attempts + 1, last_status = $2, last_error = $3 WHERE id = $1`,
        [id, status, error],
      );
  }

  /** Every endpoint x tenant stream that has a cursor, undelivered events or dead letters. */
  async lines(): Promise<DeliveryLine[]> {
    const r = await this.d.query(
      `SELECT e.id AS endpoint_id, t.id AS tenant_id, t.event_seq, COALESCE(c.delivered, 0) AS delivered, COALESCE(c.attempts, 0) AS attempts,
         COALESCE(c.next_attempt_at, 0) AS next_attempt_at, c.last_status, c.last_error,
         (SELECT COUNT(*) FROM dead_letters d WHERE d.endpoint_id = e.id AND d.tenant_id = t.id AND d.status = 'dead') AS dead
       FROM endpoints e JOIN tenants t ON e.tenant_id IS NULL OR e.tenant_id = t.id
       LEFT JOIN delivery_cursors c ON c.endpoint_id = e.id AND c.tenant_id = t.id
       ORDER BY t.id, e.id`,
    );
    return r.map((x) => ({
      endpointId: String(x['endpoint_id']),
      tenantId: String(x['tenant_id']),
      delivered: Number(x['delivered']),
      pending: Math.max(0, Number(x['event_seq']) - Number(x['delivered'])),
      attempts: Number(x['attempts']),
      nextAttemptAt: Number(x['next_attempt_at']),
      lastStatus: num(x['last_status']),
      lastError: (x['last_error'] as string | null) ?? null,
      deadLetters: Number(x['dead']),
    }));
  }
}

function toEndpoint(r: Row): EndpointRow {
  return {
    id: String(r['id']),
    url: String(r['url']),
    tenantId: (r['tenant_id'] as string | null) ?? null,
    maxAttempts: Number(r['max_attempts']),
    enabled: Number(r['enabled']) === 1,
    createdAt: Number(r['created_at']),
  };
}

function toDeadLetter(r: Row): DeadLetter {
  return {
    id: String(r['id']),
    endpointId: String(r['endpoint_id']),
    tenantId: String(r['tenant_id']),
    fromOffset: Number(r['from_offset']),
    toOffset: Number(r['to_offset']),
    events: JSON.parse(String(r['events'])) as RuntimeEvent[],
    attempts: Number(r['attempts']),
    lastStatus: num(r['last_status']),
    lastError: (r['last_error'] as string | null) ?? null,
    deadAt: Number(r['dead_at']),
    status: r['status'] as DeadLetter['status'],
    redeliveredAt: num(r['redelivered_at']),
  };
}
