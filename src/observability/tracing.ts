/**
 * OpenTelemetry tracing as the rest of the gateway sees it: an interface, and a loader that imports
 * the SDK (./otel-tracing.ts) only when config says an OTEL_* variable asks for it. With tracing off
 * nothing of OpenTelemetry is loaded, and every hook below is simply absent.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type ApolloServerPlugin } from '@apollo/server';
import { type TracingConfig } from '../config.js';
import { type MfaContext } from '../context.js';
import { type Logger } from '../logging/logger.js';
import { type OperationNameBound } from './operation-names.js';
import { type UpstreamObserver } from './upstream-observer.js';

export interface Tracing {
  /**
   * Runs `handle` inside a server span for the request, continued from the caller's W3C `traceparent`
   * (a router's), and ends the span when the response closes.
   */
  traceRequest(req: IncomingMessage, res: ServerResponse, route: string, handle: () => void): void;
  /** Runs one GraphQL operation inside its own span (named by `plugin` once the operation is known). */
  traceOperation<T>(run: () => Promise<T>): Promise<T>;
  /** Names the operation span and sets graphql.operation.name and graphql.operation.type. */
  readonly plugin: ApolloServerPlugin<MfaContext>;
  /** A client span per CSP call, and the `traceparent` header that carries it to CSP. */
  readonly upstream: UpstreamObserver;
  /** trace_id and span_id of the active span, for pino's mixin: every log line of a request carries them. */
  logFields(): Record<string, string>;
  /** Sends the log lines of the SDK itself (export failures) to our logger. */
  reportTo(logger: Logger): void;
  /** Exports the spans still buffered. */
  flush(): Promise<void>;
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  readonly boundName: OperationNameBound;
}

/** Loads and starts the OpenTelemetry SDK when tracing is configured; undefined (and nothing loaded) otherwise. */
export async function startTracing(
  config: TracingConfig,
  options: TracingOptions,
): Promise<Tracing | undefined> {
  if (!config.enabled) return undefined;
  const { startOtelTracing } = await import('./otel-tracing.js');
  return startOtelTracing(options);
}
