/**
 * The provisioning plan, its actions and the notifications they produce, as zod schemas so a plan
 * written to disk (`orgsync plan --json`) can be validated when it is read back for `applyPlan`.
 */
import { z } from 'zod';
import { FieldChangeSchema } from '../changes.js';
import { EntitlementTypeSchema, ThresholdsSchema } from './rules.js';

const nstr = z.string().nullable();

export const PLAN_KIND = 'orgsync.provisioning-plan' as const;
export const PLAN_VERSION = 1 as const;

export const ActionTypeSchema = z.enum([
  'createUser',
  'updateUser',
  'grant',
  'revoke',
  'suspendUser',
  'deleteUser',
  'sendWelcome',
  'notify',
]);
export type ActionType = z.infer<typeof ActionTypeSchema>;

export const EntitlementRefSchema = z.object({ type: EntitlementTypeSchema, value: z.string() });

export const ReasonSchema = z.object({
  /** The change event that caused the action (for indirect effects: the group/manager event). */
  eventId: z.string(),
  eventType: z.string(),
  /** Rule ids behind the action; `$defaults` for default entitlements, `$policy` for lifecycle policy. */
  ruleIds: z.array(z.string()),
  text: z.string(),
});
export type Reason = z.infer<typeof ReasonSchema>;

export const UserRefSchema = z.object({ employeeId: z.string(), email: nstr, displayName: z.string() });
export type UserRef = z.infer<typeof UserRefSchema>;

/** What an app usually stores about a user. */
export const UserProfileSchema = z.object({
  employeeId: z.string(),
  employeeNumber: nstr,
  email: nstr,
  personalEmail: nstr,
  firstName: nstr,
  lastName: nstr,
  displayName: z.string(),
  title: nstr,
  managerId: nstr,
  managerEmail: nstr,
  /** Name of the first DEPARTMENT group (by group id order), if any. */
  department: nstr,
  /** Names of all groups, sorted. */
  groups: z.array(z.string()),
  location: nstr,
  employmentType: nstr,
  startDate: nstr,
});
export type UserProfile = z.infer<typeof UserProfileSchema>;

export const NotificationCategorySchema = z.enum([
  'account_created',
  'account_reactivated',
  'permissions_changed',
  'deprovisioned',
  'deprovision_scheduled',
  'deprovision_canceled',
  'suspended_remote_deleted',
  'leave_suspended',
  'identity_changed',
  'skipped_break_glass',
  'skipped_unknown_status',
  'manual_action_required',
]);
export type NotificationCategory = z.infer<typeof NotificationCategorySchema>;

export const SeveritySchema = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof SeveritySchema>;

/** One structured notification for IT/security about one person. */
export const ChangeNotificationSchema = z.object({
  kind: z.literal('change'),
  category: NotificationCategorySchema,
  severity: SeveritySchema,
  employee: z.object({ id: z.string(), displayName: z.string(), email: nstr, title: nstr, department: nstr }),
  eventId: z.string(),
  eventType: z.string(),
  summary: z.string(),
  granted: z.array(EntitlementRefSchema),
  revoked: z.array(EntitlementRefSchema),
  /** When the change takes (took) effect, ISO date-time; null = immediately. */
  effectiveAt: nstr,
  details: z.array(z.string()),
  recipients: z.array(z.string()),
});
export type ChangeNotification = z.infer<typeof ChangeNotificationSchema>;

export const NotificationDigestSchema = z.object({
  kind: z.literal('digest'),
  planId: z.string(),
  createdAt: z.string(),
  recipients: z.array(z.string()),
  counts: z.record(z.string(), z.number()),
  items: z.array(ChangeNotificationSchema),
});
export type NotificationDigest = z.infer<typeof NotificationDigestSchema>;

export const ThresholdBreachSchema = z.object({
  threshold: z.enum([
    'maxDeprovisionPercent',
    'maxDeprovisionCount',
    'maxPermissionChangePercent',
    'maxPermissionChangeCount',
  ]),
  limit: z.number(),
  actual: z.number(),
});
export type ThresholdBreach = z.infer<typeof ThresholdBreachSchema>;

export const SafetyAlertSchema = z.object({
  kind: z.literal('safety_alert'),
  planId: z.string(),
  createdAt: z.string(),
  recipients: z.array(z.string()),
  message: z.string(),
  breaches: z.array(ThresholdBreachSchema),
  counts: z.object({
    deprovision: z.number(),
    permissionChanges: z.number(),
    activeEmployees: z.number(),
    accounts: z.number(),
    actionsDue: z.number(),
  }),
  samples: z.object({ deprovision: z.array(z.string()), permissionChanges: z.array(z.string()) }),
  /** The planId of an approval that was given but did not match, if any. */
  approvalProvided: nstr,
});
export type SafetyAlert = z.infer<typeof SafetyAlertSchema>;

export const NotificationSchema = z.discriminatedUnion('kind', [
  ChangeNotificationSchema,
  NotificationDigestSchema,
  SafetyAlertSchema,
]);
export type Notification = z.infer<typeof NotificationSchema>;

const actionBase = {
  /** Deterministic from (cause, action type, target): re-planning the same change gives the same key. */
  idempotencyKey: z.string(),
  /** Null only for run-level notifications (digest, safety alert) built by `applyPlan`. */
  employeeId: nstr,
  /** What the action acts on, e.g. `user:e1` or `e1/permission:repo:write`. */
  target: z.string(),
  user: UserRefSchema.nullable(),
  reason: ReasonSchema,
  /** ISO date-time before which the action must not run (it is reported `deferred`). */
  notBefore: z.string().optional(),
  /** Keys of earlier actions (same person) that must be done first. */
  dependsOn: z.array(z.string()),
};

export const CreateUserActionSchema = z.object({
  ...actionBase,
  type: z.literal('createUser'),
  profile: UserProfileSchema,
  /** A rehire whose account may still exist: reactivate it if so (handlers should upsert). */
  rehire: z.boolean(),
});
export const UpdateUserActionSchema = z.object({
  ...actionBase,
  type: z.literal('updateUser'),
  profile: UserProfileSchema,
  /** Profile fields that changed (before/after). */
  changes: z.array(FieldChangeSchema),
  /** Reactivate a suspended account (rehire, leave end). */
  reactivate: z.boolean(),
  /** For an identity change: the employee id the account is currently linked to. */
  previousEmployeeId: z.string().optional(),
});
export const GrantActionSchema = z.object({
  ...actionBase,
  type: z.literal('grant'),
  entitlement: EntitlementRefSchema,
  /** For a role grant: the role it replaces (an account has one role). */
  replaces: z.string().optional(),
});
export const RevokeActionSchema = z.object({
  ...actionBase,
  type: z.literal('revoke'),
  entitlement: EntitlementRefSchema,
});
export const SuspendUserActionSchema = z.object({ ...actionBase, type: z.literal('suspendUser') });
export const DeleteUserActionSchema = z.object({ ...actionBase, type: z.literal('deleteUser') });
export const SendWelcomeActionSchema = z.object({
  ...actionBase,
  type: z.literal('sendWelcome'),
  profile: UserProfileSchema,
});
export const NotifyActionSchema = z.object({
  ...actionBase,
  type: z.literal('notify'),
  notification: NotificationSchema,
});

export const PlanActionSchema = z.discriminatedUnion('type', [
  CreateUserActionSchema,
  UpdateUserActionSchema,
  GrantActionSchema,
  RevokeActionSchema,
  SuspendUserActionSchema,
  DeleteUserActionSchema,
  SendWelcomeActionSchema,
  NotifyActionSchema,
]);
export type PlanAction = z.infer<typeof PlanActionSchema>;
export type CreateUserAction = z.infer<typeof CreateUserActionSchema>;
export type UpdateUserAction = z.infer<typeof UpdateUserActionSchema>;
export type GrantAction = z.infer<typeof GrantActionSchema>;
export type RevokeAction = z.infer<typeof RevokeActionSchema>;
export type SuspendUserAction = z.infer<typeof SuspendUserActionSchema>;
export type DeleteUserAction = z.infer<typeof DeleteUserActionSchema>;
export type SendWelcomeAction = z.infer<typeof SendWelcomeActionSchema>;
export type NotifyAction = z.infer<typeof NotifyActionSchema>;
export type ActionOfType<T extends ActionType> = Extract<PlanAction, { type: T }>;

export const EmployeePlanSchema = z.object({
  employeeId: z.string(),
  displayName: z.string(),
  email: nstr,
  /** In execution order. */
  actions: z.array(PlanActionSchema),
});
export type EmployeePlan = z.infer<typeof EmployeePlanSchema>;

/**
 * A scheduled action of an earlier plan that this plan supersedes (a start or termination date
 * moved, a termination was called off, an offer was withdrawn). `applyPlan` marks it done in the
 * journal (result `{ canceled: true }`) so the earlier plan will skip it.
 */
export const CancellationSchema = z.object({
  idempotencyKey: z.string(),
  employeeId: z.string(),
  type: ActionTypeSchema,
  target: z.string(),
  reason: ReasonSchema,
});
export type Cancellation = z.infer<typeof CancellationSchema>;

export const ProvisioningPlanSchema = z.object({
  kind: z.literal(PLAN_KIND),
  version: z.literal(PLAN_VERSION),
  /** `plan_` + hash of everything else in the plan. */
  planId: z.string(),
  ruleSet: z.object({ id: nstr, name: nstr, hash: z.string() }),
  source: z.object({ connector: z.string(), takenAt: z.string(), previousTakenAt: nstr }),
  settings: z.object({
    thresholds: ThresholdsSchema,
    notifications: z.object({
      mode: z.enum(['digest', 'per_action']),
      recipients: z.array(z.string()),
      alertRecipients: z.array(z.string()),
    }),
  }),
  stats: z.object({
    events: z.number(),
    /** Active employees before the change (denominator of the deprovisioning threshold). */
    activeEmployees: z.number(),
    /** Known accounts (from `existingAccounts`), else null: then `activeEmployees` is used. */
    accounts: z.number().nullable(),
    employees: z.number(),
    actions: z.number(),
  }),
  employees: z.array(EmployeePlanSchema),
  cancels: z.array(CancellationSchema),
});
export type ProvisioningPlan = z.infer<typeof ProvisioningPlanSchema>;
