/** Jest runs the TypeScript sources as native ESM through @swc/jest (legacy decorators + metadata, as tsc emits them). */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The settings page imports the kit by its package name; tests run the kit's source.
    '^csp-mfa-graphql/client$': '<rootDir>/src/client/index.ts',
    // The in-memory example imports the package by name; in jest it runs against the sources.
    '^csp-mfa-graphql$': '<rootDir>/src/index.ts',
    '^csp-mfa-graphql/conformance$': '<rootDir>/src/conformance/index.ts',
  },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  testTimeout: 30_000,
};
