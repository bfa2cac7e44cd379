import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'data/', 'public/', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    // The type-aware rules run on the product's code, with the program of src/ alone. The suites, benches and
    // scripts get the rules above, and `npm run typecheck` checks them as strictly as the product; their type-aware
    // pass made a fresh checkout's lint about half again as long (28-36 s against 41-51 s here), past the time
    // limit a reviewer's run allowed it.
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.build.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
      // The code declares no enums (unions of literals instead); the rule would still type every assignment.
      '@typescript-eslint/no-unsafe-enum-assignment': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
);
