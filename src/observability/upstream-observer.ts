/**
 * What the CSP client reports about each upstream call, without knowing who listens: Prometheus
 * (a duration histogram) and OpenTelemetry (a client span) both implement it. No secret is ever
 * passed in: the endpoint is a route template, and the CSP request id is checked by the client first.
 */

export interface UpstreamEndpoint {
  readonly method: 'GET' | 'PATCH' | 'POST';
  /** The route template, e.g. '/csp/gateway/iam/vmwid/api/principal/mfa': never a URL with data in it. */
  readonly template: string;
}

/**
 * Why a call gave no usable answer. 'unusable_body' is an answer CSP's contract does not allow (an HTML
 * page on a 200, the wrong JSON shape, a body past the size limit); 'cancelled' is the client going away.
 */
export const UPSTREAM_FAILURE_KINDS = [
  'timeout',
  'reset',
  'refused',
  'dns',
  'unusable_body',
  'cancelled',
  'other',
] as const;

export type UpstreamFailureKind = (typeof UPSTREAM_FAILURE_KINDS)[number];

export interface UpstreamResult {
  /** The HTTP status, when an answer arrived. */
  readonly statusCode?: number;
  readonly failure?: UpstreamFailureKind;
  /** CSP's `csp-request-id` header, only when it is a plain identifier that carries no secret. */
  readonly cspRequestId?: string;
}

export interface UpstreamCall {
  /** Headers to send with the call (the W3C trace context), or undefined. */
  readonly headers: Readonly<Record<string, string>> | undefined;
  end(result: UpstreamResult): void;
}

export interface UpstreamObserver {
  /** Called as a call starts, in the async context of the GraphQL operation that makes it. */
  start(endpoint: UpstreamEndpoint): UpstreamCall;
}

/** One observer that reports to several (metrics and tracing), or undefined when there is none. */
export function combineUpstreamObservers(
  ...observers: readonly (UpstreamObserver | undefined)[]
): UpstreamObserver | undefined {
  const present = observers.filter((o): o is UpstreamObserver => o !== undefined);
  if (present.length <= 1) return present[0];
  return {
    start(endpoint) {
      const calls = present.map((o) => o.start(endpoint));
      const headers = Object.assign({}, ...calls.map((c) => c.headers)) as Record<string, string>;
      return {
        headers,
        end: (result) => {
          for (const call of calls) call.end(result);
        },
      };
    },
  };
}
