import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import {
  createRuleContext,
  entitlementRefs,
  evaluateCondition,
  evaluateRules,
  managerChain,
  parseRuleSet,
  parseRuleSetJson,
  type Condition,
  type RuleSetInput,
} from '../../src/provisioning/index.js';
import { emp, snap } from './helpers.js';

const ceo = emp('ceo', { workEmail: 'CEO@acme.example', jobTitle: 'Chief Executive Officer' });
const vp = emp('vp', { managerId: 'ceo', jobTitle: 'VP Engineering', groupIds: ['g-eng'] });
const ada = emp('ada', {
  managerId: 'vp',
  groupIds: ['g-platform'],
  jobTitle: 'Senior Engineer',
  locationId: 'loc-ber',
  employmentType: 'CONTRACTOR',
  customFields: { costCenter: 4200, skills: ['go', 'rust'], onCall: true, empty: '' },
});
const bob = emp('bob', {
  managerId: 'vp',
  groupIds: ['g-sales'],
  jobTitle: 'Account Executive',
  workEmail: null,
  employmentStatus: 'LEAVE',
});
// A manager cycle: x -> y -> x
const x = emp('x', { managerId: 'y' });
const y = emp('y', { managerId: 'x' });
const ctx = createRuleContext(snap([ceo, vp, ada, bob, x, y]));

const t = (c: unknown, e = ada): boolean => evaluateCondition(c as Condition, e, ctx);

describe('rule operators', () => {
  it('equals compares exactly, ignoreCase folds case', () => {
    expect(t({ attribute: 'title', op: 'equals', value: 'Senior Engineer' })).toBe(true);
    expect(t({ attribute: 'title', op: 'equals', value: 'senior engineer' })).toBe(false);
    expect(t({ attribute: 'title', op: 'equals', value: 'senior engineer', ignoreCase: true })).toBe(true);
    expect(t({ attribute: 'title', op: 'equals', value: 'Engineer' })).toBe(false);
  });

  it('equals compares numbers and booleans by their string form', () => {
    expect(t({ attribute: 'customField', field: 'costCenter', op: 'equals', value: 4200 })).toBe(true);
    expect(t({ attribute: 'customField', field: 'costCenter', op: 'equals', value: '4200' })).toBe(true);
    expect(t({ attribute: 'customField', field: 'onCall', op: 'equals', value: true })).toBe(true);
    expect(t({ attribute: 'customField', field: 'onCall', op: 'equals', value: false })).toBe(false);
  });

  it('in matches any listed value', () => {
    expect(t({ attribute: 'employmentType', op: 'in', values: ['CONTRACTOR', 'TEMPORARY'] })).toBe(true);
    expect(t({ attribute: 'employmentType', op: 'in', values: ['FULL_TIME'] })).toBe(false);
    expect(t({ attribute: 'customField', field: 'skills', op: 'in', values: ['python', 'rust'] })).toBe(true);
  });

  it('matches tests a regular expression (flags i)', () => {
    expect(t({ attribute: 'title', op: 'matches', pattern: '^Senior ' })).toBe(true);
    expect(t({ attribute: 'title', op: 'matches', pattern: '^senior ' })).toBe(false);
    expect(t({ attribute: 'title', op: 'matches', pattern: '^senior ', flags: 'i' })).toBe(true);
    expect(t({ attribute: 'email', op: 'matches', pattern: '@acme\\.example$' })).toBe(true);
  });

  it('matches never matches an over-long value', () => {
    const long = emp('long', { jobTitle: `Engineer ${'x'.repeat(2000)}` });
    expect(t({ attribute: 'title', op: 'matches', pattern: '^Engineer' }, long)).toBe(false);
  });

  it('exists checks presence (empty strings and nulls are absent); value:false inverts', () => {
    expect(t({ attribute: 'email', op: 'exists' })).toBe(true);
    expect(t({ attribute: 'email', op: 'exists' }, bob)).toBe(false);
    expect(t({ attribute: 'email', op: 'exists', value: false }, bob)).toBe(true);
    expect(t({ attribute: 'customField', field: 'empty', op: 'exists' })).toBe(false);
    expect(t({ attribute: 'customField', field: 'missing', op: 'exists' })).toBe(false);
  });
});

describe('rule attributes', () => {
  it('group matches by id or by name; department/team filter by type; includeParents walks up', () => {
    expect(t({ attribute: 'group', op: 'equals', value: 'g-platform' })).toBe(true);
    expect(t({ attribute: 'group', op: 'equals', value: 'Platform' })).toBe(true);
    expect(t({ attribute: 'team', op: 'equals', value: 'Platform' })).toBe(true);
    // Ada is in a team under Engineering, not in the department itself.
    expect(t({ attribute: 'department', op: 'equals', value: 'Engineering' })).toBe(false);
    expect(t({ attribute: 'department', op: 'equals', value: 'Engineering', includeParents: true })).toBe(true);
    expect(t({ attribute: 'group', groupType: 'DEPARTMENT', op: 'equals', value: 'g-eng', includeParents: true })).toBe(
      true,
    );
    expect(t({ attribute: 'department', op: 'exists' }, vp)).toBe(true);
    expect(t({ attribute: 'department', op: 'exists' })).toBe(false);
  });

  it('location matches by id or name; status and employmentType', () => {
    expect(t({ attribute: 'location', op: 'equals', value: 'Berlin' })).toBe(true);
    expect(t({ attribute: 'location', op: 'equals', value: 'loc-ber' })).toBe(true);
    expect(t({ attribute: 'status', op: 'equals', value: 'LEAVE' }, bob)).toBe(true);
    expect(t({ attribute: 'status', op: 'equals', value: 'ACTIVE' }, bob)).toBe(false);
  });

  it('manager is the direct manager (id or email, case-insensitive); reportsTo walks the chain', () => {
    expect(t({ attribute: 'manager', op: 'equals', value: 'vp' })).toBe(true);
    expect(t({ attribute: 'manager', op: 'equals', value: 'ceo' })).toBe(false);
    expect(t({ attribute: 'reportsTo', op: 'equals', value: 'ceo' })).toBe(true);
    expect(t({ attribute: 'reportsTo', op: 'equals', value: 'ceo@ACME.example' })).toBe(true);
    expect(t({ attribute: 'reportsTo', op: 'equals', value: 'ada' }, vp)).toBe(false);
    expect(t({ attribute: 'reportsTo', op: 'exists' }, ceo)).toBe(false);
  });

  it('reportsTo is cycle-safe', () => {
    expect(t({ attribute: 'reportsTo', op: 'equals', value: 'y' }, x)).toBe(true);
    expect(t({ attribute: 'reportsTo', op: 'equals', value: 'x' }, x)).toBe(false);
    expect(t({ attribute: 'reportsTo', op: 'equals', value: 'nobody' }, x)).toBe(false);
  });

  it('reportsTo holds at any depth (a 20,000-deep line), and for a cycle member to every other member', () => {
    const line = Array.from({ length: 20_000 }, (_, i) => emp(`p${i}`, { managerId: i ? `p${i - 1}` : null }));
    const c = createRuleContext(snap(line));
    const top = { attribute: 'reportsTo', op: 'equals', value: 'p0@acme.example' } as Condition;
    expect(evaluateCondition(top, line[19_999]!, c)).toBe(true);
    expect(evaluateCondition(top, line[0]!, c)).toBe(false);
    // the same line closed into a cycle: everyone, the top included, reports to everyone else
    const ring = line.map((e, i) => (i === 0 ? { ...e, managerId: 'p19999' } : e));
    const rc = createRuleContext(snap(ring));
    expect(evaluateCondition(top, ring[0]!, rc)).toBe(false);
    expect(evaluateCondition({ attribute: 'reportsTo', op: 'equals', value: 'p1' }, ring[0]!, rc)).toBe(true);
    expect(evaluateCondition(top, ring[12_345]!, rc)).toBe(true);
  });

  it('reportsTo gives the same answers as matching the manager chain, in any evaluation order', () => {
    // Random reporting graphs with cycles, self-managers and missing managers, against the reference.
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let round = 0; round < 40; round++) {
      const n = 2 + rnd(30);
      const people = Array.from({ length: n }, (_, i) =>
        emp(`q${i}`, {
          managerId: rnd(5) === 0 ? null : rnd(8) === 0 ? `gone${i}` : `q${rnd(n)}`,
          workEmail: rnd(3) ? `q${i}@acme.example` : null,
        }),
      );
      const c = createRuleContext(snap(people));
      const conds: Condition[] = [
        { attribute: 'reportsTo', op: 'equals', value: `q${rnd(n)}` },
        { attribute: 'reportsTo', op: 'in', values: [`Q${rnd(n)}@ACME.example`, `q${rnd(n)}`] },
        { attribute: 'reportsTo', op: 'matches', pattern: `^q${rnd(10)}` },
        { attribute: 'reportsTo', op: 'exists' },
        { attribute: 'reportsTo', op: 'exists', value: false },
      ];
      const order = [...people].sort(() => rnd(3) - 1);
      for (const cond of conds) {
        for (const p of order) {
          const chain = managerChain(p, c).flatMap((m) => (m.workEmail ? [m.id, m.workEmail] : [m.id]));
          expect(evaluateCondition(cond, p, c), `${JSON.stringify(cond)} for ${p.id} (chain ${chain.join(',')})`).toBe(
            reference(cond, chain),
          );
        }
      }
      // Someone from another snapshot (another manager) is judged by their own chain.
      const moved = { ...people[0]!, managerId: `q${n - 1}` };
      const movedChain = managerChain(moved, c).flatMap((m) => (m.workEmail ? [m.id, m.workEmail] : [m.id]));
      expect(evaluateCondition(conds[0]!, moved, c)).toBe(reference(conds[0]!, movedChain));
    }
  });

  it('employeeId and customField arrays', () => {
    expect(t({ attribute: 'employeeId', op: 'equals', value: 'ada' })).toBe(true);
    expect(t({ attribute: 'customField', field: 'skills', op: 'equals', value: 'go' })).toBe(true);
  });
});

describe('combinators', () => {
  const yes = { attribute: 'employeeId', op: 'equals', value: 'ada' };
  const no = { attribute: 'employeeId', op: 'equals', value: 'bob' };
  it('all / any / not', () => {
    expect(t({ all: [yes, yes] })).toBe(true);
    expect(t({ all: [yes, no] })).toBe(false);
    expect(t({ any: [no, yes] })).toBe(true);
    expect(t({ any: [no, no] })).toBe(false);
    expect(t({ not: no })).toBe(true);
    expect(t({ not: yes })).toBe(false);
    expect(t({ all: [] })).toBe(true);
    expect(t({ any: [] })).toBe(false);
    expect(t({ not: { any: [no, { all: [yes, { not: no }] }] } })).toBe(false);
  });
});

describe('rule set validation', () => {
  const base = (when: unknown): RuleSetInput => ({
    version: 1,
    rules: [{ id: 'r', when: when as Condition, grant: { role: 'x' } }],
  });

  it('accepts a minimal rule set and fills defaults', () => {
    const rs = parseRuleSet({ version: 1 });
    expect(rs.rules).toEqual([]);
    expect(rs.defaultEntitlements).toBeNull();
    expect(rs.policy.termination.action).toBe('suspend');
    expect(rs.policy.thresholds).toMatchObject({
      maxDeprovisionPercent: 10,
      maxDeprovisionCount: 25,
      maxPermissionChangePercent: 20,
    });
    expect(rs.policy.notifications.mode).toBe('digest');
  });

  it('rejects invalid regexes, over-long patterns and catastrophic patterns at load', () => {
    expect(() => parseRuleSet(base({ attribute: 'title', op: 'matches', pattern: '([a-z' }))).toThrow(
      /invalid regular expression/,
    );
    expect(() => parseRuleSet(base({ attribute: 'title', op: 'matches', pattern: 'a'.repeat(201) }))).toThrow(
      ValidationError,
    );
    expect(() => parseRuleSet(base({ attribute: 'title', op: 'matches', pattern: '(a+)+$' }))).toThrow(
      /nested quantifiers/,
    );
    expect(() => parseRuleSet(base({ attribute: 'title', op: 'matches', pattern: '^(\\w+\\s?)*$' }))).toThrow(
      /nested quantifiers/,
    );
    expect(() => parseRuleSet(base({ attribute: 'title', op: 'matches', pattern: '(a)\\1' }))).toThrow(
      /backreferences/,
    );
    expect(() =>
      parseRuleSet(base({ attribute: 'title', op: 'matches', pattern: '^(Senior|Staff) (Engineer|Designer)$' })),
    ).not.toThrow();
  });

  it('reports every problem with a path, as a ValidationError', () => {
    try {
      parseRuleSet({
        version: 1,
        rules: [
          { id: 'a', when: { attribute: 'customField', op: 'exists' }, grant: {} },
          { id: 'a', when: { attribute: 'title', op: 'equalz', value: 'x' }, grant: { permisions: ['x'] } },
        ],
        policy: { timezone: 'Mars/Olympus' },
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      const issues = (e as ValidationError).issues.join('\n');
      expect(issues).toMatch(/rules\.0\.when\.field: attribute "customField" needs "field"/);
      // The union error points at the branch the input was meant to be, not a bare "Invalid input".
      expect(issues).toMatch(/rules\.1\.when\.op: Invalid discriminator value/);
      expect(issues).toMatch(/rules\.1\.grant: Unrecognized key: "permisions"/);
      expect(issues).toMatch(/duplicate rule id "a"/);
      expect(issues).toMatch(/policy\.timezone: unknown time zone/);
    }
  });

  it('rejects misplaced options and bad JSON', () => {
    expect(() => parseRuleSet(base({ attribute: 'title', field: 'x', op: 'exists' }))).toThrow(/"field" only applies/);
    expect(() => parseRuleSet(base({ attribute: 'title', groupType: 'TEAM', op: 'exists' }))).toThrow(
      /"groupType" only applies/,
    );
    expect(() => parseRuleSetJson('{ not json')).toThrow(ValidationError);
    expect(() => parseRuleSet({ version: 2 })).toThrow(ValidationError);
  });
});

describe('evaluateRules', () => {
  const rs = parseRuleSet({
    version: 1,
    rules: [
      { id: 'all', when: { all: [] }, grant: { role: 'member', licenses: ['seat'], permissions: ['read'] } },
      {
        id: 'eng',
        when: { attribute: 'department', op: 'equals', value: 'Engineering', includeParents: true },
        grant: { role: 'developer', permissions: ['read', 'write'] },
      },
      {
        id: 'eng2',
        when: { attribute: 'department', op: 'equals', value: 'Engineering', includeParents: true },
        grant: { role: 'builder' },
      },
      {
        id: 'contractor',
        priority: 5,
        when: { attribute: 'employmentType', op: 'equals', value: 'CONTRACTOR' },
        grant: { role: 'guest', groups: ['contractors'] },
      },
      { id: 'off', enabled: false, when: { all: [] }, grant: { permissions: ['never'] } },
    ],
  });

  it('unions the entitlements of every matching rule, remembering which rules grant each', () => {
    const set = evaluateRules(rs, vp, ctx)!;
    expect(set.source).toBe('rules');
    expect(set.matchedRuleIds).toEqual(['all', 'eng', 'eng2']);
    expect(entitlementRefs(set).map((r) => `${r.type}:${r.value}<${r.ruleIds.join('+')}>`)).toEqual([
      'role:member<all>',
      'license:seat<all>',
      'permission:read<all+eng>',
      'permission:write<eng>',
    ]);
  });

  it('role conflicts: equal priority -> the earlier rule wins; higher priority wins regardless of order', () => {
    expect(evaluateRules(rs, vp, ctx)!.role).toEqual({ value: 'member', ruleId: 'all' });
    const contractor = evaluateRules(rs, ada, ctx)!;
    expect(contractor.role).toEqual({ value: 'guest', ruleId: 'contractor' });
    expect(contractor.roleConflict?.overridden.map((o) => o.ruleId)).toEqual(['all', 'eng', 'eng2']);
    expect(entitlementRefs(contractor).some((r) => r.value === 'never')).toBe(false);
  });

  it('default entitlements apply only when no rule matches; without defaults the result is null', () => {
    const withDefaults = parseRuleSet({
      version: 1,
      rules: [
        {
          id: 'sales',
          when: { attribute: 'department', op: 'equals', value: 'Sales' },
          grant: { permissions: ['crm'] },
        },
      ],
      defaultEntitlements: { role: 'viewer', licenses: ['basic'] },
    });
    const d = evaluateRules(withDefaults, ada, ctx)!;
    expect(d.source).toBe('defaults');
    expect(entitlementRefs(d).map((r) => `${r.type}:${r.value}:${r.ruleIds[0]}`)).toEqual([
      'role:viewer:$defaults',
      'license:basic:$defaults',
    ]);
    const m = evaluateRules(withDefaults, bob, ctx)!;
    expect(m.source).toBe('rules');
    expect(entitlementRefs(m).map((r) => r.value)).toEqual(['crm']);

    const none = parseRuleSet({ ...withDefaults, defaultEntitlements: null });
    expect(evaluateRules(none, ada, ctx)).toBeNull();
    const all = parseRuleSet({ ...withDefaults, defaultEntitlements: null, policy: { createAccountsFor: 'all' } });
    expect(evaluateRules(all, ada, ctx)).toMatchObject({ source: 'none', items: [], role: null });
  });
});

/** The meaning of a `reportsTo` leaf: its op over the manager chain's ids and emails (case-insensitive). */
function reference(cond: Condition, values: string[]): boolean {
  const c = cond as { op: string; value?: unknown; values?: unknown[]; pattern?: string };
  const lower = values.map((v) => v.toLowerCase());
  switch (c.op) {
    case 'exists':
      return (c.value ?? true) === values.length > 0;
    case 'equals':
      return lower.includes(String(c.value).toLowerCase());
    case 'in':
      return c.values!.some((v) => lower.includes(String(v).toLowerCase()));
    default:
      return values.some((v) => new RegExp(c.pattern!).test(v));
  }
}
