import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '.tmp/**', '.scratch/**', '.venv-python-checks/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use the seeded RNG in src/util/rng.ts.' }],
    },
  },
  {
    files: ['src/stages/**', 'src/tools/**', 'src/adapters/**', 'src/pipeline.ts'],
    rules: { 'no-console': 'error' },
  },
);
