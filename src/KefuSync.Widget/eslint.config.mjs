// @ts-check
// Lint for client/: typescript-eslint's strictTypeChecked set, which reads the types tsc infers (floating and misused
// promises, unnecessary conditions, unsafe `any`, non-null assertions), on top of ESLint's recommended rules.
// `./test.sh` runs it beside tsc, and any finding fails the run. client/ has no inline disable; one that is ever needed
// must give its reason after `--` on the same line.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**'] },
  {
    files: ['client/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `() => widget.open()` is how a callback is written; a void value used anywhere else is still an error.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // A number in a template literal has one meaning; booleans, objects, null and undefined are still refused.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // ErrorCode and CloseCode are enums so that esbuild inlines their values and drops the tables from the widget's
      // bundle (size.test.ts); what they are compared with is a code off the wire, a plain string or number.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
);
