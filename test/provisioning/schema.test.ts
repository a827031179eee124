import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRuleSet, ruleSetJsonSchema } from '../../src/provisioning/index.js';
import { loadExample } from './helpers.js';
import { checkSchemaDocument, validate } from './json-schema-lite.js';

const examples = readdirSync(fileURLToPath(new URL('../../examples/rules/', import.meta.url)))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

describe('ruleSetJsonSchema', () => {
  const schema = ruleSetJsonSchema();

  it('is a draft 2020-12 JSON Schema document with the rule set properties', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.type).toBe('object');
    expect(schema.title).toBe('orgsync provisioning rule set');
    const props = schema.properties as Record<string, Record<string, unknown>>;
    expect(Object.keys(props)).toEqual(expect.arrayContaining(['version', 'rules', 'defaultEntitlements', 'policy']));
    expect(props.version).toMatchObject({ const: 1 });
    expect(schema.required).toEqual(['version']);
    const defs = schema.$defs as Record<string, Record<string, unknown>>;
    expect(Object.keys(defs)).toEqual(expect.arrayContaining(['Condition', 'Entitlements']));
    // The recursive condition: all/any/not reference the Condition definition itself.
    expect(JSON.stringify(defs.Condition)).toContain('"$ref":"#/$defs/Condition"');
    const policy = props.policy!.properties as Record<string, Record<string, unknown>>;
    expect(Object.keys(policy)).toEqual(
      expect.arrayContaining([
        'events',
        'hire',
        'termination',
        'leave',
        'neverTouch',
        'notifications',
        'thresholds',
        'timezone',
      ]),
    );
    expect((policy.termination!.properties as Record<string, unknown>).action).toMatchObject({
      enum: ['suspend', 'delete', 'suspend_then_delete'],
    });
    expect(checkSchemaDocument(schema)).toEqual([]);
    // Plain JSON: survives a round trip unchanged.
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it.each(examples)('examples/rules/%s.json validates against the JSON Schema and parseRuleSet', (name) => {
    const doc = loadExample(name);
    expect(validate(schema, doc)).toEqual([]);
    expect(() => parseRuleSet(doc)).not.toThrow();
  });

  it('rejects what parseRuleSet rejects structurally', () => {
    const bad = [
      { version: 2 },
      { version: 1, rules: [{ id: 'r', when: { attribute: 'title', op: 'equalz', value: 'x' }, grant: {} }] },
      {
        version: 1,
        rules: [{ id: 'r', when: { attribute: 'title', op: 'equals', value: 'x' }, grant: { permisions: [] } }],
      },
      { version: 1, rules: [{ id: 'bad id!', when: { all: [] }, grant: {} }] },
      { version: 1, rules: [{ id: 'r', when: { not: { attribute: 'x', op: 'exists' } }, grant: {} }] },
      { version: 1, policy: { termination: { action: 'shred' } } },
      { version: 1, policy: { thresholds: { maxDeprovisionPercent: 150 } } },
      {
        version: 1,
        rules: [{ id: 'r', when: { attribute: 'title', op: 'matches', pattern: 'x'.repeat(201) }, grant: {} }],
      },
    ];
    for (const doc of bad) {
      expect(validate(schema, doc), JSON.stringify(doc)).not.toEqual([]);
      expect(() => parseRuleSet(doc), JSON.stringify(doc)).toThrow();
    }
  });
});
