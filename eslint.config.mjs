import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // .stryker-tmp/ and reports/ exist only while or after `npm run mutate` runs (gitignored).
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.cache/', '.stryker-tmp/', 'reports/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // The core is shared by every platform: no platform code in it, and no web framework (it is plain node:http).
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'express',
              message: 'core/ is plain node:http: a framework is paid for in every cold start.',
            },
          ],
          patterns: [
            { group: ['**/functions/**'], message: 'core/ must not depend on a platform entrypoint.' },
          ],
        },
      ],
    },
  },
  prettier,
);
