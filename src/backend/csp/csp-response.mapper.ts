/**
 * The one exhaustive mapper from a CSP HTTP answer (status, headers, body text) to an `Outcome`.
 * Only this file knows what CSP's statuses and `CspErrorResponse` bodies mean.
 */
import {
  fail,
  isMfaAuditAction,
  succeed,
  type MfaAuditLogDto,
  type MfaAuditPage,
  type MfaFailure,
  type MfaFailureCode,
  type MfaStatusDto,
  type MfaUpdateDto,
  type Outcome,
} from '../mfa-backend.js';
import { isEpochMs, isInt32 } from '../number-rules.js';

/** Which CSP operation answered: the same status means different things on different paths. */
export type CspOperation = 'update' | 'status' | 'audit';

export interface CspAnswer {
  readonly statusCode: number;
  /** Lower-cased header names, as node gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** The fields of `CspErrorResponse` we pass on; anything else in the body (stackTrace, causes, …) is dropped. */
interface CspErrorFields {
  cspErrorCode?: string;
  errorCode?: string;
  moduleCode?: number;
  requestId?: string;
}

const MAX_FIELD_LENGTH = 200;
/** Identifiers only: CSP codes and request ids never need more, and this keeps URLs and free text out. */
const SAFE_IDENTIFIER = /^[A-Za-z0-9._:\-/]+$/;

function header(answer: CspAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJsonObject(body: string): Record<string, unknown> | undefined {
  const text = body.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function safeIdentifier(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (text.length === 0 || text.length > MAX_FIELD_LENGTH || !SAFE_IDENTIFIER.test(text)) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return undefined;
  return text;
}

/** `moduleCode` is documented as int32 but arrives as a numeric string in the wild: accept both. */
function moduleCodeOf(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)
        ? Number(value)
        : NaN;
  return isInt32(n) ? n : undefined;
}

function errorFields(answer: CspAnswer): CspErrorFields {
  const body = parseJsonObject(answer.body) ?? {};
  return {
    cspErrorCode: safeIdentifier(body.cspErrorCode),
    errorCode: safeIdentifier(body.errorCode),
    moduleCode: moduleCodeOf(body.moduleCode),
    requestId: safeIdentifier(body.requestId) ?? safeIdentifier(header(answer, 'csp-request-id')),
  };
}

/**
 * The longest wait passed on, in seconds (one day). `retryAfterSeconds` is a GraphQL Int, so a far-future
 * date or a huge number from CSP or a proxy would otherwise overflow it and turn a clean MfaRateLimitedError
 * into "Unexpected error."; a wait longer than a day is not advice a client can act on anyway.
 */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

const WEEKDAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_WEEKDAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
/** RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms recipients must accept. */
const HTTP_DATE = new RegExp(
  `^(?:${WEEKDAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT` +
    `|${LONG_WEEKDAY}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT` +
    `|${WEEKDAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4})$`,
);
const DELTA_SECONDS = /^\d+$/;

/**
 * `Retry-After` is delta-seconds or an HTTP date; anything else (negative, fractional, garbage) is ignored,
 * never required. The wait is clamped to 1..MAX_RETRY_AFTER_SECONDS: a date in the past or a 0 becomes 1,
 * so a client told to wait never retries in a tight loop (the local guard never says less than 1 either).
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let seconds: number;
  if (DELTA_SECONDS.test(text)) {
    // Any number of digits: a 20-digit wait is still "a long time", and Number() saturates, never throws.
    seconds = Number(text);
  } else if (HTTP_DATE.test(text)) {
    // asctime carries no zone; HTTP dates are always UTC.
    const date = Date.parse(text.endsWith('GMT') ? text : `${text} GMT`);
    if (Number.isNaN(date)) return undefined;
    seconds = Math.ceil((date - now) / 1000);
  } else {
    return undefined;
  }
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, seconds));
}

/** Status → failure code, per operation; any status CSP does not document is UNEXPECTED (it keeps its statusCode). */
function failureCodeFor(operation: CspOperation, statusCode: number): MfaFailureCode {
  switch (statusCode) {
    case 400:
      // PATCH: "Password was not provided". POST audit: a bad query (dates, actions, filters, page window).
      return operation === 'audit' ? 'INVALID_REQUEST' : 'PASSWORD_REQUIRED';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      // PATCH: "Wrong password provided". GET status, POST audit: "the user is forbidden to use the API".
      return operation === 'update' ? 'WRONG_PASSWORD' : 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 429:
      return 'RATE_LIMITED';
    case 502:
    case 503:
    case 504:
      return 'UPSTREAM_UNAVAILABLE';
    default:
      return 'UNEXPECTED';
  }
}

function failureOf(operation: CspOperation, answer: CspAnswer): MfaFailure {
  const code = failureCodeFor(operation, answer.statusCode);
  const fields = errorFields(answer);
  const base: MfaFailure = { code, statusCode: answer.statusCode, ...withoutUndefined(fields) };
  if (code !== 'RATE_LIMITED') return base;
  const retryAfterSeconds = parseRetryAfter(header(answer, 'retry-after'));
  return retryAfterSeconds === undefined ? base : { ...base, retryAfterSeconds };
}

/** A body that is not a CSP answer: an HTML error page, nothing, or JSON of the wrong shape. */
function notCspAnswer(answer: CspAnswer): Outcome<never> {
  const requestId = safeIdentifier(header(answer, 'csp-request-id'));
  return fail({
    code: 'UPSTREAM_UNAVAILABLE',
    statusCode: answer.statusCode,
    ...withoutUndefined({ requestId }),
  });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** PATCH …/principal/mfa. `turnedOn` is optional in `UpdateMfaResponse`: a 200 without it applied what was asked. */
export function mapUpdateAnswer(answer: CspAnswer, requestedTurnedOn: boolean): Outcome<MfaUpdateDto> {
  if (answer.statusCode !== 200) return fail(failureOf('update', answer));
  const body = parseJsonObject(answer.body);
  if (!body) return notCspAnswer(answer);
  if (body.turnedOn === undefined || body.turnedOn === null) return succeed({ turnedOn: requestedTurnedOn });
  if (typeof body.turnedOn !== 'boolean') return notCspAnswer(answer);
  return succeed({ turnedOn: body.turnedOn });
}

/** GET …/principal/mfa/status → `UserMfaStatusDto`; a field of the wrong type makes the whole answer suspect. */
export function mapStatusAnswer(answer: CspAnswer): Outcome<MfaStatusDto> {
  if (answer.statusCode !== 200) return fail(failureOf('status', answer));
  const body = parseJsonObject(answer.body);
  if (!body) return notCspAnswer(answer);
  const { activated, deviceName, turnedOn, username } = body;
  const optional = (v: unknown, type: 'boolean' | 'string'): boolean =>
    v === undefined || v === null || typeof v === type;
  if (
    !optional(activated, 'boolean') ||
    !optional(turnedOn, 'boolean') ||
    !optional(deviceName, 'string') ||
    !optional(username, 'string')
  ) {
    return notCspAnswer(answer);
  }
  return succeed(
    withoutUndefined({
      activated: (activated ?? undefined) as boolean | undefined,
      turnedOn: (turnedOn ?? undefined) as boolean | undefined,
      deviceName: (deviceName ?? undefined) as string | undefined,
      username: (username ?? undefined) as string | undefined,
    }),
  );
}

const isCount = (v: unknown): v is number => isInt32(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * One `MfaAuditLogDto`, or undefined when it is not one. Id, action and date are what make an event
 * usable; the rest may be absent (or null). An action outside CSP's documented list is the wrong shape
 * too: the GraphQL enum could not carry it.
 */
function auditEventOf(value: unknown): MfaAuditLogDto | undefined {
  if (!isObject(value)) return undefined;
  const { action, details, eventDate, eventId, modifiedBy, username } = value;
  if (!isMfaAuditAction(action) || !isEpochMs(eventDate)) return undefined;
  if (typeof eventId !== 'string' || eventId.length === 0) return undefined;
  const optionalString = (v: unknown): v is string | undefined | null =>
    v === undefined || v === null || typeof v === 'string';
  if (!optionalString(modifiedBy) || !optionalString(username)) return undefined;
  if (details !== undefined && details !== null && !isObject(details)) return undefined;
  const deviceName = isObject(details) ? details.deviceName : undefined;
  if (!optionalString(deviceName)) return undefined;
  return withoutUndefined({
    action,
    details: withoutUndefined({ deviceName: deviceName ?? undefined }),
    eventDate,
    eventId,
    modifiedBy: modifiedBy ?? undefined,
    username: username ?? undefined,
  });
}

/** POST …/principal/mfa/audit → one page; one event of the wrong shape makes the whole answer suspect. */
export function mapAuditAnswer(answer: CspAnswer): Outcome<MfaAuditPage> {
  if (answer.statusCode !== 200) return fail(failureOf('audit', answer));
  const body = parseJsonObject(answer.body);
  if (!body) return notCspAnswer(answer);
  const { itemsPerPage, startIndex, totalResults, results } = body;
  if (!isCount(itemsPerPage) || !isCount(startIndex) || !isCount(totalResults)) return notCspAnswer(answer);
  // An empty page may come without its list.
  if (results !== undefined && results !== null && !Array.isArray(results)) return notCspAnswer(answer);
  const events: MfaAuditLogDto[] = [];
  for (const item of (results ?? []) as unknown[]) {
    const event = auditEventOf(item);
    if (!event) return notCspAnswer(answer);
    events.push(event);
  }
  return succeed({ itemsPerPage, startIndex, totalResults, results: events });
}

/** CSP's `csp-request-id` header when it is a plain identifier (for traces; a failure's id comes from `failureOf`). */
export function cspRequestIdOf(answer: CspAnswer): string | undefined {
  return safeIdentifier(header(answer, 'csp-request-id'));
}
