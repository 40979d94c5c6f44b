// Flat config. Not type-aware: it stays fast and needs no tsconfig that covers scripts/ and the .mjs files.
// `tseslint.config()` is deprecated in favour of ESLint's own defineConfig().
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import { defineConfig, globalIgnores } from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  // dist/ is ncc output (.dist-build-*/ while it is built); .bench/ and .scratch/ hold throwaway runs and experiments.
  globalIgnores(['dist/', '.dist-build-*/', 'node_modules/', 'coverage/', '.bench/', '.scratch/']),
  {
    // src, __tests__, __fixtures__, bench, scripts and the root config files.
    files: ['**/*.{ts,mts,js,mjs}'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // `_name` marks a parameter a callback signature requires but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  },
  // Last, so formatting is Prettier's alone and no stylistic rule fights it.
  prettier
)
