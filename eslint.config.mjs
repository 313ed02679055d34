// One lint config for the whole tree (ESLint flat config). `npm run lint` runs it per project through nx;
// `npm test` runs it before Jest, so a violation fails CI.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'tmp/**', 'coverage/**', '.nx/**', '**/*.d.ts'],
  },
  { plugins: { '@nx': nx } },
  {
    // JavaScript: scripts and configs run by Node as CommonJS.
    files: ['**/*.js', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node, ...globals.jest } },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }] },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  {
    // TypeScript: type-aware rules that catch real bugs in this codebase.
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: {
        project: ['apps/*/tsconfig.spec.json', 'libs/*/*/tsconfig.spec.json', 'tools/*/tsconfig.spec.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // The system tests drive the launcher scripts in tools/scripts and test the bench's pure helpers in
          // tools/bench (plain Node, not projects).
          allow: ['../../scripts/*', '../../bench/*'],
          depConstraints: [
            // Apps never import apps; libs never import apps (no tag below allows type:app).
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:util', 'type:data-access', 'type:contracts', 'type:testing'],
            },
            {
              sourceTag: 'type:data-access',
              onlyDependOnLibsWithTags: ['type:util', 'type:data-access', 'type:contracts'],
            },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contracts'] },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:util', 'type:data-access', 'type:contracts', 'type:testing'],
            },
            // The public Kafka API imports nothing of ours.
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
          ],
        },
      ],
    },
  },
  {
    // Tests poke at untyped JSON (GraphQL answers, Kafka payloads, Snap bodies) on purpose.
    files: ['**/*.spec.ts', '**/test/**/*.ts', 'tools/system-tests/**/*.ts', 'libs/shared/util-testing/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  prettier,
);
