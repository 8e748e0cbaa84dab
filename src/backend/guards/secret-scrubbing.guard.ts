/**
 * A guard that drops any field of a backend's answer that carries the caller's token or password.
 * The CSP mapper already keeps only short identifiers from error bodies, but an upstream (or a proxy)
 * that echoes the request can put a secret into exactly those identifiers or into the status fields.
 */
import {
  type BackendCall,
  type MfaAuditLogDto,
  type MfaAuditPage,
  type MfaAuditQuery,
  type MfaBackend,
  type MfaFailure,
  type MfaStatusDto,
  type Outcome,
  type UpdateMfaCall,
} from '../mfa-backend.js';
import { decorate } from './decorate.js';

/** Shorter fragments are too likely to be innocent (a 4-digit code inside a password). */
const MIN_FRAGMENT = 8;

/** True when `value` holds one of `secrets` (or, for long ones, a telling part of one). */
export function carriesSecret(value: string, secrets: readonly string[]): boolean {
  return secrets.some((secret) => {
    if (secret.length === 0) return false;
    if (secret.length >= MIN_FRAGMENT) {
      return value.includes(secret) || (value.length >= MIN_FRAGMENT && secret.includes(value));
    }
    // A short secret ('p') is inside almost any identifier; count it only as a whole part of one.
    return value === secret || value.split(/[^A-Za-z0-9]+/).includes(secret);
  });
}

function scrubFailure(failure: MfaFailure, call: BackendCall, secrets: readonly string[]): MfaFailure {
  const clean = (v: string | undefined) => (v !== undefined && carriesSecret(v, secrets) ? undefined : v);
  const { cspErrorCode, errorCode, requestId, ...rest } = failure;
  return {
    ...rest,
    ...(clean(cspErrorCode) === undefined ? {} : { cspErrorCode }),
    ...(clean(errorCode) === undefined ? {} : { errorCode }),
    requestId: clean(requestId) ?? call.requestId,
  };
}

function scrubStatus(status: MfaStatusDto, secrets: readonly string[]): MfaStatusDto {
  const { deviceName, username, ...rest } = status;
  const keep = (v: string | undefined) => v !== undefined && !carriesSecret(v, secrets);
  return {
    ...rest,
    ...(keep(deviceName) ? { deviceName } : {}),
    ...(keep(username) ? { username } : {}),
  };
}

/**
 * Optional strings that echo the token are dropped; an event whose id echoes it is dropped whole, since
 * an event with a made-up id is not one the client can refer to.
 */
function scrubAuditPage(page: MfaAuditPage, secrets: readonly string[]): MfaAuditPage {
  const keep = (v: string | undefined) => v !== undefined && !carriesSecret(v, secrets);
  const scrubEvent = (event: MfaAuditLogDto): MfaAuditLogDto => {
    const { modifiedBy, username, details, ...rest } = event;
    return {
      ...rest,
      details: keep(details.deviceName) ? { deviceName: details.deviceName } : {},
      ...(keep(modifiedBy) ? { modifiedBy } : {}),
      ...(keep(username) ? { username } : {}),
    };
  };
  return {
    ...page,
    results: page.results.filter((event) => keep(event.eventId)).map(scrubEvent),
  };
}

function scrubOutcome<T>(outcome: Outcome<T>, call: BackendCall, secrets: readonly string[]): Outcome<T> {
  return outcome.ok ? outcome : { ok: false, failure: scrubFailure(outcome.failure, call, secrets) };
}

export function createSecretScrubbingGuard(backend: MfaBackend): MfaBackend {
  return decorate(backend, {
    async updateMfa(call: UpdateMfaCall) {
      return scrubOutcome(await backend.updateMfa(call), call, [call.token, call.password]);
    },
    async getMfaStatus(call: BackendCall) {
      const outcome = await backend.getMfaStatus(call);
      if (!outcome.ok) return scrubOutcome(outcome, call, [call.token]);
      return { ok: true, value: scrubStatus(outcome.value, [call.token]) };
    },
    async getMfaAudit(call: BackendCall, query: MfaAuditQuery) {
      const outcome = await backend.getMfaAudit(call, query);
      if (!outcome.ok) return scrubOutcome(outcome, call, [call.token]);
      return { ok: true, value: scrubAuditPage(outcome.value, [call.token]) };
    },
  });
}
