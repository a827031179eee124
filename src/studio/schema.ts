/**
 * The rule-set JSON Schema (`ruleSetJsonSchema()`, the exported contract) shaped for the form
 * library: `$defs` as `definitions` (what @json-editor/json-editor resolves), and the condition
 * union flattened to one level with a title per branch so the editor offers "equals", "all of"...
 * in one picker. The constraints are unchanged; `parseRuleSet` stays the judge of validity.
 */
import { ruleSetJsonSchema } from '../provisioning/rules.js';

type Json = Record<string, unknown>;

const BRANCH_TITLES: Record<string, string> = { all: 'all of (and)', any: 'any of (or)', not: 'not' };

function rewriteRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (v && typeof v === 'object') {
    const out: Json = {};
    for (const [k, x] of Object.entries(v as Json)) {
      if (k === '$ref' && typeof x === 'string') out[k] = x.replace('#/$defs/', '#/definitions/');
      else out[k === '$defs' ? 'definitions' : k] = rewriteRefs(x);
    }
    return out;
  }
  return v;
}

export function studioSchema(): Json {
  const schema = rewriteRefs(ruleSetJsonSchema()) as Json;
  delete schema['$schema'];
  const defs = schema['definitions'] as Record<string, Json>;
  const cond = defs['Condition']!;
  const branches: Json[] = [];
  for (const b of (cond['anyOf'] as Json[]) ?? []) {
    if (Array.isArray(b['oneOf'])) {
      for (const leaf of b['oneOf'] as Json[]) {
        const props = leaf['properties'] as Record<string, Json>;
        const op = String(props['op']?.['const'] ?? '');
        props['op'] = { type: 'string', enum: [op], default: op, options: { hidden: true } };
        branches.push({ ...leaf, title: `${props['attribute'] ? 'attribute ' : ''}${op}` });
      }
    } else {
      const key = Object.keys((b['properties'] as Json) ?? {})[0] ?? '';
      branches.push({ ...b, title: BRANCH_TITLES[key] ?? key });
    }
  }
  defs['Condition'] = { title: 'condition', description: cond['description'], anyOf: branches };
  return schema;
}
