import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import {
  formatPlanText,
  parsePlan,
  parseRuleSet,
  planProvisioning,
  type ChangeNotification,
  type PlanAction,
  type RuleSetInput,
} from '../../src/provisioning/index.js';
import { actionsOf, emp, ev, gev, GROUPS, loadExample, snap, summary } from './helpers.js';

const deptRules = loadExample('department-access') as RuleSetInput;
const offboarding = loadExample('offboarding') as RuleSetInput;
const NOW = new Date('2025-03-02T12:00:00Z');

const notification = (a: PlanAction | undefined): ChangeNotification => {
  if (!a || a.type !== 'notify' || a.notification.kind !== 'change') throw new Error('not a change notification');
  return a.notification;
};

describe('recipe 1: a new hire gets an account with their department permissions on day one', () => {
  const manager = emp('mgr', { groupIds: ['g-eng'], jobTitle: 'Engineering Manager' });
  const hire = emp('ada', {
    employmentStatus: 'PENDING',
    startDate: '2025-03-10',
    groupIds: ['g-platform'],
    managerId: 'mgr',
  });
  const current = snap([manager, hire]);
  const plan = planProvisioning([ev('HIRE', hire)], deptRules, { previous: snap([manager]), current, now: NOW });
  const acts = actionsOf(plan, 'ada');

  it('creates the account, grants the department rule entitlements, welcomes and tells IT/security', () => {
    expect(summary(acts)).toEqual([
      'createUser',
      'grant role:member',
      'grant license:standard-seat',
      'grant group:engineering',
      'grant permission:ci:run',
      'grant permission:repo:read',
      'grant permission:repo:write',
      'sendWelcome',
      'notify account_created',
    ]);
    const n = notification(acts.at(-1));
    expect(n.recipients).toEqual(['it@acme.example', 'security@acme.example']);
    expect(n.granted.map((g) => g.value)).toContain('repo:write');
    expect(n.employee).toMatchObject({ id: 'ada', email: 'ada@acme.example' });
  });

  it('schedules everything for the start date (08:00 New York), not before', () => {
    // 2025-03-10 08:00 EDT = 12:00Z
    for (const a of acts) expect(a.notBefore, a.type).toBe('2025-03-10T12:00:00.000Z');
  });

  it('says why: the event and the rule behind each grant; grants wait for the account', () => {
    const create = acts[0]!;
    const repo = acts.find((a) => a.type === 'grant' && a.entitlement.value === 'repo:write')!;
    expect(repo.reason).toMatchObject({ eventId: 'evt-hire-ada', eventType: 'HIRE', ruleIds: ['engineering'] });
    expect(repo.dependsOn).toEqual([create.idempotencyKey]);
    const welcome = acts.find((a) => a.type === 'sendWelcome')!;
    expect(welcome.dependsOn).toContain(create.idempotencyKey);
    expect(welcome.dependsOn).toContain(repo.idempotencyKey);
    if (create.type !== 'createUser') throw new Error();
    expect(create.profile).toMatchObject({
      email: 'ada@acme.example',
      managerEmail: 'mgr@acme.example',
      groups: ['Platform'],
      startDate: '2025-03-10',
    });
  });

  it('an ACTIVE hire whose start date has passed is provisioned now; provisionDaysBefore moves the date', () => {
    const started = emp('bo', { startDate: '2025-02-01', groupIds: ['g-sales'] });
    const p = planProvisioning([ev('HIRE', started)], deptRules, { current: snap([started]), now: NOW });
    expect(actionsOf(p).every((a) => a.notBefore === undefined)).toBe(true);
    const early = parseRuleSet({
      ...deptRules,
      policy: { ...(deptRules.policy as object), hire: { time: '08:00', provisionDaysBefore: 2 } },
    });
    const p2 = planProvisioning([ev('HIRE', hire)], early, { current, now: NOW });
    expect(actionsOf(p2)[0]!.notBefore).toBe('2025-03-08T13:00:00.000Z'); // still EST on the 8th
  });

  it('someone no rule matches (and no defaults) gets nothing', () => {
    const r = parseRuleSet({
      version: 1,
      rules: [{ id: 'sales', when: { attribute: 'department', op: 'equals', value: 'Sales' }, grant: { role: 'x' } }],
    });
    expect(planProvisioning([ev('HIRE', hire)], r, { current, now: NOW }).employees).toEqual([]);
  });
});

describe('recipe 2: a department change swaps permissions and IT/security is told', () => {
  const before = emp('bob', { groupIds: ['g-sales'], jobTitle: 'Account Executive' });
  const after = emp('bob', { groupIds: ['g-platform'], jobTitle: 'Engineer' });
  const plan = planProvisioning([ev('GROUP_CHANGE', after, before), ev('TITLE_CHANGE', after, before)], deptRules, {
    previous: snap([before]),
    current: snap([after]),
    now: NOW,
  });
  const acts = actionsOf(plan, 'bob');

  it('revokes the old department entitlements, then grants the new ones (once, for both events)', () => {
    expect(summary(acts)).toEqual([
      'updateUser',
      'revoke group:sales',
      'revoke permission:crm:read',
      'revoke permission:crm:write',
      'grant group:engineering',
      'grant permission:ci:run',
      'grant permission:repo:read',
      'grant permission:repo:write',
      'notify permissions_changed',
    ]);
    const revoke = acts.find((a) => a.type === 'revoke')!;
    expect(revoke.reason.ruleIds).toEqual(['sales']);
    expect(revoke.reason.eventType).toBe('GROUP_CHANGE');
    expect(acts.every((a) => a.notBefore === undefined)).toBe(true);
  });

  it('the notification lists what was granted and revoked', () => {
    const n = notification(acts.at(-1));
    expect(n.revoked.map((r) => r.value)).toEqual(['sales', 'crm:read', 'crm:write']);
    expect(n.granted.map((r) => r.value)).toEqual(['engineering', 'ci:run', 'repo:read', 'repo:write']);
    expect(n.recipients).toEqual(['it@acme.example', 'security@acme.example']);
  });

  it('updates the profile fields that changed', () => {
    const u = acts[0]!;
    if (u.type !== 'updateUser') throw new Error();
    expect(u.changes.map((c) => c.field)).toEqual(['title', 'department', 'groups']);
    expect(u.changes.find((c) => c.field === 'department')).toEqual({
      field: 'department',
      before: 'Sales',
      after: null,
    });
  });

  it('a role change is one grant that replaces the old role (priority decides conflicts)', () => {
    const promoted = emp('bob', { groupIds: ['g-eng'], jobTitle: 'Engineering Manager' });
    const engineer = emp('bob', { groupIds: ['g-eng'], jobTitle: 'Engineer' });
    const p = planProvisioning([ev('TITLE_CHANGE', promoted, engineer)], deptRules, {
      current: snap([promoted]),
      now: NOW,
    });
    const grants = actionsOf(p).filter((a) => a.type === 'grant');
    expect(summary(grants)).toEqual(['grant role:admin', 'grant permission:repo:admin']);
    expect(grants[0]).toMatchObject({ replaces: 'member', reason: { ruleIds: ['engineering-managers'] } });
    // Back down: the role goes back to member, repo:admin is revoked.
    const p2 = planProvisioning([ev('TITLE_CHANGE', engineer, promoted)], deptRules, {
      current: snap([engineer]),
      now: NOW,
    });
    expect(summary(actionsOf(p2)).filter((s) => !s.startsWith('notify') && s !== 'updateUser')).toEqual([
      'revoke permission:repo:admin',
      'grant role:member',
    ]);
  });

  it('with the account known, grants skip what it has and revokes only touch what it has', () => {
    const p = planProvisioning([ev('GROUP_CHANGE', after, before)], deptRules, {
      current: snap([after]),
      now: NOW,
      existingAccounts: [
        {
          employeeId: 'bob',
          status: 'active',
          entitlements: { role: 'member', groups: ['sales', 'engineering'], permissions: ['crm:read', 'hand-granted'] },
        },
      ],
    });
    expect(summary(actionsOf(p)).filter((s) => /^(grant|revoke)/.test(s))).toEqual([
      'revoke group:sales',
      'revoke permission:crm:read',
      'grant license:standard-seat',
      'grant permission:ci:run',
      'grant permission:repo:read',
      'grant permission:repo:write',
    ]);
  });

  it('an attribute change that changes no entitlement and no profile field plans nothing', () => {
    const a = emp('c', { customFields: { shoeSize: 42 } });
    const b = emp('c', { customFields: { shoeSize: 43 } });
    expect(
      planProvisioning([ev('PROFILE_UPDATE', b, a)], deptRules, { current: snap([b]), now: NOW }).employees,
    ).toEqual([]);
  });
});

describe('recipe 3: a departure suspends the account and revokes access at the termination date', () => {
  const before = emp('leo', { groupIds: ['g-sales'] });
  const gone = (extra: Record<string, unknown> = {}) =>
    emp('leo', {
      groupIds: ['g-sales'],
      employmentStatus: 'TERMINATED',
      terminationDate: '2025-03-05',
      customFields: extra,
    });

  it('voluntary: revoke everything, then suspend, at the termination date; IT/security told', () => {
    const p = planProvisioning([ev('TERMINATION', gone(), before, { effectiveDate: '2025-03-05' })], deptRules, {
      current: snap([gone()]),
      now: NOW,
    });
    const acts = actionsOf(p);
    expect(summary(acts)).toEqual([
      'revoke role:member',
      'revoke license:standard-seat',
      'revoke group:sales',
      'revoke permission:crm:read',
      'revoke permission:crm:write',
      'suspendUser',
      'notify deprovisioned',
    ]);
    // 2025-03-05 00:00 in New York (EST) = 05:00Z
    for (const a of acts) expect(a.notBefore).toBe('2025-03-05T05:00:00.000Z');
    const suspend = acts.find((a) => a.type === 'suspendUser')!;
    expect(suspend.dependsOn).toHaveLength(5);
    const n = notification(acts.at(-1));
    expect(n.severity).toBe('warning');
    expect(n.revoked).toHaveLength(5);
    expect(acts.some((a) => a.type === 'deleteUser')).toBe(false);
  });

  it('involuntary (custom field): immediately, when the rules say so', () => {
    const p = planProvisioning(
      [ev('TERMINATION', gone({ terminationType: 'Involuntary' }), before, { effectiveDate: '2025-03-05' })],
      deptRules,
      {
        current: snap([gone()]),
        now: NOW,
      },
    );
    const acts = actionsOf(p);
    expect(acts.every((a) => a.notBefore === undefined)).toBe(true);
    expect(notification(acts.at(-1)).severity).toBe('critical');
    // Without `immediate`, the date is kept.
    const lenient = parseRuleSet({
      ...deptRules,
      policy: { ...(deptRules.policy as object), termination: { involuntary: { immediate: false } } },
    });
    const p2 = planProvisioning(
      [ev('TERMINATION', gone({ terminationType: 'involuntary' }), before, { effectiveDate: '2025-03-05' })],
      lenient,
      {
        current: snap([gone()]),
        now: NOW,
      },
    );
    expect(actionsOf(p2)[0]!.notBefore).toBe('2025-03-05T05:00:00.000Z');
  });

  it('suspend_then_delete with a grace period; an event terminationType hint counts as involuntary', () => {
    const left = gone();
    const voluntary = planProvisioning([ev('TERMINATION', left, before)], offboarding, {
      current: snap([left]),
      now: NOW,
    });
    const acts = actionsOf(voluntary);
    expect(summary(acts)).toEqual([
      'revoke role:member',
      'revoke license:seat',
      'revoke group:all-staff',
      'suspendUser',
      'deleteUser',
      'notify deprovisioned',
    ]);
    // end_of_day in London: access ends at 00:00 on the 6th (GMT)
    expect(acts.find((a) => a.type === 'suspendUser')!.notBefore).toBe('2025-03-06T00:00:00.000Z');
    const del = acts.find((a) => a.type === 'deleteUser')!;
    expect(del.notBefore).toBe('2025-04-05T00:00:00.000Z');
    expect(del.dependsOn).toContain(acts.find((a) => a.type === 'suspendUser')!.idempotencyKey);

    const hinted = { ...ev('TERMINATION', left, before), terminationType: 'For Cause' };
    const inv = actionsOf(planProvisioning([hinted], offboarding, { current: snap([left]), now: NOW }));
    expect(inv.find((a) => a.type === 'suspendUser')!.notBefore).toBeUndefined();
    expect(inv.find((a) => a.type === 'deleteUser')!.notBefore).toBe('2025-04-01T12:00:00.000Z'); // now + 30 days
  });

  it('TERMINATION_SCHEDULED schedules the suspension at the date; the later TERMINATION reuses the same keys', () => {
    const leaving = emp('leo', { groupIds: ['g-sales'], terminationDate: '2025-03-20' });
    const sched = actionsOf(
      planProvisioning([ev('TERMINATION_SCHEDULED', leaving, before, { effectiveDate: '2025-03-20' })], deptRules, {
        current: snap([leaving]),
        now: NOW,
      }),
    );
    expect(summary(sched)[0]).toBe('notify deprovision_scheduled');
    expect(sched[0]!.notBefore).toBeUndefined(); // IT hears about it now
    const suspend = sched.find((a) => a.type === 'suspendUser')!;
    expect(suspend.notBefore).toBe('2025-03-20T04:00:00.000Z'); // EDT
    const done = emp('leo', { groupIds: ['g-sales'], terminationDate: '2025-03-20', employmentStatus: 'TERMINATED' });
    const term = actionsOf(
      planProvisioning([ev('TERMINATION', done, leaving, { effectiveDate: '2025-03-20' })], deptRules, {
        current: snap([done]),
        now: NOW,
      }),
    );
    const keys = (as: PlanAction[]) =>
      as
        .filter((a) => a.type !== 'notify' || notification(a).category === 'deprovisioned')
        .map((a) => a.idempotencyKey);
    expect(keys(term)).toEqual(keys(sched));
  });
});

describe('other lifecycle events', () => {
  it('REHIRE: creates (reactivating if it exists) or reactivates a known suspended account, dropping stale access', () => {
    const back = emp('rae', { groupIds: ['g-sales'], startDate: '2025-03-01' });
    const unknown = actionsOf(planProvisioning([ev('REHIRE', back)], deptRules, { current: snap([back]), now: NOW }));
    expect(unknown[0]).toMatchObject({ type: 'createUser', rehire: true });
    const known = actionsOf(
      planProvisioning([ev('REHIRE', back)], deptRules, {
        current: snap([back]),
        now: NOW,
        existingAccounts: {
          rae: { status: 'suspended', entitlements: { role: 'admin', permissions: ['repo:admin', 'crm:read'] } },
        },
      }),
    );
    expect(summary(known)).toEqual([
      'updateUser reactivate',
      'revoke permission:repo:admin',
      'grant role:member',
      'grant license:standard-seat',
      'grant group:sales',
      'grant permission:crm:write',
      'sendWelcome',
      'notify account_reactivated',
    ]);
  });

  it('REMOTE_DELETED suspends (never deletes) and notifies, whatever the termination policy', () => {
    const lastSeen = emp('rob', { groupIds: ['g-sales'] });
    const acts = actionsOf(
      planProvisioning([ev('REMOTE_DELETED', lastSeen, lastSeen)], offboarding, { current: snap([]), now: NOW }),
    );
    expect(summary(acts)).toEqual(['suspendUser', 'notify suspended_remote_deleted']);
    expect(acts[0]!.notBefore).toBeUndefined();
  });

  it('leave: nothing by default; with leave.action suspend, suspend at the start and reactivate at the end', () => {
    const on = emp('lia', { employmentStatus: 'LEAVE' });
    const off = emp('lia');
    expect(
      planProvisioning([ev('LEAVE_START', on, off)], deptRules, { current: snap([on]), now: NOW }).employees,
    ).toEqual([]);
    const start = actionsOf(
      planProvisioning([ev('LEAVE_START', on, off, { effectiveDate: '2025-04-01' })], offboarding, {
        current: snap([on]),
        now: NOW,
      }),
    );
    expect(summary(start)).toEqual(['suspendUser', 'notify leave_suspended']);
    expect(start[0]!.notBefore).toBe('2025-03-31T23:00:00.000Z'); // BST began on 30 March
    const end = actionsOf(
      planProvisioning([ev('LEAVE_END', off, on)], offboarding, { current: snap([off]), now: NOW }),
    );
    expect(summary(end)).toEqual(['updateUser reactivate', 'notify account_reactivated']);
  });

  it('IDENTITY_CHANGE relinks the account (updateUser with previousEmployeeId) and warns IT', () => {
    const old = emp('old-1', { employeeNumber: '77', firstName: 'Ivy', workEmail: 'ivy@acme.example' });
    const now = emp('new-1', { employeeNumber: '77', firstName: 'Ivy', workEmail: 'ivy@acme.example' });
    const acts = actionsOf(
      planProvisioning(
        [ev('IDENTITY_CHANGE', now, old, { previousEmployeeId: 'old-1', matchedOn: 'employeeNumber' })],
        deptRules,
        { current: snap([now]), now: NOW },
      ),
    );
    expect(summary(acts)).toEqual(['updateUser', 'notify identity_changed']);
    expect(acts[0]).toMatchObject({
      previousEmployeeId: 'old-1',
      changes: [{ field: 'employeeId', before: 'old-1', after: 'new-1' }],
    });
  });

  it('event modes: ignore plans nothing, notify plans a to-do for IT with what would have been done', () => {
    const hire = emp('ned', { groupIds: ['g-sales'] });
    const ignore = parseRuleSet({
      ...deptRules,
      policy: { ...(deptRules.policy as object), events: { HIRE: 'ignore' } },
    });
    expect(planProvisioning([ev('HIRE', hire)], ignore, { current: snap([hire]), now: NOW }).employees).toEqual([]);
    const manual = parseRuleSet({
      ...deptRules,
      policy: { ...(deptRules.policy as object), events: { HIRE: 'notify' } },
    });
    const acts = actionsOf(planProvisioning([ev('HIRE', hire)], manual, { current: snap([hire]), now: NOW }));
    expect(summary(acts)).toEqual(['notify manual_action_required']);
    expect(notification(acts[0]).details).toEqual(
      expect.arrayContaining(['would have: createUser', 'would have: grant group:sales']),
    );
  });

  it('a terminated person is never granted anything, even when their termination is handled by hand', () => {
    const before = emp('tom', { groupIds: ['g-sales'] });
    const after = emp('tom', { groupIds: ['g-eng'], employmentStatus: 'TERMINATED' });
    const manual = parseRuleSet({
      ...deptRules,
      policy: { ...(deptRules.policy as object), events: { TERMINATION: 'notify' } },
    });
    const acts = actionsOf(
      planProvisioning([ev('TERMINATION', after, before), ev('GROUP_CHANGE', after, before)], manual, {
        current: snap([after]),
        now: NOW,
      }),
    );
    expect(summary(acts)).toEqual(['notify manual_action_required']);
  });
});

describe('never-touch and UNKNOWN status', () => {
  it('break-glass people are never touched, but a notification says they were skipped', () => {
    const admin = emp('root', { workEmail: 'BreakGlass-Admin@acme.example', groupIds: ['g-eng'] });
    const was = emp('root', {
      workEmail: 'BreakGlass-Admin@acme.example',
      groupIds: ['g-eng'],
      employmentStatus: 'TERMINATED',
    });
    for (const e of [
      ev('HIRE', admin),
      ev('TERMINATION', was, admin),
      ev('GROUP_CHANGE', emp('root', { workEmail: admin.workEmail }), admin),
    ]) {
      const acts = actionsOf(planProvisioning([e], deptRules, { current: snap([e.employee]), now: NOW }));
      expect(summary(acts), e.type).toEqual(['notify skipped_break_glass']);
      expect(
        notification(acts[0]).details.some((d) => d.startsWith('would have:')),
        e.type,
      ).toBe(true);
    }
    const byId = parseRuleSet({ ...offboarding });
    const root = emp('emp-root-admin');
    const gone = emp('emp-root-admin', { employmentStatus: 'TERMINATED' });
    expect(
      summary(actionsOf(planProvisioning([ev('TERMINATION', gone, root)], byId, { current: snap([gone]), now: NOW }))),
    ).toEqual(['notify skipped_break_glass']);
  });

  it('UNKNOWN status never provisions nor deprovisions', () => {
    const before = emp('uma', { groupIds: ['g-sales'] });
    const after = emp('uma', {
      groupIds: ['g-eng'],
      employmentStatus: 'UNKNOWN',
      employmentStatusRaw: 'Garden leave?',
    });
    const acts = actionsOf(
      planProvisioning([ev('GROUP_CHANGE', after, before)], deptRules, { current: snap([after]), now: NOW }),
    );
    expect(summary(acts)).toEqual(['notify skipped_unknown_status']);
    expect(notification(acts[0]).summary).toContain('Garden leave?');
    expect(notification(acts[0]).details).toEqual(
      expect.arrayContaining([
        'status changed from ACTIVE to UNKNOWN',
        'would have: revoke group:sales',
        'would have: grant group:engineering',
      ]),
    );
    // An UNKNOWN hire is not provisioned.
    const hire = emp('una', { employmentStatus: 'UNKNOWN', groupIds: ['g-eng'] });
    expect(
      summary(actionsOf(planProvisioning([ev('HIRE', hire)], deptRules, { current: snap([hire]), now: NOW }))),
    ).toEqual(['notify skipped_unknown_status']);
    // Still UNKNOWN, and nothing would have happened anyway: nothing to say.
    const still0 = emp('uma', { employmentStatus: 'UNKNOWN', customFields: { a: 1 } });
    const still1 = emp('uma', { employmentStatus: 'UNKNOWN', customFields: { a: 2 } });
    expect(
      planProvisioning([ev('PROFILE_UPDATE', still1, still0)], deptRules, { current: snap([still1]), now: NOW })
        .employees,
    ).toEqual([]);
    const ghost = emp('gus', { employmentStatus: 'UNKNOWN' });
    expect(
      summary(
        actionsOf(planProvisioning([ev('REMOTE_DELETED', ghost, ghost)], deptRules, { current: snap([]), now: NOW })),
      ),
    ).toEqual(['notify skipped_unknown_status']);
  });
});

describe('indirect effects', () => {
  it('a renamed group changes access for its members (attributed to the group event)', () => {
    const sam = emp('sam', { groupIds: ['g-sales'] });
    const renamed = GROUPS.map((g) => (g.id === 'g-sales' ? { ...g, name: 'Revenue' } : g));
    const p = planProvisioning(
      [
        gev(
          'GROUP_RENAMED',
          renamed.find((g) => g.id === 'g-sales')!,
          GROUPS.find((g) => g.id === 'g-sales'),
        ),
      ],
      deptRules,
      {
        previous: snap([sam]),
        current: snap([sam], { groups: renamed }),
        now: NOW,
      },
    );
    const acts = actionsOf(p, 'sam');
    expect(summary(acts)).toEqual([
      'updateUser',
      'revoke group:sales',
      'revoke permission:crm:read',
      'revoke permission:crm:write',
      'notify permissions_changed',
    ]);
    expect(acts[1]!.reason).toMatchObject({ eventId: 'gevt-group_renamed-g-sales', eventType: 'GROUP_RENAMED' });
  });

  it('a manager moving changes "reports up to" access for the whole chain below', () => {
    const rules = loadExample('starter') as RuleSetInput;
    const cfo = emp('cfo', { workEmail: 'cfo@acme.example' });
    const ceo = emp('ceo');
    const mia = emp('mia', { managerId: 'cfo' });
    const ian = emp('ian', { managerId: 'mia' });
    const miaMoved = emp('mia', { managerId: 'ceo' });
    const p = planProvisioning([ev('MANAGER_CHANGE', miaMoved, mia)], rules, {
      previous: snap([cfo, ceo, mia, ian]),
      current: snap([cfo, ceo, miaMoved, ian]),
      now: NOW,
    });
    expect(summary(actionsOf(p, 'ian')).filter((s) => s.startsWith('revoke'))).toEqual([
      'revoke permission:billing:read',
      'revoke permission:invoices:approve',
    ]);
    expect(actionsOf(p, 'ian')[0]!.reason.eventId).toBe('evt-manager_change-mia');
  });
});

describe('indirect effects through reporting lines', () => {
  const rules = loadExample('starter') as RuleSetInput;
  const billing = (p: ReturnType<typeof planProvisioning>, id: string) =>
    summary(actionsOf(p, id)).filter((s) => s.includes('billing') || s.includes('invoices'));

  it('a line turned into a cycle cut off from the CFO: everyone in it loses "reports up to" access', () => {
    const cfo = emp('cfo');
    const x = emp('x', { managerId: 'cfo' });
    const y = emp('y', { managerId: 'x' });
    const z = emp('z', { managerId: 'y' });
    const w = emp('w', { managerId: 'cfo' });
    // x now reports to z: x -> z -> y -> x, nobody in it reaches the CFO any more.
    const xMoved = { ...x, managerId: 'z' };
    const p = planProvisioning([ev('MANAGER_CHANGE', xMoved, x)], rules, {
      previous: snap([cfo, x, y, z, w]),
      current: snap([cfo, xMoved, y, z, w]),
      now: NOW,
    });
    const lost = ['revoke permission:billing:read', 'revoke permission:invoices:approve'];
    for (const id of ['x', 'y', 'z']) expect(billing(p, id), id).toEqual(lost);
    expect(actionsOf(p, 'y')[0]!.reason.eventId).toBe('evt-manager_change-x');
    expect(actionsOf(p, 'w')).toEqual([]);
    expect(actionsOf(p, 'cfo')).toEqual([]);
  });

  it('the cause named is the smallest event id among the managers above; ignored events cause nothing', () => {
    const cfo = emp('cfo');
    const mid = emp('mid', { managerId: 'cfo' });
    const low = emp('low', { managerId: 'mid' });
    const deep = emp('deep', { managerId: 'low' });
    // mid leaves the CFO's line, and the CFO's title changes: deep loses billing access.
    const midMoved = { ...mid, managerId: null };
    const cfoTitled = { ...cfo, jobTitle: 'CFO' };
    const events = [
      ev('MANAGER_CHANGE', midMoved, mid, { id: 'b-mid' }),
      ev('TITLE_CHANGE', cfoTitled, cfo, { id: 'a-cfo' }),
    ];
    const ctx = { previous: snap([cfo, mid, low, deep]), current: snap([cfoTitled, midMoved, low, deep]), now: NOW };
    const p = planProvisioning(events, rules, ctx);
    expect(billing(p, 'deep')).toEqual(['revoke permission:billing:read', 'revoke permission:invoices:approve']);
    expect(actionsOf(p, 'deep')[0]!.reason.eventId).toBe('a-cfo');
    const noTitles = parseRuleSet({
      ...rules,
      policy: { ...((rules as { policy?: object }).policy ?? {}), events: { TITLE_CHANGE: 'ignore' } },
    });
    expect(actionsOf(planProvisioning(events, noTitles, ctx), 'deep')[0]!.reason.eventId).toBe('b-mid');
    const neither = parseRuleSet({
      ...rules,
      policy: {
        ...((rules as { policy?: object }).policy ?? {}),
        events: { TITLE_CHANGE: 'ignore', MANAGER_CHANGE: 'ignore' },
      },
    });
    expect(actionsOf(planProvisioning(events, neither, ctx), 'deep')).toEqual([]);
  });
});

describe('determinism', () => {
  const a0 = emp('a', { groupIds: ['g-sales'] });
  const a1 = emp('a', { groupIds: ['g-eng'] });
  const b1 = emp('b', { employmentStatus: 'PENDING', startDate: '2025-04-01', groupIds: ['g-eng'] });
  const c0 = emp('c', { groupIds: ['g-sales'] });
  const c1 = emp('c', { groupIds: ['g-sales'], employmentStatus: 'TERMINATED', terminationDate: '2025-03-03' });
  const events = [ev('GROUP_CHANGE', a1, a0), ev('HIRE', b1), ev('TERMINATION', c1, c0)];
  const ctx = { previous: snap([a0, c0]), current: snap([a1, b1, c1], { takenAt: '2025-03-02T12:00:00Z' }), now: NOW };

  it('same input (in any order) gives byte-identical JSON and the same planId', () => {
    const one = JSON.stringify(planProvisioning(events, deptRules, ctx));
    const two = JSON.stringify(
      planProvisioning([...events].reverse(), JSON.parse(JSON.stringify(deptRules)), { ...ctx }),
    );
    expect(two).toBe(one);
    expect(JSON.parse(one).planId).toMatch(/^plan_[0-9a-f]{24}$/);
  });

  it('planId covers the content; idempotency keys do not depend on it', () => {
    const p1 = planProvisioning(events, deptRules, ctx);
    const p2 = planProvisioning(events, deptRules, {
      ...ctx,
      current: { ...ctx.current, takenAt: '2025-03-03T12:00:00Z' },
    });
    expect(p2.planId).not.toBe(p1.planId);
    expect(actionsOf(p2).map((a) => a.idempotencyKey)).toEqual(actionsOf(p1).map((a) => a.idempotencyKey));
    const stricter = parseRuleSet({
      ...deptRules,
      policy: { ...(deptRules.policy as object), thresholds: { maxDeprovisionCount: 1 } },
    });
    expect(planProvisioning(events, stricter, ctx).planId).not.toBe(p1.planId);
    expect(new Set(actionsOf(p1).map((a) => a.idempotencyKey)).size).toBe(actionsOf(p1).length);
  });

  it('survives a JSON round trip (parsePlan) and renders as text', () => {
    const p = planProvisioning(events, deptRules, ctx);
    const back = parsePlan(JSON.stringify(p));
    expect(back.planId).toBe(p.planId);
    expect(() => parsePlan('{"kind":"nope"}')).toThrow(ValidationError);
    const text = formatPlanText(p, { now: NOW });
    expect(text).toContain(`Provisioning plan ${p.planId}`);
    expect(text).toContain('B Test <b@acme.example> [b]');
    expect(text).toMatch(/createUser b@acme\.example {2}\(not before 2025-04-01T12:00:00\.000Z\)/);
    expect(text).toMatch(/HIRE evt-hire-b \[everyone, engineering\]: HIRE: create the account on the start date/);
    expect(text).toContain('revoke permission:crm:read');
    expect(formatPlanText(planProvisioning([], deptRules, ctx))).toContain('Nothing to do.');
  });

  it('rejects invalid events and rule sets with ValidationError', () => {
    expect(() => planProvisioning([{ kind: 'employee', type: 'HIRE' } as never], deptRules, ctx)).toThrow(
      ValidationError,
    );
    expect(() => planProvisioning(events, { version: 1, rules: 'nope' } as never, ctx)).toThrow(ValidationError);
  });
});

describe('superseded schedules and status edge cases', () => {
  it('a pending hire whose start date moves: the old scheduled actions are canceled and re-planned for the new date', () => {
    const p0 = emp('pia', { employmentStatus: 'PENDING', startDate: '2025-03-10', groupIds: ['g-sales'] });
    const p1 = emp('pia', { employmentStatus: 'PENDING', startDate: '2025-03-17', groupIds: ['g-sales'] });
    const first = planProvisioning([ev('HIRE', p0)], deptRules, { current: snap([p0]), now: NOW });
    const moved = planProvisioning([ev('PROFILE_UPDATE', p1, p0)], deptRules, {
      previous: snap([p0]),
      current: snap([p1]),
      now: NOW,
    });
    expect(moved.cancels.map((c) => c.idempotencyKey)).toEqual(
      expect.arrayContaining(actionsOf(first).map((a) => a.idempotencyKey)),
    );
    expect(moved.cancels[0]!.reason.text).toBe('start date moved from 2025-03-10 to 2025-03-17');
    const acts = actionsOf(moved);
    expect(acts[0]).toMatchObject({ type: 'createUser', notBefore: '2025-03-17T12:00:00.000Z' });
    expect(acts.filter((a) => a.type === 'grant')).toHaveLength(5);
  });

  it('a termination that is called off cancels the scheduled deprovisioning and tells IT', () => {
    const t0 = emp('tia', { terminationDate: '2025-03-20' });
    const t1 = emp('tia', { terminationDate: null });
    const first = planProvisioning(
      [ev('TERMINATION_SCHEDULED', t0, emp('tia'), { effectiveDate: '2025-03-20' })],
      deptRules,
      { current: snap([t0]), now: NOW },
    );
    const off = planProvisioning([ev('PROFILE_UPDATE', t1, t0)], deptRules, { current: snap([t1]), now: NOW });
    const scheduled = actionsOf(first).filter(
      (a) => a.type !== 'notify' || notification(a).category !== 'deprovision_scheduled',
    );
    expect(off.cancels.map((c) => c.idempotencyKey).sort()).toEqual(scheduled.map((a) => a.idempotencyKey).sort());
    expect(summary(actionsOf(off))).toEqual(['notify deprovision_canceled']);
  });

  it('UNKNOWN -> TERMINATED (a PROFILE_UPDATE, no TERMINATION event) still deprovisions, revoking what they had', () => {
    const u = emp('ula', { groupIds: ['g-sales'], employmentStatus: 'UNKNOWN' });
    const t = emp('ula', { groupIds: ['g-sales'], employmentStatus: 'TERMINATED', terminationDate: '2025-03-01' });
    const acts = actionsOf(planProvisioning([ev('PROFILE_UPDATE', t, u)], deptRules, { current: snap([t]), now: NOW }));
    expect(summary(acts)).toEqual([
      'revoke role:member',
      'revoke license:standard-seat',
      'revoke group:sales',
      'revoke permission:crm:read',
      'revoke permission:crm:write',
      'suspendUser',
      'notify deprovisioned',
    ]);
  });

  it('leaving UNKNOWN makes sure the account and access exist (upsert, no welcome)', () => {
    const u = emp('uli', { groupIds: ['g-sales'], employmentStatus: 'UNKNOWN' });
    const a = emp('uli', { groupIds: ['g-sales'] });
    const acts = actionsOf(planProvisioning([ev('PROFILE_UPDATE', a, u)], deptRules, { current: snap([a]), now: NOW }));
    expect(acts[0]).toMatchObject({ type: 'createUser', rehire: true });
    expect(acts.some((x) => x.type === 'sendWelcome')).toBe(false);
    expect(acts.filter((x) => x.type === 'grant')).toHaveLength(5);
  });

  it('IDENTITY_CHANGE with a REHIRE relinks and reactivates the old account instead of creating a second one', () => {
    const old = emp('o1', {
      firstName: 'Ria',
      employeeNumber: '9',
      employmentStatus: 'TERMINATED',
      groupIds: ['g-sales'],
    });
    const back = emp('n1', { firstName: 'Ria', employeeNumber: '9', groupIds: ['g-sales'] });
    const acts = actionsOf(
      planProvisioning(
        [
          ev('IDENTITY_CHANGE', back, old, { previousEmployeeId: 'o1', matchedOn: 'employeeNumber' }),
          ev('REHIRE', back, old),
        ],
        deptRules,
        {
          current: snap([back]),
          now: NOW,
        },
      ),
    );
    expect(acts[0]).toMatchObject({ type: 'updateUser', previousEmployeeId: 'o1', reactivate: true });
    expect(acts.some((a) => a.type === 'createUser')).toBe(false);
  });
});
