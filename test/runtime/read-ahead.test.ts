/**
 * Read-ahead (docs/runtime.md "Read-ahead"), PostgreSQL only (own schema; skipped with a message when
 * unreachable outside CI): a worker that ran a tenant last starts the next incremental read while its
 * lease+read is in flight, and uses it only when the lease is granted and the stored state is the one it
 * started from. Another worker's commit in between: the read-ahead is dropped and the run reads again
 * (no change reported twice). The lease held elsewhere: the read-ahead is stopped and nothing is stored.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { connectors } from '../../connectors/index.js';
import { simulators } from '../../connectors/simulators.js';
import type { ConnectorFactory } from '../../src/connector/define.js';
import { applySampleChanges, sampleOrg } from '../../src/simulator/sample-org.js';
import {
  createRuntime,
  generateKeySpec,
  InProcessQueue,
  openStore,
  parseKeyring,
  parseRuntimeConfig,
  type Runtime,
} from '../../src/runtime/index.js';
import { PG_URL, scratch, companyDueDate } from './helpers.js';

const { pgUp, schema } = await scratch('pg14_ahead', 'read-ahead');

interface Read {
  at: number;
  outcome?: 'done' | 'failed';
}

/** BambooHR whose incremental reads are recorded (start time, how they ended), optionally after `delayMs`. */
function recorded(reads: Read[], delayMs = 0): Record<string, ConnectorFactory<any>> {
  const base = connectors['bamboohr']! as ConnectorFactory<any>;
  const factory = ((o: any) => {
    const c = base(o);
    const read = c.readChanges!.bind(c);
    c.readChanges = async (...a: Parameters<typeof read>) => {
      const r: Read = { at: performance.now() };
      reads.push(r);
      if (delayMs) await new Promise((ok) => setTimeout(ok, delayMs));
      try {
        const out = await read(...a);
        r.outcome = 'done';
        return out;
      } catch (e) {
        r.outcome = 'failed';
        throw e;
      }
    };
    return c;
  }) as ConnectorFactory<any>;
  Object.defineProperty(factory, 'definition', { value: base.definition });
  return { bamboohr: factory };
}

describe.skipIf(!pgUp)('read-ahead on PostgreSQL', () => {
  const keys = generateKeySpec();
  let n = 0;
  async function worker(
    id: string,
    o: { reads: Read[]; leasedAt?: number[]; readAhead?: boolean; delayMs?: number; leaseTtlMs?: number },
  ): Promise<Runtime> {
    return createRuntime({
      store: await openStore({ postgres: { connectionString: PG_URL, schema } }, { migrate: true }),
      queue: new InProcessQueue(),
      keyring: parseKeyring(keys),
      delivery: false,
      workerId: id,
      connectors: recorded(o.reads, o.delayMs),
      ...(o.readAhead !== undefined ? { readAhead: o.readAhead } : {}),
      ...(o.leaseTtlMs ? { leaseTtlMs: o.leaseTtlMs } : {}),
      ...(o.leasedAt ? { observer: { leased: () => void o.leasedAt!.push(performance.now()) } } : {}),
    });
  }
  async function addTenant(rt: Runtime, options: Record<string, unknown>): Promise<string> {
    const { apiKey, ...rest } = options as Record<string, string>;
    const id = `acme${++n}`;
    await rt.addTenant({ id, connector: 'bamboohr', options: rest, credentials: { apiKey: apiKey! } });
    return id;
  }

  it.each([
    ['on (default)', undefined],
    ['off', false],
  ])(
    'read-ahead %s: a steady-state run reads once, before or after the lease is granted',
    async (_label, readAhead) => {
      const sim = await simulators['bamboohr']!.start(sampleOrg({ size: 20, seed: 3 }));
      const reads: Read[] = [];
      const leasedAt: number[] = [];
      const rt = await worker('w1', { reads, leasedAt, ...(readAhead === false ? { readAhead } : {}) });
      try {
        const tenant = await addTenant(rt, sim.options as Record<string, unknown>);
        expect(await rt.runNow(tenant)).toBe('synced'); // full sync: no incremental read
        for (let i = 0; i < 3; i++) expect(await rt.runNow(tenant)).toBe('synced');
        expect(reads).toHaveLength(3); // one read per run, none wasted
        expect(reads.every((r) => r.outcome === 'done')).toBe(true);
        // Runs 2-4: their reads started before (read-ahead) or after (off) their lease was granted.
        const before = reads.map((r, i) => r.at < leasedAt[i + 1]!);
        expect(before).toEqual(readAhead === false ? [false, false, false] : [true, true, true]);
        const events = await rt.events(tenant, 0);
        expect(events.map((e) => [e.type, (e.data as { changes: number }).changes])).toEqual([
          ['sync.completed', 0],
          ['sync.completed', 0],
          ['sync.completed', 0],
          ['sync.completed', 0],
        ]);
      } finally {
        await rt.close();
        await sim.sim.close();
      }
    },
  );

  it('another worker committed since: the read-ahead is dropped and the run reads from the stored snapshot', async () => {
    let org = sampleOrg({ size: 30, seed: 5 });
    const sim = await simulators['bamboohr']!.start(org);
    const reads1: Read[] = [];
    const reads2: Read[] = [];
    const rt1 = await worker('w1', { reads: reads1 });
    const rt2 = await worker('w2', { reads: reads2 });
    try {
      const tenant = await addTenant(rt1, sim.options as Record<string, unknown>);
      expect(await rt1.runNow(tenant)).toBe('synced');
      expect(await rt1.runNow(tenant)).toBe('synced'); // worker 1 holds the steady state
      // HR changes; worker 2 runs the tenant and records them.
      sim.update((org = applySampleChanges(org, companyDueDate())), new Date());
      expect(await rt2.runNow(tenant)).toBe('synced');
      const seen = (await rt1.events(tenant, 0)).length;
      const changes = (await rt1.events(tenant, 0)).filter((e) => e.type === 'change').length;
      expect(changes).toBeGreaterThan(0);
      // Worker 1 again: its read-ahead started from the snapshot before worker 2's; it must not be used.
      const readsBefore = reads1.length;
      expect(await rt1.runNow(tenant)).toBe('synced');
      const after = await rt1.events(tenant, seen);
      expect(after.map((e) => [e.type, (e.data as { changes: number }).changes])).toEqual([['sync.completed', 0]]);
      expect(reads1.length - readsBefore).toBe(2); // the dropped read-ahead, then the run's own read
      // The stored snapshot is worker 2's plus nothing: the next run of either worker finds no change.
      expect(await rt2.runNow(tenant)).toBe('synced');
      expect((await rt1.events(tenant, seen + 1)).map((e) => e.type)).toEqual(['sync.completed']);
    } finally {
      await rt1.close();
      await rt2.close();
      await sim.sim.close();
    }
  });

  it('the tenant is leased by another worker: the read-ahead is stopped and nothing is stored', async () => {
    const sim = await simulators['bamboohr']!.start(sampleOrg({ size: 20, seed: 9 }));
    const reads: Read[] = [];
    // Reads wait 300 ms before their first request: the refused lease is known by then.
    const rt = await worker('w1', { reads, delayMs: 300, leaseTtlMs: 1000 });
    try {
      const tenant = await addTenant(rt, sim.options as Record<string, unknown>);
      expect(await rt.runNow(tenant)).toBe('synced');
      expect(await rt.runNow(tenant)).toBe('synced');
      const seen = (await rt.events(tenant, 0)).length;
      const requests = sim.sim.stats.requests;
      expect(await rt.store.acquireLease(tenant, 'another-worker', 60_000)).toEqual(expect.any(Number));
      expect(await rt.runNow(tenant)).toBe('busy');
      expect(reads.at(-1)!.outcome).toBe('failed'); // aborted before it sent anything
      expect(sim.sim.stats.requests).toBe(requests); // no vendor request without the lease
      expect(await rt.events(tenant, seen)).toEqual([]);
      expect((await rt.store.leases()).map((l) => l.owner)).toEqual(['another-worker']);
    } finally {
      await rt.close();
      await sim.sim.close();
    }
  });
});

describe('read-ahead in the runtime config', () => {
  it('is a boolean option', () => {
    expect(parseRuntimeConfig({ readAhead: false }).readAhead).toBe(false);
    expect(parseRuntimeConfig({}).readAhead).toBeUndefined(); // default: on (PostgreSQL)
    expect(() => parseRuntimeConfig({ readAhead: 'no' })).toThrow(/readAhead/);
  });
});
