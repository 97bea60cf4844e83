// `npm run lint`: typescript-eslint on the TypeScript, ESLint's own rules on the JavaScript
// (the console's modules, the samples' code, the build scripts). Size limits and the ban on
// silent catches are the project's rules (docs/architecture.md).
import js from '@eslint/js';
import eslintComments from '@eslint-community/eslint-plugin-eslint-comments';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** `.catch(() => undefined)` and `.catch(() => {})` drop an error without a word; use dropLogged (kernel/util/drop.ts). */
const silentCatch = [
  {
    selector: "CallExpression[callee.property.name='catch'] > ArrowFunctionExpression.arguments[params.length=0][body.type='Identifier'][body.name='undefined']",
    message: 'This drops the error silently; log it with dropLogged(), or catch only what is expected (e.g. ENOENT).',
  },
  {
    selector: "CallExpression[callee.property.name='catch'] > :matches(ArrowFunctionExpression, FunctionExpression).arguments > BlockStatement.body[body.length=0]",
    message: 'This drops the error silently; log it with dropLogged(), or catch only what is expected (e.g. ENOENT).',
  },
  {
    // A comment in the block is not a reason the log will show: no-empty lets that through, this does not.
    selector: 'CatchClause > BlockStatement.body[body.length=0]',
    message: 'This catch drops the error; log it (dropLogged, dropLoggedSync), or rethrow what is not expected (ifExists passes only ENOENT).',
  },
];

const sizeLimits = {
  'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }],
  'max-lines-per-function': ['error', { max: 50, skipBlankLines: true, skipComments: true, IIFEs: true }],
};

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'bench/results/**', 'test/fixtures/**', 'coverage/**', '.venv*/**'],
  },
  js.configs.recommended,
  {
    // A rule switched off says why after `--`; one that no longer fires is reported.
    plugins: { '@eslint-community/eslint-comments': eslintComments },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: { '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }] },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      ...sizeLimits,
      'no-restricted-syntax': ['error', ...silentCatch],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // JSON from users and the network is `any` at the edges on purpose; narrowing follows.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    // A test file is a list of behaviours; its describe() callback is long by nature.
    files: ['test/**/*.ts', 'packages/*/test/**/*.ts'],
    rules: { 'max-lines-per-function': 'off' },
  },
  {
    files: ['**/*.d.ts'],
    rules: { 'max-lines': 'off' },
  },
  {
    // The web console and the MLP page: ES modules in the browser, no bundler.
    files: ['platform/console/**/*.js', 'samples/mlp/page/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser } },
    rules: { ...sizeLimits, 'no-restricted-syntax': ['error', ...silentCatch] },
  },
  {
    // Boot files, hooks and build scripts: CommonJS run by Node.
    files: ['samples/**/code/**/*.js', '**/*.cjs', 'packages/*/build.js', 'compute/native/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: sizeLimits,
  },
  {
    files: ['eslint.config.mjs', '.dependency-cruiser.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
