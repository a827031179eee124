import { describe, expect, it } from 'vitest';
import { diffSnapshots } from '../../src/diff.js';
import {
  applyPlan,
  formatNotificationEmail,
  MemoryJournal,
  planProvisioning,
  type RuleSetInput,
} from '../../src/provisioning/index.js';
import { actionsOf, emp, loadExample, recordingHandlers, snap, summary } from './helpers.js';

describe('end to end: diffSnapshots -> planProvisioning -> applyPlan', () => {
  it('runs the three recipes from two snapshots', async () => {
    const rules = loadExample('department-access') as RuleSetInput;
    const staff = Array.from({ length: 30 }, (_, i) => emp(`s${String(i).padStart(2, '0')}`, { groupIds: ['g-fin'] }));
    const bob0 = emp('bob', { groupIds: ['g-sales'], jobTitle: 'Account Executive' });
    const leo0 = emp('leo', { groupIds: ['g-sales'] });
    const root0 = emp('root', { workEmail: 'breakglass-admin@acme.example', groupIds: ['g-eng'] });
    const previous = snap([...staff, bob0, leo0, root0], { takenAt: '2025-03-01T12:00:00Z' });

    const ada = emp('ada', { employmentStatus: 'PENDING', startDate: '2025-03-10', groupIds: ['g-platform'] });
    const bob1 = { ...bob0, groupIds: ['g-eng'], jobTitle: 'Engineer' };
    const leo1 = {
      ...leo0,
      employmentStatus: 'TERMINATED' as const,
      terminationDate: '2025-03-02',
      customFields: { terminationType: 'involuntary' },
    };
    const root1 = { ...root0, groupIds: ['g-sales'] };
    const current = snap([...staff, ada, bob1, leo1, root1], { takenAt: '2025-03-02T12:00:00Z' });

    const now = new Date('2025-03-02T12:00:00Z');
    const events = diffSnapshots(previous, current, { now: '2025-03-02' });
    expect(events.map((e) => `${e.type}:${e.kind === 'employee' ? e.employeeId : e.groupId}`)).toEqual(
      expect.arrayContaining([
        'HIRE:ada',
        'GROUP_CHANGE:bob',
        'TITLE_CHANGE:bob',
        'TERMINATION:leo',
        'GROUP_CHANGE:root',
      ]),
    );

    const plan = planProvisioning(events, rules, { previous, current, now });
    expect(JSON.stringify(planProvisioning([...events].reverse(), rules, { previous, current, now }))).toBe(
      JSON.stringify(plan),
    );
    expect(summary(actionsOf(plan, 'ada'))[0]).toBe('createUser');
    expect(actionsOf(plan, 'ada').every((a) => a.notBefore === '2025-03-10T12:00:00.000Z')).toBe(true);
    expect(summary(actionsOf(plan, 'bob')).filter((s) => /^(grant|revoke)/.test(s))).toEqual([
      'revoke group:sales',
      'revoke permission:crm:read',
      'revoke permission:crm:write',
      'grant group:engineering',
      'grant permission:ci:run',
      'grant permission:repo:read',
      'grant permission:repo:write',
    ]);
    expect(summary(actionsOf(plan, 'leo')).slice(-2)).toEqual(['suspendUser', 'notify deprovisioned']);
    expect(actionsOf(plan, 'leo').every((a) => a.notBefore === undefined)).toBe(true); // involuntary: now
    expect(summary(actionsOf(plan, 'root'))).toEqual(['notify skipped_break_glass']);

    const journal = new MemoryJournal();
    const h = recordingHandlers();
    const res = await applyPlan(plan, h.handlers, { journal, now, retryDelay: { minMs: 1 } });
    expect(res.halted).toBeNull();
    expect(res.failed).toEqual([]);
    expect(res.deferred.every((d) => d.employeeId === 'ada')).toBe(true);
    expect(h.calls.some((c) => c.employeeId === 'root')).toBe(false);
    const digest = res.digest!;
    expect(digest.items.map((i) => `${i.employee.id}:${i.category}`).sort()).toEqual([
      'bob:permissions_changed',
      'leo:deprovisioned',
      'root:skipped_break_glass',
    ]);
    const mail = formatNotificationEmail(digest);
    expect(mail.subject).toBe(
      '[orgsync] 3 access changes: 1 deprovisioned, 1 permissions changed, 1 skipped (never-touch list)',
    );

    // Start day: the deferred hire runs, nothing else is repeated.
    const day1 = recordingHandlers();
    const res2 = await applyPlan(plan, day1.handlers, {
      journal,
      now: new Date('2025-03-10T12:00:00Z'),
      retryDelay: { minMs: 1 },
    });
    expect(new Set(day1.calls.map((c) => c.employeeId))).toEqual(new Set(['ada', null]));
    expect(res2.digest?.items.map((i) => i.category)).toEqual(['account_created']);
  });
});
