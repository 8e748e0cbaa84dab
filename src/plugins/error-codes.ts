/** The error codes a request can end with outside the MFA unions: one list for masking, metrics and spans. */

/** Codes of a request refused before or around execution (Apollo's and graphql-js's), the client's doing. */
export const REQUEST_REFUSAL_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Codes whose message is written for the client and passes (after scrubbing): the refusals, and ours. */
export const CLIENT_FACING_CODES: ReadonlySet<string> = new Set([
  ...REQUEST_REFUSAL_CODES,
  'FORBIDDEN',
  'MFA_STATUS_UNAVAILABLE',
]);

/** Every code worth its own label or span attribute; anything else (a plugin's own code) is 'other'. */
export const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set([
  ...CLIENT_FACING_CODES,
  'INTERNAL_SERVER_ERROR',
]);
