/**
 * The seam the design card names: "the upstream PATCH endpoint, or a pluggable store".
 * Every backend answers with an `Outcome`: expected answers are data, only bugs throw.
 */

/** Every kind of failure a backend can report; the GraphQL `MfaErrorCode` enum has one value per kind. */
export const MFA_FAILURE_CODES = [
  'PASSWORD_REQUIRED',
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
  readonly requestId: string;
  readonly signal?: AbortSignal;
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
  /** Resolves true when the backend can take requests (store open); CSP is not pinged. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

export const succeed = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = <T = never>(failure: MfaFailure): Outcome<T> => ({ ok: false, failure });
