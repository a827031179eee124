/**
 * Parsing and loading rule sets, with issue messages that name the offending path and value.
 */
import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import { ConditionSchema, EntitlementsSchema, type RuleSet, RuleSetSchema } from './schema.js';

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
        branch.filter(
          (i) =>
            (i.path.length === 0 && i.code === 'unrecognized_keys') ||
            (i.path.length === 1 && !keys.has(String(i.path[0]))),
        ).length;
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
    throw new ValidationError({
      message: `invalid rule set: ${issues.slice(0, 5).join('; ')}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ''}`,
      issues,
      code: 'rule_set_invalid',
    });
  }
  return r.data;
}

/** Parse and validate rule set JSON text. */
export function parseRuleSetJson(text: string): RuleSet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ValidationError({
      message: `rule set is not valid JSON: ${(e as Error).message}`,
      issues: ['(root): not JSON'],
      code: 'rule_set_invalid',
    });
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
  registry.add(ConditionSchema, {
    id: 'Condition',
    description: 'A leaf test on one attribute, or all/any/not of conditions.',
  });
  registry.add(EntitlementsSchema, {
    id: 'Entitlements',
    description: 'What the app grants: role, licenses, groups, permissions.',
  });
  registry.add(RuleSetSchema, {
    title: 'orgsync provisioning rule set',
    description: 'Maps employees to app entitlements; see docs/provisioning.md.',
  });
  return z.toJSONSchema(RuleSetSchema, { io: 'input', metadata: registry, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
