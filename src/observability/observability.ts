/**
 * Assembles what the configuration asks for: Prometheus metrics (prom-client, loaded only when on),
 * OpenTelemetry tracing (the SDK, loaded only when an OTEL_* variable is set), the bound on operation
 * names both use, and the hooks the HTTP layer, the CSP client and the brute-force guard report through.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type ObservabilityConfig } from '../config.js';
import { type GuardObserver } from './guard-observer.js';
import { type Metrics } from './metrics.js';
import { createOperationNameBound, type OperationNameBound } from './operation-names.js';
import { startTracing, type Tracing } from './tracing.js';
import { combineUpstreamObservers, type UpstreamObserver } from './upstream-observer.js';

export interface Observability {
  readonly metrics?: Metrics;
  /** Own port for GET /metrics; undefined serves it on the main port (when metrics are on). */
  readonly metricsPort?: number;
  readonly tracing?: Tracing;
  readonly boundName: OperationNameBound;
  /** For the CSP client; undefined when neither metrics nor tracing is on. */
  readonly upstream?: UpstreamObserver;
  readonly guard?: GuardObserver;
  /** Exports what tracing still buffers. */
  shutdown(): Promise<void>;
}

export interface ObservabilityOptions {
  /** WORKERS > 1, in a worker: fetches the sum of every worker's metrics from the primary (GET /metrics answers it). */
  readonly clusterSum?: () => Promise<string>;
}

export async function createObservability(
  config: ObservabilityConfig,
  options: ObservabilityOptions = {},
): Promise<Observability> {
  const boundName = createOperationNameBound(config.operationNames);
  const metrics = config.metrics.enabled
    ? (await import('./metrics.js')).createMetrics(
        options.clusterSum ? { clusterSum: options.clusterSum } : {},
      )
    : undefined;
  const tracing = await startTracing(config.tracing, { boundName });
  return {
    ...(metrics ? { metrics, guard: metrics.guard } : {}),
    ...(config.metrics.enabled && config.metrics.port !== undefined
      ? { metricsPort: config.metrics.port }
      : {}),
    ...(tracing ? { tracing } : {}),
    boundName,
    ...withUpstream(combineUpstreamObservers(metrics?.upstream, tracing?.upstream)),
    shutdown: async () => {
      await tracing?.shutdown();
    },
  };
}

const withUpstream = (upstream: UpstreamObserver | undefined) => (upstream ? { upstream } : {});

/** Nothing observed: for servers assembled without a configuration (and the default of createServer). */
export const NO_OBSERVABILITY: Observability = {
  boundName: createOperationNameBound(),
  shutdown: async () => undefined,
};

/** Routes the HTTP layer serves; any other path is 'other' (a path is client text). */
export type RouteOf = (url: string | undefined) => string;

export function createRouteOf(routes: ReadonlySet<string>): RouteOf {
  return (url) => {
    const target = url ?? '';
    const q = target.indexOf('?');
    const path = q === -1 ? target : target.slice(0, q);
    return routes.has(path) ? path : 'other';
  };
}

/** Probes and scrapes: counted in metrics, never traced (one span per probe is noise, not insight). */
const UNTRACED_ROUTES = new Set(['/health', '/ready', '/metrics']);

/**
 * Wraps each request in what is on: the in-flight gauge and duration histogram, the server span.
 * Undefined when nothing is on, so the plain path stays as it was.
 */
export function createRequestObserver(
  observability: Observability,
  routeOf: RouteOf,
): ((req: IncomingMessage, res: ServerResponse, handle: () => void) => void) | undefined {
  const { metrics, tracing } = observability;
  if (!metrics && !tracing) return undefined;
  return (req, res, handle) => {
    const route = routeOf(req.url);
    metrics?.observeRequest(req.method, route, res);
    if (tracing && !UNTRACED_ROUTES.has(route)) tracing.traceRequest(req, res, route, handle);
    else handle();
  };
}
