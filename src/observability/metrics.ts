/**
 * Prometheus metrics (prom-client): one registry per server with the process and runtime defaults and
 * this gateway's series, and the hooks the HTTP layer, the GraphQL plugin, the CSP client and the
 * brute-force guard report through. Every label value comes from a fixed set — a route, a method, a
 * status, a known operation name, a schema type name — never a token, a user, a request id or client
 * text, so the number of series cannot grow with traffic. docs/operations-observability.md lists them.
 */
import { type ServerResponse } from 'node:http';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type GuardObserver, type GuardRefusal } from './guard-observer.js';
import { type UpstreamObserver } from './upstream-observer.js';

/** OpenTelemetry's recommended boundaries for HTTP durations, in seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Methods a browser, a router or a probe sends; node's parser accepts ~30 more, all counted as 'other'. */
const KNOWN_METHODS = new Set(['GET', 'POST', 'OPTIONS', 'HEAD']);

export interface OperationSample {
  /** Already bounded (observability/operation-names.ts). */
  readonly operationName: string;
  /** 'query', 'mutation', 'subscription', or '' when the document never got that far. */
  readonly operationType: string;
  /** The root field ('updateMyMfa'), or '' for a request refused before execution. */
  readonly rootField: string;
  /** The union member's __typename, 'error', or the error code of a refused request. */
  readonly outcome: string;
}

export interface Metrics {
  readonly contentType: string;
  /** The text exposition of every series. */
  render(): Promise<string>;
  /** Counts the request in flight; when it closes, its duration by method, route and status. */
  observeRequest(method: string | undefined, route: string, res: ServerResponse): void;
  countOperation(sample: OperationSample): void;
  readonly upstream: UpstreamObserver;
  readonly guard: GuardObserver;
}

export interface MetricsOptions {
  /** Process and Node.js runtime series (CPU, memory, event loop lag, GC, handles). Defaults to true. */
  readonly defaultMetrics?: boolean;
  /**
   * WORKERS > 1, in a worker: this registry answers the primary's collections, and `render` gives the
   * sum over every worker, as `clusterSum` fetches it from the primary. Defaults to none (this process only).
   */
  readonly clusterSum?: () => Promise<string>;
}

/** The sum of every worker's metrics, collected by the cluster primary. */
export interface ClusterMetrics {
  collect(): Promise<string>;
}

/**
 * WORKERS > 1, in the primary: asks every worker for its series and sums them (prom-client's
 * AggregatorRegistry: counters and histograms summed; each default series as prom-client aggregates it).
 */
export function createClusterMetrics(): ClusterMetrics {
  const aggregator = new AggregatorRegistry();
  return { collect: () => aggregator.clusterMetrics() };
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  if (options.clusterSum) {
    // The primary's collections read this registry; an AggregatorRegistry made in a worker installs
    // prom-client's answer to them (it listens for the primary's requests on the worker's IPC channel).
    AggregatorRegistry.setRegistries([registry]);
    void new AggregatorRegistry();
  }
  const render = options.clusterSum ?? (() => registry.metrics());

  const activeRequests = new Gauge({
    name: 'http_server_active_requests',
    help: 'HTTP requests being handled right now (all routes).',
    registers: [registry],
  });
  const requestDuration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Time from the request arriving to its response being written, by method, route and status.',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const operations = new Counter({
    name: 'graphql_operations_total',
    help: "GraphQL root fields executed, by operation name (known names only, else 'other'), type, root field and outcome (the union member's __typename). Requests refused before execution count with an empty root field and their error code as outcome.",
    labelNames: [
      'graphql_operation_name',
      'graphql_operation_type',
      'graphql_root_field',
      'outcome',
    ] as const,
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: 'http_client_request_duration_seconds',
    help: 'Calls to CSP, by method, route template, status code (empty when no answer came) and failure kind (timeout, reset, refused, dns, unusable_body, cancelled, other; empty when the answer was usable).',
    labelNames: ['http_request_method', 'url_template', 'http_response_status_code', 'error_type'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'mfa_brute_force_refusals_total',
    help: "Updates the brute-force guard answered MfaRateLimitedError without calling CSP: 'locked' (the user's wrong-password budget is spent) or 'busy' (too many of the user's updates in flight).",
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const locks = new Counter({
    name: 'mfa_brute_force_locks_total',
    help: 'Users locked out by the brute-force guard: wrong passwords that spent the last attempt of a window.',
    registers: [registry],
  });
  // Zero from the start, so rate() and alerts work before the first event.
  for (const reason of ['locked', 'busy'] satisfies GuardRefusal[]) refusals.inc({ reason }, 0);
  locks.inc(0);

  return {
    contentType: registry.contentType,
    render,

    observeRequest(method, route, res) {
      activeRequests.inc();
      const started = performance.now();
      res.once('close', () => {
        activeRequests.dec();
        requestDuration.observe(
          {
            http_request_method: method !== undefined && KNOWN_METHODS.has(method) ? method : 'other',
            http_route: route,
            // Empty when the client went away before any answer was written.
            http_response_status_code: res.headersSent ? res.statusCode : '',
          },
          (performance.now() - started) / 1000,
        );
      });
    },

    countOperation(sample) {
      operations.inc({
        graphql_operation_name: sample.operationName,
        graphql_operation_type: sample.operationType,
        graphql_root_field: sample.rootField,
        outcome: sample.outcome,
      });
    },

    upstream: {
      start(endpoint) {
        const started = performance.now();
        return {
          headers: undefined,
          end(result) {
            upstreamDuration.observe(
              {
                http_request_method: endpoint.method,
                url_template: endpoint.template,
                http_response_status_code: result.statusCode ?? '',
                error_type: result.failure ?? '',
              },
              (performance.now() - started) / 1000,
            );
          },
        };
      },
    },

    guard: {
      refused: (reason) => refusals.inc({ reason }),
      locked: () => locks.inc(),
    },
  };
}
