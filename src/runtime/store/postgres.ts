/**
 * Distributed store driver: PostgreSQL through `pg` (a pool). `schema` puts every table in its own
 * schema (tests use one per run; deployments may share a database with other apps).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { ConfigError } from '../../errors.js';
import type { Querier, QueryOptions, Row, SqlDriver } from './sql.js';

export interface PostgresOptions {
  /** `postgres://user@host:5432/db` (default: PG* environment variables). */
  connectionString?: string;
  /** Schema for orgsync's tables (created if missing). Default `orgsync`. */
  schema?: string;
  /** Pool size per process (default 5). */
  max?: number;
  /** `application_name` of the connections (default `orgsync`), as seen in pg_stat_activity. */
  applicationName?: string;
  /**
   * Wait for the WAL flush on commits with changes or a plan (default true). Leases, schedule claims
   * and steady-state commits (no change, no plan) never wait: a lost one is an expired lease or a
   * tenant that runs again; event reads flush first, so no event is handed out before it is durable.
   * `false` makes every commit asynchronous: a database crash (not a restart) may then lose the last
   * ~0.6 s of commits, and their tenants run again. SQLite (WAL, synchronous=NORMAL) is comparable.
   * See docs/scale.md.
   */
  synchronousCommit?: boolean;
  /**
   * A query with no answer after this long fails and its connection is thrown away (default 60 000 ms;
   * 0: no limit). Without it, a connection left half-open (a network partition, a database host that
   * vanished without closing sockets) hangs a job for good while its lease heartbeat, on another
   * connection, keeps the tenant leased. TCP keep-alive is on for every connection as well.
   */
  queryTimeoutMs?: number;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openPostgres(o: PostgresOptions = {}): Promise<SqlDriver> {
  const require = createRequire(import.meta.url);
  let pg: { Pool: new (c: object) => any; types: { getTypeParser(oid: number, format?: string): unknown } };
  try {
    pg = require('pg');
  } catch (e) {
    throw new ConfigError({
      message: `the PostgreSQL runtime store needs pg (npm install pg): ${(e as Error).message}`,
      code: 'dependency_missing',
    });
  }
  const schema = o.schema ?? 'orgsync';
  if (!IDENT.test(schema))
    throw new ConfigError({
      message: `postgres schema '${schema}' must be a lower-case SQL identifier`,
      code: 'store_config_invalid',
    });
  const queryTimeoutMs = o.queryTimeoutMs ?? 60_000;
  if (!Number.isInteger(queryTimeoutMs) || queryTimeoutMs < 0)
    throw new ConfigError({
      message: `postgres queryTimeoutMs must be a whole number of milliseconds (0: no limit)`,
      code: 'store_config_invalid',
    });
  const poolOf = (max: number, sync: boolean) => {
    const p = new pg.Pool({
      ...(o.connectionString ? { connectionString: o.connectionString } : {}),
      max,
      application_name: o.applicationName ?? 'orgsync',
      options: `-c search_path=${schema}${sync ? '' : ' -c synchronous_commit=off'}`,
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      ...(queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs } : {}),
      // BIGINT columns hold epoch ms (well inside Number's exact range); per pool, not process-wide.
      types: {
        getTypeParser: (oid: number, format?: string) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format)),
      },
    });
    // Errors of idle clients (server restart) must not crash the process; the next query reconnects.
    p.on('error', () => undefined);
    return p;
  };
  const pool = poolOf(o.max ?? 5, o.synchronousCommit !== false);
  const relaxedPool = o.synchronousCommit === false ? pool : poolOf(2, false);
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  // Named prepared statements (per connection, by the text's hash) for the statements every job runs.
  const names = new Map<string, string>();
  const config = (sql: string, params: unknown[], o?: QueryOptions) => {
    if (!o?.prepare) return { text: sql, values: params };
    let name = names.get(sql);
    if (!name) names.set(sql, (name = `orgsync_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`));
    return { name, text: sql, values: params };
  };
  const query = async <T extends Row>(sql: string, params: unknown[] = [], o?: QueryOptions): Promise<T[]> =>
    (await pool.query(config(sql, params, o))).rows as T[];
  return {
    dialect: 'postgres',
    nowMsSql: `(extract(epoch from clock_timestamp()) * 1000)::bigint`,
    query,
    relaxed: {
      query: async <T extends Row>(sql: string, params: unknown[] = [], o?: QueryOptions): Promise<T[]> =>
        (await relaxedPool.query(config(sql, params, o))).rows as T[],
    },
    async tx(fn) {
      const client = await pool.connect();
      // A connection cut while checked out (server restart, terminated backend) emits 'error' on the
      // client, not the pool: catch it here (the query fails too) and throw the client away afterwards.
      let broken = false;
      const onError = () => void (broken = true);
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const q: Querier = {
          query: async <T extends Row>(sql: string, params: unknown[] = [], o?: QueryOptions) =>
            (await client.query(config(sql, params, o))).rows as T[],
        };
        const r = await fn(q);
        await client.query('COMMIT');
        return r;
      } catch (e) {
        // A query that timed out left its connection in an unknown state (an answer may still come).
        broken ||=
          (e as { code?: string })?.code === '57P01' || /terminat|Connection|timeout/.test((e as Error)?.message ?? '');
        if (!broken) await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.off('error', onError);
        client.release(broken ? true : undefined);
      }
    },
    close: async () => {
      await pool.end();
      if (relaxedPool !== pool) await relaxedPool.end();
    },
  };
}
