/**
 * Provisioning: rules (data) -> plan (deterministic) -> apply (journaled, idempotent, guarded).
 * See docs/provisioning.md.
 */
export {
  RULE_SET_VERSION,
  MAX_PATTERN_LENGTH,
  MAX_MATCH_INPUT_LENGTH,
  DEFAULTS_SOURCE,
  POLICY_SOURCE,
  RULE_ATTRIBUTES,
  RuleAttributeSchema,
  ConditionSchema,
  EntitlementsSchema,
  EntitlementTypeSchema,
  RuleSchema,
  PolicySchema,
  ThresholdsSchema,
  EventModeSchema,
  RuleSetSchema,
  parseRuleSet,
  parseRuleSetJson,
  loadRuleSet,
  ruleSetJsonSchema,
  createRuleContext,
  evaluateCondition,
  evaluateRules,
  attributeValues,
  managerChain,
  entitlementRefs,
  type RuleAttribute,
  type Condition,
  type LeafCondition,
  type Entitlements,
  type EntitlementType,
  type EntitlementRef,
  type ResolvedEntitlement,
  type EntitlementSet,
  type RoleConflict,
  type Rule,
  type RuleInput,
  type Policy,
  type Thresholds,
  type EventMode,
  type RuleSet,
  type RuleSetInput,
  type RuleContext,
} from './rules.js';
export {
  planProvisioning,
  planActions,
  computePlanId,
  idempotencyKey,
  userProfile,
  isInvoluntaryTermination,
  describeAction,
  type PlanContext,
  type ExistingAccount,
} from './plan.js';
export { formatPlanText } from './format.js';
export {
  applyPlan,
  type ApplyOptions,
  type ApplyResult,
  type ActionOutcome,
  type ActionHandler,
  type HandlerContext,
  type ProvisioningHandlers,
  type WaitingFor,
} from './apply.js';
export {
  FileJournal,
  MemoryJournal,
  type Journal,
  type JournalEntry,
  type JournalStatus,
  type JournalOptions,
} from './journal.js';
export { checkSafety, dueActions, type SafetyCheck, type SafetyCheckOptions } from './safety.js';
export { buildDigest, formatNotificationEmail, type EmailContent } from './notify.js';
export {
  PLAN_KIND,
  PLAN_VERSION,
  ActionTypeSchema,
  PlanActionSchema,
  ProvisioningPlanSchema,
  NotificationSchema,
  ChangeNotificationSchema,
  NotificationDigestSchema,
  SafetyAlertSchema,
  UserProfileSchema,
  type ActionType,
  type ActionOfType,
  type PlanAction,
  type CreateUserAction,
  type UpdateUserAction,
  type GrantAction,
  type RevokeAction,
  type SuspendUserAction,
  type DeleteUserAction,
  type SendWelcomeAction,
  type NotifyAction,
  type EmployeePlan,
  type ProvisioningPlan,
  type Reason,
  type UserRef,
  type UserProfile,
  type Notification,
  type ChangeNotification,
  type NotificationCategory,
  type NotificationDigest,
  type SafetyAlert,
  type ThresholdBreach,
  type Severity,
} from './types.js';

import { ProvisioningPlanSchema, type ProvisioningPlan } from './types.js';
import { ValidationError } from '../errors.js';

/** Parse a plan read back from JSON (e.g. `orgsync plan --json > plan.json`). `applyPlan` also checks its planId. */
export function parsePlan(input: unknown): ProvisioningPlan {
  let json: unknown = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (e) {
      throw new ValidationError({ message: `plan is not valid JSON: ${(e as Error).message}`, code: 'plan_invalid' });
    }
  }
  const r = ProvisioningPlanSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ValidationError({
      message: `not a valid provisioning plan: ${issues.slice(0, 3).join('; ')}`,
      issues,
      code: 'plan_invalid',
    });
  }
  return r.data;
}
