// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Workflow code is replayed from history, so it must not touch the outside world:
// no Node built-ins, no database/cache/LLM/HTTP clients, no worker-side Temporal packages.
const forbiddenInWorkflows = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'pg', 'pg-*', 'ioredis', 'ollama', 'openai', 'node-fetch', 'undici', 'axios',
  '@temporalio/activity', '@temporalio/worker', '@temporalio/client', '@temporalio/testing',
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.data/**', 'results/**', 'temporal/**', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's describe/test return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'test', 'it', 'suite'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      // LlmTaskIO is assembled from one interface per crew via `extends`.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
    },
  },
  {
    // Everything a workflow may import: the workflows themselves, crew contracts and pure domain code.
    files: ['src/workflows/**/*.ts', 'src/shared/**/*.ts', 'src/**/contract.ts', 'src/**/*.contract.ts', 'src/observability/workflow-interceptors.ts', 'src/observability/names.ts',
      // pure helpers that crew workflows import
      'src/*/rules.ts', 'src/*/messages.ts', 'src/settlement/render.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: forbiddenInWorkflows, message: 'Workflow code must stay deterministic: no Node built-ins or I/O modules (use an activity).' }],
      }],
    },
  },
);
