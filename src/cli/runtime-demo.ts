/**
 * `orgsync demo --runtime` (`npm run demo:runtime`): the runtime on the vendor simulators, embedded
 * (a temporary SQLite file, the in-process queue, a throwaway key): three tenants, a schedule tick,
 * HR changes, webhooks, events, a plan and its apply, a safety halt and its approval. No services.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simulators, type RunningSimulator } from '../../connectors/simulators.js';
import { applySampleChanges, sampleOrg } from '../simulator/sample-org.js';
import { loadRuleSet, type ProvisioningHandlers } from '../provisioning/index.js';
import { createRuntime, generateKeySpec, InProcessQueue, openStore, parseKeyring } from '../runtime/index.js';
import { exampleRulesFile } from './demo.js';
import type { Io } from './io.js';

export async function runRuntimeDemo(io: Io): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'orgsync-runtime-demo-'));
  const sims: RunningSimulator[] = [];
  const queue = new InProcessQueue({ concurrency: 2 });
  const store = await openStore({ sqlite: path.join(dir, 'runtime.db') }, { migrate: true });
  const actions: string[] = [];
  const handler = (tenant: string, type: string) => (a: any) => {
    actions.push(
      `${tenant}: ${type}${a.employeeId ? ` ${a.employeeId}` : ''}${a.notification?.kind ? ` (${a.notification.kind})` : ''}`,
    );
    return { ok: true };
  };
  const handlersFor = (tenant: string) =>
    Object.fromEntries(
      ['createUser', 'updateUser', 'grant', 'revoke', 'suspendUser', 'deleteUser', 'sendWelcome', 'notify'].map((t) => [
        t,
        handler(tenant, t),
      ]),
    ) as unknown as ProvisioningHandlers;
  const rt = createRuntime({
    store,
    queue,
    keyring: parseKeyring(generateKeySpec('demo')),
    handlers: (t) => handlersFor(t.id),
    apply: { retries: 0 },
    tick: { everyMs: 3_600_000 },
  });
  try {
    const rulesFile = exampleRulesFile();
    const rules = rulesFile ? await loadRuleSet(rulesFile) : null;
    const tenants = [
      { id: 'acme', vendor: 'bamboohr', seed: 1, strict: false },
      { id: 'globex', vendor: 'scim', seed: 2, strict: false },
      { id: 'initech', vendor: 'bamboohr', seed: 3, strict: true },
    ];
    const orgs = new Map<string, ReturnType<typeof sampleOrg>>();
    io.stdout(`orgsync runtime demo: embedded store ${path.join(dir, 'runtime.db')}, in-process queue\n\n`);
    for (const t of tenants) {
      const org = sampleOrg({ size: 30, seed: t.seed });
      orgs.set(t.id, org);
      const s = await simulators[t.vendor]!.start(org);
      sims.push(s);
      const secretKeys = new Set(['apiKey', 'token', 'accessToken']);
      const options = Object.fromEntries(Object.entries(s.options).filter(([k]) => !secretKeys.has(k)));
      const credentials = Object.fromEntries(Object.entries(s.options).filter(([k]) => secretKeys.has(k))) as Record<
        string,
        string
      >;
      const r = rules
        ? t.strict
          ? {
              ...rules,
              policy: { ...rules.policy, thresholds: { ...rules.policy.thresholds, maxDeprovisionCount: 0 } },
            }
          : rules
        : null;
      await rt.addTenant({
        id: t.id,
        connector: t.vendor,
        options,
        credentials,
        rules: r as any,
        schedule: { incrementalEveryMs: 3_600_000, fullEveryMs: 86_400_000 },
      });
      io.stdout(
        `tenant ${t.id}: ${t.vendor} simulator ${s.sim.url}, credentials encrypted (AES-256-GCM)${t.strict ? ', deprovisioning threshold 0 (halts)' : ''}\n`,
      );
    }
    await rt.start({ schedule: false });

    io.stdout(`\nschedule tick: ${(await rt.tick()).join(', ')} due\n`);
    await queue.idle();
    for (const s of await rt.status())
      io.stdout(`  ${s.id}: synced, ${s.requestsLastRun} requests, event offset ${s.eventOffset}\n`);

    io.stdout('\nHR changes at every vendor, then a burst of 5 webhooks per tenant (coalesced)\n');
    tenants.forEach((t, i) => sims[i]!.update(applySampleChanges(orgs.get(t.id)!), new Date()));
    await Promise.all(tenants.flatMap((t) => Array.from({ length: 5 }, () => rt.trigger(t.id))));
    await queue.idle();
    for (const t of tenants) {
      const ev = await rt.events(t.id, 1);
      const changes = ev.filter((e) => e.type === 'change').length;
      const syncs = ev.filter((e) => e.type === 'sync.completed').length;
      io.stdout(
        `  ${t.id}: ${syncs} sync (${(ev[0]?.data as any)?.mode ?? '-'}), ${changes} change events, ${
          ev
            .filter((e) => e.type.startsWith('plan.'))
            .map((e) => `${e.type} ${(e.data as any).planId}`)
            .join(', ') || 'no plan'
        }\n`,
      );
    }
    io.stdout(
      `\nactions applied through the handlers (${actions.length}):\n${actions
        .slice(0, 12)
        .map((a) => `  ${a}`)
        .join('\n')}${actions.length > 12 ? `\n  ... ${actions.length - 12} more` : ''}\n`,
    );

    const halted = (await rt.status()).filter((s) => s.pendingApprovals.length);
    for (const h of halted) {
      const planId = h.pendingApprovals[0]!;
      io.stdout(
        `\n${h.id}: plan ${planId} halted by a safety threshold; IT/security notified. Approving (orgsync approve ${h.id} ${planId})\n`,
      );
      const before = actions.length;
      await rt.approve(h.id, planId, 'demo');
      await queue.idle();
      io.stdout(
        `  applied after approval: ${
          actions
            .slice(before)
            .map((a) => a.replace(`${h.id}: `, ''))
            .join('; ') || 'nothing'
        }\n`,
      );
    }
    io.stdout('\nevent log of acme from offset 0 (what a consumer reads):\n');
    for (const e of (await rt.events('acme')).slice(0, 8))
      io.stdout(
        `  #${e.offset} ${e.type}${e.type === 'change' ? ` ${(e.data as any).type} ${(e.data as any).employeeId ?? ''}` : ''}\n`,
      );
    io.stdout(`\nstatus:\n`);
    for (const s of await rt.status())
      io.stdout(
        `  ${s.id}: last sync ${new Date(s.lastSyncAt!).toISOString()}, next run in ${Math.round((s.nextRunAt - Date.now()) / 60000)} min, errors ${s.lastErrorKind ?? 'none'}, pending approvals ${s.pendingApprovals.length}, events ${s.eventOffset}\n`,
      );
    return 0;
  } finally {
    await rt.close();
    for (const s of sims) await s.sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
