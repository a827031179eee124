/**
 * A PostgreSQL connection left half-open (the network stops answering, nothing is closed) must not
 * hang the runtime: the store's query fails after `queryTimeoutMs`, its connection is thrown away,
 * and once the network answers again the next query works on a fresh connection. The partition is a
 * loopback TCP proxy in front of the real server that can stop forwarding bytes.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgres, parseRuntimeConfig } from '../../src/runtime/index.js';
import { PG_URL, reachable } from './helpers.js';

const pgUp = await reachable(5432);
if (!pgUp && process.env['CI']) throw new Error('CI: PostgreSQL 127.0.0.1:5432 unreachable; pg-timeout tests need it');
if (!pgUp)
  console.warn('skipping the PostgreSQL query-timeout test: 127.0.0.1:5432 unreachable (it fails when CI is set)');

const schema = `rt_timeout_${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  if (!pgUp) return;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
});

/** Forwards 127.0.0.1:<port> to the server; `frozen` drops every byte both ways (a partition). */
async function partitionableProxy(target: URL) {
  const state = { frozen: false };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.hostname, port: Number(target.port || 5432) });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (b) => void (state.frozen || upstream.write(b)));
    upstream.on('data', (b) => void (state.frozen || client.write(b)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    state,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe.skipIf(!pgUp)('PostgreSQL store: a half-open connection', () => {
  it('fails the query after queryTimeoutMs, drops that connection, and works again on a fresh one', async () => {
    const url = new URL(PG_URL);
    const proxy = await partitionableProxy(url);
    const via = new URL(PG_URL);
    via.hostname = '127.0.0.1';
    via.port = String(proxy.port);
    const driver = await openPostgres({ connectionString: via.href, schema, max: 1, queryTimeoutMs: 1000 });
    try {
      expect(await driver.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      // In a transaction: the network stops answering after the first statement.
      await expect(
        driver.tx(async (q) => {
          await q.query('SELECT 2 AS two');
          proxy.state.frozen = true;
          return q.query('SELECT 3 AS three');
        }),
      ).rejects.toThrow(/Query read timeout/);
      proxy.state.frozen = false;
      // The pool has one slot: this only answers if the hung connection was thrown away.
      expect(await driver.query<{ four: number }>('SELECT 4 AS four')).toEqual([{ four: 4 }]);
      // Outside a transaction, on the pooled idle connection.
      proxy.state.frozen = true;
      await expect(driver.query('SELECT 5 AS five')).rejects.toThrow(/Query read timeout/);
      proxy.state.frozen = false;
      expect(await driver.tx((q) => q.query<{ six: number }>('SELECT 6 AS six'))).toEqual([{ six: 6 }]);
    } finally {
      await driver.close();
      await proxy.close();
    }
  }, 60_000);

  it('takes queryTimeoutMs from the runtime config (0: no limit) and refuses a negative one', async () => {
    expect(parseRuntimeConfig({ store: { postgres: { queryTimeoutMs: 0 } } }).store).toEqual({
      postgres: { queryTimeoutMs: 0 },
    });
    expect(() => parseRuntimeConfig({ store: { postgres: { queryTimeoutMs: -1 } } })).toThrow(/queryTimeoutMs/);
    await expect(openPostgres({ connectionString: PG_URL, schema, queryTimeoutMs: 1.5 })).rejects.toThrow(
      /queryTimeoutMs/,
    );
  });
});
