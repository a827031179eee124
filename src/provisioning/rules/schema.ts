/**
 * The rule set contract as zod schemas: conditions (with the regex safety checks), entitlements, rules,
 * the policy, the rule set. `ruleSetJsonSchema()` (parse.ts) exports the same contract as JSON Schema.
 */
import { z } from 'zod';
import { AlertChannelsSchema } from '../../alerts/schema.js';
import { EmployeeChangeTypeSchema, GroupChangeTypeSchema } from '../../changes.js';
import { GroupTypeSchema } from '../../model.js';
import { assertTimeZone } from '../util.js';

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
export const RuleAttributeSchema = z
  .enum(RULE_ATTRIBUTES)
  .describe(
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
  includeParents: z
    .boolean()
    .optional()
    .describe('For group/department/team: also match ancestor groups (via parentId).'),
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
  pattern: z
    .string()
    .min(1)
    .max(MAX_PATTERN_LENGTH)
    .describe(`JavaScript regular expression, at most ${MAX_PATTERN_LENGTH} characters, no nested quantifiers.`),
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

const LeafSchema = z
  .discriminatedUnion('op', [EqualsSchema, InSchema, MatchesSchema, ExistsSchema])
  .superRefine((c, ctx) => {
    if (c.attribute === 'customField' && !c.field)
      ctx.addIssue({ code: 'custom', message: 'attribute "customField" needs "field"', path: ['field'] });
    if (c.attribute !== 'customField' && c.field !== undefined)
      ctx.addIssue({ code: 'custom', message: '"field" only applies to attribute "customField"', path: ['field'] });
    if (c.groupType !== undefined && c.attribute !== 'group')
      ctx.addIssue({ code: 'custom', message: '"groupType" only applies to attribute "group"', path: ['groupType'] });
    if (c.includeParents !== undefined && !['group', 'department', 'team'].includes(c.attribute))
      ctx.addIssue({
        code: 'custom',
        message: '"includeParents" only applies to group, department and team',
        path: ['includeParents'],
      });
    if (c.op === 'matches') {
      try {
        new RegExp(c.pattern, c.flags ?? '');
      } catch (e) {
        ctx.addIssue({
          code: 'custom',
          message: `invalid regular expression: ${(e as Error).message}`,
          path: ['pattern'],
        });
        return;
      }
      if (NESTED_QUANTIFIER.test(c.pattern) || BACKREFERENCE.test(c.pattern))
        ctx.addIssue({
          code: 'custom',
          message: 'pattern rejected: nested quantifiers and backreferences can take exponential time',
          path: ['pattern'],
        });
    }
  });

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({
      all: z.array(ConditionSchema).describe('True when every condition is true (an empty list is true).'),
    }),
    z.strictObject({
      any: z.array(ConditionSchema).describe('True when at least one condition is true (an empty list is false).'),
    }),
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

export const EventModeSchema = z
  .enum(['auto', 'notify', 'ignore'])
  .describe('auto: plan the actions; notify: plan only a notification asking IT to act by hand; ignore: plan nothing.');
export type EventMode = z.infer<typeof EventModeSchema>;

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24h)');

const eventModeShape = Object.fromEntries(
  [...EmployeeChangeTypeSchema.options, ...GroupChangeTypeSchema.options].map((t) => [t, EventModeSchema.optional()]),
) as Record<
  z.infer<typeof EmployeeChangeTypeSchema> | z.infer<typeof GroupChangeTypeSchema>,
  z.ZodOptional<typeof EventModeSchema>
>;

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
      if (seen.has(r.id))
        ctx.addIssue({ code: 'custom', message: `duplicate rule id "${r.id}"`, path: ['rules', i, 'id'] });
      seen.add(r.id);
    });
  });
export type RuleSet = z.infer<typeof RuleSetSchema>;
export type RuleSetInput = z.input<typeof RuleSetSchema>;
