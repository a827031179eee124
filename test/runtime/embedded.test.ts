import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulators, type RunningSimulator } from '../../connectors/simulators.js';
import { applySampleChanges, sampleOrg, type SampleOrg } from '../../src/simulator/sample-org.js';
import {
  createRuntime,
  generateKeySpec,
  InProcessQueue,
  openStore,
  parseKeyring,
  type Runtime,
} from '../../src/runtime/index.js';
import { recordingHandlers, sampleRules, type Call, companyDueDate } from './helpers.js';

const sim = simulators['bamboohr']!;

describe('embedded runtime (SQLite file + in-process queue)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orgsync-rt-'));
  const file = path.join(dir, 'runtime.db');
  const running: Array<{ id: string; sim: RunningSimulator; org: SampleOrg }> = [];
  const calls: Call[] = [];
  let rt: Runtime;
  const k1 = generateKeySpec('k1');
  const keyring = parseKeyring(k1);

  // A test can hold a tenant's job after it took the lease and before its run starts (see the burst test).
  let gate: Promise<void> | null = null;

  beforeAll(async () => {
    const store = await openStore({ sqlite: file }, { migrate: true });
    rt = createRuntime({
      observer: { leased: () => gate ?? undefined },
      store,
      queue: new InProcessQueue({ concurrency: 2 }),
      keyring,
      handlers: (t) => recordingHandlers(t.id, calls),
      apply: { retries: 0 },
      tick: { everyMs: 3_600_000 },
    });
    for (const [i, id] of ['acme', 'globex', 'initech'].entries()) {
      const org = sampleOrg({ size: 30, seed: i + 1 });
      const s = await sim.start(org);
      running.push({ id, sim: s, org });
      const { apiKey, ...options } = s.options as Record<string, string>;
      await rt.addTenant({
        id,
        connector: 'bamboohr',
        options,
        credentials: { apiKey: apiKey! },
        rules: id === 'initech' ? sampleRules({ maxDeprovisionCount: 0 }) : sampleRules(),
        schedule: { incrementalEveryMs: 60_000, fullEveryMs: 3_600_000 },
      });
    }
    await rt.start();
  });

  afterAll(async () => {
    await rt?.close();
    for (const r of running) await r.sim.sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const q = () => rt.queue as InProcessQueue;

  it('a schedule tick syncs every due tenant once; events are readable from an offset', async () => {
    expect((await rt.tick()).sort()).toEqual(['acme', 'globex', 'initech']);
    await q().idle();
    // Claimed tenants are not due again until their next run.
    expect(await rt.tick()).toEqual([]);
    for (const { id, org } of running) {
      const t = (await rt.getTenant(id))!;
      expect(t.status.lastErrorKind).toBeNull();
      expect(t.status.lastMode).toBe('full');
      expect(t.status.nextRunAt).toBeGreaterThan(Date.now() + 50_000);
      const ev = await rt.events(id);
      expect(ev.map((e) => e.type)).toEqual(['sync.completed']);
      expect(ev[0]!.offset).toBe(1);
      expect((ev[0]!.data as any).employees).toBe(org.people.length);
    }
  });

  it('credentials are encrypted at rest and appear in no listing, event or the database file', async () => {
    const db = readFileSync(file).toString('latin1') + readFileSync(`${file}-wal`, { flag: 'a+' }).toString('latin1');
    for (const { id, sim: s } of running) {
      const key = (s.options as any).apiKey as string;
      expect(db).not.toContain(key);
      const t = await rt.getTenant(id);
      expect(JSON.stringify(t)).not.toContain(key);
      expect(t!.hasCredentials).toBe(true);
      const c = (await rt.store.getCredentials(id))!;
      expect(c.startsWith('v1.k1.')).toBe(true);
      expect(JSON.parse(keyring.decrypt(c, id))).toEqual({ apiKey: key });
      // Bound to its tenant: the same ciphertext does not open as another tenant's.
      expect(() => keyring.decrypt(c, 'someone-else')).toThrow(/could not be decrypted/);
    }
    await expect(
      rt.addTenant({ id: 'bad', connector: 'bamboohr', options: { subdomain: 'x', apiKey: 'secret-in-options' } }),
    ).rejects.toThrow(/secret/);
  });

  it('HR changes: a burst of triggers is one run; change events, a plan and applied actions follow in offset order', async () => {
    const acme = running[0]!;
    acme.sim.update(applySampleChanges(acme.org, companyDueDate()), new Date());
    const before = (await rt.events('acme')).length;
    // The burst lands before the job's run starts (the first trigger starts the job at once; it waits
    // here after taking the lease). A trigger that arrives while a run is under way re-runs the job
    // once more by design (the change may be newer than the run's read), so that case is not this one.
    let open!: () => void;
    gate = new Promise<void>((r) => (open = r));
    await Promise.all(Array.from({ length: 10 }, () => rt.trigger('acme')));
    await new Promise((r) => setTimeout(r, 5)); // the run's clock is past every trigger's time
    gate = null;
    open();
    await q().idle();
    const ev = await rt.events('acme', before);
    expect(ev.filter((e) => e.type === 'sync.completed')).toHaveLength(1);
    expect((ev[0]!.data as any).mode).toBe('incremental');
    expect(ev.map((e) => e.offset)).toEqual(ev.map((_, i) => before + 1 + i));
    const changes = ev.filter((e) => e.type === 'change');
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.map((e) => (e.data as any).type)).toContain('TERMINATION');
    const created = ev.find((e) => e.type === 'plan.created')!;
    const planId = (created.data as any).planId;
    expect(ev.at(-1)!.type).toBe('plan.applied');
    expect((await rt.plans('acme')).map((p) => [p.planId, p.status])).toEqual([[planId, 'applied']]);
    const done = ev.filter((e) => e.type === 'action.done');
    expect(done.length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.tenant === 'acme').map((c) => c.type)).toContain('suspendUser');
    // Each action ran once; the journal holds them as done under their idempotency keys.
    const keys = calls.filter((c) => c.tenant === 'acme').map((c) => c.key);
    expect(new Set(keys).size).toBe(keys.length);
    const journal = await rt.store.journal('acme').list();
    expect(journal.filter((j) => j.status === 'done').length).toBeGreaterThanOrEqual(done.length);
    // Reading from the middle returns the rest, nothing skipped.
    const mid = ev[2]!.offset;
    expect((await rt.events('acme', mid)).map((e) => e.offset)).toEqual(
      ev.filter((e) => e.offset > mid).map((e) => e.offset),
    );
  });

  it('a safety halt waits for approval: nothing deprovisioned, IT told, then approval applies it', async () => {
    const it2 = running[2]!;
    it2.sim.update(applySampleChanges(it2.org, companyDueDate()), new Date());
    await rt.trigger('initech');
    await q().idle();
    const t = (await rt.getTenant('initech'))!;
    const planId = t.status.haltedPlanId!;
    expect(planId).toBeTruthy();
    const mine = () => calls.filter((c) => c.tenant === 'initech');
    expect(mine().map((c) => c.type)).toEqual(['notify']);
    expect(mine()[0]!.kind).toBe('safety_alert');
    expect((await rt.status()).find((s) => s.id === 'initech')!.pendingApprovals).toEqual([planId]);
    // Further runs do nothing for this tenant while the plan waits.
    await rt.trigger('initech');
    await q().idle();
    expect(mine().map((c) => c.type)).toEqual(['notify']);
    await expect(rt.approve('initech', 'plan_nope')).rejects.toThrow(/no plan/);
    await rt.approve('initech', planId, 'alice@it');
    await q().idle();
    expect(mine().map((c) => c.type)).toContain('suspendUser');
    expect((await rt.getTenant('initech'))!.status.haltedPlanId).toBeNull();
    expect((await rt.plans('initech')).find((p) => p.planId === planId)!.status).toBe('applied');
    const types = (await rt.events('initech')).map((e) => e.type);
    expect(types.indexOf('plan.halted')).toBeLessThan(types.indexOf('plan.approved'));
    expect(types.indexOf('plan.approved')).toBeLessThan(types.lastIndexOf('plan.applied'));
    await expect(rt.approve('initech', planId)).rejects.toThrow(/not halted/);
  });

  it('a failing tenant records a typed error without its credential, backs off, and does not stop others', async () => {
    const s = running[1]!;
    const bad = sim.badCredentials(s.sim.options) as Record<string, string>;
    const { apiKey, ...options } = bad;
    await rt.addTenant({ id: 'poison', connector: 'bamboohr', options, credentials: { apiKey: apiKey! } });
    await rt.trigger('poison');
    await rt.trigger('globex');
    await q().idle();
    const p = (await rt.getTenant('poison'))!;
    expect(p.status.lastErrorKind).toBe('auth');
    expect(p.status.failures).toBe(1);
    expect(p.status.lastError).not.toContain(apiKey);
    expect(p.status.nextRunAt).toBeGreaterThan(Date.now());
    const failed = (await rt.events('poison')).find((e) => e.type === 'sync.failed')!;
    expect(JSON.stringify(failed)).not.toContain(apiKey);
    expect((await rt.getTenant('globex'))!.status.lastErrorKind).toBeNull();
    expect(await rt.removeTenant('poison')).toBe(true);
    expect(await rt.getTenant('poison')).toBeUndefined();
    expect(await rt.events('poison')).toEqual([]);
  });

  it('keys rotate: with a new key first, rekey re-encrypts every credential; then the old key can go', async () => {
    const k2 = generateKeySpec('k2');
    const both = createRuntime({ store: rt.store, queue: new InProcessQueue(), keyring: parseKeyring(`${k2},${k1}`) });
    expect(await both.rekey()).toBe(running.length);
    expect(await both.rekey()).toBe(0);
    const onlyNew = parseKeyring(k2);
    for (const r of running) {
      const c = (await rt.store.getCredentials(r.id))!;
      expect(c.startsWith('v1.k2.')).toBe(true);
      expect(JSON.parse(onlyNew.decrypt(c, r.id))).toEqual({ apiKey: (r.sim.options as any).apiKey });
      expect(() => keyring.decrypt(c, r.id)).toThrow(/key 'k2', which is not in the key ring/);
    }
    expect(() => parseKeyring('k1:short')).toThrow(/32 bytes/);
    expect(() => parseKeyring(undefined)).toThrow(/ORGSYNC_KEYS is not set/);
  });
});
