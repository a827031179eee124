/**
 * The runtime's state, once, over either SQL driver: tenants (credentials encrypted by the caller),
 * snapshots with retention, the provisioning journal (primary key tenant + idempotency key), plans,
 * the per-tenant event log (offsets 1, 2, 3... assigned under the tenant row's lock), schedule
 * claims and per-tenant leases on the database clock (columns of the tenant row, migration 6).
 *
 * Length: one store interface implemented once for both SQL drivers; each method is a few
 * statements, kept together so a schema change is read in one file (migrations are in
 * migrations.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Journal, JournalEntry } from '../../provisioning/index.js';
import { errorMessage } from '../../provisioning/util.js';
import { ConfigError, createError, OrgsyncError } from '../../errors.js';
import type { OrgSnapshot } from '../../model.js';
import {
  DEFAULT_SCHEDULE,
  type PlanStatus,
  type RuntimeEvent,
  type RuntimeEventType,
  type StoredPlan,
  type TenantRecord,
  type TenantStatus,
} from '../types.js';
import { MIGRATIONS, type Querier, type Row, type SqlDriver } from './sql.js';

export interface TenantRow {
  id: string;
  connector: string;
  options: Record<string, unknown>;
  /** Ciphertext (see crypto.ts) or null. */
  credentials: string | null;
  rules: unknown;
  schedule: { incrementalEveryMs: number; fullEveryMs: number };
}

export interface NewEvent {
  type: RuntimeEventType;
  data: unknown;
}

export type RunRecord = Partial<
  Pick<
    TenantStatus,
    | 'nextRunAt'
    | 'nextFullAt'
    | 'lastSyncAt'
    | 'lastFullAt'
    | 'lastMode'
    | 'lastErrorKind'
    | 'lastError'
    | 'failures'
    | 'requestsLastRun'
    | 'haltedPlanId'
  >
>;

/** What a job reads before it syncs (one round trip). */
export interface JobLoad {
  tenant: TenantRecord;
  credentials: string | null;
  /** Plans open, approved or halted. */
  activePlans: number;
  snapshot: OrgSnapshot | undefined;
  /** The stored body text of that snapshot when it has a separate head (compare before rewriting). */
  snapshotBody: string | undefined;
  /** Its sequence number (null: no snapshot): the commit refuses to build on a snapshot no longer the latest. */
  snapshotSeq: number | null;
  /** Its stored head text and body id (a read-ahead checks it started from this very snapshot). */
  snapshotHead: string | undefined;
  snapshotBodyId: string | null;
}

/** A job's hold on a tenant: the fencing token its lease carries (see `leaseAndLoad`). */
export interface Lease {
  token: string;
}

/**
 * A write made under a lease another worker has taken since (this one paused, or lost the database,
 * for longer than the lease): refused, nothing of it written. Not retryable: the new holder carries on.
 */
export function leaseLostError(tenantId: string): OrgsyncError {
  return createError({
    kind: 'transient',
    code: 'lease_lost',
    retryable: false,
    message: `tenant '${tenantId}': its lease was taken over by another worker; this worker's write was refused (nothing of it was stored)`,
  });
}

export const isLeaseLost = (e: unknown): boolean => e instanceof OrgsyncError && e.code === 'lease_lost';

/** The tenants columns by name: a prepared statement's result type must not change with a later migration. */
const TENANT_COLUMN_NAMES = [
  'id',
  'connector',
  'options',
  'credentials',
  'rules',
  'schedule',
  'created_at',
  'updated_at',
  'next_run_at',
  'next_full_at',
  'last_sync_at',
  'last_full_at',
  'last_mode',
  'last_error_kind',
  'last_error',
  'failures',
  'requests_last_run',
  'triggered_at',
  'halted_plan_id',
  'event_seq',
];
const TENANT_COLUMNS = TENANT_COLUMN_NAMES.map((c) => `t.${c}`).join(', ');

const RUN_COLUMNS: Record<keyof RunRecord, string> = {
  nextRunAt: 'next_run_at',
  nextFullAt: 'next_full_at',
  lastSyncAt: 'last_sync_at',
  lastFullAt: 'last_full_at',
  lastMode: 'last_mode',
  lastErrorKind: 'last_error_kind',
  lastError: 'last_error',
  failures: 'failures',
  requestsLastRun: 'requests_last_run',
  haltedPlanId: 'halted_plan_id',
};

/** The latest snapshot's columns for a job's read; the body is left out when its id is `cachedParam`'s. */
const SNAPSHOT_COLUMNS = (cachedParam: string) =>
  `s.seq AS last_seq, s.body_id AS last_body_id, s.head AS last_head,
   CASE WHEN s.body_id = CAST(${cachedParam} AS TEXT) THEN NULL ELSE s.body END AS last_snapshot`;

/** `col = $n` for each defined field, parameters appended to `params`. */
function runSets(f: RunRecord, params: unknown[]): string[] {
  const sets: string[] = [];
  for (const [k, v] of Object.entries(f)) {
    if (v === undefined) continue;
    params.push(v);
    sets.push(`${RUN_COLUMNS[k as keyof RunRecord]} = $${params.length}`);
  }
  return sets;
}

export interface CommitSync {
  snapshot: OrgSnapshot;
  mode: string;
  events: NewEvent[];
  plan?: { planId: string; status: PlanStatus; body: unknown } | undefined;
  /** Snapshots kept per tenant (default 3). */
  retention?: number;
  at: number;
  /** The run's record on the tenant row, written in the same statement/transaction. */
  run?: RunRecord;
  /**
   * The stored body of the latest snapshot, as loaded: when the new snapshot's body is the same
   * text, only the latest row's head (takenAt, watermark, warnings...) is rewritten.
   */
  previousBody?: string | undefined;
  /** `splitSnapshot(snapshot)` when the caller has it already (not serialised twice). */
  split?: { head: string; body: string } | undefined;
  /**
   * Nothing in this commit can be observed if it is lost in a database crash and redone (no change
   * events, no plan: the tenant simply runs again and finds the same). PostgreSQL then commits it
   * without waiting for the WAL flush; event readers make what they return durable first
   * (see `eventsAfter`). Ignored by SQLite.
   */
  relaxed?: boolean;
  /**
   * Release the lease in the same statement (PostgreSQL) or transaction (SQLite) when the tenant was
   * not triggered after `unlessTriggeredAfter` (the job would otherwise run once more).
   */
  release?: { unlessTriggeredAfter: number } | undefined;
  /**
   * The lease this commit is made under: nothing is written unless the tenant's lease still carries
   * this token (checked in the same statement/transaction); otherwise `lease_lost` is thrown.
   */
  lease?: Lease | undefined;
  /**
   * The snapshot sequence the run built on (`JobLoad.snapshotSeq`): when another is the latest by now
   * (a read that raced a takeover), nothing is written and the result says `stale`.
   */
  expectSeq?: number | null | undefined;
}

export interface CommitResult {
  triggeredAt: number | null;
  released: boolean;
  /** Nothing was written: the snapshot the run built on is no longer the latest (run again). */
  stale?: boolean;
}

const json = (v: unknown): string => JSON.stringify(v ?? null);

/** The tenant row's lease columns when no lease is held. */
const RELEASED = `lease_owner = NULL, lease_token = NULL, lease_expires_at = 0`;

/** Whether the tenant's lease still carries `token`. */
async function leaseHeld(q: Querier, tenantId: string, token: string): Promise<boolean> {
  const r = await q.query(`SELECT 1 AS held FROM tenants WHERE id = $1 AND lease_token = $2`, [tenantId, token]);
  return r.length > 0;
}

/** A snapshot as stored since migration 3: `body` = people, groups, locations; `head` = the rest. */
export function splitSnapshot(s: OrgSnapshot): { head: string; body: string } {
  const { employees, groups, locations, ...head } = s;
  return { head: JSON.stringify(head), body: JSON.stringify({ employees, groups, locations }) };
}

/**
 * `splitSnapshot(s)`, except that when `s` has the same body as `previous`, whose stored text is
 * `storedBody`, that text is reused: an unchanged body (a steady-state run) is compared, not serialised.
 */
export function splitSnapshotOver(
  s: OrgSnapshot,
  previous: OrgSnapshot | undefined,
  storedBody: string | undefined,
): { head: string; body: string } {
  if (
    !previous ||
    storedBody === undefined ||
    !sameJson(s.employees, previous.employees) ||
    !sameJson(s.groups, previous.groups) ||
    !sameJson(s.locations, previous.locations)
  )
    return splitSnapshot(s);
  const { employees, groups, locations, ...head } = s;
  return { head: JSON.stringify(head), body: storedBody };
}

/**
 * True only when `a` and `b` are equal JSON values made of plain objects, arrays and primitives (so their
 * JSON texts parse to equal values); false when unsure (other objects, deeper than 100 levels). Recursive
 * on purpose: about 2.5x faster than serialising a 50-person body, and than `deepEqual`'s explicit stack.
 */
function sameJson(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || depth > 100) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (
    Array.isArray(b) ||
    Object.getPrototypeOf(a) !== Object.prototype ||
    Object.getPrototypeOf(b) !== Object.prototype
  )
    return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let keys = 0;
  for (const k in ao) {
    keys++;
    if (!(k in bo) || !sameJson(ao[k], bo[k], depth + 1)) return false;
  }
  for (const _ in bo) keys--;
  return keys === 0;
}

function joinSnapshot(body: unknown, head: unknown): OrgSnapshot {
  const b = parse<Record<string, unknown>>(body);
  if (head === null || head === undefined) return b as unknown as OrgSnapshot; // written before migration 3
  const h = parse<Record<string, unknown>>(head);
  const { schemaVersion, connector, takenAt, complete, company, ...rest } = h;
  return { schemaVersion, connector, takenAt, complete, company, ...b, ...rest } as unknown as OrgSnapshot;
}
const parse = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

type SnapshotBody = Pick<OrgSnapshot, 'employees' | 'groups' | 'locations'>;
interface CachedBody {
  bodyId: string;
  /** The stored text (a new run's body is compared with it). */
  text: string;
  /** Parsed and deep-frozen (shared by every run that reuses it: nothing may change it), once needed. */
  body?: SnapshotBody;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/**
 * The latest snapshot body per tenant that this worker read or wrote, by its `body_id` (random per
 * stored body, migration 5): the job's read then asks the database for the body only when the stored
 * one is another (`CASE WHEN body_id = $cached THEN NULL ...`), and does not parse it again. Least
 * recently used first out, within a byte budget (a body costs about twice its JSON text: the text, kept
 * for the unchanged-body comparison, and the parsed objects). Valid however workers share tenants: a
 * body is never changed in place, a changed one gets a new id.
 */
export class SnapshotCache {
  private readonly entries = new Map<string, CachedBody>();
  private bytes = 0;
  constructor(readonly maxBytes: number) {}

  get(tenantId: string): CachedBody | undefined {
    const e = this.entries.get(tenantId);
    if (e) {
      this.entries.delete(tenantId);
      this.entries.set(tenantId, e);
    }
    return e;
  }

  set(tenantId: string, e: CachedBody): void {
    this.delete(tenantId);
    const cost = e.text.length * 2;
    if (cost > this.maxBytes) return;
    this.entries.set(tenantId, e);
    this.bytes += cost;
    for (const k of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(k);
    }
  }

  delete(tenantId: string): void {
    const e = this.entries.get(tenantId);
    if (!e) return;
    this.entries.delete(tenantId);
    this.bytes -= e.text.length * 2;
  }

  /** Tenants and bytes held (status, tests). */
  get usage(): { tenants: number; bytes: number } {
    return { tenants: this.entries.size, bytes: this.bytes };
  }
}

/** Default budget of the per-store snapshot body cache (`openStore(..., { snapshotCacheBytes })`; 0: none). */
export const DEFAULT_SNAPSHOT_CACHE_BYTES = 64 * 1024 * 1024;
const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export class SqlStore {
  /** Snapshot bodies this worker read or wrote (see SnapshotCache); undefined: off. */
  readonly snapshots: SnapshotCache | undefined;

  constructor(
    readonly driver: SqlDriver,
    o: { snapshotCacheBytes?: number } = {},
  ) {
    const bytes = o.snapshotCacheBytes ?? DEFAULT_SNAPSHOT_CACHE_BYTES;
    this.snapshots = bytes > 0 ? new SnapshotCache(bytes) : undefined;
  }

  /** Writes whose loss in a database crash is harmless (see SqlDriver.relaxed). */
  get relaxed(): Querier {
    return this.driver.relaxed ?? this.driver;
  }

  get dialect(): SqlDriver['dialect'] {
    return this.driver.dialect;
  }

  /**
   * SQL: the tenant (parameter `$t`) is still leased with the token in parameter `$k`. PostgreSQL locks
   * the tenant row (FOR SHARE) until the write commits, so a takeover (an update of that row) waits for
   * the write or the write sees the new token; on SQLite every write is serialised anyway. A write to
   * the tenant row itself checks `lease_token = $k` in its own WHERE instead.
   */
  private fence(t: number, k: number): string {
    return `EXISTS (SELECT 1 FROM tenants WHERE id = $${t} AND lease_token = $${k}${this.dialect === 'postgres' ? ' FOR SHARE' : ''})`;
  }

  /** After a fenced write matched no row: `lease_lost` when the lease is gone, else nothing to say. */
  private async assertLease(tenantId: string, lease: Lease): Promise<void> {
    if (!(await leaseHeld(this.driver, tenantId, lease.token))) throw leaseLostError(tenantId);
  }

  /** Apply pending migrations; returns the versions applied now. */
  async migrate(): Promise<number[]> {
    const d = this.driver;
    const types = { bigint: d.dialect === 'postgres' ? 'BIGINT' : 'INTEGER', text: 'TEXT', dialect: d.dialect };
    await d.query(
      `CREATE TABLE IF NOT EXISTS orgsync_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ${types.bigint} NOT NULL)`,
    );
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      const done = await d.tx(async (q) => {
        // Two workers migrating at once: the loser's insert conflicts and its transaction rolls back.
        if (d.dialect === 'postgres') await q.query(`SELECT pg_advisory_xact_lock(4242001)`);
        const have = await q.query(`SELECT version FROM orgsync_migrations WHERE version = $1`, [m.version]);
        if (have.length) return false;
        for (const stmt of m.sql(types)) await q.query(stmt);
        await q.query(`INSERT INTO orgsync_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, [
          m.version,
          m.name,
          Date.now(),
        ]);
        return true;
      });
      if (done) applied.push(m.version);
    }
    return applied;
  }

  async schemaVersion(): Promise<number> {
    try {
      const r = await this.driver.query<{ v: number }>(`SELECT MAX(version) AS v FROM orgsync_migrations`);
      return Number(r[0]?.v ?? 0);
    } catch {
      return 0;
    }
  }

  async assertMigrated(): Promise<void> {
    const v = await this.schemaVersion();
    const want = MIGRATIONS[MIGRATIONS.length - 1]!.version;
    if (v < want)
      throw new ConfigError({
        message: `the runtime store is at schema version ${v}, this orgsync needs ${want}: run \`orgsync migrate\``,
        code: 'store_not_migrated',
      });
  }

  // ---- tenants ---------------------------------------------------------------------------------

  async upsertTenant(t: TenantRow, now: number): Promise<void> {
    await this.driver.query(
      `INSERT INTO tenants (id, connector, options, credentials, rules, schedule, created_at, updated_at, next_run_at, next_full_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7, $8)
       ON CONFLICT (id) DO UPDATE SET connector = excluded.connector, options = excluded.options,
         credentials = COALESCE(excluded.credentials, tenants.credentials), rules = excluded.rules,
         schedule = excluded.schedule, updated_at = excluded.updated_at`,
      [
        t.id,
        t.connector,
        json(t.options),
        t.credentials,
        json(t.rules),
        json(t.schedule),
        now,
        now + t.schedule.fullEveryMs,
      ],
    );
  }

  async getTenant(id: string): Promise<TenantRecord | undefined> {
    const r = await this.driver.query(`SELECT * FROM tenants WHERE id = $1`, [id]);
    return r[0] ? toTenant(r[0]) : undefined;
  }

  async listTenants(): Promise<TenantRecord[]> {
    return (await this.driver.query(`SELECT * FROM tenants ORDER BY id`)).map(toTenant);
  }

  /** The encrypted credentials of a tenant (decrypted only inside a job). */
  async getCredentials(id: string): Promise<string | null> {
    const r = await this.driver.query<{ credentials: string | null }>(`SELECT credentials FROM tenants WHERE id = $1`, [
      id,
    ]);
    return r[0]?.credentials ?? null;
  }

  async setCredentials(id: string, ciphertext: string): Promise<void> {
    await this.driver.query(`UPDATE tenants SET credentials = $2 WHERE id = $1`, [id, ciphertext]);
  }

  async removeTenant(id: string): Promise<boolean> {
    return this.driver.tx(async (q) => {
      for (const t of ['snapshots', 'journal', 'plans', 'events', 'delivery_cursors', 'dead_letters'])
        await q.query(`DELETE FROM ${t} WHERE tenant_id = $1`, [id]);
      const r = await q.query(`DELETE FROM tenants WHERE id = $1 RETURNING id`, [id]);
      return r.length > 0;
    });
  }

  // ---- schedule ----------------------------------------------------------------------------

  /**
   * Claim up to `limit` tenants due at `now`: their next run moves to `now + claimMs` (the job sets
   * the real one), so concurrent schedulers never claim the same tenant twice, and a job lost on
   * the way (queue flushed) is claimed again after `claimMs`.
   */
  async claimDue(now: number, limit: number, claimMs: number): Promise<string[]> {
    const r = await this.relaxed.query<{ id: string }>(
      `UPDATE tenants SET next_run_at = $2 WHERE id IN (SELECT id FROM tenants WHERE next_run_at <= $1 ORDER BY next_run_at LIMIT $3) AND next_run_at <= $1 RETURNING id`,
      [now, now + claimMs, limit],
    );
    return r.map((x) => x.id).sort();
  }

  /** On-demand run (webhook, SCIM write, API): due now; `triggered_at` lets a running job see it. */
  async trigger(id: string, now: number): Promise<boolean> {
    const r = await this.driver.query(
      `UPDATE tenants SET triggered_at = $2, next_run_at = $2 WHERE id = $1 RETURNING id`,
      [id, now],
    );
    return r.length > 0;
  }

  /** The run's record on the tenant row; under `lease`, only while the lease is held (else `lease_lost`). */
  async recordRun(id: string, f: RunRecord, lease?: Lease): Promise<void> {
    const params: unknown[] = [id];
    const sets = runSets(f, params);
    if (!sets.length) return;
    if (!lease) {
      await this.driver.query(`UPDATE tenants SET ${sets.join(', ')} WHERE id = $1`, params);
      return;
    }
    params.push(lease.token);
    const r = await this.driver.query(
      `UPDATE tenants SET ${sets.join(', ')} WHERE id = $1 AND lease_token = $${params.length} RETURNING id`,
      params,
    );
    if (!r.length) await this.assertLease(id, lease);
  }

  /** The database's clock (epoch ms): schedules and leases use it, so worker clocks may disagree. */
  async dbNow(): Promise<number> {
    const r = await this.driver.query<{ now: number }>(`SELECT ${this.driver.nowMsSql} AS now`);
    return Number(r[0]!.now);
  }

  /**
   * Take the lease and read what the job needs in one round trip (PostgreSQL: the lease's update of the
   * tenant row as a CTE of the read, which reads the row as updated). `undefined`: another owner holds
   * the lease; `load` undefined: no such tenant. The lease carries a fresh random fencing `token` (every
   * write under it checks it).
   */
  async leaseAndLoad(
    id: string,
    owner: string,
    ttlMs: number,
  ): Promise<{ now: number; token: string; load: JobLoad | undefined } | undefined> {
    const token = randomUUID();
    if (this.driver.dialect !== 'postgres') {
      const now = await this.acquireLease(id, owner, ttlMs, token);
      if (now !== null) return { now, token, load: await this.loadJob(id) };
      return this.missing(id, token);
    }
    const cached = this.snapshots?.get(id);
    // On the main pool, not the relaxed one: the job's commit then usually finds the same connection (the
    // pool hands out the most recently used one), which has just run. The lease is still committed
    // without waiting for the WAL flush (set for this statement's transaction only).
    const r = await this.driver.query(
      `WITH t AS (${this.takeLeaseSql(`${TENANT_COLUMN_NAMES.join(', ')}, ${this.driver.nowMsSql} AS lease_now`)})
       SELECT t.*, ${SNAPSHOT_COLUMNS('$5')}, (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed,
         (SELECT COUNT(*) FROM plans p WHERE p.tenant_id = t.id AND p.status IN ('open', 'approved', 'halted')) AS active_plans
       FROM t LEFT JOIN snapshots s ON s.tenant_id = t.id AND s.seq = (SELECT MAX(seq) FROM snapshots x WHERE x.tenant_id = t.id)`,
      [id, owner, ttlMs, token, cached?.bodyId ?? null],
      { prepare: true },
    );
    const row = r[0];
    if (!row) return this.missing(id, token);
    return { now: Number(row['lease_now']), token, load: await this.toLoad(row, cached) };
  }

  /** No lease taken: undefined when the tenant exists (another owner holds it), else "no such tenant". */
  private async missing(
    id: string,
    token: string,
  ): Promise<{ now: number; token: string; load: undefined } | undefined> {
    const r = await this.driver.query<{ now: number; found: number }>(
      `SELECT ${this.driver.nowMsSql} AS now, (SELECT COUNT(*) FROM tenants WHERE id = $1) AS found`,
      [id],
    );
    return Number(r[0]!.found) > 0 ? undefined : { now: Number(r[0]!.now), token, load: undefined };
  }

  /**
   * The lease's update of the tenant row ($1 tenant, $2 owner, $3 ttl, $4 token): taken when free, expired
   * (on the database clock) or held by the same owner, with `returning`.
   */
  private takeLeaseSql(returning: string): string {
    const now = this.driver.nowMsSql;
    return `UPDATE tenants SET lease_owner = $2, lease_expires_at = ${now} + $3, lease_token = $4
       WHERE id = $1 AND (lease_owner = $2 OR lease_expires_at < ${now}) RETURNING ${returning}`;
  }

  /** Tenant row, encrypted credentials, count of unfinished plans and the latest snapshot, in one query. */
  async loadJob(id: string): Promise<JobLoad | undefined> {
    const cached = this.snapshots?.get(id);
    const r = await this.driver.query(
      `SELECT ${TENANT_COLUMNS}, ${SNAPSHOT_COLUMNS('$2')},
         (SELECT COUNT(*) FROM plans p WHERE p.tenant_id = t.id AND p.status IN ('open', 'approved', 'halted')) AS active_plans
       FROM tenants t LEFT JOIN snapshots s ON s.tenant_id = t.id AND s.seq = (SELECT MAX(seq) FROM snapshots x WHERE x.tenant_id = t.id)
       WHERE t.id = $1`,
      [id, cached?.bodyId ?? null],
      { prepare: true },
    );
    return r[0] ? this.toLoad(r[0], cached) : undefined;
  }

  /**
   * The tenant's latest snapshot as this worker last knew it, from memory only: its body from the cache
   * when the cached body has id `bodyId`, joined with `head` (stored head text). Undefined when not held.
   */
  cachedSnapshot(tenantId: string, bodyId: string, head: string): OrgSnapshot | undefined {
    const cached = this.snapshots?.get(tenantId);
    if (!cached || cached.bodyId !== bodyId) return undefined;
    return joinSnapshot((cached.body ??= deepFreeze(parse<SnapshotBody>(cached.text))), head);
  }

  /** The id of the tenant's body this worker holds in memory, if any. */
  cachedBodyId(tenantId: string): string | undefined {
    return this.snapshots?.get(tenantId)?.bodyId;
  }

  /**
   * A job's read as loaded: the snapshot body from the cache when the database left it out (the stored
   * one is the cached one), else parsed from the row (and cached when it has an id).
   */
  private async toLoad(row: Row, cached: CachedBody | undefined): Promise<JobLoad> {
    const seq = n(row['last_seq']);
    const head = row['last_head'];
    const bodyId = (row['last_body_id'] as string | null) ?? null;
    let text = row['last_snapshot'] as string | null;
    let body: SnapshotBody | undefined;
    if (seq !== null && text === null) {
      if (cached && cached.bodyId === bodyId) {
        body = cached.body ??= deepFreeze(parse<SnapshotBody>(cached.text));
        text = cached.text;
      } else {
        // Left out for a cached body that is no longer cached here (replaced meanwhile): read it.
        const r = await this.driver.query<{ body: string }>(
          `SELECT body FROM snapshots WHERE tenant_id = $1 AND seq = $2`,
          [row['id'], seq],
        );
        text = r[0]?.body ?? null;
      }
    }
    if (text !== null && !body && bodyId !== null && head !== null && head !== undefined && this.snapshots) {
      body = deepFreeze(parse<SnapshotBody>(text));
      this.snapshots.set(String(row['id']), { bodyId, text, body });
    }
    return {
      tenant: toTenant(row),
      credentials: (row['credentials'] as string | null) ?? null,
      activePlans: Number(row['active_plans'] ?? 0),
      snapshot: seq !== null && text !== null ? joinSnapshot(body ?? text, head) : undefined,
      snapshotBody: head !== null && head !== undefined && typeof text === 'string' ? text : undefined,
      snapshotSeq: seq,
      snapshotHead: typeof head === 'string' && seq !== null ? head : undefined,
      snapshotBodyId: seq !== null ? bodyId : null,
    };
  }

  // ---- leases (one job per tenant across workers) ---------------------------------------------

  /**
   * Take the tenant's lease for `owner` until DB-now + ttl, carrying fencing `token` (a new random one
   * by default: never a counter, since a lease written without waiting for the WAL flush can be lost in
   * a crash and must not be issued again with the same token). Returns the database's time (epoch ms)
   * when taken, null when another owner holds it or there is no such tenant. Expiry is judged on the
   * database clock only, so a worker whose wall clock is off can neither steal a live lease nor keep a
   * dead one.
   */
  async acquireLease(
    tenantId: string,
    owner: string,
    ttlMs: number,
    token: string = randomUUID(),
  ): Promise<number | null> {
    const r = await this.relaxed.query<{ now: number }>(
      this.takeLeaseSql(`${this.driver.nowMsSql} AS now`),
      [tenantId, owner, ttlMs, token],
      { prepare: true },
    );
    return r[0] ? Number(r[0].now) : null;
  }

  /** Extend the lease carrying `lease.token` to DB-now + ttl; null when it is no longer this one (taken over). */
  async renewLease(tenantId: string, lease: Lease, ttlMs: number): Promise<number | null> {
    const now = this.driver.nowMsSql;
    const r = await this.relaxed.query<{ now: number }>(
      `UPDATE tenants SET lease_expires_at = ${now} + $3 WHERE id = $1 AND lease_token = $2 RETURNING ${now} AS now`,
      [tenantId, lease.token, ttlMs],
      { prepare: true },
    );
    return r[0] ? Number(r[0].now) : null;
  }

  /** Give the lease up (nothing happens when another worker has taken it since). */
  async releaseLease(tenantId: string, lease: Lease): Promise<void> {
    await this.relaxed.query(
      `UPDATE tenants SET ${RELEASED} WHERE id = $1 AND lease_token = $2`,
      [tenantId, lease.token],
      { prepare: true },
    );
  }

  /** Leases held now (not expired on the database clock). */
  async leases(): Promise<Array<{ tenantId: string; owner: string; expiresAt: number }>> {
    const r = await this.driver.query<{ id: string; lease_owner: string; lease_expires_at: number }>(
      `SELECT id, lease_owner, lease_expires_at FROM tenants WHERE lease_token IS NOT NULL AND lease_expires_at >= ${this.driver.nowMsSql} ORDER BY id`,
    );
    return r.map((x) => ({ tenantId: x.id, owner: x.lease_owner, expiresAt: Number(x.lease_expires_at) }));
  }

  // ---- snapshots, events, plans -------------------------------------------------------------

  async latestSnapshot(tenantId: string): Promise<OrgSnapshot | undefined> {
    const r = await this.driver.query<{ body: string; head: string | null }>(
      `SELECT body, head FROM snapshots WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1`,
      [tenantId],
    );
    return r[0] ? joinSnapshot(r[0].body, r[0].head) : undefined;
  }

  /**
   * Atomically: the new snapshot (older ones pruned to `retention`), its events, its plan and the
   * run's record on the tenant row. PostgreSQL: one statement (data-modifying CTEs, one round trip);
   * SQLite: one transaction. Returns the tenant's `triggered_at` as of the commit.
   */
  async commitSync(tenantId: string, c: CommitSync): Promise<CommitResult> {
    const keep = Math.max(1, c.retention ?? 3);
    const takenAt = Date.parse(c.snapshot.takenAt);
    const { head, body } = c.split ?? splitSnapshot(c.snapshot);
    const same = c.previousBody !== undefined && c.previousBody === body;
    if (c.release && !c.lease) throw new Error('commitSync: release needs the lease');
    // A new body's id; an unchanged one keeps its id (one stored before migration 5 gets this one).
    const newBodyId = randomUUID();
    const cache = (r: CommitResult & { bodyId?: string | null }): CommitResult => {
      const { bodyId, ...out } = r;
      if (this.snapshots && bodyId && !r.stale && this.snapshots.get(tenantId)?.bodyId !== bodyId)
        this.snapshots.set(tenantId, { bodyId, text: body });
      return out;
    };
    if (this.driver.dialect === 'postgres') {
      const params: unknown[] = [
        tenantId,
        takenAt,
        c.mode,
        same ? null : body,
        keep,
        c.plan?.planId ?? null,
        c.plan?.status ?? null,
        c.plan ? json(c.plan.body) : null,
        c.at,
        c.events.length,
        c.events.map((e) => e.type),
        c.events.map((e) => json(e.data)),
        head,
        newBodyId,
      ];
      const sets = runSets(c.run ?? {}, params);
      // Fencing: the update of the tenant row (`t`, for the run record and the event offsets) is the gate.
      // Under a lease it matches only while the row still carries this run's token and the snapshot the
      // run built on is still the latest; every other write reads `t`, so none is made when it matched
      // nothing. A takeover committed first: the update re-checks the row as updated (READ COMMITTED)
      // and sees the new token. One committed after waits for this statement's row lock. The release is
      // part of the same update, unless the tenant was triggered during the run.
      let fence = '';
      let released = 'false';
      if (c.lease) {
        params.push(c.lease.token, c.expectSeq ?? null);
        const k = params.length - 1;
        fence = ` AND lease_token = $${k}::text AND (SELECT MAX(seq) FROM snapshots WHERE tenant_id = $1) IS NOT DISTINCT FROM $${k + 1}::bigint`;
        if (c.release) {
          params.push(c.release.unlessTriggeredAfter);
          const free = `COALESCE(triggered_at, 0) <= $${params.length}::bigint`;
          sets.push(
            `lease_owner = CASE WHEN ${free} THEN NULL ELSE lease_owner END`,
            `lease_token = CASE WHEN ${free} THEN NULL ELSE lease_token END`,
            `lease_expires_at = CASE WHEN ${free} THEN 0 ELSE lease_expires_at END`,
          );
          released = 'lease_token IS NULL';
        }
      }
      const gate = ' AND EXISTS (SELECT 1 FROM t)';
      const snapshotSql = same
        ? // ($4 and $5 appear only to keep every parameter typed: PostgreSQL refuses an unused one.)
          `up AS (UPDATE snapshots SET taken_at = $2, mode = $3, head = $13, body_id = COALESCE(body_id, $14::text) WHERE tenant_id = $1 AND seq = (SELECT MAX(seq) FROM snapshots WHERE tenant_id = $1) AND $4::text IS NULL AND $5::int > 0${gate} RETURNING body_id),`
        : `s AS (SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM snapshots WHERE tenant_id = $1),
         ins AS (INSERT INTO snapshots (tenant_id, seq, taken_at, mode, body, head, body_id) SELECT $1, s.seq, $2, $3, $4, $13, $14::text FROM s WHERE true${gate} RETURNING seq),
         del AS (DELETE FROM snapshots WHERE tenant_id = $1 AND seq <= (SELECT seq FROM s) - $5::int${gate}),`;
      const r = await this.driver.query<{
        triggered_at: number | null;
        found: number;
        released: boolean | null;
        body_id: string | null;
      }>(
        `WITH t AS (UPDATE tenants SET ${['event_seq = event_seq + $10::bigint', ...sets].join(', ')} WHERE id = $1${fence}
                RETURNING event_seq, triggered_at, ${released} AS released),
         ${snapshotSql}
         pl AS (INSERT INTO plans (tenant_id, plan_id, status, body, created_at) SELECT $1, $6::text, $7::text, $8::text, $9::bigint
                WHERE $6::text IS NOT NULL${gate} ON CONFLICT (tenant_id, plan_id) DO NOTHING),
         ev AS (INSERT INTO events (tenant_id, "offset", type, at, data)
                SELECT $1, t.event_seq - $10::bigint + x.ord, x.type, $9::bigint, x.data
                FROM t, unnest($11::text[], $12::text[]) WITH ORDINALITY AS x(type, data, ord))
         SELECT t.triggered_at, t.released, (SELECT COUNT(*) FROM t) AS found,
           ${same ? '(SELECT body_id FROM up)' : '$14::text'} AS body_id
         FROM (SELECT 1) AS one LEFT JOIN t ON true${
           // Local to this statement's implicit transaction, read when it commits.
           c.relaxed ? `, (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed` : ''
         }`,
        params,
        // The steady-state texts (a few combinations of run fields); a run with a plan is rarer.
        { prepare: !c.plan },
      );
      const row = r[0]!;
      if (Number(row.found) === 0) {
        // Nothing written: say why (the lease is gone, or the run's snapshot is no longer the latest).
        const now = await this.driver.query<{ held: boolean | number | null }>(
          `SELECT lease_token = $2 AS held FROM tenants WHERE id = $1`,
          [tenantId, c.lease?.token ?? null],
        );
        if (!now[0]) throw new ConfigError({ message: `unknown tenant '${tenantId}'`, code: 'tenant_unknown' });
        if (!now[0].held) throw leaseLostError(tenantId);
        return { triggeredAt: null, released: false, stale: true };
      }
      return cache({ triggeredAt: n(row.triggered_at), released: row.released === true, bodyId: row.body_id });
    }
    const r = await this.driver.tx(async (q) => {
      // (SQLite: every write is serialised by BEGIN IMMEDIATE, so a check inside the transaction holds.)
      const last = await q.query<{ held: number | null; seq: number | null }>(
        `SELECT (SELECT 1 FROM tenants WHERE id = $1 AND lease_token = $2) AS held, (SELECT MAX(seq) FROM snapshots WHERE tenant_id = $1) AS seq`,
        [tenantId, c.lease?.token ?? null],
      );
      if (c.lease && !last[0]?.held) throw leaseLostError(tenantId);
      const lastSeq = n(last[0]?.seq);
      if (c.lease && lastSeq !== (c.expectSeq ?? null)) return { triggeredAt: null, released: false, stale: true };
      let bodyId: string | null = newBodyId;
      if (same && lastSeq) {
        const up = await q.query<{ body_id: string | null }>(
          `UPDATE snapshots SET taken_at = $3, mode = $4, head = $5, body_id = COALESCE(body_id, $6) WHERE tenant_id = $1 AND seq = $2 RETURNING body_id`,
          [tenantId, lastSeq, takenAt, c.mode, head, newBodyId],
        );
        bodyId = up[0]?.body_id ?? null;
      } else {
        const seq = (lastSeq ?? 0) + 1;
        await q.query(
          `INSERT INTO snapshots (tenant_id, seq, taken_at, mode, body, head, body_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [tenantId, seq, takenAt, c.mode, body, head, newBodyId],
        );
        await q.query(`DELETE FROM snapshots WHERE tenant_id = $1 AND seq <= $2`, [tenantId, seq - keep]);
      }
      if (c.plan) {
        await q.query(
          `INSERT INTO plans (tenant_id, plan_id, status, body, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, plan_id) DO NOTHING`,
          [tenantId, c.plan.planId, c.plan.status, json(c.plan.body), c.at],
        );
      }
      // Event offsets and the run record in one update of the tenant row (its lock orders appends).
      const params: unknown[] = [tenantId, c.events.length];
      const sets = runSets(c.run ?? {}, params);
      const t = await q.query<{ event_seq: number; triggered_at: number | null }>(
        `UPDATE tenants SET ${['event_seq = event_seq + $2', ...sets].join(', ')} WHERE id = $1 RETURNING event_seq, triggered_at`,
        params,
      );
      if (!t[0]) throw new ConfigError({ message: `unknown tenant '${tenantId}'`, code: 'tenant_unknown' });
      await insertEvents(q, tenantId, c.events, c.at, Number(t[0].event_seq) - c.events.length + 1);
      const triggeredAt = n(t[0].triggered_at);
      let released = false;
      if (c.release && (triggeredAt ?? 0) <= c.release.unlessTriggeredAfter)
        released =
          (
            await q.query(`UPDATE tenants SET ${RELEASED} WHERE id = $1 AND lease_token = $2 RETURNING id`, [
              tenantId,
              c.lease!.token,
            ])
          ).length > 0;
      return { triggeredAt, released, bodyId };
    });
    return cache(r);
  }

  /** Append to the tenant's event log; under `lease`, only while the lease is held (else `lease_lost`). */
  async appendEvents(tenantId: string, events: NewEvent[], at: number, lease?: Lease): Promise<number[]> {
    return this.driver.tx((q) => appendEvents(q, tenantId, events, at, lease && { token: lease.token }));
  }

  /** Events with offset > `after`, oldest first. */
  async readEvents(tenantId: string, after = 0, limit = 1000): Promise<RuntimeEvent[]> {
    return eventsAfter(this.driver, tenantId, after, limit);
  }

  async plans(tenantId: string, statuses?: PlanStatus[]): Promise<StoredPlan[]> {
    const r = await this.driver.query(`SELECT * FROM plans WHERE tenant_id = $1 ORDER BY created_at, plan_id`, [
      tenantId,
    ]);
    return r.map(toPlan).filter((p) => !statuses || statuses.includes(p.status));
  }

  async getPlan(tenantId: string, planId: string): Promise<StoredPlan | undefined> {
    const r = await this.driver.query(`SELECT * FROM plans WHERE tenant_id = $1 AND plan_id = $2`, [tenantId, planId]);
    return r[0] ? toPlan(r[0]) : undefined;
  }

  async setPlanStatus(
    tenantId: string,
    planId: string,
    status: PlanStatus,
    approval?: { at: number; by: string },
    lease?: Lease,
  ): Promise<void> {
    if (lease) {
      const r = await this.driver.query(
        `UPDATE plans SET status = $3 WHERE tenant_id = $1 AND plan_id = $2 AND ${this.fence(1, 4)} RETURNING plan_id`,
        [tenantId, planId, status, lease.token],
      );
      if (!r.length) await this.assertLease(tenantId, lease);
      return;
    }
    if (approval)
      await this.driver.query(
        `UPDATE plans SET status = $3, approved_at = $4, approved_by = $5 WHERE tenant_id = $1 AND plan_id = $2`,
        [tenantId, planId, status, approval.at, approval.by],
      );
    else
      await this.driver.query(`UPDATE plans SET status = $3 WHERE tenant_id = $1 AND plan_id = $2`, [
        tenantId,
        planId,
        status,
      ]);
  }

  // ---- journal ---------------------------------------------------------------------------------

  /**
   * The provisioning journal of one tenant, for `applyPlan` (unique per tenant + idempotency key).
   * Under `lease`, every mark is written only while the lease is held, checked in the same statement
   * (else `lease_lost`, which stops `applyPlan` before it calls another handler).
   */
  journal(tenantId: string, clock: () => Date = () => new Date(), lease?: Lease): Journal {
    const d = this.driver;
    // INSERT ... SELECT ... WHERE <fence>: no row when the lease is gone (ON CONFLICT never reached).
    const fenced = lease ? ` WHERE ${this.fence(1, 5)}` : ' WHERE true';
    const mark = async (sql: string, params: unknown[]) => {
      const r = await d.query(`${sql} RETURNING key`, lease ? [...params, lease.token] : params);
      if (!r.length) throw leaseLostError(tenantId);
    };
    const toEntry = (r: Row): JournalEntry => {
      const e: JournalEntry = {
        key: String(r['key']),
        status: r['status'] as JournalEntry['status'],
        attempts: Number(r['attempts']),
        startedAt: String(r['started_at']),
      };
      if (r['finished_at']) e.finishedAt = String(r['finished_at']);
      if (r['result'] !== null && r['result'] !== undefined) e.result = parse(r['result']);
      if (r['error']) e.error = String(r['error']);
      return e;
    };
    return {
      async get(key) {
        const r = await d.query(`SELECT * FROM journal WHERE tenant_id = $1 AND key = $2`, [tenantId, key]);
        return r[0] ? toEntry(r[0]) : undefined;
      },
      async list() {
        return (await d.query(`SELECT * FROM journal WHERE tenant_id = $1 ORDER BY key`, [tenantId])).map(toEntry);
      },
      async markStarted(key) {
        // ($4 is unused here but keeps the fence's token at $5 in every mark.)
        await mark(
          `INSERT INTO journal (tenant_id, key, status, attempts, started_at) SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), 'started', 1, CAST($3 AS TEXT)${fenced} AND CAST($4 AS TEXT) IS NULL
           ON CONFLICT (tenant_id, key) DO UPDATE SET status = 'started', attempts = journal.attempts + 1, started_at = excluded.started_at, finished_at = NULL, error = NULL`,
          [tenantId, key, clock().toISOString(), null],
        );
      },
      async markDone(key, result) {
        const now = clock().toISOString();
        await mark(
          `INSERT INTO journal (tenant_id, key, status, attempts, started_at, finished_at, result) SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), 'done', 1, CAST($3 AS TEXT), CAST($3 AS TEXT), CAST($4 AS TEXT)${fenced}
           ON CONFLICT (tenant_id, key) DO UPDATE SET status = 'done', finished_at = excluded.finished_at, result = excluded.result, error = NULL`,
          [tenantId, key, now, result === undefined ? null : jsonSafe(result)],
        );
      },
      async markFailed(key, error) {
        const now = clock().toISOString();
        await mark(
          `INSERT INTO journal (tenant_id, key, status, attempts, started_at, finished_at, error) SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), 'failed', 1, CAST($3 AS TEXT), CAST($3 AS TEXT), CAST($4 AS TEXT)${fenced}
           ON CONFLICT (tenant_id, key) DO UPDATE SET status = 'failed', finished_at = excluded.finished_at, error = excluded.error`,
          [tenantId, key, now, errorMessage(error)],
        );
      },
    };
  }

  /** Rows per table (status, benchmarks). */
  async counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of [
      'tenants',
      'snapshots',
      'journal',
      'plans',
      'events',
      'endpoints',
      'delivery_cursors',
      'dead_letters',
    ]) {
      const r = await this.driver.query<{ c: number }>(`SELECT COUNT(*) AS c FROM ${t}`);
      out[t] = Number(r[0]?.c ?? 0);
    }
    return out;
  }

  private closing: Promise<void> | undefined;
  /** Close the database connections; closing again (the runtime's `close()` closes its store) is a no-op. */
  close(): Promise<void> {
    this.closing ??= Promise.resolve(this.driver.close()).then(() => undefined);
    return this.closing;
  }
}

/**
 * Events of a tenant with offset > `after`, oldest first — only durable ones. A steady-state commit
 * (CommitSync.relaxed) does not wait for the WAL flush, and a row it wrote is visible before it is on
 * disk: were it read, sent and then lost in a database crash, the re-run would write a different
 * event under the same offset (id). So on PostgreSQL the read is one statement that also rewrites
 * the tenant row when there is something to return, committed synchronously: that commit flushes
 * the WAL up to itself, which includes every commit the read saw. One round trip, as before.
 */
export async function eventsAfter(
  d: SqlDriver,
  tenantId: string,
  after: number,
  limit: number,
): Promise<RuntimeEvent[]> {
  const r = await d.query<{ offset: number; type: string; at: number; data: string }>(
    d.dialect === 'postgres'
      ? `WITH flush AS (UPDATE tenants SET event_seq = event_seq WHERE id = $1 AND event_seq > $2)
         SELECT "offset", type, at, data FROM (SELECT set_config('synchronous_commit', 'on', true)) AS durable, events
         WHERE tenant_id = $1 AND "offset" > $2 ORDER BY "offset" LIMIT $3`
      : `SELECT "offset", type, at, data FROM events WHERE tenant_id = $1 AND "offset" > $2 ORDER BY "offset" LIMIT $3`,
    [tenantId, after, limit],
  );
  return r.map((e) => ({
    tenantId,
    offset: Number(e.offset),
    type: e.type as RuntimeEventType,
    at: Number(e.at),
    data: parse(e.data),
  }));
}

async function appendEvents(
  q: Querier,
  tenantId: string,
  events: NewEvent[],
  at: number,
  /** Only while the tenant's lease carries `token`. */
  lease?: { token: string },
): Promise<number[]> {
  if (!events.length) return [];
  // The tenant row's update lock orders concurrent appends: offsets are gap-free and increasing.
  const r = await q.query<{ event_seq: number }>(
    lease
      ? `UPDATE tenants SET event_seq = event_seq + $2 WHERE id = $1 AND lease_token = $3 RETURNING event_seq`
      : `UPDATE tenants SET event_seq = event_seq + $2 WHERE id = $1 RETURNING event_seq`,
    lease ? [tenantId, events.length, lease.token] : [tenantId, events.length],
  );
  if (!r[0] && lease && !(await leaseHeld(q, tenantId, lease.token))) throw leaseLostError(tenantId);
  if (!r[0]) throw new ConfigError({ message: `unknown tenant '${tenantId}'`, code: 'tenant_unknown' });
  return insertEvents(q, tenantId, events, at, Number(r[0].event_seq) - events.length + 1);
}

/** Insert `events` at offsets `first`, `first` + 1, ... (reserved on the tenant row by the caller). */
async function insertEvents(
  q: Querier,
  tenantId: string,
  events: NewEvent[],
  at: number,
  first: number,
): Promise<number[]> {
  const offsets: number[] = [];
  for (let i = 0; i < events.length; i += 200) {
    const chunk = events.slice(i, i + 200);
    const params: unknown[] = [];
    const values = chunk.map((e, j) => {
      params.push(tenantId, first + i + j, e.type, at, json(e.data));
      const b = params.length - 5;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`;
    });
    await q.query(`INSERT INTO events (tenant_id, "offset", type, at, data) VALUES ${values.join(', ')}`, params);
    chunk.forEach((_, j) => offsets.push(first + i + j));
  }
  return offsets;
}

function jsonSafe(v: unknown): string | null {
  try {
    const s = JSON.stringify(v);
    if (s === undefined) return null;
    return s.length > 10_000 ? JSON.stringify({ truncated: true, length: s.length }) : s;
  } catch {
    return null;
  }
}

function toTenant(r: Row): TenantRecord {
  return {
    id: String(r['id']),
    connector: String(r['connector']),
    options: parse(r['options']) ?? {},
    rules: parse(r['rules']) ?? null,
    schedule: { ...DEFAULT_SCHEDULE, ...(parse<object>(r['schedule']) ?? {}) },
    hasCredentials: r['credentials'] !== null && r['credentials'] !== undefined,
    createdAt: Number(r['created_at']),
    updatedAt: Number(r['updated_at']),
    status: {
      nextRunAt: Number(r['next_run_at']),
      nextFullAt: Number(r['next_full_at']),
      lastSyncAt: n(r['last_sync_at']),
      lastFullAt: n(r['last_full_at']),
      lastMode: (r['last_mode'] as string | null) ?? null,
      lastErrorKind: (r['last_error_kind'] as string | null) ?? null,
      lastError: (r['last_error'] as string | null) ?? null,
      failures: Number(r['failures'] ?? 0),
      requestsLastRun: Number(r['requests_last_run'] ?? 0),
      triggeredAt: n(r['triggered_at']),
      haltedPlanId: (r['halted_plan_id'] as string | null) ?? null,
      eventSeq: Number(r['event_seq'] ?? 0),
    },
  };
}

function toPlan(r: Row): StoredPlan {
  return {
    tenantId: String(r['tenant_id']),
    planId: String(r['plan_id']),
    status: r['status'] as PlanStatus,
    plan: parse(r['body']),
    createdAt: Number(r['created_at']),
    approvedAt: n(r['approved_at']),
    approvedBy: (r['approved_by'] as string | null) ?? null,
  };
}
