// The toolkit is ESM-only: ts-jest's ESM preset, run with --experimental-vm-modules (package.json "test").
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // Sources import './x.js' (NodeNext); Jest resolves the .ts file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true }]
  },
  testTimeout: 60000,
  // Fails the run at once when dist/ is older than the sources it is built from.
  globalSetup: '<rootDir>/__tests__/global-setup.mjs'
}
