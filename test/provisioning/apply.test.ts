import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, TransientError, ValidationError, VendorError } from '../../src/errors.js';
import { Redactor } from '../../src/redact.js';
import {
  applyPlan,
  FileJournal,
  MemoryJournal,
  parseRuleSet,
  planProvisioning,
  type Journal,
  type PlanAction,
  type ProvisioningPlan,
  type RuleSetInput,
} from '../../src/provisioning/index.js';
import { actionsOf, emp, ev, loadExample, recordingHandlers, snap } from './helpers.js';

const rules = loadExample('department-access') as RuleSetInput;
const NOW = new Date('2025-03-02T12:00:00Z');
const fast = { retryDelay: { minMs: 1, maxMs: 5 } };

/** 40 active people, plus a hire (today), a department change and a voluntary termination (today). */
function scenario(
  opts: { extraTerminations?: number; pendingHire?: boolean; rules?: RuleSetInput } = {},
): ProvisioningPlan {
  const fillers = Array.from({ length: 40 }, (_, i) => emp(`f${String(i).padStart(2, '0')}`, { groupIds: ['g-fin'] }));
  const hire = emp('hana', {
    groupIds: ['g-eng'],
    ...(opts.pendingHire
      ? { employmentStatus: 'PENDING' as const, startDate: '2025-03-10' }
      : { startDate: '2025-03-01' }),
  });
  const bob0 = emp('bob', { groupIds: ['g-sales'] });
  const bob1 = emp('bob', { groupIds: ['g-eng'] });
  const leo0 = emp('leo', { groupIds: ['g-sales'] });
  const leo1 = emp('leo', { groupIds: ['g-sales'], employmentStatus: 'TERMINATED', terminationDate: '2025-03-02' });
  const events = [
    ev('HIRE', hire),
    ev('GROUP_CHANGE', bob1, bob0),
    ev('TERMINATION', leo1, leo0, { effectiveDate: '2025-03-02' }),
  ];
  const prevPeople = [...fillers, bob0, leo0];
  const curPeople = [...fillers.slice(opts.extraTerminations ?? 0), hire, bob1, leo1];
  for (const f of fillers.slice(0, opts.extraTerminations ?? 0)) {
    const gone = { ...f, employmentStatus: 'TERMINATED' as const, terminationDate: '2025-03-01' };
    curPeople.push(gone);
    events.push(ev('TERMINATION', gone, f, { effectiveDate: '2025-03-01' }));
  }
  return planProvisioning(events, opts.rules ?? rules, {
    previous: snap(prevPeople),
    current: snap(curPeople),
    now: NOW,
  });
}

const doneKeys = async (j: Journal): Promise<string[]> =>
  (await j.list())
    .filter((e) => e.status === 'done')
    .map((e) => e.key)
    .sort();

describe('applyPlan', () => {
  it('executes every due action through the handlers, one person in order, and journals it', async () => {
    const plan = scenario();
    const { handlers, calls } = recordingHandlers();
    const journal = new MemoryJournal();
    const res = await applyPlan(plan, handlers, { journal, now: NOW, ...fast });
    expect(res.halted).toBeNull();
    expect(res.failed).toEqual([]);
    expect(res.deferred).toEqual([]);
    expect(res.done).toHaveLength(actionsOf(plan).length);
    expect(await doneKeys(journal)).toEqual(
      actionsOf(plan)
        .map((a) => a.idempotencyKey)
        .sort(),
    );
    // Per person, handler calls follow plan order (create before grant, revoke before suspend...).
    for (const e of plan.employees) {
      const planned = e.actions.filter((a) => a.type !== 'notify').map((a) => a.idempotencyKey);
      expect(calls.filter((c) => c.employeeId === e.employeeId).map((c) => c.key)).toEqual(planned);
    }
    const hana = calls.filter((c) => c.employeeId === 'hana').map((c) => c.type);
    expect(hana[0]).toBe('createUser');
    expect(hana.at(-1)).toBe('sendWelcome');
    const leo = calls.filter((c) => c.employeeId === 'leo').map((c) => c.type);
    expect(leo.at(-1)).toBe('suspendUser');
    expect(leo.slice(0, -1).every((t) => t === 'revoke')).toBe(true);
    // Handlers receive the idempotency key.
    for (const c of calls) if (c.employeeId) expect(c.key).toBe(c.action.idempotencyKey);
  });

  it('batches notifications into one digest per run by default', async () => {
    const plan = scenario();
    const { handlers, calls } = recordingHandlers();
    const res = await applyPlan(plan, handlers, { journal: new MemoryJournal(), now: NOW, ...fast });
    const notifies = calls.filter((c) => c.type === 'notify');
    expect(notifies).toHaveLength(1);
    const n = notifies[0]!.action;
    if (n.type !== 'notify' || n.notification.kind !== 'digest') throw new Error('expected a digest');
    expect(n.employeeId).toBeNull();
    expect(n.notification.items.map((i) => `${i.employee.id}:${i.category}`).sort()).toEqual([
      'bob:permissions_changed',
      'hana:account_created',
      'leo:deprovisioned',
    ]);
    expect(n.notification.recipients).toEqual(['it@acme.example', 'security@acme.example']);
    expect(res.digest?.items).toHaveLength(3);
  });

  it('per_action mode calls notify once per notification', async () => {
    const plan = scenario();
    const { handlers, calls } = recordingHandlers();
    await applyPlan(plan, handlers, { journal: new MemoryJournal(), now: NOW, notifications: 'per_action', ...fast });
    const notifies = calls.filter((c) => c.type === 'notify').map((c) => c.action);
    expect(notifies).toHaveLength(3);
    expect(notifies.every((a) => a.type === 'notify' && a.notification.kind === 'change')).toBe(true);
  });

  it('keeps actions whose notBefore is in the future pending (deferred) and runs them once due', async () => {
    const plan = scenario({ pendingHire: true });
    const journal = new MemoryJournal();
    const first = recordingHandlers();
    const r1 = await applyPlan(plan, first.handlers, { journal, now: NOW, ...fast });
    expect(first.calls.some((c) => c.employeeId === 'hana')).toBe(false);
    expect(r1.deferred.map((d) => d.employeeId)).toEqual(Array(actionsOf(plan, 'hana').length).fill('hana'));
    expect(r1.deferred.every((d) => d.waitingFor === 'not_before' && d.notBefore === '2025-03-10T12:00:00.000Z')).toBe(
      true,
    );

    const second = recordingHandlers();
    const r2 = await applyPlan(plan, second.handlers, { journal, now: new Date('2025-03-10T12:00:00Z'), ...fast });
    expect(r2.deferred).toEqual([]);
    expect(new Set(second.calls.map((c) => c.employeeId))).toEqual(new Set(['hana', null]));
    expect(r2.skipped).toHaveLength(r1.done.length);
  });

  it('retries with backoff, gives up after `retries`, and does not retry non-retryable errors', async () => {
    const plan = scenario();
    const flaky = recordingHandlers({
      fail: (a, attempt) =>
        a.type === 'createUser' && attempt < 3 ? new TransientError({ message: '503' }) : undefined,
    });
    const r = await applyPlan(plan, flaky.handlers, { journal: new MemoryJournal(), now: NOW, retries: 3, ...fast });
    expect(flaky.calls.filter((c) => c.type === 'createUser').map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(r.done.find((d) => d.type === 'createUser')?.attempts).toBe(3);

    const down = recordingHandlers({ fail: (a) => (a.type === 'createUser' ? new Error('still down') : undefined) });
    const r2 = await applyPlan(plan, down.handlers, { journal: new MemoryJournal(), now: NOW, retries: 2, ...fast });
    expect(down.calls.filter((c) => c.type === 'createUser')).toHaveLength(3);
    expect(r2.failed.find((f) => f.type === 'createUser')).toMatchObject({ attempts: 3, error: 'still down' });
    // Grants for that person wait for the account: not attempted, reported as failed (blocked).
    expect(down.calls.some((c) => c.employeeId === 'hana' && c.type !== 'createUser')).toBe(false);
    expect(r2.failed.filter((f) => f.employeeId === 'hana' && f.blockedBy).length).toBe(
      actionsOf(plan, 'hana').length - 1,
    );

    const fatal = recordingHandlers({
      fail: (a) => (a.type === 'createUser' ? new VendorError({ message: 'email taken' }) : undefined),
    });
    await applyPlan(plan, fatal.handlers, { journal: new MemoryJournal(), now: NOW, retries: 5, ...fast });
    expect(fatal.calls.filter((c) => c.type === 'createUser')).toHaveLength(1);
  });

  it('idempotent re-run: a handler that throws half-way, then a re-run: each action succeeds exactly once overall', async () => {
    const plan = scenario();
    const journal = new FileJournal(join(mkdtempSync(join(tmpdir(), 'orgsync-prov-')), 'journal.json'));
    let broken = true;
    const target = actionsOf(plan, 'bob').find((a) => a.type === 'grant')!.idempotencyKey;
    const h = recordingHandlers({
      fail: (a) => (broken && a.idempotencyKey === target ? new Error('boom') : undefined),
    });
    const r1 = await applyPlan(plan, h.handlers, { journal, now: NOW, retries: 1, ...fast });
    expect(r1.failed.map((f) => f.idempotencyKey)).toContain(target);
    expect(r1.done.length).toBeGreaterThan(0);

    broken = false;
    const r2 = await applyPlan(plan, h.handlers, {
      journal: new FileJournal(journal.path),
      now: NOW,
      retries: 1,
      ...fast,
    });
    expect(r2.failed).toEqual([]);
    expect(r2.skipped.length).toBe(r1.done.length);

    const perKey = new Map<string, number>();
    for (const c of h.succeeded) perKey.set(c.key, (perKey.get(c.key) ?? 0) + 1);
    const nonNotify = actionsOf(plan).filter((a) => a.type !== 'notify');
    for (const a of nonNotify) expect(perKey.get(a.idempotencyKey), `${a.type} ${a.target}`).toBe(1);
    // Not just succeeded once: every action but the broken one was called exactly once in total;
    // the broken one twice in run 1 (1 retry) and once in run 2.
    const calledPerKey = new Map<string, number>();
    for (const c of h.calls) calledPerKey.set(c.key, (calledPerKey.get(c.key) ?? 0) + 1);
    for (const a of nonNotify)
      expect(calledPerKey.get(a.idempotencyKey), `${a.type} ${a.target}`).toBe(a.idempotencyKey === target ? 3 : 1);
    const finalDone = await doneKeys(new FileJournal(journal.path));
    expect(
      actionsOf(plan)
        .filter((a) => !finalDone.includes(a.idempotencyKey))
        .map((a) => `${a.type} ${a.target}`),
    ).toEqual([]);
    // A third run does nothing at all.
    const quiet = recordingHandlers();
    const r3 = await applyPlan(plan, quiet.handlers, { journal: new FileJournal(journal.path), now: NOW, ...fast });
    expect(quiet.calls).toEqual([]);
    expect(r3.skipped).toHaveLength(actionsOf(plan).length);
  });

  it('an action interrupted by a crash (started, never finished) is called again with the same key, or held', async () => {
    const plan = scenario();
    const all = actionsOf(plan);
    const journal = new MemoryJournal();
    // A crash after 5 actions completed and while the 6th was in flight.
    for (const a of all.slice(0, 5)) {
      await journal.markStarted(a.idempotencyKey);
      await journal.markDone(a.idempotencyKey, { ok: true });
    }
    const inFlight = all[5]!;
    await journal.markStarted(inFlight.idempotencyKey);

    const held = recordingHandlers();
    const rh = await applyPlan(plan, held.handlers, { journal, now: NOW, interrupted: 'hold', ...fast });
    expect(held.calls.some((c) => c.key === inFlight.idempotencyKey)).toBe(false);
    expect(rh.failed.find((f) => f.idempotencyKey === inFlight.idempotencyKey)?.error).toMatch(/interrupted/);

    const j2 = new MemoryJournal();
    for (const a of all.slice(0, 5)) {
      await j2.markStarted(a.idempotencyKey);
      await j2.markDone(a.idempotencyKey);
    }
    await j2.markStarted(inFlight.idempotencyKey);
    const h = recordingHandlers();
    await applyPlan(plan, h.handlers, { journal: j2, now: NOW, ...fast });
    expect(h.calls.filter((c) => c.key === inFlight.idempotencyKey)).toHaveLength(1);
    for (const a of all.slice(0, 5)) expect(h.calls.some((c) => c.key === a.idempotencyKey)).toBe(false);
    expect((await j2.get(inFlight.idempotencyKey))?.attempts).toBe(2);
  });

  it('respects the concurrency bound', async () => {
    const hires = Array.from({ length: 12 }, (_, i) => emp(`h${i}`, { groupIds: ['g-eng'] }));
    const plan = planProvisioning(
      hires.map((h) => ev('HIRE', h)),
      rules,
      { current: snap(hires), now: NOW },
    );
    for (const concurrency of [1, 3]) {
      const h = recordingHandlers({ delayMs: 5 });
      await applyPlan(plan, h.handlers, { journal: new MemoryJournal(), now: NOW, concurrency, ...fast });
      expect(h.inFlight.max).toBe(concurrency);
      expect(h.succeeded.length).toBe(actionsOf(plan).filter((a) => a.type !== 'notify').length + 1);
    }
    await expect(
      applyPlan(plan, recordingHandlers().handlers, { journal: new MemoryJournal(), concurrency: 0 }),
    ).rejects.toBeInstanceOf(ConfigError);
  });

  it('stores error messages only, redacted, never stacks or properties', async () => {
    const plan = scenario();
    const journal = new MemoryJournal();
    const secret = 'sk_live_abcdef123456';
    const err = Object.assign(new Error(`request failed: Authorization: Bearer ${secret}`), {
      config: { headers: { Authorization: `Bearer ${secret}` } },
      password: 'hunter22',
    });
    const h = recordingHandlers({ fail: (a) => (a.type === 'suspendUser' ? err : undefined) });
    const res = await applyPlan(plan, h.handlers, {
      journal,
      now: NOW,
      retries: 0,
      redactor: new Redactor([secret]),
      ...fast,
    });
    const entry = (await journal.list()).find((e) => e.status === 'failed')!;
    expect(entry.error).toBe('request failed: Authorization: Bearer [REDACTED]');
    const stored = JSON.stringify(await journal.list());
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain('hunter22');
    expect(stored).not.toContain('at ');
    expect(res.failed[0]!.error).not.toContain(secret);
  });

  it('redacts secret-looking keys in handler results before journaling them', async () => {
    const hire = emp('zed');
    const plan = planProvisioning([ev('HIRE', hire)], rules, { current: snap([hire]), now: NOW });
    const journal = new MemoryJournal();
    const h = recordingHandlers();
    const handlers = { ...h.handlers, createUser: async () => ({ id: 'u_1', password: 'TempPass!234', token: 'tkn' }) };
    await applyPlan(plan, handlers, { journal, now: NOW, ...fast });
    const create = (await journal.list()).find((e) => (e.result as { id?: string })?.id === 'u_1')!;
    expect(create.result).toEqual({ id: 'u_1', password: '[REDACTED]', token: '[REDACTED]' });
  });

  it('refuses missing handlers, a missing journal and an edited plan', async () => {
    const plan = scenario();
    const { handlers } = recordingHandlers();
    const { suspendUser: _s, ...partial } = handlers;
    await expect(applyPlan(plan, partial, { journal: new MemoryJournal(), now: NOW })).rejects.toThrow(
      /missing handler\(s\) for suspendUser/,
    );
    await expect(applyPlan(plan, partial, { journal: new MemoryJournal(), now: NOW })).rejects.toMatchObject({
      code: 'handler_missing',
    });
    await expect(applyPlan(plan, handlers, {} as never)).rejects.toBeInstanceOf(ConfigError);
    const edited = structuredClone(plan);
    const grant = edited.employees[0]!.actions.find((a) => a.type === 'grant')!;
    if (grant.type === 'grant') grant.entitlement.value = 'god-mode';
    await expect(applyPlan(edited, handlers, { journal: new MemoryJournal(), now: NOW })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(applyPlan(edited, handlers, { journal: new MemoryJournal(), now: NOW })).rejects.toMatchObject({
      code: 'plan_edited',
    });
  });

  it('rethrows journal failures (after in-flight work) rather than losing track', async () => {
    const plan = scenario();
    class Failing extends MemoryJournal {
      n = 0;
      override markDone(key: string, result?: unknown): Promise<void> {
        if (++this.n === 3) return Promise.reject(new Error('disk full'));
        return super.markDone(key, result);
      }
    }
    await expect(
      applyPlan(plan, recordingHandlers().handlers, { journal: new Failing(), now: NOW, ...fast }),
    ).rejects.toThrow('disk full');
  });
});

describe('safety stops', () => {
  it('halts before executing anything when too many people would be deprovisioned; notify gets the alert', async () => {
    // leo + 4 others = 5 of 42 active (11.9%) > 10%
    const plan = scenario({ extraTerminations: 4 });
    const journal = new MemoryJournal();
    const h = recordingHandlers();
    const res = await applyPlan(plan, h.handlers, { journal, now: NOW, ...fast });
    expect(res.halted).not.toBeNull();
    expect(res.done).toEqual([]);
    expect(h.calls.map((c) => c.type)).toEqual(['notify']);
    const alert = h.calls[0]!.action;
    if (alert.type !== 'notify' || alert.notification.kind !== 'safety_alert') throw new Error('expected an alert');
    expect(alert.notification).toMatchObject({
      planId: plan.planId,
      breaches: [{ threshold: 'maxDeprovisionPercent', limit: 10, actual: 11.9 }],
      counts: { deprovision: 5, activeEmployees: 42 },
      samples: { deprovision: ['F00 Test', 'F01 Test', 'F02 Test', 'F03 Test', 'LEO Test'] },
    });
    expect(res.halted?.message).toContain(plan.planId);
    expect(res.alertDelivery).toBe('sent');
    expect(res.deferred.every((d) => d.waitingFor === 'approval')).toBe(true);
    expect(res.deferred).toHaveLength(actionsOf(plan).length);
    // Nothing but the alert was journaled.
    expect(await journal.list()).toHaveLength(1);

    // Re-run without approval: still halted, the alert is not sent again.
    const again = recordingHandlers();
    const r2 = await applyPlan(plan, again.handlers, { journal, now: NOW, ...fast });
    expect(r2.halted).not.toBeNull();
    expect(r2.alertDelivery).toBe('already_sent');
    expect(again.calls).toEqual([]);
  });

  it('an approval of this planId lets it proceed; an approval of another plan does not', async () => {
    const plan = scenario({ extraTerminations: 4 });
    const journal = new MemoryJournal();
    const wrong = recordingHandlers();
    const r1 = await applyPlan(plan, wrong.handlers, {
      journal,
      now: NOW,
      approval: { planId: 'plan_000000000000000000000000' },
      ...fast,
    });
    expect(r1.halted?.approvalProvided).toBe('plan_000000000000000000000000');
    expect(wrong.calls.every((c) => c.type === 'notify')).toBe(true);

    const right = recordingHandlers();
    const r2 = await applyPlan(plan, right.handlers, { journal, now: NOW, approval: { planId: plan.planId }, ...fast });
    expect(r2.halted).toBeNull();
    expect(right.calls.filter((c) => c.type === 'suspendUser')).toHaveLength(5);
  });

  it('count and permission-change thresholds; future actions and finished ones do not count', async () => {
    const countRules = parseRuleSet({
      ...rules,
      policy: { ...(rules.policy as object), thresholds: { maxDeprovisionCount: 2, maxDeprovisionPercent: 100 } },
    });
    const byCount = scenario({ extraTerminations: 2, rules: countRules });
    const r = await applyPlan(byCount, recordingHandlers().handlers, {
      journal: new MemoryJournal(),
      now: NOW,
      ...fast,
    });
    expect(r.halted?.breaches).toEqual([{ threshold: 'maxDeprovisionCount', limit: 2, actual: 3 }]);
    // The same terminations two days earlier are not due yet: nothing to stop.
    const early = await applyPlan(byCount, recordingHandlers().handlers, {
      journal: new MemoryJournal(),
      now: new Date('2025-02-27T00:00:00Z'),
      ...fast,
    });
    expect(early.halted).toBeNull();

    // 10 of 40 accounts change permissions (25% > 20%).
    const before = Array.from({ length: 40 }, (_, i) => emp(`p${i}`, { groupIds: ['g-sales'] }));
    const after = before.map((p, i) => (i < 10 ? { ...p, groupIds: ['g-eng'] } : p));
    const moves = after.slice(0, 10).map((p, i) => ev('GROUP_CHANGE', p, before[i]));
    const plan = planProvisioning(moves, rules, { previous: snap(before), current: snap(after), now: NOW });
    const journal = new MemoryJournal();
    const halted = await applyPlan(plan, recordingHandlers().handlers, { journal, now: NOW, ...fast });
    expect(halted.halted?.breaches).toEqual([{ threshold: 'maxPermissionChangePercent', limit: 20, actual: 25 }]);
    expect(halted.halted?.counts.permissionChanges).toBe(10);
    // After approval and a successful run, re-applying has nothing left to count.
    await applyPlan(plan, recordingHandlers().handlers, {
      journal,
      now: NOW,
      approval: { planId: plan.planId },
      ...fast,
    });
    const later = await applyPlan(plan, recordingHandlers().handlers, { journal, now: NOW, ...fast });
    expect(later.halted).toBeNull();
  });
});

describe('cancellations', () => {
  it("a moved termination date cancels the earlier plan's scheduled suspension before it runs", async () => {
    const journal = new MemoryJournal();
    const leo0 = emp('leo', { groupIds: ['g-sales'] });
    const leo1 = emp('leo', { groupIds: ['g-sales'], terminationDate: '2025-03-20' });
    const first = planProvisioning([ev('TERMINATION_SCHEDULED', leo1, leo0, { effectiveDate: '2025-03-20' })], rules, {
      current: snap([leo1]),
      now: NOW,
    });
    await applyPlan(first, recordingHandlers().handlers, { journal, now: NOW, ...fast });

    const leo2 = emp('leo', { groupIds: ['g-sales'], terminationDate: '2025-04-30' });
    const second = planProvisioning([ev('TERMINATION_SCHEDULED', leo2, leo1, { effectiveDate: '2025-04-30' })], rules, {
      current: snap([leo2]),
      now: NOW,
    });
    const oldSuspend = actionsOf(first).find((a) => a.type === 'suspendUser')!;
    expect(second.cancels.map((c) => c.idempotencyKey)).toContain(oldSuspend.idempotencyKey);
    const r = await applyPlan(second, recordingHandlers().handlers, { journal, now: NOW, ...fast });
    expect(r.canceled.find((c) => c.idempotencyKey === oldSuspend.idempotencyKey)).toMatchObject({
      alreadyDone: false,
      reason: expect.stringMatching(/moved from 2025-03-20 to 2025-04-30/),
    });

    // On the old date, the first plan no longer suspends anyone.
    const h = recordingHandlers();
    const r2 = await applyPlan(first, h.handlers, { journal, now: new Date('2025-03-21T00:00:00Z'), ...fast });
    expect(h.calls.filter((c) => c.type === 'suspendUser' || c.type === 'revoke')).toEqual([]);
    expect(r2.skipped.map((s) => s.idempotencyKey)).toContain(oldSuspend.idempotencyKey);
  });
});

describe('FileJournal with applyPlan', () => {
  it('persists across instances (a new process sees what was done)', async () => {
    const plan = scenario();
    const path = join(mkdtempSync(join(tmpdir(), 'orgsync-prov-')), 'nested', 'journal.json');
    await applyPlan(plan, recordingHandlers().handlers, { journal: new FileJournal(path), now: NOW, ...fast });
    const file = JSON.parse(readFileSync(path, 'utf8')) as { entries: Array<{ key: string; status: string }> };
    expect(
      file.entries
        .filter((e) => e.status === 'done')
        .map((e) => e.key)
        .sort(),
    ).toEqual(
      actionsOf(plan)
        .map((a: PlanAction) => a.idempotencyKey)
        .sort(),
    );
  });
});
