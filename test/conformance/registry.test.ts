/**
 * Every registered connector is complete as a registration: `orgsync connectors` lists it with all
 * its options (secrets marked, with their environment variable), it has a simulator that declares
 * how it renders the sample company for the per-person kit, and a fault adapter for the matrix.
 */
import { describe, expect, it } from 'vitest';
import { connectors } from '../../connectors/index.js';
import { simulators } from '../../connectors/simulators.js';
import { main } from '../../src/cli/main.js';
import { PERSON_FIELDS } from '../../src/testing/people.js';
import { captureIo } from '../helpers/cli.js';
import { adapters } from '../faults/adapters.js';

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

describe('connector registry', () => {
  it('`orgsync connectors` lists every registered connector, each with every option and its secrets', async () => {
    const t = captureIo();
    expect(await main(['connectors'], t.io)).toBe(0);
    const text = t.text();
    const listed = [...text.matchAll(/^([a-z][a-z0-9-]*) \((.+)\)$/gm)].map((m) => m[1]);
    expect(listed).toEqual(Object.keys(connectors));
    for (const [id, factory] of Object.entries(connectors)) {
      const def = factory.definition;
      const block = text.slice(text.indexOf(`${id} (${def.name})\n`)).split('\n\n')[0]!;
      for (const key of Object.keys(def.options.shape))
        expect(block, `${id} --${kebab(key)}`).toContain(`--${kebab(key)}`);
      for (const s of def.secrets)
        expect(block).toMatch(
          new RegExp(`--${kebab(s)} VALUE[^\\n]*\\[secret; env ORGSYNC_${id.toUpperCase().replace(/-/g, '_')}_`),
        );
    }
  });

  it('every connector has a simulator that declares its sample reading, and a fault adapter', () => {
    expect(Object.keys(simulators).sort()).toEqual(Object.keys(connectors).sort());
    for (const [id, sim] of Object.entries(simulators)) {
      expect(sim.id, id).toBe(id);
      expect(typeof sim.sample?.personId, `${id}: sample.personId`).toBe('function');
      // Groups are declared, or said not to apply; not-applicable fields name real fields and give a reason.
      expect(
        sim.sample.groups !== undefined || sim.sample.notApplicable?.groups !== undefined,
        `${id}: sample.groups`,
      ).toBe(true);
      for (const [field, why] of Object.entries(sim.sample.notApplicable ?? {})) {
        expect(PERSON_FIELDS as readonly string[], id).toContain(field);
        expect(String(why).length, `${id}: why ${field} does not apply`).toBeGreaterThan(10);
      }
      expect(adapters[id], `${id}: a fault adapter in test/faults/adapters.ts`).toBeDefined();
    }
  });
});
