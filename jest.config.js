// ESM toolkit packages need ts-jest's ESM preset and Node's VM modules (see package.json "test").
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  // ESM-only dependencies must be transformed or loaded natively; they are native ESM so leave them.
  transformIgnorePatterns: ['/node_modules/'],
  testTimeout: 60000
}
