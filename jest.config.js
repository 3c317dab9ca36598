/** Unit tests live beside the code (*.test.ts); workflow and end-to-end tests in test/. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['**/?(*.)test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.tools/'],
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/closing-line-reporter.js'],
};
