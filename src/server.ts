/**
 * createServer(config): the HTTP listener, Apollo Server, /health and /ready, and graceful shutdown.
 * A plain node:http handler in front of Apollo keeps per-request work small and lets us bound the body,
 * stamp a request id and cancel upstream calls when the client goes away.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { type Config } from './config.js';
import { createContext, type MfaContext } from './context.js';
import { type MfaBackend } from './backend/mfa-backend.js';
import { scopedLogger, type Logger } from './logging/logger.js';
import { createLandingPagePlugin } from './plugins/landing-page.plugin.js';
import { createErrorMasking } from './plugins/error-masking.plugin.js';
import { createFederatedTracePlugin } from './plugins/federated-trace.plugin.js';
import { createOperationMetrics } from './plugins/operation-metrics.plugin.js';
import {
  createRequestObserver,
  createRouteOf,
  NO_OBSERVABILITY,
  type Observability,
} from './observability/observability.js';
import { createMetricsListener, METRICS_PATH, serveMetrics } from './observability/metrics-endpoint.js';
import { buildMfaSchema } from './schema.js';
import { createQueryLimits } from './plugins/query-limits.plugin.js';
import { capConnections } from './http/connection-cap.js';
import { createCors } from './http/cors.js';
import { collectSchemaNames } from './logging/schema-names.js';
import { requestSecrets } from './logging/message-scrubbing.js';
import { KnownOperationTypesRule } from './plugins/known-operation-types.rule.js';
import { loadTrustedDocuments } from './http/trusted-documents.js';
import { type SettingsPage } from './http/settings-page.route.js';
import { readJsonBody, RequestBodyError } from './http/request-body.js';
import { parseTarget } from './http/request-target.js';
import { sendJson } from './http/send-json.js';
import { ClientCancellation } from './http/client-cancellation.js';
import { acceptMeansNothing } from './http/accept.js';

export const GRAPHQL_PATH = '/graphql';

export interface ServerOptions {
  readonly config: Config;
  readonly backend: MfaBackend;
  readonly logger: Logger;
  /** Metrics, tracing and their hooks (observability/observability.ts). Defaults to none. */
  readonly observability?: Observability;
}

export interface RunningServer {
  /** The bound address, e.g. http://127.0.0.1:4000. */
  readonly url: string;
  readonly port: number;
  /** The address of GET /metrics when it has a port of its own. */
  readonly metricsUrl?: string;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), then closes the backend. */
  close(): Promise<void>;
}

export interface MfaServer {
  readonly apollo: ApolloServer<MfaContext>;
  listen(): Promise<RunningServer>;
}

/** A caller's request id is reused only when it is short and plain; otherwise we make our own. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const KNOWN_ROUTES = new Set(['/', GRAPHQL_PATH, '/health', '/ready', METRICS_PATH]);

export function createServer(options: ServerOptions): MfaServer {
  const { config } = options;
  const { backend } = options;
  const observability = options.observability ?? NO_OBSERVABILITY;
  const { metrics, tracing } = observability;
  const metricsOnMainPort = metrics !== undefined && observability.metricsPort === undefined;
  const { schema } = buildMfaSchema({ serviceSdl: config.security.serviceSdl });
  const operationMetrics = metrics && createOperationMetrics({ metrics, boundName: observability.boundName });
  operationMetrics?.instrumentSchema(schema);
  const names = collectSchemaNames(schema);
  // Knowing the schema's names, the scrubbing keeps them in logged messages (it redacts every other quote).
  const logger = scopedLogger(options.logger, {}, { names });
  const masking = createErrorMasking(logger, { schemaNames: names });
  const limits = createQueryLimits(config.security.queryLimits);
  const applyCors = createCors({ origins: config.security.corsOrigins });
  const trusted = config.trustedDocumentsPath
    ? loadTrustedDocuments(config.trustedDocumentsPath, schema)
    : undefined;
  let settingsPage: SettingsPage | undefined;

  const apollo = new ApolloServer<MfaContext>({
    schema,
    introspection: config.security.introspection,
    csrfPrevention: true,
    validationRules: [KnownOperationTypesRule, ...(limits.validationRules ?? [])],
    parseOptions: limits.parseOptions,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    // main.ts owns the signals: Apollo's own handler would call stop() a second time, and a stop() that
    // overlaps another never settles (@apollo/server 5.5), so SIGTERM never finished.
    stopOnTerminationSignals: false,
    formatError: masking.formatError,
    logger: {
      debug: (m) => logger.debug(m),
      info: (m) => logger.info(m),
      warn: (m) => logger.warn(m),
      error: (m) => logger.error(m),
    },
    plugins: [
      // Per-field work for features this API does not use. Field suggestions are blocked by graphql-armor.
      ApolloServerPluginCacheControlDisabled(),
      // Apollo's inline trace would build its state for every request; ours does only when a router asks.
      ApolloServerPluginInlineTraceDisabled(),
      createFederatedTracePlugin(),
      ...(operationMetrics ? [operationMetrics.plugin] : []),
      ...(tracing ? [tracing.plugin] : []),
      ...(limits.plugins ?? []),
      masking.plugin,
      createLandingPagePlugin({ production: config.production, graphqlPath: GRAPHQL_PATH }),
    ],
  });

  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    cancellation: ClientCancellation,
  ): Promise<void> {
    res.setHeader('x-request-id', requestId);
    // Every answer is about one caller (MFA state, errors, readiness): no cache or proxy may keep it.
    res.setHeader('cache-control', 'no-store');
    // Fully received unless a body is still to come: from now on it is not the connection that makes room.
    if (req.method !== 'POST') connections.serving(req, res);
    // Before CORS: a scrape is no browser call, and the GraphQL CSRF rules are Apollo's, not this route's.
    if (metricsOnMainPort && parseTarget(req.url ?? '/')?.pathname === METRICS_PATH) {
      return serveMetrics(metrics, req, res);
    }
    if (applyCors(req, res, requestId) === 'answered') return;
    const url = parseTarget(req.url ?? '/');
    // A protocol-relative target with a bad authority ('//host:99999/') is no URL at all (fuzz find).
    if (!url) {
      return sendJson(res, 400, {
        errors: [
          {
            message: 'The request target is not a valid URL.',
            extensions: { code: 'BAD_REQUEST', requestId },
          },
        ],
      });
    }

    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/ready') {
      const ready = !draining && (await backend.isReady());
      return sendJson(res, ready ? 200 : 503, {
        status: ready ? 'ready' : draining ? 'draining' : 'not ready',
      });
    }
    if (settingsPage?.serve(req, res, url.pathname)) return;
    if (url.pathname !== GRAPHQL_PATH && url.pathname !== '/') {
      return sendJson(res, 404, {
        errors: [{ message: `Not found. GraphQL is served at ${GRAPHQL_PATH}.` }],
      });
    }
    if (draining) {
      res.setHeader('connection', 'close');
      return sendJson(res, 503, {
        errors: [{ message: 'The server is shutting down.', extensions: { code: 'UNAVAILABLE' } }],
      });
    }

    let body: unknown;
    try {
      body = req.method === 'POST' ? await readJsonBody(req, config.maxBodyBytes) : undefined;
    } catch (error) {
      if (!(error instanceof RequestBodyError)) throw error;
      return sendJson(res, error.statusCode, {
        errors: [{ message: error.message, extensions: { code: error.code, requestId } }],
      });
    }
    if (req.method === 'POST') connections.serving(req, res);

    let search = url.search;
    if (trusted) {
      const resolved = trusted.resolve({ method: (req.method ?? 'GET').toUpperCase(), body, search });
      if (!resolved.ok) {
        return sendJson(res, 400, {
          errors: [{ message: resolved.message, extensions: { code: resolved.code, requestId } }],
        });
      }
      ({ body, search } = resolved);
    }

    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const accept = headers.get('accept');
    if (accept !== undefined && acceptMeansNothing(accept)) headers.delete('accept');
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      headers,
      search,
      body,
    };

    const execute = () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest,
        context: async () =>
          createContext({
            headers,
            requestId,
            cancellation,
            backend,
            serviceAccountRule: config.serviceAccountRule,
            acceptBearer: config.security.acceptAuthorizationBearer,
          }),
      });
    const result = await (tracing ? tracing.traceOperation(execute) : execute());

    for (const [name, value] of result.headers) res.setHeader(name, value);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }

  const listenerOptions: http.ServerOptions = {
    headersTimeout: config.http.headersTimeoutMs,
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    // node:http checks these two deadlines only this often (default 30 s): a tenth of the headers
    // timeout, at most 1 s, so a stalled client is cut at most 1 s after its deadline.
    connectionsCheckingInterval: Math.min(1_000, Math.max(25, Math.floor(config.http.headersTimeoutMs / 10))),
  };
  const observe = createRequestObserver(observability, createRouteOf(KNOWN_ROUTES));
  const httpServer = http.createServer(listenerOptions, (req, res) => {
    if (observe) observe(req, res, () => serve(req, res));
    else serve(req, res);
  });
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    // The client going away before its answer was written cancels the backend calls under way.
    const cancellation = new ClientCancellation();
    res.on('close', () => {
      inFlight--;
      if (draining && inFlight === 0) drained?.();
      if (res.writableFinished) return;
      try {
        cancellation.cancel();
      } catch (error) {
        // A listener's bug (a plugged-in backend's) is logged; it must not take the server down.
        logFor().error({ err: error }, 'cancelling the backend calls failed');
      }
    });
    const headerId = req.headers['x-request-id'];
    const requestId =
      typeof headerId === 'string' && SANE_REQUEST_ID.test(headerId) ? headerId : randomUUID();
    // Every line logged for this request carries its id and is scrubbed of its token; the child logger
    // is made only when a line is.
    let requestLogger: Logger | undefined;
    const logFor = (): Logger =>
      (requestLogger ??= scopedLogger(
        logger,
        { requestId },
        { names, secrets: requestSecrets({ tokens: tokenHeaders(req) }, names) },
      ));
    if (logger.isLevelEnabled('debug')) {
      const started = performance.now();
      res.on('close', () => {
        // The route only: a path or query string is client text and may hold anything.
        const path = (req.url ?? '').split('?')[0] ?? '';
        const route = KNOWN_ROUTES.has(path) ? path : 'other';
        const ms = Math.round(performance.now() - started);
        logFor().debug({ method: req.method, route, status: res.statusCode, ms }, 'request finished');
      });
    }
    handle(req, res, requestId, cancellation).catch((error: unknown) => {
      logFor().error({ err: error }, 'request handling failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Unexpected error.' }] });
      else res.destroy();
    });
  };
  const connections = capConnections(httpServer, { maxConnections: config.http.maxConnections, logger });

  return {
    apollo,
    async listen(): Promise<RunningServer> {
      // The page's module and files load only when it is enabled.
      if (config.settingsPageDir) {
        const { loadSettingsPage } = await import('./http/settings-page.route.js');
        settingsPage = await loadSettingsPage(config.settingsPageDir);
      }
      await apollo.start();
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const address = httpServer.address() as AddressInfo;
      const metricsListener =
        metrics && observability.metricsPort !== undefined
          ? await createMetricsListener(metrics, config.host, observability.metricsPort)
          : undefined;
      return {
        url: urlOf(address),
        port: address.port,
        ...(metricsListener ? { metricsUrl: `${metricsListener.url}${METRICS_PATH}` } : {}),
        close: async () => {
          await metricsListener?.close();
          draining = true;
          const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
          httpServer.closeIdleConnections();
          if (inFlight > 0) {
            const allDone = new Promise<void>((resolve) => (drained = resolve));
            const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
            await Promise.race([allDone, grace]);
          }
          httpServer.closeAllConnections();
          await closed;
          await apollo.stop();
          await backend.close();
        },
      };
    },
  };
}

/** The header values that carry a token, whole and as the bearer token alone. */
function tokenHeaders(req: IncomingMessage): string[] {
  const direct = req.headers['csp-auth-token'];
  const authorization = req.headers.authorization;
  return [
    ...(Array.isArray(direct) ? direct : direct ? [direct] : []),
    ...(authorization ? [authorization, /^\S+\s+(.+)$/.exec(authorization)?.[1] ?? ''] : []),
  ];
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
