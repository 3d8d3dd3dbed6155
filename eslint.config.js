import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import patterns (relative paths into a layer of src/) for the layering rules below. */
const layer = {
  stages: { regex: '(^|/)stages/', message: 'Adapters and ports do not import stages: move the shared type to src/ports.' },
  adapters: { regex: '(^|/)adapters/', message: 'Stages and ports do not import adapters: take the port (src/ports) and let the pipeline pass the adapter.' },
  cli: { regex: '(^|/)cli/', message: 'Only the CLI imports the CLI: the library never depends on it.' },
  pipeline: { regex: '(^|/)pipeline(\\.js)?$', message: 'Stages, adapters and ports do not import the pipeline: it imports them.' },
};

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
  // a function that does not fit on two screens is several steps: name them
  {
    files: ['src/**'],
    rules: { 'max-lines-per-function': ['error', { max: 150, skipBlankLines: true, skipComments: true }] },
  },
  // layering: stages and adapters meet only in src/ports; the pipeline creates adapters and hands them to stages
  {
    files: ['src/stages/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layer.adapters, layer.cli, layer.pipeline] }] },
  },
  {
    files: ['src/adapters/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layer.stages, layer.cli, layer.pipeline] }] },
  },
  {
    files: ['src/ports/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layer.stages, layer.adapters, layer.cli, layer.pipeline] }] },
  },
);
