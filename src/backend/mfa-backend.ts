/**
 * The seam the design card names: "the upstream PATCH endpoint, or a pluggable store".
 * Every backend answers with an `Outcome`: expected answers are data, only bugs throw.
 */
import { type Caller } from '../auth/caller.js';

/** Every kind of failure a backend can report; the GraphQL `MfaErrorCode` enum has one value per kind. */
export const MFA_FAILURE_CODES = [
  'PASSWORD_REQUIRED',
  'INVALID_REQUEST',
  'UNAUTHENTICATED',
  'WRONG_PASSWORD',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'SERVICE_ACCOUNT_NOT_ALLOWED',
  'UPSTREAM_UNAVAILABLE',
  'UNEXPECTED',
] as const;

export type MfaFailureCode = (typeof MFA_FAILURE_CODES)[number];

/** A documented non-success answer, or a fault on the way to one. Never carries a secret. */
export interface MfaFailure {
  readonly code: MfaFailureCode;
  /** HTTP status of the upstream answer, when there was one. */
  readonly statusCode?: number;
  /** CSP's `cspErrorCode` (`<module>.<code>`, possibly chained with `-`). */
  readonly cspErrorCode?: string;
  readonly errorCode?: string;
  readonly moduleCode?: number;
  /** CSP's request id (body `requestId`, else the `csp-request-id` header), else ours. */
  readonly requestId?: string;
  /** Seconds to wait before retrying, from `Retry-After` or the brute-force guard. */
  readonly retryAfterSeconds?: number;
}

export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: MfaFailure };

/** `UserMfaStatusDto`: every field optional, as CSP documents it. */
export interface MfaStatusDto {
  readonly activated?: boolean;
  readonly deviceName?: string;
  readonly turnedOn?: boolean;
  readonly username?: string;
}

/** `UpdateMfaResponse`. */
export interface MfaUpdateDto {
  readonly turnedOn: boolean;
}

/** What every backend call carries: the caller's token, our request id, and the client's cancellation. */
export interface BackendCall {
  readonly token: string;
  /**
   * Who calls, as the gateway established it once for the request (claims read, keys hashed). The
   * gateway's guards use it; a backend may ignore it. Absent when a backend is called directly.
   */
  readonly caller?: Caller;
  readonly requestId: string;
  readonly signal?: AbortSignal;
}

/** Every action CSP documents for the audit log. */
export const MFA_AUDIT_ACTIONS = [
  'MFA_ACTIVATION',
  'MFA_DEACTIVATION',
  'MFA_ENABLE',
  'MFA_DISABLE',
  'MFA_DEVICE_NAME_UPDATE',
  'MFA_AUTHENTICATION_SUCCESS',
  'MFA_AUTHENTICATION_FAILURE',
  'MFA_RECOVERY_CODE_AUTHENTICATION_SUCCESS',
  'MFA_RECOVERY_CODE_AUTHENTICATION_FAILURE',
  'MFA_RECOVERY_CODES_GENERATION',
  'AUTHENTICATION_WITHOUT_MFA',
] as const;

export type MfaAuditAction = (typeof MFA_AUDIT_ACTIONS)[number];

export const isMfaAuditAction = (value: unknown): value is MfaAuditAction =>
  typeof value === 'string' && (MFA_AUDIT_ACTIONS as readonly string[]).includes(value);

/** CSP documents "≤ 20" for both the `eventIds` and the `deviceNames` filter. */
export const MAX_AUDIT_FILTER_VALUES = 20;

/** `PrincipalMfaAuditLogRequest`: dates are epoch milliseconds. */
export interface MfaAuditQuery {
  readonly startDate: number;
  readonly endDate: number;
  readonly actions?: readonly string[];
  readonly deviceNames?: readonly string[];
  readonly eventIds?: readonly string[];
  readonly pageLimit?: number;
  readonly pageStart?: number;
}

/** `MfaAuditLogDto`. An event without an id, a known action or a date is not usable, so those are required. */
export interface MfaAuditLogDto {
  readonly action: MfaAuditAction;
  readonly details: { readonly deviceName?: string };
  /** Epoch milliseconds. */
  readonly eventDate: number;
  readonly eventId: string;
  readonly modifiedBy?: string;
  readonly username?: string;
}

/** CSP's paged answer, newest event first. */
export interface MfaAuditPage {
  readonly itemsPerPage: number;
  readonly startIndex: number;
  readonly totalResults: number;
  readonly results: readonly MfaAuditLogDto[];
}

export interface UpdateMfaCall extends BackendCall {
  readonly password: string;
  readonly turnedOn: boolean;
}

/** The contract both the CSP client and the embedded store implement; the resolvers see nothing else. */
export interface MfaBackend {
  /** Short name for logs and /ready ("csp" or "store"). */
  readonly kind: 'csp' | 'store';
  updateMfa(call: UpdateMfaCall): Promise<Outcome<MfaUpdateDto>>;
  getMfaStatus(call: BackendCall): Promise<Outcome<MfaStatusDto>>;
  /** The caller's MFA audit log, one page, newest first. */
  getMfaAudit(call: BackendCall, query: MfaAuditQuery): Promise<Outcome<MfaAuditPage>>;
  /** Resolves true when the backend can take requests (store open); CSP is not pinged. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

export const succeed = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = <T = never>(failure: MfaFailure): Outcome<T> => ({ ok: false, failure });
