/** CommonJS stand-in for vitest-api.ts (see tsup.config.ts): vitest test files are ES modules. */
export function vitestApi(): never {
  throw new Error(
    "runConnectorConformance runs in vitest test files, which are ES modules: import { runConnectorConformance } from 'orgsync/testing' there (vitest cannot be require()d).",
  );
}
