/**
 * csp-mfa-graphql/conformance: the backend contract as a test suite you run against your own backend,
 * from jest or node:test, with one call. docs/plugging-in-a-store.md shows a fixture.
 */
export { CONFORMANCE_SCENARIOS, defineMfaBackendConformance, tamperToken } from './backend-conformance.js';
export type {
  ConformanceBackend,
  ConformanceFixture,
  ConformanceOptions,
  ConformanceUser,
  HookRegistrar,
  TestRegistrar,
} from './conformance-fixture.js';
