import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.cache/'] },
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
    // The core is shared by every platform: no platform code in it, and the web framework stays in app.ts.
    files: ['core/**/*.ts'],
    ignores: ['core/app.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'express',
              message: 'Only core/app.ts may use express; the proxy steps are plain node:http.',
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
