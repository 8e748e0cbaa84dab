/**
 * The OpenTelemetry SDK, loaded by tracing.ts only when an OTEL_* variable is set. The SDK reads the
 * OTEL_* variables itself (exporter, protocol including http/json, endpoint, headers, sampler,
 * propagators, service name, resource attributes, batching): the one place outside config.ts where
 * the environment is read, and deliberately so, since those variables are the standard interface.
 *
 * What is not taken from the environment, and why:
 * - resource detectors: env, host and os only. The process detector exports the command line, and a
 *   flag such as --rate-limit-redis-url can carry a password.
 * - metrics and logs: Prometheus serves the metrics and stdout the logs, so the SDK exports neither.
 * Every span attribute is a route template, a method, a status, a bounded name or a checked id:
 * never a token, a password, a variable or a document.
 */
import { type IncomingMessage } from 'node:http';
import {
  context,
  diag,
  DiagLogLevel,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type ProxyTracerProvider,
  type Span,
} from '@opentelemetry/api';
import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import { type Logger } from '../logging/logger.js';
import { createTracingPlugin } from '../plugins/tracing.plugin.js';
import { type Tracing, type TracingOptions } from './tracing.js';

const SERVICE_NAME = 'csp-mfa-graphql';
const KNOWN_METHODS = new Set(['GET', 'POST', 'OPTIONS', 'HEAD']);

export function startOtelTracing(options: TracingOptions): Tracing {
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) override this name.
    resource: resources
      .defaultResource()
      .merge(resources.resourceFromAttributes({ 'service.name': SERVICE_NAME })),
    resourceDetectors: [resources.envDetector, resources.hostDetector, resources.osDetector],
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  const tracer = trace.getTracer(SERVICE_NAME);
  /** Operation spans, so the plugin never renames a span it did not start. */
  const operationSpans = new WeakSet<Span>();

  return {
    traceRequest(req: IncomingMessage, res, route, handle) {
      const parent = propagation.extract(ROOT_CONTEXT, req.headers);
      const method = req.method !== undefined && KNOWN_METHODS.has(req.method) ? req.method : '_OTHER';
      const span = tracer.startSpan(
        `${method} ${route}`,
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': method, 'http.route': route, 'url.scheme': 'http' },
        },
        parent,
      );
      res.once('close', () => {
        if (!res.headersSent) {
          // The client went away before any answer was written.
          span.setAttribute('error.type', 'client_closed');
        } else {
          span.setAttribute('http.response.status_code', res.statusCode);
        }
        if (res.headersSent && res.statusCode >= 500) {
          span.setAttribute('error.type', String(res.statusCode));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      });
      context.with(trace.setSpan(parent, span), handle);
    },

    traceOperation(run) {
      const parent = context.active();
      const span = tracer.startSpan('GraphQL Operation', { kind: SpanKind.INTERNAL }, parent);
      operationSpans.add(span);
      return context.with(trace.setSpan(parent, span), run).finally(() => span.end());
    },

    plugin: createTracingPlugin({
      boundName: options.boundName,
      operationSpan: () => {
        const span = trace.getSpan(context.active());
        return span && operationSpans.has(span) ? span : undefined;
      },
    }),

    upstream: {
      start(endpoint) {
        const parent = context.active();
        const span = tracer.startSpan(
          `${endpoint.method} ${endpoint.template}`,
          {
            kind: SpanKind.CLIENT,
            attributes: { 'http.request.method': endpoint.method, 'url.template': endpoint.template },
          },
          parent,
        );
        const headers: Record<string, string> = {};
        propagation.inject(trace.setSpan(parent, span), headers);
        return {
          headers,
          end(result) {
            if (result.statusCode !== undefined)
              span.setAttribute('http.response.status_code', result.statusCode);
            if (result.cspRequestId !== undefined) span.setAttribute('csp.request_id', result.cspRequestId);
            const errorType =
              result.failure ??
              (result.statusCode !== undefined && result.statusCode >= 400
                ? String(result.statusCode)
                : undefined);
            if (errorType !== undefined) {
              span.setAttribute('error.type', errorType);
              span.setStatus({ code: SpanStatusCode.ERROR });
            }
            span.end();
          },
        };
      },
    },

    logFields(): Record<string, string> {
      const span = trace.getSpan(context.active());
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },

    reportTo(logger: Logger) {
      // Only the message and an error's code: the SDK's arguments can hold its configuration (headers).
      const line =
        (level: 'error' | 'warn' | 'info' | 'debug') =>
        (message: string, ...args: unknown[]) => {
          const code = args.find((a): a is { code?: unknown } => typeof a === 'object' && a !== null)?.code;
          logger[level](
            { otel: true, ...(code === undefined ? {} : { code: String(code) }) },
            `OpenTelemetry: ${message}`,
          );
        };
      diag.setLogger(
        {
          error: line('error'),
          warn: line('warn'),
          info: line('info'),
          debug: line('debug'),
          verbose: line('debug'),
        },
        { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
      );
    },

    async flush() {
      // The SDK's provider sits behind the API's proxy; NodeSDK itself has no flush.
      const provider = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate();
      await (provider as { forceFlush?: () => Promise<void> }).forceFlush?.();
    },

    shutdown: () => sdk.shutdown(),
  };
}
