/**
 * A plan that is not finished never waits a whole schedule interval: while a job applies a committed
 * plan the tenant stays due within `claimMs` (a job lost mid-apply is claimed again by a tick), and a
 * run whose actions failed is retried with backoff (5 s, 10 s, ...), not an hour later. Embedded store,
 * the runtime's clock under the test's control.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulators } from '../../connectors/simulators.js';
import { applySampleChanges, sampleOrg } from '../../src/simulator/sample-org.js';
import { createRuntime, generateKeySpec, InProcessQueue, openStore, parseKeyring } from '../../src/runtime/index.js';
import { recordingHandlers, sampleRules, type Call, companyDueDate } from './helpers.js';

const HOUR = 3_600_000;
const CLAIM = 60_000;

describe('unfinished plans are retried soon (embedded)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orgsync-apply-retry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('due within claimMs while applying; failed actions retried with backoff, then on schedule', async () => {
    let org = sampleOrg({ size: 30, seed: 1 });
    const running = await simulators['bamboohr']!.start(org);
    const store = await openStore({ sqlite: path.join(dir, 'rt.db') }, { migrate: true });
    let t = Date.parse('2026-03-02T09:00:00Z');
    const calls: Call[] = [];
    const recording = recordingHandlers('acme', calls);
    let failNext = 0;
    const failedKeys: string[] = [];
    let probed = false;
    const seenDuring: Array<{ nextRunAt: number; now: number; claimed: string[] }> = [];
    const handlers = Object.fromEntries(
      Object.entries(recording).map(([type, h]) => [
        type,
        async (a: any, ctx: any) => {
          if (!probed) {
            probed = true;
            // Mid-apply: the tenant is due within claimMs, so a tick after that claims it (a lost job comes back).
            const now = t;
            const nextRunAt = (await rt.getTenant('acme'))!.status.nextRunAt;
            t = now + CLAIM;
            const claimed = await rt.tick();
            t = now;
            seenDuring.push({ nextRunAt, now, claimed });
          }
          if (failNext > 0) {
            failNext--;
            failedKeys.push(ctx.idempotencyKey);
            throw Object.assign(new Error('app unavailable'), { retryable: false });
          }
          return (h as any)(a, ctx);
        },
      ]),
    );
    const rt = createRuntime({
      store,
      queue: new InProcessQueue(),
      keyring: parseKeyring(generateKeySpec()),
      clock: () => new Date(t),
      handlers,
      delivery: false,
      apply: { retries: 0 },
      tick: { claimMs: CLAIM },
    });
    try {
      const { apiKey, ...options } = running.options as Record<string, string>;
      await rt.addTenant({
        id: 'acme',
        connector: 'bamboohr',
        options,
        credentials: { apiKey: apiKey! },
        rules: sampleRules(),
        schedule: { incrementalEveryMs: HOUR, fullEveryMs: 24 * HOUR },
      });
      expect(await rt.runNow('acme')).toBe('synced');
      expect((await rt.getTenant('acme'))!.status.nextRunAt).toBe(t + HOUR);

      // HR changes; the app fails the first action.
      t += 60_000;
      running.update((org = applySampleChanges(org, companyDueDate())), new Date(t));
      failNext = 1;
      const started = t;
      expect(await rt.runNow('acme')).toBe('synced');
      expect(seenDuring).toHaveLength(1);
      expect(seenDuring[0]!.nextRunAt).toBeLessThanOrEqual(started + CLAIM);
      expect(seenDuring[0]!.claimed).toEqual(['acme']);
      const failed = (await rt.getTenant('acme'))!.status;
      expect(failed).toMatchObject({ lastErrorKind: 'apply', failures: 1, nextRunAt: started + 5_000 });
      expect(failed.lastError).toMatch(/^1 action\(s\) failed: .*app unavailable/);
      expect((await rt.plans('acme')).map((p) => p.status)).toEqual(['open']);

      // Not due before the backoff; due at it; the retry applies the open plan and returns to the schedule.
      t = started + 4_999;
      expect(await rt.tick()).toEqual([]);
      t = started + 5_000;
      expect(await rt.tick()).toEqual(['acme']);
      expect(await rt.runNow('acme')).toBe('synced');
      const after = (await rt.getTenant('acme'))!.status;
      expect(after).toMatchObject({ lastErrorKind: null, failures: 0, nextRunAt: t + HOUR });
      // The failed action was called again under its key and is done; nothing is left failed (the plan may
      // stay open for actions scheduled later, e.g. a termination effective in the future).
      expect(failedKeys).toHaveLength(1);
      expect((await rt.store.journal('acme').get(failedKeys[0]!))?.status).toBe('done');
      expect(calls.filter((c) => c.key === failedKeys[0])).toHaveLength(1);
      expect((await rt.store.journal('acme').list()).filter((e) => e.status !== 'done')).toEqual([]);
      // Each action took effect once (the failed one was called again under its key, then done).
      const keys = calls.map((c) => c.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBeGreaterThan(0);
    } finally {
      await rt.close();
      await running.sim.close();
    }
  });
});
