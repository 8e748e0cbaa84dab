/** Starts the real gateway (createServer) on port 0 against a given CSP URL, capturing every log line. */
import { Writable } from 'node:stream';
import { createBackend } from '../../src/backend/create-backend.js';
import { type MfaBackend } from '../../src/backend/mfa-backend.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { createObservability } from '../../src/observability/observability.js';
import { createServer, type RunningServer } from '../../src/server.js';

export interface GraphQLAnswer<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: T | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

export interface TestGateway {
  readonly url: string;
  readonly graphqlUrl: string;
  /** Exports the spans still buffered (with tracing on; nothing otherwise). */
  flushTraces(): Promise<void>;
  /** GET /metrics: on the main port unless METRICS_PORT gives it one of its own; undefined when off. */
  readonly metricsUrl: string | undefined;
  /** Every log line the gateway wrote, as raw JSON text. */
  readonly logs: string[];
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLAnswer<T>>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /**
   * Fault injection: wraps the backend createBackend assembled (guards included), to give the gateway
   * a bug (a backend that throws) and prove how the server reports it. Defaults to no wrapping.
   */
  readonly wrapBackend?: (backend: MfaBackend) => MfaBackend;
}

export async function startGateway(
  env: Record<string, string>,
  options: GatewayOptions = {},
): Promise<TestGateway> {
  const loaded = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'debug', ...env });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  // As main.ts does it. Tracing needs OTEL_* in process.env too, since the SDK reads them there.
  const observability = await createObservability(loaded.config.observability);
  const tracing = observability.tracing;
  const logger = createLogger({
    level: loaded.config.logLevel,
    destination,
    ...(tracing ? { mixin: tracing.logFields } : {}),
  });
  tracing?.reportTo(logger);
  const created = await createBackend(loaded.config, logger, observability);
  const running: RunningServer = await createServer({
    config: loaded.config,
    backend: options.wrapBackend ? options.wrapBackend(created.backend) : created.backend,
    logger,
    observability,
  }).listen();
  const graphqlUrl = `${running.url}/graphql`;
  return {
    url: running.url,
    graphqlUrl,
    metricsUrl: running.metricsUrl ?? (observability.metrics ? `${running.url}/metrics` : undefined),
    flushTraces: async () => {
      await observability.tracing?.flush();
    },
    logs,
    async graphql<T>(
      query: string,
      variables?: Record<string, unknown>,
      headers: Record<string, string> = {},
    ) {
      const response = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as GraphQLAnswer<T>['body'],
      };
    },
    close: async () => {
      await running.close();
      await observability.shutdown();
    },
  };
}
