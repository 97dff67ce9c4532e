// ESLint 9 flat config for the connector (Node ESM) and its browser UI.
import js from '@eslint/js';
import globals from 'globals';

export default [
  {
    // Generated output and the separate Go modules (ci/, hack/) are not linted.
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'ci/**', 'hack/**'],
  },
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    files: ['ui/src/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
];
