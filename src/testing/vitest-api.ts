/**
 * vitest, loaded when present: `orgsync/testing` also serves plain scripts (simulators, the sample
 * company) in projects without vitest, so the import may fail; only the conformance suite needs it.
 * The CommonJS build replaces this module with vitest-api.cjs.ts (vitest cannot be require()d).
 */
type Vitest = typeof import('vitest');

let loaded: Vitest | undefined;
try {
  loaded = await import('vitest');
} catch {
  loaded = undefined;
}

export function vitestApi(): Vitest {
  if (!loaded)
    throw new Error(
      'runConnectorConformance needs vitest: npm install -D vitest, and call it from a vitest test file.',
    );
  return loaded;
}
