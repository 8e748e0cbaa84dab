/**
 * csp-mfa-graphql as a library: the gateway (`createGateway`) and the backend contract a store of your
 * own implements. Importing this starts nothing. docs/plugging-in-a-store.md walks through it; the
 * conformance kit is `csp-mfa-graphql/conformance`.
 */
import 'reflect-metadata';

export {
  createGateway,
  type GatewayAddress,
  type GatewayLogOptions,
  type GatewayOptions,
  type GatewaySettingName,
  type GatewaySettings,
  type MfaGateway,
} from './gateway.js';
export { GatewayStartError, type GatewayStartErrorCode } from './gateway-start-error.js';
export { type LogLevel } from './config.js';

export {
  fail,
  isMfaAuditAction,
  MAX_AUDIT_FILTER_VALUES,
  MFA_AUDIT_ACTIONS,
  MFA_FAILURE_CODES,
  succeed,
  type BackendCall,
  type BackendLogger,
  type MfaAuditAction,
  type MfaAuditLogDto,
  type MfaAuditPage,
  type MfaAuditQuery,
  type MfaBackend,
  type MfaBackendContext,
  type MfaBackendFactory,
  type MfaFailure,
  type MfaFailureCode,
  type MfaStatusDto,
  type MfaUpdateDto,
  type Outcome,
  type UpdateMfaCall,
} from './backend/mfa-backend.js';
export { type Caller } from './auth/caller.js';
export { type PrincipalKind, type TokenClaims } from './auth/token-claims.js';

// CSP's documented rules for an audit query, as the embedded store applies them: a backend that uses
// them answers the conformance kit's audit scenarios as the store and CSP do.
export {
  DEFAULT_AUDIT_PAGE_LIMIT,
  MAX_AUDIT_PAGE_LIMIT,
  MAX_AUDIT_WINDOW,
  parseAuditQuery,
  type AuditQueryProblem,
  type AuditQueryResult,
  type NormalizedAuditQuery,
} from './backend/store/mfa-audit.js';
