/**
 * Provisioning rules are data: a JSON rule set, validated by zod, that maps employee attributes
 * to entitlements in an app (role, licenses/seats, groups, permissions) and carries the policy for
 * lifecycle events (hires, terminations, leave...), the never-touch list, notification recipients
 * and safety thresholds. `ruleSetJsonSchema()` exports the same contract as JSON Schema.
 *
 * The parts live in ./rules/: schema.ts (the zod contract), parse.ts (parsing, loading, JSON Schema),
 * conditions.ts (condition evaluation and the rule context), entitlements.ts (what the rules grant).
 */
export {
  RULE_SET_VERSION,
  MAX_PATTERN_LENGTH,
  MAX_MATCH_INPUT_LENGTH,
  DEFAULTS_SOURCE,
  POLICY_SOURCE,
  RULE_ATTRIBUTES,
  RuleAttributeSchema,
  type RuleAttribute,
  type Scalar,
  type EqualsCondition,
  type InCondition,
  type MatchesCondition,
  type ExistsCondition,
  type LeafCondition,
  type Condition,
  ConditionSchema,
  EntitlementsSchema,
  type Entitlements,
  EntitlementTypeSchema,
  type EntitlementType,
  RuleSchema,
  type Rule,
  type RuleInput,
  EventModeSchema,
  type EventMode,
  ThresholdsSchema,
  type Thresholds,
  PolicySchema,
  type Policy,
  RuleSetSchema,
  type RuleSet,
  type RuleSetInput,
} from './rules/schema.js';
export { parseRuleSet, parseRuleSetJson, loadRuleSet, ruleSetJsonSchema } from './rules/parse.js';
export {
  type RuleContext,
  createRuleContext,
  managerChain,
  attributeValues,
  evaluateCondition,
} from './rules/conditions.js';
export {
  type EntitlementRef,
  type ResolvedEntitlement,
  type RoleConflict,
  type EntitlementSet,
  compareEntitlements,
  entitlementKey,
  evaluateRules,
  entitlementRefs,
} from './rules/entitlements.js';
