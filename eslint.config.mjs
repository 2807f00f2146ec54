import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Module boundaries are the architecture: services talk over Kafka only, so a service never imports
// another service; contracts import nothing internal; only tests may reach libs/testing.
const depConstraints = [
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
];
const testDepConstraints = depConstraints.map((c) =>
  c.sourceTag === 'type:contracts' ? c : { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing'] },
);
const boundaries = (constraints) => ({
  '@nx/enforce-module-boundaries': ['error', {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: constraints,
  }],
});

const focusedOrSkipped = [
  ...['only', 'skip', 'todo', 'failing', 'concurrent'].map((name) => ({
    selector: `MemberExpression[object.name=/^(it|test|describe)$/][property.name="${name}"]`,
    message: `.${name} leaves tests out of the suite (or runs them in a way the suite does not): remove it before committing`,
  })),
  { selector: 'CallExpression[callee.name=/^(fit|fdescribe|xit|xtest|xdescribe)$/]', message: 'focused or skipped test: remove the prefix before committing' },
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '.nx/**', 'coverage/**', '.closeloop/**', 'test-artifacts/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    rules: {
      ...boundaries(depConstraints),
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-empty-function': 'off',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/**/*.ts'],
    rules: {
      ...boundaries(testDepConstraints),
      // a focused or skipped test silently shrinks the suite: what is not ready is not committed as a test
      'no-restricted-syntax': ['error', ...focusedOrSkipped],
    },
  },
  { files: ['**/*.mjs', '**/*.js', '**/*.cjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable', fetch: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortController: 'readonly' } } },
];
