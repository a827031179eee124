/**
 * Provisioning rules are data: a JSON rule set, validated by zod, that maps employee attributes
 * to entitlements in an app (role, licenses/seats, groups, permissions) and carries the policy for
 * lifecycle events (hires, terminations, leave...), the never-touch list, notification recipients
 * and safety thresholds. `ruleSetJsonSchema()` exports the same contract as JSON Schema.
 */
import { z } from 'zod';
import { EmployeeChangeTypeSchema, GroupChangeTypeSchema } from '../changes.js';
import { ValidationError } from '../errors.js';
import { GroupTypeSchema } from '../model.js';
import type { Employee, Group, Location, OrgSnapshot } from '../model.js';
import { assertTimeZone, cmp } from './util.js';
import { AlertChannelsSchema } from '../alerts/schema.js';

export const RULE_SET_VERSION = 1 as const;

/** Longest regex pattern accepted in a `matches` condition. */
export const MAX_PATTERN_LENGTH = 200;
/** Attribute values longer than this never match a `matches` condition (bounds regex work). */
export const MAX_MATCH_INPUT_LENGTH = 1000;
/** Source id used in reasons for entitlements that come from `defaultEntitlements`. */
export const DEFAULTS_SOURCE = '$defaults';
/** Source id used in reasons for actions driven by the policy rather than by a rule. */
export const POLICY_SOURCE = '$policy';

// ---------------------------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------------------------

export const RULE_ATTRIBUTES = [
  'group',
  'department',
  'team',
  'title',
  'location',
  'employmentType',
  'status',
  'manager',
  'reportsTo',
  'customField',
  'email',
  'employeeId',
] as const;
export const RuleAttributeSchema = z.enum(RULE_ATTRIBUTES).describe(
  'group: any group (id or name), optionally of `groupType`; department/team: groups of that type; title: job title; ' +
    'location: location id or name; employmentType; status: employment status; manager: direct manager (id or work email); ' +
    'reportsTo: anyone up the manager chain (id or work email); customField: the custom field named by `field`; ' +
    'email: work email; employeeId.',
);
export type RuleAttribute = z.infer<typeof RuleAttributeSchema>;

const ScalarSchema = z.union([z.string(), z.number(), z.boolean()]);
export type Scalar = z.infer<typeof ScalarSchema>;

const leafBase = {
  attribute: RuleAttributeSchema,
  /** For `customField`: the custom field's name. */
  field: z.string().min(1).optional().describe('For attribute "customField": the custom field name.'),
  /** For `group`: only groups of this type. */
  groupType: GroupTypeSchema.optional().describe('For attribute "group": only consider groups of this type.'),
  /** For group attributes: also match the groups' ancestors (a team under the Engineering department). */
  includeParents: z.boolean().optional().describe('For group/department/team: also match ancestor groups (via parentId).'),
};

const EqualsSchema = z.strictObject({
  ...leafBase,
  op: z.literal('equals'),
  value: ScalarSchema,
  ignoreCase: z.boolean().optional(),
});
const InSchema = z.strictObject({
  ...leafBase,
  op: z.literal('in'),
  values: z.array(ScalarSchema).min(1),
  ignoreCase: z.boolean().optional(),
});
const MatchesSchema = z.strictObject({
  ...leafBase,
  op: z.literal('matches'),
  pattern: z.string().min(1).max(MAX_PATTERN_LENGTH).describe(`JavaScript regular expression, at most ${MAX_PATTERN_LENGTH} characters, no nested quantifiers.`),
  flags: z.enum(['', 'i']).optional(),
});
const ExistsSchema = z.strictObject({
  ...leafBase,
  op: z.literal('exists'),
  value: z.boolean().optional().describe('true (default): the attribute has a value; false: it has none.'),
});

export type EqualsCondition = z.infer<typeof EqualsSchema>;
export type InCondition = z.infer<typeof InSchema>;
export type MatchesCondition = z.infer<typeof MatchesSchema>;
export type ExistsCondition = z.infer<typeof ExistsSchema>;
export type LeafCondition = EqualsCondition | InCondition | MatchesCondition | ExistsCondition;
export type Condition = LeafCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition };

/** Heuristic for catastrophic backtracking: a quantified group that itself contains a quantifier, e.g. `(a+)+`. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,?\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,?\d*\})/;
/** Backreferences also allow exponential matching. */
const BACKREFERENCE = /\\[1-9]|\\k</;

const LeafSchema = z.discriminatedUnion('op', [EqualsSchema, InSchema, MatchesSchema, ExistsSchema]).superRefine((c, ctx) => {
  if (c.attribute === 'customField' && !c.field) ctx.addIssue({ code: 'custom', message: 'attribute "customField" needs "field"', path: ['field'] });
  if (c.attribute !== 'customField' && c.field !== undefined) ctx.addIssue({ code: 'custom', message: '"field" only applies to attribute "customField"', path: ['field'] });
  if (c.groupType !== undefined && c.attribute !== 'group') ctx.addIssue({ code: 'custom', message: '"groupType" only applies to attribute "group"', path: ['groupType'] });
  if (c.includeParents !== undefined && !['group', 'department', 'team'].includes(c.attribute))
    ctx.addIssue({ code: 'custom', message: '"includeParents" only applies to group, department and team', path: ['includeParents'] });
  if (c.op === 'matches') {
    try {
      new RegExp(c.pattern, c.flags ?? '');
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(e as Error).message}`, path: ['pattern'] });
      return;
    }
    if (NESTED_QUANTIFIER.test(c.pattern) || BACKREFERENCE.test(c.pattern))
      ctx.addIssue({ code: 'custom', message: 'pattern rejected: nested quantifiers and backreferences can take exponential time', path: ['pattern'] });
  }
});

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(ConditionSchema).describe('True when every condition is true (an empty list is true).') }),
    z.strictObject({ any: z.array(ConditionSchema).describe('True when at least one condition is true (an empty list is false).') }),
    z.strictObject({ not: ConditionSchema }),
    LeafSchema,
  ]),
);

// ---------------------------------------------------------------------------------------------
// Entitlements, rules, policy
// ---------------------------------------------------------------------------------------------

const NameListSchema = z.array(z.string().min(1));

export const EntitlementsSchema = z.strictObject({
  /** The app role. An account has at most one: see "role conflicts" in docs/provisioning.md. */
  role: z.string().min(1).optional(),
  /** Seats / licenses to assign. */
  licenses: NameListSchema.optional(),
  /** Groups in the app. */
  groups: NameListSchema.optional(),
  /** Fine-grained permissions in the app. */
  permissions: NameListSchema.optional(),
});
export type Entitlements = z.infer<typeof EntitlementsSchema>;

export const EntitlementTypeSchema = z.enum(['role', 'license', 'group', 'permission']);
export type EntitlementType = z.infer<typeof EntitlementTypeSchema>;

export const RuleSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'rule ids use letters, digits, "_", "-", "." (max 100)'),
  description: z.string().optional(),
  /** Higher priority wins role conflicts; equal priorities: the earlier rule in the list wins. */
  priority: z.number().int().default(0),
  enabled: z.boolean().default(true),
  when: ConditionSchema,
  grant: EntitlementsSchema,
});
export type Rule = z.infer<typeof RuleSchema>;
export type RuleInput = z.input<typeof RuleSchema>;

export const EventModeSchema = z.enum(['auto', 'notify', 'ignore']).describe(
  'auto: plan the actions; notify: plan only a notification asking IT to act by hand; ignore: plan nothing.',
);
export type EventMode = z.infer<typeof EventModeSchema>;

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24h)');

const eventModeShape = Object.fromEntries(
  [...EmployeeChangeTypeSchema.options, ...GroupChangeTypeSchema.options].map((t) => [t, EventModeSchema.optional()]),
) as Record<z.infer<typeof EmployeeChangeTypeSchema> | z.infer<typeof GroupChangeTypeSchema>, z.ZodOptional<typeof EventModeSchema>>;

export const ThresholdsSchema = z.strictObject({
  /** Halt when more than this % of active employees would be suspended/deleted in one run. */
  maxDeprovisionPercent: z.number().min(0).max(100).default(10),
  /** Halt when more than this many people would be suspended/deleted in one run. */
  maxDeprovisionCount: z.number().int().min(0).default(25),
  /** Halt when more than this % of accounts would change permissions in one run. */
  maxPermissionChangePercent: z.number().min(0).max(100).default(20),
  /** Optional absolute cap on accounts changing permissions in one run. */
  maxPermissionChangeCount: z.number().int().min(0).optional(),
  /** Percentage thresholds only apply from this many affected people (raise it for very small orgs). */
  minCountForPercent: z.number().int().min(1).default(1),
});
export type Thresholds = z.infer<typeof ThresholdsSchema>;

export const PolicySchema = z.strictObject({
  /** Time zone in which start and termination dates are read (IANA name). */
  timezone: z
    .string()
    .refine((tz) => {
      try {
        assertTimeZone(tz);
        return true;
      } catch {
        return false;
      }
    }, 'unknown time zone (expected an IANA name such as "America/New_York" or "UTC")')
    .default('UTC'),
  /** How each change event is handled. Defaults: every event `auto`. */
  events: z.strictObject(eventModeShape).prefault({}),
  hire: z
    .strictObject({
      /** Local time on the start date at which the account is created. */
      time: HHMM.default('00:00'),
      /** Create accounts this many days before the start date (0 = on the start date, not before). */
      provisionDaysBefore: z.number().int().min(0).max(60).default(0),
      sendWelcome: z.boolean().default(true),
    })
    .prefault({}),
  rehire: z.strictObject({ sendWelcome: z.boolean().default(true) }).prefault({}),
  /** Whether someone matching no rule (and no defaults) gets an account: `matched` = no. */
  createAccountsFor: z.enum(['matched', 'all']).default('matched'),
  termination: z
    .strictObject({
      action: z.enum(['suspend', 'delete', 'suspend_then_delete']).default('suspend'),
      /** For `suspend_then_delete`: days between suspension and deletion. */
      graceDays: z.number().int().min(0).max(3650).default(30),
      /** Revoke the person's entitlements before suspending. */
      revokeEntitlements: z.boolean().default(true),
      /** `start_of_day`: at 00:00 of the termination date; `end_of_day`: at 00:00 the day after. */
      effectiveAt: z.enum(['start_of_day', 'end_of_day']).default('start_of_day'),
      involuntary: z
        .strictObject({
          /** Deprovision involuntary terminations immediately instead of at the termination date. */
          immediate: z.boolean().default(false),
          /** Custom field (on the employee) holding the termination type; an event's `terminationType` hint wins. */
          field: z.string().min(1).default('terminationType'),
          /** Values (case-insensitive) that mean involuntary. */
          values: NameListSchema.default(['involuntary']),
        })
        .prefault({}),
    })
    .prefault({}),
  leave: z
    .strictObject({
      /** `keep`: nothing happens on leave; `suspend`: suspend at leave start, reactivate at leave end. */
      action: z.enum(['keep', 'suspend']).default('keep'),
    })
    .prefault({}),
  /** Push profile changes (name, email, title, manager, department, location) with `updateUser`. */
  profileSync: z.boolean().default(true),
  /** Break-glass / never-touch list: these people are never provisioned nor deprovisioned. */
  neverTouch: z
    .strictObject({
      employeeIds: NameListSchema.default([]),
      /** Compared case-insensitively with work and personal email. */
      emails: NameListSchema.default([]),
    })
    .prefault({}),
  notifications: z
    .strictObject({
      /** IT/security recipients (addresses or channel ids: passed through to the notify handler). */
      recipients: NameListSchema.default([]),
      /** Recipients of safety alerts; defaults to `recipients`. */
      alertRecipients: NameListSchema.optional(),
      /** `digest`: one notification per run; `per_action`: the notify handler is called for each. */
      mode: z.enum(['digest', 'per_action']).default('digest'),
      /** Where `applyPlan` delivers the digest and safety alerts (email, Slack, signed webhook); see docs/alerts.md. */
      channels: AlertChannelsSchema,
    })
    .prefault({}),
  thresholds: ThresholdsSchema.prefault({}),
});
export type Policy = z.infer<typeof PolicySchema>;

export const RuleSetSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(RULE_SET_VERSION),
    id: z.string().min(1).optional(),
    name: z.string().optional(),
    description: z.string().optional(),
    /** Evaluated in order; every matching rule contributes (union of entitlements). */
    rules: z.array(RuleSchema).default([]),
    /** Entitlements for employees no rule matches; `null`/absent = nothing. */
    defaultEntitlements: EntitlementsSchema.nullable().default(null),
    policy: PolicySchema.prefault({}),
  })
  .superRefine((rs, ctx) => {
    const seen = new Set<string>();
    rs.rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', message: `duplicate rule id "${r.id}"`, path: ['rules', i, 'id'] });
      seen.add(r.id);
    });
  });
export type RuleSet = z.infer<typeof RuleSetSchema>;
export type RuleSetInput = z.input<typeof RuleSetSchema>;

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = root;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/**
 * Flatten zod issues to `path: message`. For a union (a condition can be all/any/not/leaf) report
 * the branch that fits the input's shape best instead of zod's bare "Invalid input".
 */
function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown, prefix: PropertyKey[] = []): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length) {
      const value = valueAt(input, path);
      const keys = value && typeof value === 'object' ? new Set(Object.keys(value)) : new Set<string>();
      const score = (branch: readonly z.core.$ZodIssue[]): number =>
        branch.filter((i) => (i.path.length === 0 && i.code === 'unrecognized_keys') || (i.path.length === 1 && !keys.has(String(i.path[0])))).length;
      let best = issue.errors[0]!;
      for (const b of issue.errors) if (score(b) < score(best)) best = b;
      out.push(...formatIssues(best, input, path));
      continue;
    }
    out.push(`${path.length ? path.map(String).join('.') : '(root)'}: ${issue.message}`);
  }
  return out;
}

function duplicateRuleIds(input: unknown): string[] {
  const rules = (input as { rules?: unknown })?.rules;
  if (!Array.isArray(rules)) return [];
  const seen = new Set<string>();
  const out: string[] = [];
  rules.forEach((r, i) => {
    const id = (r as { id?: unknown })?.id;
    if (typeof id !== 'string') return;
    if (seen.has(id)) out.push(`rules.${i}.id: duplicate rule id "${id}"`);
    seen.add(id);
  });
  return out;
}

/** Validate a rule set (parsed JSON or an object). Throws `ValidationError` listing every problem. */
export function parseRuleSet(input: unknown): RuleSet {
  const r = RuleSetSchema.safeParse(input);
  if (!r.success) {
    const issues = [...new Set([...formatIssues(r.error.issues, input), ...duplicateRuleIds(input)])];
    throw new ValidationError({ message: `invalid rule set: ${issues.slice(0, 5).join('; ')}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ''}`, issues, code: 'rule_set_invalid' });
  }
  return r.data;
}

/** Parse and validate rule set JSON text. */
export function parseRuleSetJson(text: string): RuleSet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ValidationError({ message: `rule set is not valid JSON: ${(e as Error).message}`, issues: ['(root): not JSON'], code: 'rule_set_invalid' });
  }
  return parseRuleSet(json);
}

/** Read and validate a rule set file. */
export async function loadRuleSet(path: string): Promise<RuleSet> {
  const { readFile } = await import('node:fs/promises');
  return parseRuleSetJson(await readFile(path, 'utf8'));
}

/**
 * The rule set contract as JSON Schema (draft 2020-12, input shape: fields with defaults are optional),
 * for editors and settings UIs. Regex safety and cross-field checks are enforced by `parseRuleSet` only.
 */
export function ruleSetJsonSchema(): Record<string, unknown> {
  const registry = z.registry<{ id?: string; title?: string; description?: string }>();
  registry.add(ConditionSchema, { id: 'Condition', description: 'A leaf test on one attribute, or all/any/not of conditions.' });
  registry.add(EntitlementsSchema, { id: 'Entitlements', description: 'What the app grants: role, licenses, groups, permissions.' });
  registry.add(RuleSetSchema, { title: 'orgsync provisioning rule set', description: 'Maps employees to app entitlements; see docs/provisioning.md.' });
  return z.toJSONSchema(RuleSetSchema, { io: 'input', metadata: registry, unrepresentable: 'any' }) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/** Lookup tables built from a snapshot so conditions can resolve group names, locations and managers. */
export interface RuleContext {
  employeesById: ReadonlyMap<string, Employee>;
  groupsById: ReadonlyMap<string, Group>;
  locationsById: ReadonlyMap<string, Location>;
}

export function createRuleContext(snapshot: Pick<OrgSnapshot, 'employees' | 'groups' | 'locations'>): RuleContext {
  return {
    employeesById: new Map(snapshot.employees.map((e) => [e.id, e])),
    groupsById: new Map(snapshot.groups.map((g) => [g.id, g])),
    locationsById: new Map(snapshot.locations.map((l) => [l.id, l])),
  };
}

const MAX_CHAIN = 10_000;

/** Ids of the employee's managers, nearest first. Stops on cycles and missing links. */
export function managerChain(employee: Employee, ctx: RuleContext): Employee[] {
  const out: Employee[] = [];
  const seen = new Set<string>([employee.id]);
  let next = employee.managerId;
  while (next && !seen.has(next) && out.length < MAX_CHAIN) {
    seen.add(next);
    const m = ctx.employeesById.get(next);
    if (!m) break;
    out.push(m);
    next = m.managerId;
  }
  return out;
}

function managerOf(e: Employee, ctx: RuleContext): Employee | undefined {
  return e.managerId ? ctx.employeesById.get(e.managerId) : undefined;
}

/** Whether a manager's own values (id, work email) satisfy a `reportsTo` condition. */
function matchesSelf(cond: LeafCondition, m: Employee): boolean {
  const email = scalarToString(m.workEmail);
  return matchValues(cond, email === null ? [m.id] : [m.id, email]);
}

/** Per rule context and `reportsTo` condition: employee id -> whether someone up their chain matches. */
const reportsToMemo = new WeakMap<RuleContext, WeakMap<LeafCondition, Map<string, boolean>>>();

/**
 * A `reportsTo` condition, evaluated for the whole snapshot once: "someone up my chain matches" is
 * "my manager matches, or someone up their chain does", memoized per employee, so evaluating it for
 * everyone is linear in the org size whatever the depth of the reporting lines (no depth cap). Same
 * answers as matching the values of `managerChain` (which lists at most 10,000 managers): a cycle's
 * members report to every other member, not to themselves; a missing manager ends the chain.
 */
function reportsTo(cond: LeafCondition, employee: Employee, ctx: RuleContext): boolean {
  if (cond.op === 'exists') {
    const m = managerOf(employee, ctx);
    return (cond.value ?? true) === (m !== undefined && m.id !== employee.id);
  }
  const own = ctx.employeesById.get(employee.id);
  // Not this snapshot's version of the person (another manager): walk their own chain.
  if (own && own.managerId !== employee.managerId) return matchValues(cond, attributeValues(employee, cond, ctx));
  if (!own) {
    const m = managerOf(employee, ctx);
    return m !== undefined && (matchesSelf(cond, m) || reportsTo(cond, m, ctx));
  }
  let byCond = reportsToMemo.get(ctx);
  if (!byCond) reportsToMemo.set(ctx, (byCond = new WeakMap()));
  let memo = byCond.get(cond);
  if (!memo) byCond.set(cond, (memo = new Map()));
  const known = memo.get(employee.id);
  if (known !== undefined) return known;
  // Walk up until a known answer, the top of the line, or a cycle; then settle the path top-down.
  const path: Employee[] = [];
  const onPath = new Map<string, number>();
  let cur: Employee | undefined = own;
  while (cur && !memo.has(cur.id)) {
    const at = onPath.get(cur.id);
    if (at !== undefined) {
      // A cycle: each member reports to all the others.
      const cycle = path.slice(at);
      const hits = cycle.map((m) => matchesSelf(cond, m));
      const count = hits.filter(Boolean).length;
      cycle.forEach((m, i) => memo.set(m.id, count - (hits[i] ? 1 : 0) > 0));
      path.length = at;
      break;
    }
    onPath.set(cur.id, path.length);
    path.push(cur);
    cur = managerOf(cur, ctx);
  }
  for (let i = path.length - 1; i >= 0; i--) {
    const m = managerOf(path[i]!, ctx);
    memo.set(path[i]!.id, m !== undefined && (matchesSelf(cond, m) || memo.get(m.id)!));
  }
  return memo.get(employee.id)!;
}

/** Group ids plus (optionally) their ancestors. Cycle-safe. */
function groupClosure(ids: readonly string[], ctx: RuleContext, includeParents: boolean): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    let cur: string | null | undefined = id;
    while (cur && !seen.has(cur)) {
      seen.add(cur);
      out.push(cur);
      if (!includeParents) break;
      cur = ctx.groupsById.get(cur)?.parentId;
    }
  }
  return out;
}

function scalarToString(v: unknown): string | null {
  if (typeof v === 'string') return v.length ? v : null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return null;
}

const CASE_INSENSITIVE_ATTRS: ReadonlySet<RuleAttribute> = new Set(['email', 'manager', 'reportsTo']);

/** The values an attribute has for an employee (multi-valued attributes yield several). */
export function attributeValues(employee: Employee, cond: Pick<LeafCondition, 'attribute' | 'field' | 'groupType' | 'includeParents'>, ctx: RuleContext): string[] {
  const push = (out: string[], v: unknown): void => {
    const s = scalarToString(v);
    if (s !== null) out.push(s);
  };
  const out: string[] = [];
  switch (cond.attribute) {
    case 'group':
    case 'department':
    case 'team': {
      const type = cond.attribute === 'department' ? 'DEPARTMENT' : cond.attribute === 'team' ? 'TEAM' : cond.groupType;
      for (const id of groupClosure(employee.groupIds, ctx, cond.includeParents === true)) {
        const g = ctx.groupsById.get(id);
        if (type !== undefined && g?.type !== type) continue;
        push(out, id);
        if (g) push(out, g.name);
      }
      break;
    }
    case 'title':
      push(out, employee.jobTitle);
      break;
    case 'location':
      if (employee.locationId) {
        push(out, employee.locationId);
        push(out, ctx.locationsById.get(employee.locationId)?.name);
      }
      break;
    case 'employmentType':
      push(out, employee.employmentType);
      break;
    case 'status':
      push(out, employee.employmentStatus);
      break;
    case 'manager':
      if (employee.managerId) {
        push(out, employee.managerId);
        push(out, ctx.employeesById.get(employee.managerId)?.workEmail);
      }
      break;
    case 'reportsTo':
      for (const m of managerChain(employee, ctx)) {
        push(out, m.id);
        push(out, m.workEmail);
      }
      break;
    case 'customField': {
      const v = cond.field ? employee.customFields[cond.field] : undefined;
      if (Array.isArray(v)) for (const x of v) push(out, x);
      else push(out, v);
      break;
    }
    case 'email':
      push(out, employee.workEmail);
      break;
    case 'employeeId':
      push(out, employee.id);
      break;
  }
  return out;
}

const regexCache = new Map<string, RegExp>();
function compiled(pattern: string, flags: string): RegExp {
  const k = `${flags}/${pattern}`;
  let re = regexCache.get(k);
  if (!re) {
    re = new RegExp(pattern, flags);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(k, re);
  }
  return re;
}

function isLeaf(c: Condition): c is LeafCondition {
  return 'op' in c;
}

/** Evaluate a condition for one employee. */
export function evaluateCondition(cond: Condition, employee: Employee, ctx: RuleContext): boolean {
  if ('all' in cond) return cond.all.every((c) => evaluateCondition(c, employee, ctx));
  if ('any' in cond) return cond.any.some((c) => evaluateCondition(c, employee, ctx));
  if ('not' in cond) return !evaluateCondition(cond.not, employee, ctx);
  if (!isLeaf(cond)) return false;
  if (cond.attribute === 'reportsTo') return reportsTo(cond, employee, ctx);
  return matchValues(cond, attributeValues(employee, cond, ctx));
}

/** Whether one attribute's values satisfy a leaf condition. */
function matchValues(cond: LeafCondition, values: string[]): boolean {
  const fold = CASE_INSENSITIVE_ATTRS.has(cond.attribute) || ('ignoreCase' in cond && cond.ignoreCase === true);
  const norm = (s: string): string => (fold ? s.toLowerCase() : s);
  switch (cond.op) {
    case 'exists':
      return (cond.value ?? true) === values.length > 0;
    case 'equals': {
      const want = norm(String(cond.value));
      return values.some((v) => norm(v) === want);
    }
    case 'in': {
      const want = new Set(cond.values.map((v) => norm(String(v))));
      return values.some((v) => want.has(norm(v)));
    }
    case 'matches': {
      const re = compiled(cond.pattern, cond.flags ?? '');
      return values.some((v) => v.length <= MAX_MATCH_INPUT_LENGTH && re.test(v));
    }
  }
}

/** One entitlement: `{ type: 'permission', value: 'repo:write' }`. */
export interface EntitlementRef {
  type: EntitlementType;
  value: string;
}

export interface ResolvedEntitlement extends EntitlementRef {
  /** Rules (or `$defaults`) that grant it, in rule order. */
  ruleIds: string[];
}

export interface RoleConflict {
  chosen: { role: string; ruleId: string; priority: number };
  overridden: Array<{ role: string; ruleId: string; priority: number }>;
}

/** What the rules give one employee. */
export interface EntitlementSet {
  source: 'rules' | 'defaults' | 'none';
  matchedRuleIds: string[];
  role: { value: string; ruleId: string } | null;
  /** Non-role entitlements, sorted by type then value. */
  items: ResolvedEntitlement[];
  roleConflict: RoleConflict | null;
}

const TYPE_ORDER: Record<EntitlementType, number> = { role: 0, license: 1, group: 2, permission: 3 };

export function compareEntitlements(a: EntitlementRef, b: EntitlementRef): number {
  return TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || cmp(a.value, b.value);
}

export function entitlementKey(e: EntitlementRef): string {
  return `${e.type}:${e.value}`;
}

/**
 * Evaluate the rule set for one employee. Every enabled matching rule contributes (union);
 * the role comes from the matching rule with the highest priority, ties going to the earlier rule.
 * No match: `defaultEntitlements` (source `defaults`), or `null` when the rule set has none
 * (with `createAccountsFor: "all"`, an empty set with source `none` instead of `null`).
 */
export function evaluateRules(ruleSet: RuleSet, employee: Employee, ctx: RuleContext): EntitlementSet | null {
  const matched = ruleSet.rules.filter((r) => r.enabled && evaluateCondition(r.when, employee, ctx));
  let grants: Array<{ ruleId: string; priority: number; grant: Entitlements }>;
  let source: EntitlementSet['source'];
  if (matched.length) {
    grants = matched.map((r) => ({ ruleId: r.id, priority: r.priority, grant: r.grant }));
    source = 'rules';
  } else if (ruleSet.defaultEntitlements) {
    grants = [{ ruleId: DEFAULTS_SOURCE, priority: 0, grant: ruleSet.defaultEntitlements }];
    source = 'defaults';
  } else if (ruleSet.policy.createAccountsFor === 'all') {
    return { source: 'none', matchedRuleIds: [], role: null, items: [], roleConflict: null };
  } else {
    return null;
  }

  const items = new Map<string, ResolvedEntitlement>();
  const add = (type: EntitlementType, value: string, ruleId: string): void => {
    const k = `${type}:${value}`;
    const cur = items.get(k);
    if (cur) {
      if (!cur.ruleIds.includes(ruleId)) cur.ruleIds.push(ruleId);
    } else items.set(k, { type, value, ruleIds: [ruleId] });
  };
  const roleCandidates: Array<{ role: string; ruleId: string; priority: number; order: number }> = [];
  grants.forEach((g, order) => {
    if (g.grant.role) roleCandidates.push({ role: g.grant.role, ruleId: g.ruleId, priority: g.priority, order });
    for (const v of g.grant.licenses ?? []) add('license', v, g.ruleId);
    for (const v of g.grant.groups ?? []) add('group', v, g.ruleId);
    for (const v of g.grant.permissions ?? []) add('permission', v, g.ruleId);
  });
  roleCandidates.sort((a, b) => b.priority - a.priority || a.order - b.order);
  const [winner, ...rest] = roleCandidates;
  const overridden = rest.filter((c) => c.role !== winner?.role).map(({ role, ruleId, priority }) => ({ role, ruleId, priority }));
  return {
    source,
    matchedRuleIds: grants.map((g) => g.ruleId),
    role: winner ? { value: winner.role, ruleId: winner.ruleId } : null,
    items: [...items.values()].sort(compareEntitlements),
    roleConflict:
      winner && overridden.length ? { chosen: { role: winner.role, ruleId: winner.ruleId, priority: winner.priority }, overridden } : null,
  };
}

/** Flatten an entitlement set into refs (role first). */
export function entitlementRefs(set: EntitlementSet | null): ResolvedEntitlement[] {
  if (!set) return [];
  const out: ResolvedEntitlement[] = [];
  if (set.role) out.push({ type: 'role', value: set.role.value, ruleIds: [set.role.ruleId] });
  out.push(...set.items);
  return out;
}
