import { cp } from 'node:fs/promises';
import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', studio: 'src/studio/index.ts', cli: 'src/cli.ts' },
    format: ['esm'],
    dts: { entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', studio: 'src/studio/index.ts' } },
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: true,
    external: ['vitest', 'nock'],
    banner: ({ format }) => (format === 'esm' ? {} : {}),
    // The studio's page script and stylesheet are served from dist/studio-assets (see src/studio/assets.ts).
    onSuccess: async () => {
      await cp('src/studio/assets', 'dist/studio-assets', { recursive: true });
    },
  },
  {
    // CommonJS build of the library for require() users; ESM-only dependencies are bundled in.
    entry: { index: 'src/index.ts' },
    format: ['cjs'],
    dts: { entry: { index: 'src/index.ts' } },
    noExternal: ['p-retry', 'p-limit', 'is-network-error', 'yocto-queue'],
    target: 'node20',
    sourcemap: true,
  },
]);
