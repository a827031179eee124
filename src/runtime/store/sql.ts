/**
 * The small SQL surface both stores share: `$1`-style parameters, `RETURNING`, `ON CONFLICT`, and
 * transactions through a callback. SQLite (embedded) and PostgreSQL (distributed) implement it;
 * `SqlStore` holds every query once. Timestamps are epoch milliseconds (BIGINT / INTEGER), JSON is
 * stored as text, so both dialects read back the same values.
 */
export type Row = Record<string, unknown>;

export interface QueryOptions {
  /**
   * A statement every job runs (PostgreSQL: a named prepared statement, parsed and planned once per
   * connection). Only for fixed texts of a bounded set and tables that exist (after migration).
   */
  prepare?: boolean;
}

export interface Querier {
  query<T extends Row = Row>(sql: string, params?: unknown[], options?: QueryOptions): Promise<T[]>;
}

export interface SqlDriver extends Querier {
  readonly dialect: 'sqlite' | 'postgres';
  /** Run `fn` in one transaction (serializable enough for row-level claims; see each driver). */
  tx<T>(fn: (q: Querier) => Promise<T>): Promise<T>;
  /** SQL expression for the database's own clock in epoch ms (leases use it: worker clocks may disagree). */
  readonly nowMsSql: string;
  /**
   * For writes whose loss in a database crash is harmless (leases, schedule claims: a lost one is an
   * expired one). PostgreSQL runs them without waiting for the WAL flush (synchronous_commit off);
   * absent: `query`.
   */
  readonly relaxed?: Querier;
  close(): Promise<void>;
}

/** Versioned migrations: applied in order once each, recorded in `orgsync_migrations`. */
export interface Migration {
  version: number;
  name: string;
  sql: (d: { bigint: string; text: string; dialect: SqlDriver['dialect'] }) => string[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'tenants, snapshots, journal, plans, events, leases',
    sql: ({ bigint }) => [
      `CREATE TABLE tenants (
        id TEXT PRIMARY KEY,
        connector TEXT NOT NULL,
        options TEXT NOT NULL,
        credentials TEXT,
        rules TEXT,
        schedule TEXT NOT NULL,
        created_at ${bigint} NOT NULL,
        updated_at ${bigint} NOT NULL,
        next_run_at ${bigint} NOT NULL,
        next_full_at ${bigint} NOT NULL,
        last_sync_at ${bigint},
        last_full_at ${bigint},
        last_mode TEXT,
        last_error_kind TEXT,
        last_error TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        requests_last_run INTEGER NOT NULL DEFAULT 0,
        triggered_at ${bigint},
        halted_plan_id TEXT,
        event_seq ${bigint} NOT NULL DEFAULT 0
      )`,
      `CREATE INDEX tenants_next_run ON tenants (next_run_at)`,
      `CREATE TABLE snapshots (
        tenant_id TEXT NOT NULL,
        seq ${bigint} NOT NULL,
        taken_at ${bigint} NOT NULL,
        mode TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (tenant_id, seq)
      )`,
      `CREATE TABLE journal (
        tenant_id TEXT NOT NULL,
        key TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        result TEXT,
        error TEXT,
        PRIMARY KEY (tenant_id, key)
      )`,
      `CREATE TABLE plans (
        tenant_id TEXT NOT NULL,
        plan_id TEXT NOT NULL,
        status TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at ${bigint} NOT NULL,
        approved_at ${bigint},
        approved_by TEXT,
        PRIMARY KEY (tenant_id, plan_id)
      )`,
      `CREATE INDEX plans_open ON plans (tenant_id, status)`,
      `CREATE TABLE events (
        tenant_id TEXT NOT NULL,
        "offset" ${bigint} NOT NULL,
        type TEXT NOT NULL,
        at ${bigint} NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (tenant_id, "offset")
      )`,
      `CREATE TABLE leases (
        tenant_id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at ${bigint} NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: 'outbound event delivery: endpoints, per-tenant cursors, dead letters; retention indexes',
    sql: ({ bigint }) => [
      `CREATE TABLE endpoints (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        tenant_id TEXT,
        secret TEXT NOT NULL,
        max_attempts INTEGER NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        created_at ${bigint} NOT NULL
      )`,
      `CREATE TABLE delivery_cursors (
        endpoint_id TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        delivered ${bigint} NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at ${bigint} NOT NULL DEFAULT 0,
        last_attempt_at ${bigint},
        last_status INTEGER,
        last_error TEXT,
        lease_owner TEXT,
        lease_until ${bigint} NOT NULL DEFAULT 0,
        PRIMARY KEY (endpoint_id, tenant_id)
      )`,
      `CREATE TABLE dead_letters (
        id TEXT PRIMARY KEY,
        endpoint_id TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        from_offset ${bigint} NOT NULL,
        to_offset ${bigint} NOT NULL,
        events TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        last_status INTEGER,
        last_error TEXT,
        dead_at ${bigint} NOT NULL,
        status TEXT NOT NULL,
        redelivered_at ${bigint}
      )`,
      `CREATE INDEX dead_letters_by_tenant ON dead_letters (tenant_id, status)`,
      `CREATE INDEX events_at ON events (at)`,
      `CREATE INDEX plans_created ON plans (status, created_at)`,
    ],
  },
  {
    version: 3,
    name: 'snapshots: head (metadata) apart from body (people, groups, locations)',
    // A run that finds the body unchanged rewrites the small head of the latest row, not a new body.
    sql: () => [`ALTER TABLE snapshots ADD COLUMN head TEXT`],
  },
  {
    version: 4,
    name: 'inbound SCIM store: scim_tenants (version), scim_resources (unique userName per tenant)',
    // src/runtime/scim-store.ts. user_name is lower-cased (SCIM userName is case-insensitive), NULL for groups.
    sql: ({ bigint }) => [
      `CREATE TABLE scim_tenants (
        tenant TEXT PRIMARY KEY,
        version ${bigint} NOT NULL,
        saved_at ${bigint} NOT NULL
      )`,
      `CREATE TABLE scim_resources (
        tenant TEXT NOT NULL,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        pos ${bigint} NOT NULL,
        user_name TEXT,
        body TEXT NOT NULL,
        PRIMARY KEY (tenant, kind, id)
      )`,
      `CREATE UNIQUE INDEX scim_user_names ON scim_resources (tenant, user_name)`,
      `CREATE INDEX scim_resources_pos ON scim_resources (tenant, pos)`,
    ],
  },
  {
    version: 5,
    name: 'lease fencing tokens; snapshot body ids',
    // leases.token: a random id per lease taken; every write a job makes under the lease checks it in the
    // same statement (store.ts `fence`), so a worker whose lease was taken over cannot write. Random, not a
    // counter: a lease written without waiting for the WAL flush and lost in a crash must not be re-issued
    // with the same token. snapshots.body_id: a random id per stored body, so a worker that still holds a
    // body in memory need not read it again (store.ts SnapshotCache).
    sql: () => [`ALTER TABLE leases ADD COLUMN token TEXT`, `ALTER TABLE snapshots ADD COLUMN body_id TEXT`],
  },
  {
    version: 6,
    name: 'leases on the tenant row (the leases table is dropped)',
    // A job takes its lease by updating the tenant row it reads anyway, and its commit, which updates that
    // row for the run record and event offsets, checks the token and releases the lease in the same
    // update: no lease row inserted, locked and deleted per job (docs/scale.md, "Leases on the tenant
    // row"). PostgreSQL: tenants pages keep 30% free, so the lease's own updates (take, renew) stay
    // heap-only (HOT) and touch no index. Leases held while migrating are carried over.
    sql: ({ bigint, dialect }) => [
      `ALTER TABLE tenants ADD COLUMN lease_owner TEXT`,
      `ALTER TABLE tenants ADD COLUMN lease_token TEXT`,
      `ALTER TABLE tenants ADD COLUMN lease_expires_at ${bigint} NOT NULL DEFAULT 0`,
      `UPDATE tenants SET lease_owner = (SELECT owner FROM leases l WHERE l.tenant_id = tenants.id),
         lease_token = (SELECT token FROM leases l WHERE l.tenant_id = tenants.id),
         lease_expires_at = COALESCE((SELECT expires_at FROM leases l WHERE l.tenant_id = tenants.id), 0)
       WHERE id IN (SELECT tenant_id FROM leases)`,
      `DROP TABLE leases`,
      ...(dialect === 'postgres' ? [`ALTER TABLE tenants SET (fillfactor = 70)`] : []),
    ],
  },
];
