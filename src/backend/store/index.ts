/** The embedded store's public face: what `main`, `config` and the contract tests import. */
export {
  createStoreBackend,
  type PrincipalRecord,
  type StoreAdmin,
  type StoreBackend,
  type StoreLogger,
  type StoreOptions,
  type StorePrincipalKind,
} from './mfa-store.js';
export { seedDemoIfEmpty, DEMO_DEVICE_NAME, DEMO_USERNAME, type DemoCredentials } from './demo-seed.js';
export {
  createCspSimulator,
  type CspErrorBody,
  type CspSimulator,
  type CspSimulatorOptions,
  type SimulatedFault,
} from './csp-simulator.js';
export {
  MFA_AUDIT_ACTIONS,
  parseAuditQuery,
  type AuditQueryProblem,
  type MfaAuditAction,
  type MfaAuditLogDto,
  type MfaAuditPage,
  type MfaAuditQuery,
} from './mfa-audit.js';
export {
  isStoreError,
  StoreAdminError,
  StoreError,
  StoreOpenError,
  type StoreErrorCode,
} from './store-errors.js';
export { SCHEMA_VERSION } from './migrations.js';
export { DEFAULT_STORE_PATH } from './store-cli.js';
