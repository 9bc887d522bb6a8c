/** Unit tests sit beside the code; end-to-end tests in test/ run real processes. */
const shared = {
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleNameMapper: {
    '^@hub/(.*)$': '<rootDir>/libs/$1/src/index.ts',
  },
  testEnvironment: 'node',
};
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
  // A global option (per-project values are ignored): end-to-end tests start real processes.
  testTimeout: 120000,
};
