import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      'apps/api/build/**',
      '**/.next/**',
      '**/.turbo/**',
      '**/node_modules/**',
      '.tools/**',
      '**/next-env.d.ts',
      '**/playwright-report/**',
      '**/test-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Playwright passes fixtures as the first argument; `async ({}, testInfo)` asks for none.
    files: ['e2e/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
);
