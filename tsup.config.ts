import { cp } from 'node:fs/promises';
import path from 'node:path';
import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

/** In the CommonJS build, vitest (ESM-only, loaded lazily by the conformance suite) is replaced by a stand-in. */
const cjsVitest: Plugin = {
  name: 'orgsync-cjs-vitest',
  setup(build) {
    build.onResolve({ filter: /\/vitest-api\.js$/ }, () => ({ path: path.resolve('src/testing/vitest-api.cjs.ts') }));
  },
};

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      testing: 'src/testing/index.ts',
      studio: 'src/studio/index.ts',
      runtime: 'src/runtime/index.ts',
      cli: 'src/cli.ts',
    },
    format: ['esm'],
    dts: {
      entry: {
        index: 'src/index.ts',
        testing: 'src/testing/index.ts',
        studio: 'src/studio/index.ts',
        runtime: 'src/runtime/index.ts',
      },
    },
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: true,
    external: ['vitest', 'nock'],
    // The studio's page script and stylesheet are served from dist/studio-assets (see src/studio/assets.ts).
    onSuccess: async () => {
      await cp('src/studio/assets', 'dist/studio-assets', { recursive: true });
    },
  },
  {
    // CommonJS build of the library and the testing kit for require() users; ESM-only dependencies are bundled in.
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', runtime: 'src/runtime/index.ts' },
    format: ['cjs'],
    dts: { entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', runtime: 'src/runtime/index.ts' } },
    noExternal: ['p-retry', 'p-limit', 'is-network-error', 'yocto-queue'],
    external: ['vitest', 'nock'],
    esbuildPlugins: [cjsVitest],
    shims: true,
    target: 'node20',
    sourcemap: true,
  },
]);
