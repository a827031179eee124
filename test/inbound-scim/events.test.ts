/**
 * Pushed writes as change events (exactly `diffSnapshots(before, after)`) and as provisioning plans
 * that go through the provisioning safety stops.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ChangeEvent } from '../../src/changes.js';
import { diffSnapshots } from '../../src/diff.js';
import type { OrgSnapshot } from '../../src/model.js';
import type { InboundPlan } from '../../src/inbound-scim/index.js';
import { applyPlan, MemoryJournal, type RuleSetInput, type SafetyAlert } from '../../src/provisioning/index.js';
import { client, CORE_GROUP, ENTERPRISE, makeHandler, patchOp, user } from './helpers.js';

interface Delivery {
  events: ChangeEvent[];
  previous: OrgSnapshot;
  current: OrgSnapshot;
}

function setup(extra: Parameters<typeof makeHandler>[0] = {}) {
  const deliveries: Delivery[] = [];
  const h = makeHandler({
    onChanges: (events, info) => void deliveries.push({ events, previous: info.previous, current: info.current }),
    ...extra,
  });
  return { h, scim: client(h), deliveries };
}

describe('change events', () => {
  it('every write yields exactly diffSnapshots(before, after): HIRE, TERMINATION, GROUP_CHANGE, REMOTE_DELETED', async () => {
    const { h, scim, deliveries } = setup();
    const ann = (
      await scim('POST', '/Users', {
        ...user('ann@acme.com'),
        title: 'Engineer',
        [ENTERPRISE]: { department: 'Engineering' },
      })
    ).json.id;
    const bob = (await scim('POST', '/Users', user('bob@acme.com'))).json.id;
    const team = (await scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: 'Platform' })).json.id;
    await scim(
      'PATCH',
      `/Groups/${team}`,
      patchOp({ op: 'add', path: 'members', value: [{ value: ann }, { value: bob }] }),
    );
    await scim('PATCH', `/Users/${bob}`, patchOp({ op: 'replace', path: 'active', value: false }));
    await scim('PATCH', `/Users/${ann}`, patchOp({ op: 'replace', path: 'title', value: 'Staff Engineer' }));
    await scim('DELETE', `/Users/${bob}`);

    const kinds = deliveries.map((d) =>
      d.events.map((e) => (e.kind === 'employee' ? `${e.type}:${e.employeeId}` : `${e.type}:${e.groupId}`)),
    );
    expect(kinds).toEqual([
      ['GROUP_CREATED:department:Engineering', `HIRE:${ann}`],
      [`HIRE:${bob}`],
      [`GROUP_CREATED:${team}`],
      [`GROUP_CHANGE:${ann}`, `GROUP_CHANGE:${bob}`],
      [`TERMINATION:${bob}`],
      [`TITLE_CHANGE:${ann}`],
      [`REMOTE_DELETED:${bob}`],
    ]);
    // Each delivery is the diff of the snapshots it came with, and the snapshots chain.
    for (let i = 0; i < deliveries.length; i++) {
      const d = deliveries[i]!;
      expect(d.events).toEqual(diffSnapshots(d.previous, d.current));
      if (i > 0) expect(d.previous).toBe(deliveries[i - 1]!.current);
    }
    expect(await h.snapshot('acme')).toBe(deliveries.at(-1)!.current);
    const group = deliveries[3]!.events[0]!;
    // Group names ride along as labels (added next to the ids, which stay as they were).
    expect(group.kind === 'employee' && group.changes).toEqual([
      {
        field: 'groupIds',
        before: ['department:Engineering'],
        after: ['department:Engineering', team].sort(),
        beforeLabel: ['Engineering'],
        afterLabel: expect.arrayContaining(['Engineering', 'Platform']),
      },
    ]);
  });

  it('maps SCIM users to employees the way the SCIM connector does', async () => {
    const { h, scim } = setup();
    const boss = (
      await scim('POST', '/Users', {
        ...user('boss@acme.com'),
        [ENTERPRISE]: { department: 'Engineering', division: 'R&D', employeeNumber: 'E1' },
      })
    ).json.id;
    await scim('POST', '/Users', {
      ...user('dev@acme.com'),
      displayName: 'Dev One',
      title: 'Engineer',
      userType: 'Contractor',
      externalId: 'ext-dev',
      emails: [
        { value: 'dev@acme.com', type: 'work', primary: true },
        { value: 'dev@home.example', type: 'home' },
      ],
      [ENTERPRISE]: {
        department: 'Engineering',
        division: 'R&D',
        costCenter: 'CC-1',
        manager: { value: boss },
        employeeNumber: 'E2',
        organization: 'Acme',
      },
    });
    await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'nostatus' });
    const snap = await h.snapshot('acme');
    expect(snap.connector).toBe('scim-inbound');
    expect(snap.company.id).toBe('acme');
    const dev = snap.employees.find((e) => e.workEmail === 'dev@acme.com')!;
    expect(dev).toMatchObject({
      displayName: 'Dev One',
      firstName: 'dev',
      lastName: 'Test',
      personalEmail: 'dev@home.example',
      jobTitle: 'Engineer',
      employeeNumber: 'E2',
      managerId: boss,
      employmentStatus: 'ACTIVE',
      employmentStatusRaw: 'true',
      employmentType: 'CONTRACTOR',
      employmentTypeRaw: 'Contractor',
      startDate: null,
      terminationDate: null,
      locationId: null,
      customFields: { userName: 'dev@acme.com', externalId: 'ext-dev', organization: 'Acme' },
    });
    expect(dev.groupIds.sort()).toEqual(['costCenter:CC-1', 'department:Engineering', 'division:R&D']);
    expect(snap.groups.find((g) => g.id === 'department:Engineering')).toEqual({
      id: 'department:Engineering',
      name: 'Engineering',
      type: 'DEPARTMENT',
      typeRaw: 'department',
      parentId: 'division:R&D',
    });
    expect(snap.employees.find((e) => e.customFields['userName'] === 'nostatus')!.employmentStatus).toBe('UNKNOWN');
  });

  it('a write that changes nothing stores nothing and yields no events', async () => {
    const saves: number[] = [];
    const { MemoryScimStore } = await import('../../src/inbound-scim/index.js');
    const inner = new MemoryScimStore();
    const { scim, deliveries } = setup({
      store: { load: (t) => inner.load(t), save: (t, d) => (saves.push(1), inner.save(t, d)) },
    });
    const id = (await scim('POST', '/Users', user('a@acme.com'))).json.id;
    await scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: true }));
    await scim('PATCH', `/Users/${id}`, patchOp({ op: 'remove', path: 'title' }));
    await scim('PUT', `/Users/${id}`, user('a@acme.com'));
    expect(saves).toHaveLength(1);
    expect(deliveries).toHaveLength(1);
  });

  it('serializes concurrent writes per tenant: no lost updates, uniqueness holds, events in commit order', async () => {
    const { h, scim, deliveries } = setup();
    const names = Array.from({ length: 25 }, (_, i) => `u${i}@acme.com`);
    const results = await Promise.all([
      ...names.map((n) => scim('POST', '/Users', user(n))),
      scim('POST', '/Users', user('u0@ACME.com')),
    ]);
    expect(results.filter((r) => r.status === 201)).toHaveLength(25);
    expect(results.filter((r) => r.status === 409)).toHaveLength(1);
    const g = (await scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: 'All' })).json.id;
    const ids = results.filter((r) => r.status === 201).map((r) => r.json.id as string);
    await Promise.all(
      ids.map((id) => scim('PATCH', `/Groups/${g}`, patchOp({ op: 'add', path: 'members', value: [{ value: id }] }))),
    );
    expect((await scim('GET', `/Groups/${g}`)).json.members).toHaveLength(25);
    const snap = await h.snapshot('acme');
    expect(snap.employees.filter((e) => e.groupIds.includes(g))).toHaveLength(25);
    for (let i = 1; i < deliveries.length; i++) expect(deliveries[i]!.previous).toBe(deliveries[i - 1]!.current);
  });

  it('also emits `changes` events; a failing callback does not fail the IdP request', async () => {
    const errors: unknown[] = [];
    const h = makeHandler({
      onChanges: () => {
        throw new Error('app bug');
      },
      onError: (e) => errors.push(e),
    });
    const seen: string[] = [];
    h.on('changes', (events, info) => seen.push(`${info.tenant}:${events.map((e) => e.type).join(',')}`));
    const res = await client(h)('POST', '/Users', user('a@acme.com'));
    expect(res.status).toBe(201);
    expect(seen).toEqual(['acme:HIRE']);
    expect(errors).toHaveLength(1);
  });
});

const RULES: RuleSetInput = {
  version: 1,
  name: 'acme',
  rules: [
    {
      id: 'eng-tools',
      when: { attribute: 'group', op: 'equals', value: 'Engineering' },
      grant: { licenses: ['eng-tools'], groups: ['engineers'] },
    },
  ],
  defaultEntitlements: { role: 'member' },
  policy: {
    notifications: { recipients: ['it@acme.com'], alertRecipients: ['security@acme.com'] },
    thresholds: { minCountForPercent: 5 },
  },
};

async function population(n: number, extra: Parameters<typeof makeHandler>[0] = {}) {
  const plans: InboundPlan[] = [];
  const alerts: SafetyAlert[] = [];
  const h = makeHandler({
    provisioning: {
      rules: RULES,
      settleMs: 60_000,
      onPlan: (r) => void plans.push(r),
      onSafetyStop: (a) => void alerts.push(a),
    },
    ...extra,
  });
  const scim = client(h);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await scim('POST', '/Users', user(`p${i}@acme.com`))).json.id);
  const eng = (
    await scim('POST', '/Groups', {
      schemas: [CORE_GROUP],
      displayName: 'Engineering',
      members: ids.slice(0, 30).map((value) => ({ value })),
    })
  ).json.id;
  await h.flush();
  plans.length = 0;
  alerts.length = 0;
  return { h, scim, ids, eng, plans, alerts };
}

describe('provisioning plans and safety stops', () => {
  it('pushed changes become provisioning plans (a hire creates an account)', async () => {
    const plans: InboundPlan[] = [];
    const h = makeHandler({ provisioning: { rules: RULES, settleMs: 0, onPlan: (r) => void plans.push(r) } });
    const id = (await client(h)('POST', '/Users', user('new@acme.com'))).json.id;
    await h.flush();
    expect(plans).toHaveLength(1);
    expect(plans[0]!.halted).toBe(false);
    expect(plans[0]!.plan.source.connector).toBe('scim-inbound');
    const actions = plans[0]!.plan.employees.find((e) => e.employeeId === id)!.actions.map((a) => a.type);
    expect(actions).toEqual(expect.arrayContaining(['createUser', 'grant', 'sendWelcome']));
  });

  it('a PATCH that empties a large group is planned as one batch, halted by the threshold, and the app is alerted', async () => {
    const { h, scim, eng, plans, alerts } = await population(40);
    const stops: SafetyAlert[] = [];
    h.on('safetyStop', (a) => stops.push(a));
    const res = await scim('PATCH', `/Groups/${eng}`, patchOp({ op: 'remove', path: 'members' }));
    expect(res.status).toBe(204); // the IdP's write is stored...
    expect((await h.snapshot('acme')).employees.filter((e) => e.groupIds.includes(eng))).toHaveLength(0);
    expect(plans).toHaveLength(0); // ...and planned once the batch settles (here: flushed)
    await h.flush();
    expect(plans).toHaveLength(1);
    const r = plans[0]!;
    expect(r.events.filter((e) => e.type === 'GROUP_CHANGE')).toHaveLength(30);
    expect(r.halted).toBe(true);
    expect(r.safety.breaches.map((b) => b.threshold)).toContain('maxPermissionChangePercent');
    expect(alerts).toHaveLength(1);
    expect(stops).toEqual(alerts);
    expect(alerts[0]!.recipients).toEqual(['security@acme.com']);
    expect(alerts[0]!.counts.permissionChanges).toBe(30);

    // The plan stays halted where actions are applied: applyPlan runs nothing but the alert.
    const calls: string[] = [];
    const handlers = Object.fromEntries(
      ['createUser', 'updateUser', 'grant', 'revoke', 'suspendUser', 'deleteUser', 'sendWelcome', 'notify'].map((t) => [
        t,
        (a: { type: string }) => void calls.push(a.type),
      ]),
    );
    const journal = new MemoryJournal();
    const applied = await applyPlan(r.plan, handlers, { journal });
    expect(applied.halted).not.toBeNull();
    expect(applied.done).toHaveLength(0);
    expect(calls).toEqual(['notify']);
    // With an explicit approval of that plan it runs.
    const approved = await applyPlan(r.plan, handlers, { journal, approval: { planId: r.plan.planId } });
    expect(approved.halted).toBeNull();
    expect(calls.filter((c) => c === 'revoke')).toHaveLength(60);
  });

  it('a wave of single-user deactivations (one PATCH each) is one batch and trips the deprovisioning threshold', async () => {
    const { h, scim, ids, plans, alerts } = await population(40);
    for (const id of ids.slice(0, 12))
      await scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', value: { active: false } }));
    await h.flush();
    expect(plans).toHaveLength(1);
    expect(plans[0]!.events.filter((e) => e.type === 'TERMINATION')).toHaveLength(12);
    expect(plans[0]!.halted).toBe(true);
    expect(alerts[0]!.breaches.map((b) => b.threshold)).toContain('maxDeprovisionPercent');
    expect(alerts[0]!.counts.deprovision).toBe(12);
  });

  it('small changes are planned and not halted; batches close after settleMs', async () => {
    const { h, scim, ids, eng, plans, alerts } = await population(40);
    await scim('PATCH', `/Groups/${eng}`, patchOp({ op: 'remove', path: `members[value eq "${ids[0]}"]` }));
    await scim('PATCH', `/Users/${ids[39]}`, patchOp({ op: 'replace', path: 'active', value: 'False' }));
    await h.flush();
    expect(plans).toHaveLength(1);
    expect(plans[0]!.halted).toBe(false);
    expect(alerts).toHaveLength(0);
    const byPerson = new Map(plans[0]!.plan.employees.map((e) => [e.employeeId, e.actions.map((a) => a.type)]));
    expect(byPerson.get(ids[0]!)).toEqual(expect.arrayContaining(['revoke']));
    expect(byPerson.get(ids[39]!)).toEqual(expect.arrayContaining(['suspendUser']));
  });

  it('plans on its own after the quiet period', async () => {
    const plans: InboundPlan[] = [];
    const h = makeHandler({ provisioning: { rules: RULES, settleMs: 150, onPlan: (r) => void plans.push(r) } });
    await client(h)('POST', '/Users', user('a@acme.com'));
    await client(h)('POST', '/Users', user('b@acme.com'));
    expect(plans).toHaveLength(0);
    await vi.waitFor(() => expect(plans.flatMap((p) => p.events.map((e) => e.type))).toEqual(['HIRE', 'HIRE']), {
      timeout: 5000,
      interval: 20,
    });
  });

  it('rejects an invalid rule set when the handler is created', () => {
    expect(() => makeHandler({ provisioning: { rules: { version: 1, rules: [{ id: 'x' }] } as never } })).toThrow();
  });
});
