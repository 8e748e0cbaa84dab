/**
 * The seam the design card names: "the upstream PATCH endpoint, or a pluggable store".
 * Every backend answers with an `Outcome`: expected answers are data, only bugs throw.
 */
import { type Caller } from '../auth/caller.js';

/**
 * Every kind of failure a backend can report; the GraphQL `MfaErrorCode` enum has one value per kind,
 * and each picks its own union member. What a backend answers, and when:
 * - `UNAUTHENTICATED`: the token is missing, malformed, forged or expired.
 * - `WRONG_PASSWORD`: the update's password is not the caller's (the brute-force guard counts these).
 * - `PASSWORD_REQUIRED`: the update's password is empty (the gateway checks this first, too).
 * - `NOT_FOUND`: a valid token whose principal no longer exists.
 * - `SERVICE_ACCOUNT_NOT_ALLOWED`: the token is a service account's (only users have MFA).
 * - `CONFLICT`: turning MFA on while no device is activated.
 * - `INVALID_REQUEST`: an audit query the backend refuses (see `parseAuditQuery`); the reason as `errorCode`.
 * - `FORBIDDEN`, `RATE_LIMITED`: the backend's own refusals (`retryAfterSeconds` with the latter).
 * - `UPSTREAM_UNAVAILABLE`: the backend cannot answer now (database down, lock held); the client may retry.
 * - `UNEXPECTED`: anything else; the client is told nothing more.
 */
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
  /** A finer reason clients may read, such as an audit query's problem (`START_IN_FUTURE`). */
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
  /**
   * Aborted when the client goes away. The gateway makes it on first read, through a getter that a spread
   * copy of the call (`{ ...call }`) does not carry; `cancellation` is carried, and costs nothing to use.
   */
  readonly signal?: AbortSignal;
  /**
   * The same event as `signal`, without an AbortSignal (one costs a few microseconds to make on Node 20,
   * and the gateway serves thousands of requests a second). The gateway always gives it.
   */
  readonly cancellation?: Cancellation;
}

/** The client going away, as `BackendCall.cancellation` tells it. */
export interface Cancellation {
  /** True once the client went away. */
  readonly cancelled: boolean;
  /** Calls `listener` once when the client goes away, or now if it has; returns what unregisters it. */
  onCancel(listener: () => void): () => void;
}

/** The call's cancellation: `cancellation` when given, else one read from `signal`; undefined with neither. */
export function cancellationOf(call: BackendCall): Cancellation | undefined {
  if (call.cancellation) return call.cancellation;
  const signal = call.signal;
  if (!signal) return undefined;
  return {
    get cancelled() {
      return signal.aborted;
    },
    onCancel(listener) {
      if (signal.aborted) {
        listener();
        return () => undefined;
      }
      signal.addEventListener('abort', listener, { once: true });
      return () => signal.removeEventListener('abort', listener);
    },
  };
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

/**
 * The contract the CSP client, the embedded store and any plugged-in backend implement; the resolvers see
 * nothing else. Every method answers an `Outcome`: a documented refusal is `fail({ code })`, never a throw.
 * A throw is a bug: the client gets `MfaUnexpectedError` and the log gets the cause. The gateway wraps
 * every backend in its guards (token verification, brute-force guard, secret scrubbing), so a backend
 * does not count wrong passwords per window or scrub its own answers; it does check the token it is given.
 */
export interface MfaBackend {
  /**
   * Short name for logs: `csp`, `store`, or a plugged-in backend's own (lowercase letters, digits and
   * `-`, at most 32 characters; checked at start).
   */
  readonly kind: string;
  /**
   * Turns the caller's MFA on or off after checking their password. Answers `WRONG_PASSWORD` for a wrong
   * one (the guard counts those), `CONFLICT` when turning on with no activated device, and the current
   * state when nothing changes.
   */
  updateMfa(call: UpdateMfaCall): Promise<Outcome<MfaUpdateDto>>;
  getMfaStatus(call: BackendCall): Promise<Outcome<MfaStatusDto>>;
  /** The caller's MFA audit log, one page, newest first (`pageStart` is 1-based). */
  getMfaAudit(call: BackendCall, query: MfaAuditQuery): Promise<Outcome<MfaAuditPage>>;
  /** Resolves true when the backend can take requests (store open). Asked at start, and by GET /ready. */
  isReady(): Promise<boolean>;
  /** Releases what the backend holds; the gateway calls it once, after the last request. */
  close(): Promise<void>;
}

/** The logger a plugged-in backend is given: pino's, bound to the backend. Never log a token or password. */
export interface BackendLogger {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
  debug(details: object, message: string): void;
}

/** What the gateway hands the factory of an `MFA_BACKEND_MODULE`. */
export interface MfaBackendContext {
  readonly logger: BackendLogger;
  /** The bound the gateway puts on one upstream call (CSP_TIMEOUT_MS): answer within it. */
  readonly callTimeoutMs: number;
  /** NODE_ENV=production. */
  readonly production: boolean;
}

/**
 * The export an `MFA_BACKEND_MODULE` must have, named `createMfaBackend`. The module reads its own
 * configuration (a database URL, say) from wherever it likes; the gateway passes only its context.
 */
export type MfaBackendFactory = (context: MfaBackendContext) => MfaBackend | Promise<MfaBackend>;

/** A success outcome. */
export const succeed = <T>(value: T): Outcome<T> => ({ ok: true, value });
/** A documented refusal or a fault on the way to an answer (`UPSTREAM_UNAVAILABLE`, `UNEXPECTED`). */
export const fail = <T = never>(failure: MfaFailure): Outcome<T> => ({ ok: false, failure });
