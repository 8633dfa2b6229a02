'use strict';
// ESLint (flat config) for the NodeJS wrapper and the JavaScript test models: the recommended rules,
// CommonJS on Node.js. Run from the repository root by `make check` (with prettier --check for the formatting).
const js = require('@eslint/js');
const globals = require('globals');

module.exports = [
  js.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { 'no-unused-vars': ['error', { args: 'none' }] },
  },
  // The should-fail test apps are wrong on purpose (a syntax error, a missing export).
  { ignores: ['**/node_modules/', 'test/apps/nodejs/*-should-fail/'] },
];
