
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "MfaError": [
      "MfaConflictError",
      "MfaForbiddenError",
      "MfaInvalidRequestError",
      "MfaNotFoundError",
      "MfaPasswordRequiredError",
      "MfaRateLimitedError",
      "MfaServiceAccountNotAllowedError",
      "MfaUnauthenticatedError",
      "MfaUnexpectedError",
      "MfaUpstreamUnavailableError",
      "MfaWrongPasswordError"
    ],
    "MyMfaAuditLogResult": [
      "MfaAuditLogPage",
      "MfaConflictError",
      "MfaForbiddenError",
      "MfaInvalidRequestError",
      "MfaNotFoundError",
      "MfaRateLimitedError",
      "MfaServiceAccountNotAllowedError",
      "MfaUnauthenticatedError",
      "MfaUnexpectedError",
      "MfaUpstreamUnavailableError"
    ],
    "MyMfaResult": [
      "MfaForbiddenError",
      "MfaNotFoundError",
      "MfaRateLimitedError",
      "MfaServiceAccountNotAllowedError",
      "MfaStatus",
      "MfaUnauthenticatedError",
      "MfaUnexpectedError",
      "MfaUpstreamUnavailableError"
    ],
    "UpdateMyMfaResult": [
      "MfaConflictError",
      "MfaNotFoundError",
      "MfaPasswordRequiredError",
      "MfaRateLimitedError",
      "MfaServiceAccountNotAllowedError",
      "MfaStatus",
      "MfaUnauthenticatedError",
      "MfaUnexpectedError",
      "MfaUpstreamUnavailableError",
      "MfaWrongPasswordError"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "MfaError": [
      "MfaConflictError",
      "MfaForbiddenError",
      "MfaInvalidRequestError",
      "MfaNotFoundError",
      "MfaPasswordRequiredError",
      "MfaRateLimitedError",
      "MfaServiceAccountNotAllowedError",
      "MfaUnauthenticatedError",
      "MfaUnexpectedError",
      "MfaUpstreamUnavailableError",
      "MfaWrongPasswordError"
    ],
    "MyMfaAuditLogResult": [
      "MfaAuditLogPage",
      "MfaConflictError",
      "MfaForbiddenError",
      "MfaInvalidRequestError",
      "MfaNotFoundError",
      "MfaRateLimitedError",
      "MfaServiceAccountNotAllowedError",
      "MfaUnauthenticatedError",
      "MfaUnexpectedError",
      "MfaUpstreamUnavailableError"
    ],
    "MyMfaResult": [
      "MfaForbiddenError",
      "MfaNotFoundError",
      "MfaRateLimitedError",
      "MfaServiceAccountNotAllowedError",
      "MfaStatus",
      "MfaUnauthenticatedError",
      "MfaUnexpectedError",
      "MfaUpstreamUnavailableError"
    ],
    "UpdateMyMfaResult": [
      "MfaConflictError",
      "MfaNotFoundError",
      "MfaPasswordRequiredError",
      "MfaRateLimitedError",
      "MfaServiceAccountNotAllowedError",
      "MfaStatus",
      "MfaUnauthenticatedError",
      "MfaUnexpectedError",
      "MfaUpstreamUnavailableError",
      "MfaWrongPasswordError"
    ]
  }
};
      export default result;
    