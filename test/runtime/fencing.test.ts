/**
 * Lease fencing (docs/runtime.md "Lease fencing"), on SQLite and PostgreSQL (own schema; skipped with
 * a message when unreachable outside CI): a worker whose lease was taken over while it ran (here:
 * force-expired, then leased by a second runtime on its own store connection) cannot write anything
 * more: its commit (snapshot, events, plan, run record) is refused, it calls no further provisioning
 * handler, the second worker's run is the one recorded, and it logs the loss once.
 */
import path from 'node:path';
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
  type Runtime,
  type SqlStore,
} from '../../src/runtime/index.js';
import { splitSnapshot } from '../../src/runtime/store/store.js';
import { PG_URL, scratch, recordingHandlers, sampleRules, type Call, companyDueDate } from './helpers.js';

const { pgUp, dir, schema } = await scratch('fence', 'fencing');

/** The BambooHR connector with a hook run before each incremental read (to act while a job is mid-sync). */
function hooked(before: () => Promise<void>): Record<string, ConnectorFactory<any>> {
  const base = connectors['bamboohr']! as ConnectorFactory<any>;
  const factory = ((o: any) => {
    const c = base(o);
    const read = c.readChanges!.bind(c);
    c.readChanges = async (...a: Parameters<typeof read>) => {
      await before();
      return read(...a);
    };
    return c;
  }) as ConnectorFactory<any>;
  Object.defineProperty(factory, 'definition', { value: base.definition });
  return { bamboohr: factory };
}

/** Another worker takes the tenant over: the current lease is expired (on the database clock) first. */
async function expireLease(store: SqlStore, tenantId: string): Promise<void> {
  await store.driver.query(`UPDATE tenants SET lease_expires_at = 0 WHERE id = $1`, [tenantId]);
}

let n = 0;
describe.each([
  ['SQLite', true, () => ({ sqlite: path.join(dir, `rt${++n}.db`) })],
  ['PostgreSQL', pgUp, () => ({ postgres: { connectionString: PG_URL, schema } })],
] as Array<[string, boolean, () => any]>)('lease fencing on %s', (_name, enabled, config) => {
  async function twoWorkers(o: {
    hook?: () => Promise<void>;
    handlers1?: (calls: Call[]) => any;
    calls1: Call[];
    calls2: Call[];
    warnings: string[];
  }) {
    const cfg = config();
    const keys = generateKeySpec();
    const mk = async (id: string, extra: object): Promise<Runtime> =>
      createRuntime({
        store: await openStore(cfg, { migrate: true }),
        queue: new InProcessQueue(),
        keyring: parseKeyring(keys),
        delivery: false,
        workerId: id,
        ...extra,
      });
    const rt1 = await mk('w1', {
      ...(o.hook ? { connectors: hooked(o.hook) } : {}),
      handlers: o.handlers1 ? o.handlers1(o.calls1) : recordingHandlers('w1', o.calls1),
      apply: { concurrency: 1, retries: 0 },
      logger: { warn: (m: string) => o.warnings.push(m) },
    });
    const rt2 = await mk('w2', { handlers: recordingHandlers('w2', o.calls2) });
    return { rt1, rt2 };
  }

  it.skipIf(!enabled)(
    'a job whose lease is taken over mid-sync cannot commit; the new holder’s run is the one recorded',
    async () => {
      let org = sampleOrg({ size: 30, seed: 1 });
      const sim = await simulators['bamboohr']!.start(org);
      const tenant = `acme${n}`;
      const calls1: Call[] = [];
      const calls2: Call[] = [];
      const warnings: string[] = [];
      let takeover: (() => Promise<void>) | null = null;
      const { rt1, rt2 } = await twoWorkers({
        hook: async () => {
          const t = takeover;
          takeover = null;
          await t?.();
        },
        calls1,
        calls2,
        warnings,
      });
      try {
        const { apiKey, ...options } = sim.options as Record<string, string>;
        await rt1.addTenant({
          id: tenant,
          connector: 'bamboohr',
          options,
          credentials: { apiKey: apiKey! },
          rules: sampleRules(),
        });
        expect(await rt1.runNow(tenant)).toBe('synced'); // baseline (full sync)
        const before = await rt1.events(tenant, 0);

        // HR changes; worker 1 starts its incremental run and stalls in it (a long GC pause, a partition)
        // past its lease: worker 2 takes the tenant, syncs, commits, applies the plan.
        sim.update((org = applySampleChanges(org, companyDueDate())), new Date());
        let second: string | undefined;
        takeover = async () => {
          await expireLease(rt2.store, tenant);
          second = await rt2.runNow(tenant);
        };
        expect(await rt1.runNow(tenant)).toBe('lost');
        expect(second).toBe('synced');

        // Only worker 2's run is stored: one new snapshot, one plan, its events once, its record.
        const events = await rt1.events(tenant, before.length);
        const syncs = events.filter((e) => e.type === 'sync.completed');
        expect(syncs).toHaveLength(1);
        const changes = (syncs[0]!.data as { changes: number }).changes;
        expect(changes).toBeGreaterThan(0);
        expect(events.filter((e) => e.type === 'change')).toHaveLength(changes);
        expect(events.filter((e) => e.type === 'plan.created')).toHaveLength(1);
        expect(events.map((e) => e.offset)).toEqual(events.map((_, i) => before.length + i + 1));
        const plans = await rt1.plans(tenant);
        expect(plans.map((p) => p.status)).toEqual(['applied']);
        const rows = await rt1.store.driver.query<{ c: number }>(
          `SELECT COUNT(*) AS c FROM snapshots WHERE tenant_id = $1`,
          [tenant],
        );
        expect(Number(rows[0]!.c)).toBe(2);
        const status = (await rt1.getTenant(tenant))!.status;
        expect(status).toMatchObject({ lastErrorKind: null, failures: 0, lastMode: 'incremental' });
        expect(status.eventSeq).toBe(before.length + events.length);
        // Worker 1 called no handler; worker 2 applied every action once.
        expect(calls1).toEqual([]);
        expect(calls2.length).toBeGreaterThan(0);
        expect(new Set(calls2.map((c) => c.key)).size).toBe(calls2.length);
        // Logged once; no failure recorded (it is not the tenant's error); no lease left behind.
        expect(warnings.filter((w) => /lease lost/.test(w))).toHaveLength(1);
        expect(await rt1.store.leases()).toEqual([]);

        // Both workers carry on normally afterwards.
        expect(await rt1.runNow(tenant)).toBe('synced');
        expect((await rt1.events(tenant, before.length + events.length)).map((e) => e.type)).toEqual([
          'sync.completed',
        ]);
      } finally {
        await rt1.close();
        await rt2.close();
        await sim.sim.close();
      }
    },
  );

  it.skipIf(!enabled)('a worker that lost its lease mid-apply calls no further provisioning handler', async () => {
    let org = sampleOrg({ size: 30, seed: 1 });
    const sim = await simulators['bamboohr']!.start(org);
    const tenant = `globex${n}`;
    const calls1: Call[] = [];
    const calls2: Call[] = [];
    const warnings: string[] = [];
    let takeover: (() => Promise<void>) | null = null;
    const { rt1, rt2 } = await twoWorkers({
      // Worker 1's app calls: the first one stalls past the lease while worker 2 takes over.
      handlers1: (calls) => {
        const rec = recordingHandlers('w1', calls) as Record<string, (a: any, c: any) => unknown>;
        return Object.fromEntries(
          Object.entries(rec).map(([type, h]) => [
            type,
            async (a: any, c: any) => {
              const r = h(a, c);
              const t = takeover;
              takeover = null;
              await t?.();
              return r;
            },
          ]),
        );
      },
      calls1,
      calls2,
      warnings,
    });
    try {
      const { apiKey, ...options } = sim.options as Record<string, string>;
      await rt1.addTenant({
        id: tenant,
        connector: 'bamboohr',
        options,
        credentials: { apiKey: apiKey! },
        rules: sampleRules(),
      });
      expect(await rt1.runNow(tenant)).toBe('synced');
      sim.update((org = applySampleChanges(org, companyDueDate())), new Date());
      let second: string | undefined;
      takeover = async () => {
        await expireLease(rt2.store, tenant);
        second = await rt2.runNow(tenant);
      };
      expect(await rt1.runNow(tenant)).toBe('lost');
      expect(second).toBe('synced');

      // Worker 1 made exactly the one call in flight at the takeover, nothing after it.
      expect(calls1).toHaveLength(1);
      // Worker 2 resumed the plan worker 1 committed: the interrupted action again under the same key, then the rest.
      expect(calls2.map((c) => c.key)).toContain(calls1[0]!.key);
      const journal = await rt2.store.journal(tenant).list();
      expect(journal.length).toBeGreaterThanOrEqual(calls2.length); // (a digest is one call for several entries)
      expect(journal.every((e) => e.status === 'done')).toBe(true);
      const events = await rt2.events(tenant, 0);
      const done = events.filter((e) => e.type === 'action.done');
      expect(done).toHaveLength(journal.length); // each action once: none from worker 1
      expect(events.filter((e) => e.type === 'plan.applied')).toHaveLength(1);
      expect((await rt2.plans(tenant)).map((p) => p.status)).toEqual(['applied']);
      expect(warnings.filter((w) => /lease lost/.test(w))).toHaveLength(1);
      expect((await rt2.getTenant(tenant))!.status).toMatchObject({ lastErrorKind: null, failures: 0 });
    } finally {
      await rt1.close();
      await rt2.close();
      await sim.sim.close();
    }
  });

  it.skipIf(!enabled)(
    'every write under a lease checks its token; a commit on a superseded snapshot is refused as stale',
    async () => {
      const sim = await simulators['bamboohr']!.start(sampleOrg({ size: 5, seed: 3 }));
      const store = await openStore(config(), { migrate: true });
      const rt = createRuntime({ store, queue: new InProcessQueue(), keyring: parseKeyring(generateKeySpec()) });
      const tenant = `initech${n}`;
      try {
        const { apiKey, ...options } = sim.options as Record<string, string>;
        await rt.addTenant({ id: tenant, connector: 'bamboohr', options, credentials: { apiKey: apiKey! } });
        expect(await rt.runNow(tenant)).toBe('synced');
        const a = (await store.leaseAndLoad(tenant, 'w1', 30_000))!;
        const snapshot = a.load!.snapshot!;
        const commit = (token: string, expectSeq: number | null) =>
          store.commitSync(tenant, {
            snapshot,
            split: splitSnapshot(snapshot),
            mode: 'incremental',
            events: [{ type: 'sync.completed', data: {} }],
            at: Date.now(),
            run: { failures: 7 },
            lease: { token },
            expectSeq,
          });
        // Taken over: every write under the old token is refused, and none of it is stored.
        await expireLease(store, tenant);
        const b = (await store.leaseAndLoad(tenant, 'w2', 30_000))!;
        expect(b.token).not.toBe(a.token);
        const seq0 = (await store.getTenant(tenant))!.status.eventSeq;
        const old = { token: a.token };
        await expect(commit(a.token, a.load!.snapshotSeq)).rejects.toMatchObject({
          kind: 'transient',
          code: 'lease_lost',
        });
        await expect(store.appendEvents(tenant, [{ type: 'sync.completed', data: {} }], 1, old)).rejects.toMatchObject({
          code: 'lease_lost',
        });
        await expect(store.recordRun(tenant, { failures: 9 }, old)).rejects.toMatchObject({ code: 'lease_lost' });
        await expect(store.journal(tenant, undefined, old).markStarted('ik_x')).rejects.toMatchObject({
          code: 'lease_lost',
        });
        expect(await store.renewLease(tenant, old, 30_000)).toBeNull();
        await store.releaseLease(tenant, old); // no effect on the new holder's lease
        expect((await store.leases()).map((l) => l.owner)).toEqual(['w2']);
        expect((await store.getTenant(tenant))!.status).toMatchObject({ eventSeq: seq0, failures: 0 });
        expect(await store.journal(tenant).list()).toEqual([]);

        // The holder's writes go through, except a commit built on a snapshot that is no longer the latest
        // (a read that raced another commit): nothing written, `stale`.
        expect(await store.renewLease(tenant, { token: b.token }, 30_000)).toEqual(expect.any(Number));
        const stale = await commit(b.token, (b.load!.snapshotSeq ?? 0) - 1);
        expect(stale.stale).toBe(true);
        expect((await store.getTenant(tenant))!.status).toMatchObject({ eventSeq: seq0, failures: 0 });
        const ok = await commit(b.token, b.load!.snapshotSeq);
        expect(ok.stale).toBeUndefined();
        expect((await store.getTenant(tenant))!.status).toMatchObject({ eventSeq: seq0 + 1, failures: 7 });
      } finally {
        await rt.close();
        await sim.sim.close();
      }
    },
  );
});
