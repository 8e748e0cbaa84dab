/**
 * The store's public face. `openStore` loads only the database driver its target needs, so importing
 * this module loads neither better-sqlite3 nor pg.
 */
export { openStore, type OpenStoreOptions, type StoreTarget } from './open-store.js';
export type {
  PrincipalRecord,
  StoreAdmin,
  StoreBackend,
  StoreEngine,
  StorePrincipalKind,
} from './store-types.js';
export { DEFAULT_STORE_PATH, type CommonStoreOptions, type StoreLogger } from './store-options.js';
export type { SqliteStoreOptions } from './sqlite-store.js';
export type { PostgresStoreOptions } from './postgres-store.js';
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
export { SCHEMA_VERSION } from './sqlite-migrations.js';
export { POSTGRES_SCHEMA_VERSION } from './postgres-migrations.js';
