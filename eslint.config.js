// ESLint flat config: typescript-eslint's type-checked rules, which catch real
// bugs, and the folder layering (eslint/layers.js). Style is Prettier's
// (.prettierrc.json), which `npm run lint` checks after ESLint.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layerConfigs } from './eslint/layers.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  // Type-aware set: catches unsafe `any` flows, needless assertions and
  // promise misuse that the syntactic set cannot see.
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  {
    // Tests may reach into loosely typed SDK and wire shapes.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // vitest's asymmetric matchers (expect.any, objectContaining, stringMatching) are typed `any` by design;
      // reading a value that came in as `any` is still caught by no-unsafe-member-access/-call/-return.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // Fakes implement async interfaces with synchronous bodies: `async` is the plain way to return a promise there.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Plain JavaScript (the bin shim, this file) is outside the TypeScript project.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  // The folder layering of src/ (DESIGN.md §3): an upward import is an error. The table is eslint/layers.js.
  ...layerConfigs(),
);
