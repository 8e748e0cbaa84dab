/**
 * The CSP backend: the only module that imports `got`. One configured instance, keep-alive,
 * an explicit timeout, no retries, no redirects, and every answer through `csp-response.mapper`.
 */
import http from 'node:http';
import https from 'node:https';
import { got, Options, RequestError, type Got, type OptionsInit, type Request } from 'got';
import { type Logger } from '../../logging/logger.js';
import {
  type UpstreamEndpoint,
  type UpstreamFailureKind,
  type UpstreamObserver,
} from '../../observability/upstream-observer.js';
import { carriesSecret } from '../guards/secret-scrubbing.guard.js';
import {
  cancellationOf,
  fail,
  type BackendCall,
  type MfaAuditPage,
  type MfaAuditQuery,
  type MfaBackend,
  type MfaStatusDto,
  type MfaUpdateDto,
  type Outcome,
  type UpdateMfaCall,
} from '../mfa-backend.js';
import { CSP_MFA_AUDIT_PATH, CSP_MFA_PATH, CSP_MFA_STATUS_PATH } from './csp-paths.js';
import {
  cspRequestIdOf,
  mapAuditAnswer,
  mapStatusAnswer,
  mapUpdateAnswer,
  type CspAnswer,
} from './csp-response.mapper.js';

// Resolved against the base URL, which may carry a proxy's path prefix: paths without a leading slash.
const UPDATE_PATH = CSP_MFA_PATH.slice(1);
const STATUS_PATH = CSP_MFA_STATUS_PATH.slice(1);
const AUDIT_PATH = CSP_MFA_AUDIT_PATH.slice(1);

export interface CspClientOptions {
  /** CSP base URL ending in '/', e.g. https://console.cloud.vmware.com/. */
  readonly baseUrl: URL;
  /** Upper bound for one call, connect to last byte. Defaults to 5_000. */
  readonly timeoutMs?: number;
  /** Larger answers are cut off and treated as not-a-CSP-answer. Defaults to 1_048_576. */
  readonly maxResponseBytes?: number;
  /** Sockets kept per upstream host. Defaults to 256. */
  readonly maxSockets?: number;
  readonly logger: Logger;
  /** Told of every call (metrics, tracing); its headers (the trace context) go along. Defaults to none. */
  readonly observer?: UpstreamObserver;
}

type Call =
  | { method: 'PATCH'; path: string; json: { password: string; turnedOn: boolean } }
  | { method: 'POST'; path: string; json: MfaAuditQuery }
  | { method: 'GET'; path: string };

export function createCspMfaClient(options: CspClientOptions): MfaBackend {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxResponseBytes = options.maxResponseBytes ?? 1_048_576;
  const maxSockets = options.maxSockets ?? 256;
  const logger = options.logger;
  const observer = options.observer;
  const agentOptions = { keepAlive: true, maxSockets, scheduling: 'lifo' as const };
  const agent = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };

  // Normalized once: per call got only clones them (got(undefined, undefined, options)), instead of
  // validating and merging an options object and parsing the URL on every call.
  const shared: OptionsInit = {
    agent,
    timeout: { request: timeoutMs },
    // A retried PATCH with a wrong password would burn the user's lockout budget: never retry.
    retry: { limit: 0 },
    // A redirect could carry the token to another host: never follow, report it.
    followRedirect: false,
    throwHttpErrors: false,
    // No accept-encoding: CSP's answers are a few hundred bytes, and inflating them costs more than it saves.
    decompress: false,
    isStream: true,
    headers: { accept: 'application/json', 'user-agent': 'csp-mfa-graphql' },
  };
  const endpointOptions = (method: Call['method'], path: string, json: boolean): Options =>
    new Options(new URL(path, options.baseUrl), {
      ...shared,
      method,
      headers: { ...shared.headers, ...(json ? { 'content-type': 'application/json' } : {}) },
    });
  // One CSP path per method.
  const endpoints: Readonly<Record<Call['method'], Options>> = {
    PATCH: endpointOptions('PATCH', UPDATE_PATH, true),
    GET: endpointOptions('GET', STATUS_PATH, false),
    POST: endpointOptions('POST', AUDIT_PATH, true),
  };
  // The call being sent: set just before `client()` and read by its handler, which got runs synchronously
  // inside that call. It is how the call's headers and body reach got's own clone of the endpoint's options
  // without a clone of ours (each clone of got's Options costs about as much as the rest of got's per-call
  // work: bench/investigations/upstream-client.mjs, "got single clone").
  let sending: { call: Call; base: BackendCall; extraHeaders?: Readonly<Record<string, string>> } | undefined;
  const client: Got = got.extend({
    handlers: [
      (normalized, next) => {
        const current = sending;
        sending = undefined;
        if (!current) throw new Error('CSP client: got was called without a call to send');
        // The clone's own headers object (lower-case names, as got's setter would make them).
        const headers = normalized.headers;
        if (current.extraHeaders) Object.assign(headers, current.extraHeaders);
        headers['csp-auth-token'] = current.base.token;
        headers['x-request-id'] = current.base.requestId;
        if ('json' in current.call) normalized.body = JSON.stringify(current.call.json);
        // Not `signal`: got reads it only while constructing the request, before this handler runs, so
        // `send` listens for the client going away itself.
        normalized.createNativeRequestOptions = flatNativeRequestOptions;
        return next(normalized);
      },
    ],
  });

  /**
   * got's stream interface, read to the end here: it does the same work as the promise interface for
   * about 80 µs less CPU per call, and lets us cut off an oversized answer as it arrives. With the options
   * normalized once, one clone per call and flat native options, got costs far less per call over bare
   * node:http than with an options object per call (bench/investigations/upstream-client.mjs).
   */
  function send(
    call: Call,
    base: BackendCall,
    extraHeaders: Readonly<Record<string, string>> | undefined,
  ): Promise<CspAnswer | Fault> {
    return new Promise((resolve) => {
      const cancellation = cancellationOf(base);
      // The client went away before the call: nothing is sent.
      if (cancellation?.cancelled) return resolve(fault('ERR_ABORTED', base));
      sending = { call, base, extraHeaders };
      let stream: Request;
      try {
        // isStream is set in the normalized options, so got answers with its stream, not a promise.
        stream = client(undefined, undefined, endpoints[call.method]) as Request;
      } finally {
        sending = undefined;
      }
      // The client went away during the call: the upstream request is cut off (the error handler below
      // sees the cancellation and answers 'cancelled').
      const stopListening = cancellation?.onCancel(() => stream.destroy(new Error('the client went away')));
      const settle = (answer: CspAnswer | Fault) => {
        stopListening?.();
        resolve(answer);
      };
      let response: { statusCode: number; headers: CspAnswer['headers'] } | undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      stream.on('response', (r: { statusCode: number; headers: CspAnswer['headers'] }) => {
        response = r;
        if (r.statusCode >= 300 && r.statusCode < 400) {
          logger.warn(
            { requestId: base.requestId, statusCode: r.statusCode },
            'CSP answered with a redirect, which is never followed; check CSP_BASE_URL',
          );
        }
      });
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxResponseBytes) {
          chunks.push(chunk);
        } else if (!tooLarge) {
          tooLarge = true;
          stream.destroy(new Error('answer too large'));
        }
      });
      stream.on('end', () => {
        if (!response) return settle(fault('ERR_NO_RESPONSE', base));
        settle({
          statusCode: response.statusCode,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      stream.on('error', (error: unknown) => {
        settle(fault(tooLarge ? 'ERR_CSP_RESPONSE_TOO_LARGE' : errorCodeOf(error), base));
      });
    });
  }

  /** Transport faults (timeout, reset, refused, cut-off body, cancellation) are all "upstream unavailable". */
  function fault(code: string, base: BackendCall): Fault {
    const cancelled = cancellationOf(base)?.cancelled === true;
    if (cancelled) {
      logger.debug({ requestId: base.requestId }, 'client went away; upstream call cancelled');
    } else {
      logger.warn({ requestId: base.requestId, code }, 'CSP call failed');
    }
    return {
      kind: cancelled ? 'cancelled' : failureKindOf(code),
      outcome: fail({ code: 'UPSTREAM_UNAVAILABLE', requestId: base.requestId }),
    };
  }

  /** One call: sent, mapped, and reported to the observer (status, failure kind, CSP's request id). */
  async function exchange<T>(
    call: Call,
    base: BackendCall,
    map: (answer: CspAnswer) => Outcome<T>,
    secrets: readonly string[],
  ): Promise<Outcome<T>> {
    const observed = observer?.start(endpointOf(call));
    const answer = await send(call, base, observed?.headers);
    if ('outcome' in answer) {
      observed?.end({ failure: answer.kind });
      return answer.outcome;
    }
    const outcome = withRequestId(map(answer), base);
    if (observed) {
      const cspRequestId = cspRequestIdOf(answer);
      observed.end({
        statusCode: answer.statusCode,
        // A 200 the mapper refused is an answer CSP's contract does not allow.
        ...(answer.statusCode === 200 && !outcome.ok ? { failure: 'unusable_body' as const } : {}),
        ...(cspRequestId && !carriesSecret(cspRequestId, secrets) ? { cspRequestId } : {}),
      });
    }
    return outcome;
  }

  return {
    kind: 'csp',

    updateMfa(call: UpdateMfaCall): Promise<Outcome<MfaUpdateDto>> {
      return exchange(
        { method: 'PATCH', path: UPDATE_PATH, json: { password: call.password, turnedOn: call.turnedOn } },
        call,
        (answer) => mapUpdateAnswer(answer, call.turnedOn),
        [call.token, call.password],
      );
    },

    getMfaStatus(call: BackendCall): Promise<Outcome<MfaStatusDto>> {
      return exchange({ method: 'GET', path: STATUS_PATH }, call, mapStatusAnswer, [call.token]);
    },

    getMfaAudit(call: BackendCall, query: MfaAuditQuery): Promise<Outcome<MfaAuditPage>> {
      return exchange({ method: 'POST', path: AUDIT_PATH, json: auditBodyOf(query) }, call, mapAuditAnswer, [
        call.token,
      ]);
    },

    async isReady(): Promise<boolean> {
      return true;
    },

    async close(): Promise<void> {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}

/** `PrincipalMfaAuditLogRequest` with only the fields the caller gave: CSP applies its own defaults to the rest. */
function auditBodyOf(query: MfaAuditQuery): MfaAuditQuery {
  return {
    startDate: query.startDate,
    endDate: query.endDate,
    ...(query.actions ? { actions: query.actions } : {}),
    ...(query.deviceNames ? { deviceNames: query.deviceNames } : {}),
    ...(query.eventIds ? { eventIds: query.eventIds } : {}),
    ...(query.pageLimit === undefined ? {} : { pageLimit: query.pageLimit }),
    ...(query.pageStart === undefined ? {} : { pageStart: query.pageStart }),
  };
}

/** got's TLS options (`options.https`) under node's names: passed on only when set. */
const TLS_FIELDS = [
  ['ALPNProtocols', 'alpnProtocols'],
  ['ca', 'certificateAuthority'],
  ['cert', 'certificate'],
  ['key', 'key'],
  ['passphrase', 'passphrase'],
  ['pfx', 'pfx'],
  ['rejectUnauthorized', 'rejectUnauthorized'],
  ['checkServerIdentity', 'checkServerIdentity'],
  ['servername', 'serverName'],
  ['ciphers', 'ciphers'],
  ['honorCipherOrder', 'honorCipherOrder'],
  ['minVersion', 'minVersion'],
  ['maxVersion', 'maxVersion'],
  ['sigalgs', 'signatureAlgorithms'],
  ['sessionTimeout', 'tlsSessionLifetime'],
  ['dhparam', 'dhparam'],
  ['ecdhCurve', 'ecdhCurve'],
  ['crl', 'certificateRevocationLists'],
  ['secureOptions', 'secureOptions'],
] as const;

type NativeRequestOptions = ReturnType<Options['createNativeRequestOptions']>;

/**
 * node's request options, in place of got's `Options#createNativeRequestOptions` (set on each call's
 * options by the client's handler), with only the fields that carry a value. got's own method spreads its
 * cache and unix-socket options and adds some thirty fields after them, most of them undefined; V8 (Node 20)
 * makes every field after a spread slow, and node's agent and ClientRequest each copy the whole object again
 * with a spread. Four fields instead of thirty-one cost about 40 µs less per call
 * (bench/investigations/upstream-client.mjs). An absent field means what undefined means to node; neither
 * the cache nor unix sockets are used here; TLS fields are passed on when set, for https only.
 */
function flatNativeRequestOptions(this: Options): NativeRequestOptions {
  const https = this.url instanceof URL && this.url.protocol === 'https:';
  const native: Record<string, unknown> = {
    agent: https ? this.agent.https : this.agent.http,
    method: this.method,
    headers: this.headers,
    setHost: this.setHost,
  };
  if (this.maxHeaderSize !== undefined) native.maxHeaderSize = this.maxHeaderSize;
  if (this.localAddress !== undefined) native.localAddress = this.localAddress;
  if (this.dnsLookup !== undefined) native.lookup = this.dnsLookup;
  if (this.dnsLookupIpVersion !== undefined) native.family = this.dnsLookupIpVersion;
  if (this.createConnection !== undefined) native.createConnection = this.createConnection;
  if (https) {
    const tls = this.https as Record<(typeof TLS_FIELDS)[number][1], unknown>;
    for (const [nativeName, gotName] of TLS_FIELDS) {
      if (tls[gotName] !== undefined) native[nativeName] = tls[gotName];
    }
  }
  return native as NativeRequestOptions;
}

/** A transport fault: what the caller gets, and its kind for metrics and traces. */
interface Fault {
  readonly kind: UpstreamFailureKind;
  readonly outcome: Outcome<never>;
}

/** The route template: the paths are constants, so the template is the path itself, never data. */
const endpointOf = (call: Call): UpstreamEndpoint => ({ method: call.method, template: `/${call.path}` });

/** got's and node's error codes, grouped into the failure kinds operators alert on. */
function failureKindOf(code: string): UpstreamFailureKind {
  switch (code) {
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_NO_RESPONSE':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return 'reset';
    case 'ECONNREFUSED':
      return 'refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    case 'ERR_CSP_RESPONSE_TOO_LARGE':
      return 'unusable_body';
    default:
      return 'other';
  }
}

function errorCodeOf(error: unknown): string {
  return error instanceof RequestError ? error.code : 'ERR_UNKNOWN';
}

/** Every failure carries a request id: CSP's when it sent one, else ours. */
function withRequestId<T>(outcome: Outcome<T>, call: BackendCall): Outcome<T> {
  if (outcome.ok || outcome.failure.requestId) return outcome;
  return fail({ ...outcome.failure, requestId: call.requestId });
}
