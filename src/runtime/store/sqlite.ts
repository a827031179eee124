/**
 * Embedded store driver: one SQLite file through better-sqlite3 (synchronous, in-process). Every
 * statement and transaction goes through one in-process mutex, so an async transaction never
 * interleaves with another caller's statements. One process per file (WAL mode, busy timeout).
 */
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../../errors.js';
import type { Querier, Row, SqlDriver } from './sql.js';

type Database = {
  prepare(sql: string): { all(...p: unknown[]): unknown[]; run(...p: unknown[]): unknown; reader: boolean };
  pragma(s: string): unknown;
  exec(sql: string): void;
  close(): void;
};

/** `$1, $2, $1` -> `?, ?, ?` with the parameters re-ordered to match. */
function toPositional(sql: string, params: unknown[]): [string, unknown[]] {
  const out: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
    out.push(params[Number(n) - 1]);
    return '?';
  });
  return [text, out.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? null : v))];
}

export async function openSqlite(file: string): Promise<SqlDriver> {
  const require = createRequire(import.meta.url);
  let Ctor: new (f: string) => Database;
  try {
    Ctor = require('better-sqlite3');
  } catch (e) {
    throw new ConfigError({
      message: `the embedded runtime store needs better-sqlite3 (npm install better-sqlite3@12): ${(e as Error).message}`,
      code: 'dependency_missing',
    });
  }
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Ctor(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  const cache = new Map<string, ReturnType<Database['prepare']>>();
  const run = <T>(sql: string, params: unknown[] = []): T[] => {
    const [text, args] = toPositional(sql, params);
    let st = cache.get(text);
    if (!st) {
      st = db.prepare(text);
      cache.set(text, st);
    }
    if (st.reader) return st.all(...args) as T[];
    st.run(...args);
    return [];
  };
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn, fn);
    chain = p.catch(() => undefined);
    return p;
  };
  const q: Querier = { query: async <T extends Row>(sql: string, params?: unknown[]) => run<T>(sql, params) };
  return {
    dialect: 'sqlite',
    nowMsSql: `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`,
    query: (sql, params) => exclusive(async () => run(sql, params)),
    tx: (fn) =>
      exclusive(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const r = await fn(q);
          db.exec('COMMIT');
          return r;
        } catch (e) {
          db.exec('ROLLBACK');
          throw e;
        }
      }),
    close: () => exclusive(async () => db.close()),
  };
}
