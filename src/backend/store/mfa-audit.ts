/**
 * The MFA audit-log read's request rules, as CSP documents them for a 400 (the request and page types
 * are the backend contract's). Shared by the store and the CSP simulator.
 */
import { isMfaAuditAction, MAX_AUDIT_FILTER_VALUES, type MfaAuditAction } from '../mfa-backend.js';
import { isEpochMs, isInt32 } from '../number-rules.js';

// The DTOs are the backend contract's; re-exported so the store's own modules keep one import.
export {
  MAX_AUDIT_FILTER_VALUES,
  MFA_AUDIT_ACTIONS,
  type MfaAuditAction,
  type MfaAuditLogDto,
  type MfaAuditPage,
  type MfaAuditQuery,
} from '../mfa-backend.js';

/**
 * Paging is not documented beyond "page window too large" (inferred, like CSP's other paged APIs):
 * `pageStart` is 1-based, `pageLimit` defaults to 20 and is capped at 200, and the window may not
 * reach past the 10,000th event.
 */
export const DEFAULT_AUDIT_PAGE_LIMIT = 20;
export const MAX_AUDIT_PAGE_LIMIT = 200;
export const MAX_AUDIT_WINDOW = 10_000;
const MAX_FILTER_VALUE_LENGTH = 256;

/** Why an audit request is refused (CSP answers 400 for each). */
export type AuditQueryProblem =
  | 'MALFORMED'
  | 'DATE_NOT_EPOCH_MS'
  | 'END_BEFORE_START'
  | 'START_IN_FUTURE'
  | 'UNSUPPORTED_ACTION'
  | 'TOO_MANY_FILTER_VALUES'
  | 'PAGE_WINDOW_TOO_LARGE';

/** A query with paging defaults applied, ready for the database. */
export interface NormalizedAuditQuery {
  readonly startDate: number;
  readonly endDate: number;
  readonly actions: readonly MfaAuditAction[] | null;
  readonly deviceNames: readonly string[] | null;
  readonly eventIds: readonly string[] | null;
  readonly pageLimit: number;
  readonly pageStart: number;
}

export type AuditQueryResult =
  | { readonly ok: true; readonly query: NormalizedAuditQuery }
  | { readonly ok: false; readonly problem: AuditQueryProblem; readonly message: string };

function stringList(value: unknown): readonly string[] | null | undefined {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) return undefined;
  return value.every((item) => typeof item === 'string' && item.length <= MAX_FILTER_VALUE_LENGTH)
    ? (value as string[])
    : undefined;
}

function optionalInt(value: unknown): number | null | undefined {
  if (value === undefined || value === null) return null;
  return isInt32(value) ? value : undefined;
}

const refuse = (problem: AuditQueryProblem, message: string): AuditQueryResult => ({
  ok: false,
  problem,
  message,
});

/** Checks a request body (already JSON-parsed, so anything) against CSP's documented rules. */
export function parseAuditQuery(raw: unknown, nowMs: number): AuditQueryResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return refuse('MALFORMED', 'the request body must be a JSON object');
  }
  const body = raw as Record<string, unknown>;
  const { startDate, endDate } = body;
  if (!isEpochMs(startDate) || !isEpochMs(endDate)) {
    return refuse('DATE_NOT_EPOCH_MS', 'startDate and endDate are required epoch milliseconds');
  }
  if (endDate < startDate) return refuse('END_BEFORE_START', 'endDate is before startDate');
  if (startDate > nowMs) return refuse('START_IN_FUTURE', 'startDate is in the future');

  const actions = stringList(body.actions);
  const deviceNames = stringList(body.deviceNames);
  const eventIds = stringList(body.eventIds);
  if (actions === undefined || deviceNames === undefined || eventIds === undefined) {
    return refuse('MALFORMED', 'actions, deviceNames and eventIds must be arrays of strings');
  }
  if (actions && !actions.every(isMfaAuditAction)) return refuse('UNSUPPORTED_ACTION', 'unsupported action');
  if (
    (deviceNames?.length ?? 0) > MAX_AUDIT_FILTER_VALUES ||
    (eventIds?.length ?? 0) > MAX_AUDIT_FILTER_VALUES
  ) {
    return refuse('TOO_MANY_FILTER_VALUES', `at most ${MAX_AUDIT_FILTER_VALUES} deviceNames and eventIds`);
  }

  const pageLimit = optionalInt(body.pageLimit);
  const pageStart = optionalInt(body.pageStart);
  if (pageLimit === undefined || pageStart === undefined) {
    return refuse('MALFORMED', 'pageLimit and pageStart must be integers');
  }
  const limit = pageLimit ?? DEFAULT_AUDIT_PAGE_LIMIT;
  const start = pageStart ?? 1;
  if (limit < 1 || limit > MAX_AUDIT_PAGE_LIMIT || start < 1 || start + limit - 1 > MAX_AUDIT_WINDOW) {
    return refuse('PAGE_WINDOW_TOO_LARGE', 'the page window is out of range');
  }
  return {
    ok: true,
    query: {
      startDate,
      endDate,
      actions: actions && actions.length > 0 ? (actions as MfaAuditAction[]) : null,
      deviceNames: deviceNames && deviceNames.length > 0 ? deviceNames : null,
      eventIds: eventIds && eventIds.length > 0 ? eventIds : null,
      pageLimit: limit,
      pageStart: start,
    },
  };
}
