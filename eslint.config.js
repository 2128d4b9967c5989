// One lint command for the whole repository: `npm run lint` (eslint with type-aware rules, then tsc).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'node:*',
  'fs',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'os',
  'dns',
  'tls',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.cache/**',
      'dist/**',
      'charts/**',
      'tools/control-plane/**',
      'tools/helm/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      complexity: ['warn', 15],
      'max-depth': ['error', 4],
      'max-params': ['error', 5],
    },
  },
  {
    // core/ is pure: no I/O, no clock, no randomness. Time and randomness are parameters.
    files: ['core/**/*.ts'],
    ignores: ['core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: nodeBuiltins,
              message: 'core/ is pure: no Node built-ins (I/O belongs in operator/ or proxy/).',
            },
            {
              group: ['express', 'undici', 'prom-client', '@kubernetes/*', 'js-yaml'],
              message: 'core/ imports only zod, @noble/hashes and itself.',
            },
            {
              group: ['**/operator/**', '**/proxy/**', '**/cli/**'],
              message: 'core/ must not depend on operator/, proxy/ or cli/.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'core/ takes the time as a parameter.' },
        { object: 'Math', property: 'random', message: 'core/ takes randomness as a parameter.' },
        { object: 'performance', property: 'now', message: 'core/ takes the time as a parameter.' },
        {
          object: 'crypto',
          property: 'getRandomValues',
          message: 'core/ takes randomness as a parameter.',
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'core/ takes the time as a parameter.',
        },
        { selector: "CallExpression[callee.name='fetch']", message: 'core/ does no I/O.' },
      ],
      'no-restricted-globals': [
        'error',
        'process',
        'setTimeout',
        'setInterval',
        'fetch',
        'require',
      ],
    },
  },
  {
    files: ['operator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/proxy/**'],
              message: 'operator/ and proxy/ never import each other; share through core/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['proxy/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/operator/**'],
              message: 'operator/ and proxy/ never import each other; share through core/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'tools/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
