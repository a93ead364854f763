import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // client/generated/: protobufjs code from scripts/gen-status-protos.ts, kept as generated.
  { ignores: ['node_modules/', 'lib/', 'data/', 'bin/', 'test-output/', '**/*.mjs', 'client/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code is replayed deterministically in a sandbox: no Node built-ins, no I/O, no zod.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'zod'].map((name) => ({
            name,
            message: 'Workflow code must stay deterministic: no Node built-ins, I/O or zod in workflows/.',
          })),
        },
      ],
    },
  },
);
