// ESLint 9 flat config: @eslint/js and typescript-eslint recommended (not type-aware: a type-aware run
// costs a full type check on every lint, and `npm run typecheck` already does that), with
// eslint-config-prettier last so no stylistic rule fights Prettier (formatting is Prettier's job).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'coverage/**', 'docs/api/**', 'bench/**', 'fixtures/**', '**/fixtures/**', 'node_modules/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        // Node 20 globals used across src, scripts and tests.
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        clearImmediate: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        Response: 'readonly',
        Request: 'readonly',
        Headers: 'readonly',
        performance: 'readonly',
        global: 'readonly',
        globalThis: 'readonly',
        __dirname: 'readonly',
        __filename: 'readonly',
        require: 'readonly',
        module: 'writable',
        document: 'readonly',
        window: 'readonly',
      },
    },
    rules: {
      // `_`-prefixed names are deliberately unused (destructuring a member away, unused parameters).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Vendor payloads and test doubles are `any` at the edges on purpose; zod validates them.
      '@typescript-eslint/no-explicit-any': 'off',
      // Non-null assertions after a length/has() check are the codebase's idiom (noUncheckedIndexedAccess).
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Walking a linked structure starting at `this` (OrgChartNode.chain) is not a confusing alias.
      '@typescript-eslint/no-this-alias': 'off',
      // Control characters in regexes are deliberate here: sanitizers strip them from output (notify, diff text,
      // org chart) and tests match ANSI escapes. A per-line disable does not survive Prettier re-wrapping a chain.
      'no-control-regex': 'off',
    },
  },
  {
    // The studio page's script runs in the browser.
    files: ['src/studio/assets/**/*.js'],
    languageOptions: {
      globals: {
        location: 'readonly',
        navigator: 'readonly',
        fetch: 'readonly',
        document: 'readonly',
        window: 'readonly',
      },
    },
  },
  prettier,
);
